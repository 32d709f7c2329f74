export * from './g711.codec';
export * from './pcm-resampler';
export * from './audio-converter';
export * from './frame-slicer';
export * from './call-audio-framer';

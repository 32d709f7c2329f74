export * from './turn-playout';
export * from './playout-queue';
export * from './frame-pacer';
export * from './heard-text';

export * from './rest-playback.ports';
export * from './rest-call-playback';
export * from './playback-command-ids';
export type { PlaybackGap } from './playback-ledger';
export { GAPS_KEPT } from './playback-ledger';
export * from './mp3-encoder';
export * from './mp3-encode.error';
export { MP3_BITRATE_KBPS, MP3_SAMPLE_RATE_HZ } from './ffmpeg-mp3.job';
export { DEFAULT_FFMPEG_PATH } from './ffmpeg-binary';

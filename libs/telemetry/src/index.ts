export * from './logger';
export * from './turn-marks';
export * from './metrics';
export * from './stream-lag.collector';
export * from './latency-log';
export * from './turn-latencies';

export * from './streams';
export * from './shard';
export * from './messages';
export * from './codec';
export * from './media-token';
export * from './telnyx/webhook-event';
export * from './telnyx/media-frames';

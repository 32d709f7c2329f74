export * from './streams';
export * from './shard';
export * from './messages';
export * from './codec';
export * from './media-token';

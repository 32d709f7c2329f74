/**
 * Types for `cluster-key-slot` (ioredis' own dependency, which ships none): the Redis Cluster hash slot
 * of a key, honouring `{hash tags}`.
 */
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    /** The common slot of all keys, or -1 when they differ. */
    function generateMulti(keys: Array<string | Buffer>): number;
  }
  export = calculateSlot;
}

/**
 * Lease operations on one shard, each atomic in Lua and touching keys of one slot only (the lease and
 * its fencing counter share the shard's hash tag).
 */

/** KEYS: lease, fence. ARGV: token, ttlMs. Returns the new fencing token, or nil if held by another. */
export const ACQUIRE_LEASE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return false`;

/** KEYS: lease. ARGV: token, ttlMs. 1 when renewed, 0 when the lease is not ours any more. */
export const RENEW_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** KEYS: lease. ARGV: token. Deletes the lease only when it is ours. */
export const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Lua scripts on one call's hash (one key, so each runs in one slot on Redis Cluster). Each is atomic,
 * so two gateway replicas handling the same call never interleave a read and a write. None of them
 * ever writes to a missing key (that would leave a hash without TTL behind) or to an ended call
 * (a late webhook must not bring a call back to life).
 */

/** KEYS[1] call hash; ARGV[1] TTL (s); ARGV[2..] field, value pairs. 1 = created, 0 = the call exists. */
export const CREATE_IF_ABSENT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;

/**
 * KEYS[1]; ARGV[1] allowed previous states ("a,b", empty = any live state); ARGV[2] target state;
 * ARGV[3] event id; ARGV[4] TTL to set (s, empty = keep); ARGV[5..] more field, value pairs.
 * Returns {outcome, previous state}: applied | resumed (this very event made this transition already
 * and the call is still there: its handling is being retried) | skipped | ended | missing.
 */
export const TRANSITION = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing', ''} end
local state = redis.call('HGET', KEYS[1], 'state') or ''
if state == ARGV[2] and ARGV[3] ~= '' and redis.call('HGET', KEYS[1], 'stateEvent') == ARGV[3] then
  return {'resumed', state}
end
if state == 'ended' then return {'ended', state} end
if ARGV[1] ~= '' then
  local allowed = false
  for s in string.gmatch(ARGV[1], '[^,]+') do if s == state then allowed = true end end
  if not allowed then return {'skipped', state} end
end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'stateEvent', ARGV[3])
if #ARGV > 4 then redis.call('HSET', KEYS[1], unpack(ARGV, 5)) end
if ARGV[4] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return {'applied', state}`;

/**
 * KEYS[1]; ARGV[1] the turn id the write is about ('' = any); ARGV[2..] field, value pairs. Returns the
 * previous state; nil (nothing written) when the call is missing or ended, or its turn is another one.
 */
export const UPDATE_LIVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local state = redis.call('HGET', KEYS[1], 'state') or ''
if state == 'ended' then return false end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'turnId') ~= ARGV[1] then return false end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return state`;

/**
 * Claims the barge-in of a turn, once: KEYS[1]; ARGV[1] the turn being spoken. Returns the previous
 * state, or nil when the call is gone, the turn is no longer current, or it was barged already.
 */
export const CLAIM_BARGE_IN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local state = redis.call('HGET', KEYS[1], 'state') or ''
if state == 'ended' then return false end
if redis.call('HGET', KEYS[1], 'turnId') ~= ARGV[1] then return false end
if redis.call('HGET', KEYS[1], 'bargedTurn') == ARGV[1] then return false end
redis.call('HSET', KEYS[1], 'bargedTurn', ARGV[1], 'speaking', '0', 'state', 'listening')
return state`;

/** KEYS[1]; ARGV[1] field. The incremented value, or nil for a missing or ended call. */
export const INCREMENT_LIVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HGET', KEYS[1], 'state') == 'ended' then return false end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)`;

/**
 * Mints the next turn atomically: counter, current turn id and its facts in one step. KEYS[1]; ARGV[1]
 * kind; ARGV[2] the caller's text; ARGV[3] '1' when the turn closes the call (the goodbye);
 * ARGV[4..] more field, value pairs. Returns {turn id, the state before}, or nil for a call gone.
 */
export const NEW_TURN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local state = redis.call('HGET', KEYS[1], 'state') or ''
if state == 'ended' then return false end
local n = tostring(redis.call('HINCRBY', KEYS[1], 'turnCounter', 1))
redis.call('HSET', KEYS[1], 'turnId', n, 'turnKind', ARGV[1], 'turnText', ARGV[2], 'turnAudioStarted', '0')
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'closingTurn', n) end
if #ARGV > 3 then redis.call('HSET', KEYS[1], unpack(ARGV, 4)) end
return {n, state}`;

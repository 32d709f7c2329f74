/**
 * The call's TTS turn record, changed atomically in Lua (one key: the call's hash tag). Turn ids are
 * the gateway's decimal counters: a larger one is newer (non-numeric ids compare as equal-or-newer).
 */
const OLDER = `
local function older(a, b)
  local x, y = tonumber(a), tonumber(b)
  return x ~= nil and y ~= nil and x < y
end`;

/**
 * KEYS: turn key. ARGV: turnId, seq, sentence JSON, ttlMs. A newer turn replaces the record; a sentence
 * of an older or cancelled turn is refused. 1 when recorded, 0 when refused.
 */
export const RECORD_SENTENCE = `${OLDER}
local current = redis.call('HGET', KEYS[1], 'turnId')
if current and older(ARGV[1], current) then return 0 end
if current ~= ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'turnId', ARGV[1])
elseif redis.call('HGET', KEYS[1], 'cancelled') == '1' then
  return 0
end
redis.call('HSET', KEYS[1], 's:' .. ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

/** KEYS: turn key. ARGV: turnId, ttlMs. Marks the turn cancelled (a newer turn than the record replaces it). */
export const CANCEL_TURN = `${OLDER}
local current = redis.call('HGET', KEYS[1], 'turnId')
if current and older(ARGV[1], current) then return 0 end
if current ~= ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'turnId', ARGV[1])
end
redis.call('HSET', KEYS[1], 'cancelled', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

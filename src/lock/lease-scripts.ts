// Lua scripts of the in-cluster lease. KEYS[1] is the lease key; a lease value is
// `token:fence:holder-json`. Each script runs atomically on the lease's master, and its effects
// replicate as plain commands (the acquire script reads TIME, so it asks for effects replication,
// the default since Redis 5).

/**
 * SET NX PX with a fence, in one step: {1, value, ttl} or {0, current, pttl}. The fence is the
 * master's clock in microseconds: it grows from one acquire to the next without a counter key
 * left behind in the user's data (as long as the lease master's clock does not go back).
 */
export const ACQUIRE_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local current = redis.call('GET', KEYS[1])
if current then return {0, current, redis.call('PTTL', KEYS[1])} end
local t = redis.call('TIME')
local fence = t[1] .. string.rep('0', 6 - string.len(t[2])) .. t[2]
local value = ARGV[1] .. ':' .. fence .. ':' .. ARGV[3]
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return {1, value, tonumber(ARGV[2])}
`;

/** Compare-and-set: extends the lease only while it carries our token. */
export const RENEW_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ':' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, current, tonumber(ARGV[2])}
end
if current then return {0, current, redis.call('PTTL', KEYS[1])} end
return {0, false, -2}
`;

/** Compare-and-delete: removes the lease only while it carries the given token. */
export const RELEASE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ':' then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** The lease value and its remaining time, read together. */
export const READ_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current then return {1, current, redis.call('PTTL', KEYS[1])} end
return {0, false, -2}
`;

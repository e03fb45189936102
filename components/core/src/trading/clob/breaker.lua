-- Records one pass's CLOB outcomes in the Polymarket breaker, atomically.
-- KEYS[1] breaker hash  KEYS[2] recent-failures zset
-- ARGV[1] now ms  ARGV[2] successes  ARGV[3] failures  ARGV[4] failure threshold
-- ARGV[5] failure window ms  ARGV[6] open duration ms  ARGV[7] pass id
-- OPEN lasts ARGV[6] ms (runbook: 60 s), then the next pass probes: a success closes the
-- breaker, a failure re-opens it. Returns the state after the outcomes.
local now = tonumber(ARGV[1])
local successes = tonumber(ARGV[2])
local failures = tonumber(ARGV[3])
local state = redis.call('HGET', KEYS[1], 'state') or 'CLOSED'
if state == 'OPEN' then
  local opened_at = tonumber(redis.call('HGET', KEYS[1], 'opened_at') or now)
  if now - opened_at >= tonumber(ARGV[6]) then
    state = 'HALF_OPEN'
  end
end
local function open()
  redis.call('HSET', KEYS[1], 'state', 'OPEN', 'opened_at', now)
  redis.call('DEL', KEYS[2])
  return 'OPEN'
end
if failures > 0 then
  if state == 'HALF_OPEN' then return open() end
  if state == 'OPEN' then return 'OPEN' end
  local window = tonumber(ARGV[5])
  for i = 1, failures do
    redis.call('ZADD', KEYS[2], now, ARGV[7] .. ':' .. i)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  redis.call('PEXPIRE', KEYS[2], window)
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return open() end
  return 'CLOSED'
end
if successes > 0 and state ~= 'CLOSED' then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 'CLOSED'
end
return state

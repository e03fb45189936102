-- Records one signing operation's outcome in the breaker, atomically.
-- KEYS[1] breaker hash   KEYS[2] recent-failures zset
-- ARGV[1] now ms  ARGV[2] 1 = succeeded, 0 = failed  ARGV[3] operation id
-- ARGV[4] failure threshold  ARGV[5] failure window ms  ARGV[6] successes to close
-- Returns the breaker state after the outcome.
local now = tonumber(ARGV[1])
local state = redis.call('HGET', KEYS[1], 'state') or 'CLOSED'

if ARGV[2] == '1' then
  if state == 'HALF_OPEN' then
    local successes = redis.call('HINCRBY', KEYS[1], 'successes', 1)
    if successes >= tonumber(ARGV[6]) then
      redis.call('DEL', KEYS[1], KEYS[2])
      return 'CLOSED'
    end
  end
  return state
end

if state == 'HALF_OPEN' then
  redis.call('HSET', KEYS[1], 'state', 'OPEN', 'opened_at', now, 'probes', 0, 'successes', 0)
  return 'OPEN'
end
if state == 'OPEN' then
  return 'OPEN'
end
local window = tonumber(ARGV[5])
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
redis.call('PEXPIRE', KEYS[2], window)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'state', 'OPEN', 'opened_at', now, 'probes', 0, 'successes', 0)
  redis.call('DEL', KEYS[2])
  return 'OPEN'
end
return 'CLOSED'

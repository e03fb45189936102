-- Reads everything /system/status needs from Redis in one round trip.
-- KEYS[1..W]: worker heartbeats (W = ARGV[2]); then system:health, the signing breaker hash,
-- the global limiter zset, the active-users zset, the Polymarket breaker hash, relayer:state.
-- ARGV[1]: start of the limiter window (ms). Missing values come back as nil (false).
local w = tonumber(ARGV[2])
local out = {}
for i = 1, w do
  out[i] = redis.call('GET', KEYS[i])
end
out[w + 1] = redis.call('GET', KEYS[w + 1])
out[w + 2] = redis.call('HGET', KEYS[w + 2], 'state')
out[w + 3] = redis.call('ZCOUNT', KEYS[w + 3], ARGV[1], '+inf')
out[w + 4] = redis.call('ZCOUNT', KEYS[w + 4], ARGV[1], '+inf')
out[w + 5] = redis.call('HGET', KEYS[w + 5], 'state')
out[w + 6] = redis.call('GET', KEYS[w + 6])
return out

-- Reads everything /system/status needs from Redis in one round trip.
-- KEYS[1..5]: worker heartbeats; KEYS[6]: system:health; KEYS[7]: signing breaker hash;
-- KEYS[8]: global limiter zset; KEYS[9]: active-users zset; KEYS[10]: Polymarket breaker hash.
-- ARGV[1]: start of the limiter window (ms). Missing values come back as nil.
local out = {}
for i = 1, 5 do
  out[i] = redis.call('GET', KEYS[i])
end
out[6] = redis.call('GET', KEYS[6])
out[7] = redis.call('HGET', KEYS[7], 'state')
out[8] = redis.call('ZCOUNT', KEYS[8], ARGV[1], '+inf')
out[9] = redis.call('ZCOUNT', KEYS[9], ARGV[1], '+inf')
out[10] = redis.call('HGET', KEYS[10], 'state')
return out

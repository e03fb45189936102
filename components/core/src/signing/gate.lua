-- The signing gate, atomically: breaker state, then per-user and global sliding windows.
-- KEYS[1] breaker hash   KEYS[2] user window zset   KEYS[3] global window zset
-- KEYS[4] active-users zset   KEYS[5] system:health
-- ARGV[1] now ms  ARGV[2] request id  ARGV[3] user id  ARGV[4] per-user limit
-- ARGV[5] global limit  ARGV[6] window ms  ARGV[7] open duration ms  ARGV[8] half-open probes
-- ARGV[9] '1' when signing needs Dynamic (server wallets); the legacy local-key path skips
-- Dynamic's health and the breaker, which protect Dynamic, and keeps the rate limits.
-- Returns {verdict, retry_after_ms, probe}: verdict 'ADMITTED' | 'DYNAMIC_DOWN' |
-- 'BREAKER_OPEN' | 'USER_LIMITED' | 'GLOBAL_LIMITED'; probe = 1 when the admission is a
-- half-open probe.
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[6])
local open_ms = tonumber(ARGV[7])
local max_probes = tonumber(ARGV[8])

-- The health-check worker's last word on Dynamic: when it is down, fail fast (runbook: "all
-- signing operations will fail with SIGNING_UNAVAILABLE").
if ARGV[9] == '1' then
  local health = redis.call('GET', KEYS[5])
  if health then
    local ok, doc = pcall(cjson.decode, health)
    if ok and type(doc) == 'table' and type(doc.services) == 'table' and type(doc.services.dynamic) == 'table'
        and doc.services.dynamic.status == 'down' then
      return {'DYNAMIC_DOWN', 0, 0}
    end
  end
end

local state = 'CLOSED'
if ARGV[9] == '1' then
  state = redis.call('HGET', KEYS[1], 'state') or 'CLOSED'
end
if state == 'OPEN' then
  local opened_at = tonumber(redis.call('HGET', KEYS[1], 'opened_at') or now)
  if now - opened_at < open_ms then
    return {'BREAKER_OPEN', opened_at + open_ms - now, 0}
  end
  state = 'HALF_OPEN'
  redis.call('HSET', KEYS[1], 'state', 'HALF_OPEN', 'half_open_at', now, 'probes', 0, 'successes', 0)
elseif state == 'HALF_OPEN' then
  -- Probes whose outcome never came back (a crashed caller) are reissued after a full period.
  local since = tonumber(redis.call('HGET', KEYS[1], 'half_open_at') or now)
  if now - since >= open_ms then
    redis.call('HSET', KEYS[1], 'half_open_at', now, 'probes', 0, 'successes', 0)
  end
end

local function retry_after(key)
  local oldest = redis.call('ZRANGE', KEYS[key], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  return {'USER_LIMITED', retry_after(2), 0}
end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
  return {'GLOBAL_LIMITED', retry_after(3), 0}
end

local probe = 0
if state == 'HALF_OPEN' then
  if tonumber(redis.call('HGET', KEYS[1], 'probes') or 0) >= max_probes then
    return {'BREAKER_OPEN', 1000, 0}
  end
  redis.call('HINCRBY', KEYS[1], 'probes', 1)
  probe = 1
end

redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('ZADD', KEYS[4], now, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - window)
redis.call('PEXPIRE', KEYS[2], window)
redis.call('PEXPIRE', KEYS[3], window)
redis.call('PEXPIRE', KEYS[4], window)
return {'ADMITTED', 0, probe}

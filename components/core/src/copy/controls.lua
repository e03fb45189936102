-- Everything that decides whether copy trading may sign and post, in one round trip.
-- KEYS[1] exec_mode  KEYS[2] signing breaker hash  KEYS[3] system:health
-- KEYS[4] Polymarket breaker hash
-- Returns {exec_mode, signing state, signing opened_at, system:health, pm state, pm opened_at}.
return {
  redis.call('GET', KEYS[1]),
  redis.call('HGET', KEYS[2], 'state'),
  redis.call('HGET', KEYS[2], 'opened_at'),
  redis.call('GET', KEYS[3]),
  redis.call('HGET', KEYS[4], 'state'),
  redis.call('HGET', KEYS[4], 'opened_at'),
}

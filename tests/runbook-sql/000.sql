SELECT u.id, u.email, sw.address, sw.status
FROM users u
LEFT JOIN server_wallets sw ON u.id = sw.user_id
WHERE u.id IN (SELECT DISTINCT user_id FROM wallets WHERE type = 'TRADING_EOA');

SELECT COUNT(*) FROM wallets WHERE enc_priv_key IS NOT NULL;

SELECT * FROM audit_logs WHERE action = 'MIGRATION_STARTED'
  AND user_id NOT IN (SELECT user_id FROM audit_logs WHERE action = 'MIGRATION_COMPLETED');

SELECT status, COUNT(*) FROM signing_requests
WHERE created_at > NOW() - INTERVAL '1 hour'
GROUP BY status;

SELECT AVG(EXTRACT(EPOCH FROM (updated_at - created_at))) as avg_seconds
FROM signing_requests
WHERE status = 'SUCCEEDED'
  AND created_at > NOW() - INTERVAL '1 hour';

SELECT u.id, u.email FROM users u
LEFT JOIN binding_proofs bp ON u.id = bp.user_id
WHERE bp.id IS NULL
  AND u.id IN (SELECT user_id FROM server_wallets WHERE status = 'READY');

SELECT u.email, sk.id, sk.address, sk.status, sk.expires_at
FROM session_keys sk
JOIN safe_automations sa ON sk.safe_automation_id = sa.id
JOIN users u ON sa.user_id = u.id
WHERE sk.status = 'ACTIVE'
ORDER BY sk.expires_at;

SELECT * FROM session_keys
WHERE status = 'ACTIVE' AND expires_at < NOW();

SELECT COUNT(*) FROM module_txs WHERE status = 'PENDING';

SELECT mt.*, u.email
FROM module_txs mt
JOIN safe_automations sa ON mt.safe_automation_id = sa.id
JOIN users u ON sa.user_id = u.id
WHERE mt.status = 'FAILED'
ORDER BY mt.created_at DESC LIMIT 20;

SELECT mt.*, mt.error_reason
FROM module_txs mt
WHERE mt.status = 'BLOCKED'
ORDER BY mt.created_at DESC LIMIT 20;

SELECT wa.address, wa.label, wa.created_at
FROM withdrawal_allowlists wa
JOIN safe_automations sa ON wa.safe_automation_id = sa.id
WHERE sa.user_id = 'USER_ID';

UPDATE copy_profiles SET status = 'PAUSED' WHERE status = 'ENABLED';

UPDATE copy_profiles SET status = 'ENABLED' WHERE status = 'PAUSED';

SELECT * FROM audit_logs ORDER BY created_at DESC LIMIT 50;

SELECT * FROM audit_logs
WHERE user_id = 'USER_ID'
  AND action IN ('SIGNING_REQUESTED', 'SIGNING_COMPLETED', 'SIGNING_FAILED')
ORDER BY created_at DESC LIMIT 20;

SELECT * FROM audit_logs
WHERE action = 'SIGNING_FAILED'
ORDER BY created_at DESC LIMIT 50;

SELECT sw.*, u.email
FROM server_wallets sw
JOIN users u ON sw.user_id = u.id
WHERE sw.user_id = 'USER_ID';

SELECT ca.*, le.side, le.size, le.price, le.market_slug
FROM copy_attempts ca
JOIN leader_events le ON ca.leader_event_id = le.id
WHERE ca.user_id = 'USER_ID'
ORDER BY ca.created_at DESC
LIMIT 20;

SELECT * FROM audit_logs
   WHERE action IN ('SIGNING_REQUESTED', 'SERVER_WALLET_CREATED')
     AND created_at > NOW() - INTERVAL '24 hours'
   ORDER BY created_at DESC;

UPDATE copy_profiles SET status = 'PAUSED' WHERE user_id = 'USER_ID';

UPDATE server_wallets SET status = 'FAILED' WHERE user_id = 'USER_ID';

SELECT * FROM signing_requests
   WHERE status = 'FAILED'
   ORDER BY created_at DESC LIMIT 20;

UPDATE session_keys SET status = 'REVOKED', revoked_at = NOW()
   WHERE id = 'SESSION_KEY_ID';

SELECT * FROM module_txs
   WHERE session_key_id = 'SESSION_KEY_ID'
   ORDER BY created_at DESC;

SELECT * FROM module_txs
   WHERE status = 'PENDING'
     AND created_at < NOW() - INTERVAL '5 minutes';

UPDATE module_txs SET status = 'FAILED', error_reason = 'Manual: nonce stuck'
   WHERE status = 'PENDING' AND created_at < NOW() - INTERVAL '30 minutes';

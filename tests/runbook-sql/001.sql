UPDATE copy_profiles SET status = 'PAUSED' WHERE status = 'ENABLED';

UPDATE copy_profiles SET status = 'ENABLED' WHERE status = 'PAUSED';

SELECT * FROM audit_logs ORDER BY created_at DESC LIMIT 50;

SELECT ca.*, le.side, le.size, le.price, le.market_slug
FROM copy_attempts ca
JOIN leader_events le ON ca.leader_event_id = le.id
WHERE ca.user_id = 'USER_ID'
ORDER BY ca.created_at DESC
LIMIT 20;

-- Reconcile now also re-checks PARTIALLY_FILLED orders (a copy rests as a GTC order until it
-- fills or is cancelled), so the index that finds stale orders covers them too.
DROP INDEX orders_stale_idx;
CREATE INDEX orders_stale_idx ON orders (updated_at) WHERE status IN ('PENDING', 'SUBMITTED', 'PARTIALLY_FILLED');

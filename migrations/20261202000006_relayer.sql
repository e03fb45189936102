-- The relayer (docs/architecture.md §10): relayer_txs becomes the state machine of every
-- transaction Mirror submits, with the nonce counter of each relayer key beside it.

-- Every hash a row went out under (a replacement adds one; cancel_hashes are the 0-value no-ops
-- that take the nonce of a row given up after it went out), the raw transaction of the last one
-- (stored before it is sent, so a tick that dies after signing re-sends exactly those bytes),
-- whether any node may hold one of its hashes (accepted, or a send whose answer was lost: then
-- its nonce is only ever given up through a no-op on it), its fees and gas limit (a replacement
-- bumps from them), the receipt's facts, and the claim.
ALTER TABLE relayer_txs
  ADD COLUMN sent_hashes               text[] NOT NULL DEFAULT '{}',
  ADD COLUMN cancel_hashes             text[] NOT NULL DEFAULT '{}',
  ADD COLUMN raw_tx                    bytea,
  ADD COLUMN maybe_sent                boolean NOT NULL DEFAULT false,
  ADD COLUMN gas_limit                 bigint,
  ADD COLUMN max_fee_per_gas           numeric,
  ADD COLUMN max_priority_fee_per_gas  numeric,
  ADD COLUMN effective_gas_price       numeric,
  ADD COLUMN block_number              bigint,
  ADD COLUMN revert_data               bytea,
  ADD COLUMN last_sent_at              timestamptz,
  ADD COLUMN confirmed_at              timestamptz,
  ADD COLUMN next_attempt_at           timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN lease_owner               text,
  ADD COLUMN lease_expires_at          timestamptz,
  ADD CONSTRAINT relayer_txs_value_check CHECK (value >= 0 AND value = trunc(value)),
  ADD CONSTRAINT relayer_txs_nonce_check CHECK (nonce IS NULL OR (nonce >= 0 AND relayer_address IS NOT NULL)),
  ADD CONSTRAINT relayer_txs_submitted_check CHECK (status NOT IN ('SUBMITTED', 'CONFIRMED') OR (nonce IS NOT NULL AND cardinality(sent_hashes) > 0));

-- MANUAL: an operator's transaction (POST /admin/relayer/transactions), instead of a key in a
-- terminal; NONCE_FILL: the 0-value self-transfer that fills a nonce nothing else will use.
ALTER TABLE relayer_txs DROP CONSTRAINT relayer_txs_kind_check;
ALTER TABLE relayer_txs ADD CONSTRAINT relayer_txs_kind_check
  CHECK (kind IN ('WITHDRAWAL', 'REDEEM', 'MODULE_EXEC', 'OWNERSHIP_TRANSFER', 'MANUAL', 'NONCE_FILL'));

CREATE INDEX relayer_txs_due_idx ON relayer_txs (next_attempt_at) WHERE status IN ('PENDING', 'SUBMITTED');
CREATE INDEX relayer_txs_relayer_status_idx ON relayer_txs (relayer_address, status);

-- The next nonce each relayer key will use. Raised to the chain's pending nonce as a floor when
-- one is assigned, never lowered.
CREATE TABLE relayer_accounts (
  address     text PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
  next_nonce  bigint NOT NULL CHECK (next_nonce >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER relayer_accounts_updated_at BEFORE UPDATE ON relayer_accounts FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A rotation's ownership transfer is not a transaction yet: the Safe's current owner must sign
-- the swapOwner SafeTx first (the Phase 2A migration issue builds that). Rotation recorded it as
-- a relayer_txs row with no calldata, which a relayer would have sent as an empty call to the
-- Safe and called CONFIRMED; it is now an intent of its own, and becomes a relayer_txs row
-- (relayer_tx_id) once signed.
CREATE TABLE ownership_transfers (
  id                text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id           text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  safe_address      text NOT NULL,
  from_wallet_id    text NOT NULL REFERENCES server_wallets (id),
  to_wallet_id      text NOT NULL UNIQUE REFERENCES server_wallets (id),
  status            text NOT NULL DEFAULT 'AWAITING_SIGNATURE'
                    CHECK (status IN ('AWAITING_SIGNATURE', 'SUBMITTED', 'COMPLETED', 'FAILED')),
  relayer_tx_id     text REFERENCES relayer_txs (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER ownership_transfers_updated_at BEFORE UPDATE ON ownership_transfers FOR EACH ROW EXECUTE FUNCTION set_updated_at();

INSERT INTO ownership_transfers (user_id, safe_address, from_wallet_id, to_wallet_id, created_at)
SELECT t.user_id, t.to_address, old.id, new.id, t.created_at
FROM relayer_txs t
JOIN server_wallets new ON t.idempotency_key = 'ownership-transfer:' || new.id
JOIN LATERAL (
  SELECT id FROM server_wallets o
  WHERE o.user_id = new.user_id AND o.id <> new.id AND o.status IN ('ROTATED', 'FAILED')
  ORDER BY o.updated_at DESC LIMIT 1
) old ON true
WHERE t.kind = 'OWNERSHIP_TRANSFER' AND t.status = 'PENDING' AND t.data = '\x' AND t.nonce IS NULL;

DELETE FROM relayer_txs
WHERE kind = 'OWNERSHIP_TRANSFER' AND status = 'PENDING' AND data = '\x' AND nonce IS NULL;

-- The module-exec worker (docs/architecture.md §6): a module transaction's authorization is
-- fixed before its key signs it (module nonce, deadline, key epoch and the call's minimum gas,
-- stored first), signed once, and the signature kept, so a tick that dies after signing is
-- followed by one that sends the same authorization and never a second one. Module nonces come
-- from a counter per session key (the module keeps used nonces as a bitmap per key: sequential
-- nonces share its storage words).
ALTER TABLE session_keys
  ADD COLUMN next_module_nonce numeric NOT NULL DEFAULT 0 CHECK (next_module_nonce >= 0);

ALTER TABLE module_txs
  ADD COLUMN epoch       numeric,
  ADD COLUMN min_gas     numeric,
  ADD COLUMN signature   bytea,
  ADD COLUMN signed_at   timestamptz,
  ADD CONSTRAINT module_txs_signed_authorization CHECK (
    signature IS NULL OR (module_nonce IS NOT NULL AND deadline IS NOT NULL AND epoch IS NOT NULL AND min_gas IS NOT NULL)),
  ADD CONSTRAINT module_txs_submitted_has_relayer_tx CHECK (
    status NOT IN ('SUBMITTED', 'CONFIRMED') OR relayer_tx_id IS NOT NULL),
  ADD CONSTRAINT module_txs_confirmed_has_hash CHECK (status <> 'CONFIRMED' OR tx_hash IS NOT NULL),
  ADD CONSTRAINT module_txs_unsuccessful_has_reason CHECK (status NOT IN ('BLOCKED', 'FAILED') OR error_reason IS NOT NULL);

CREATE UNIQUE INDEX module_txs_nonce_idx ON module_txs (session_key_id, module_nonce) WHERE module_nonce IS NOT NULL;
CREATE INDEX module_txs_submitted_idx ON module_txs (relayer_tx_id) WHERE status = 'SUBMITTED';

-- Safe owner transactions (docs/architecture.md §7): every change to a Safe's module setup —
-- installing the module, registering or revoking a session key, editing the withdrawal
-- allowlist — is one SafeTx Mirror proposes at the Safe's nonce and keeps, so the owner's
-- signature is checked against exactly what was shown; the relayer transaction that executes it;
-- and its outcome as the chain shows it. A Safe has at most one open (unsigned or executing)
-- owner transaction: they would share its nonce. A lease makes racing authority signatures one.
CREATE TABLE safe_owner_txs (
  id                  text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  safe_automation_id  text NOT NULL REFERENCES safe_automations (id) ON DELETE CASCADE,
  kind                text NOT NULL CHECK (kind IN ('INSTALL_MODULE', 'REGISTER_SESSION_KEY', 'REVOKE_SESSION_KEY',
                                                    'ALLOWLIST_ADD', 'ALLOWLIST_REMOVE')),
  -- The session key id or the recipient address the transaction is about.
  subject             text,
  details             jsonb NOT NULL DEFAULT '{}',
  safe_nonce          numeric NOT NULL,
  to_address          text NOT NULL,
  operation           smallint NOT NULL CHECK (operation IN (0, 1)),
  data                bytea NOT NULL,
  safe_tx_hash        text NOT NULL,
  status              text NOT NULL DEFAULT 'AWAITING_SIGNATURE'
                      CHECK (status IN ('AWAITING_SIGNATURE', 'SUBMITTED', 'CONFIRMED', 'FAILED', 'SUPERSEDED')),
  owner_signature     text,
  relayer_tx_id       text REFERENCES relayer_txs (id),
  error               text,
  lease_owner         text,
  lease_expires_at    timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (status NOT IN ('SUBMITTED', 'CONFIRMED') OR relayer_tx_id IS NOT NULL)
);
CREATE UNIQUE INDEX safe_owner_txs_one_open ON safe_owner_txs (safe_automation_id)
  WHERE status IN ('AWAITING_SIGNATURE', 'SUBMITTED');
CREATE INDEX safe_owner_txs_automation_idx ON safe_owner_txs (safe_automation_id, created_at DESC);
CREATE TRIGGER safe_owner_txs_updated_at BEFORE UPDATE ON safe_owner_txs
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE safe_automations
  ADD CONSTRAINT safe_automations_installed_at CHECK (NOT module_installed OR installed_at IS NOT NULL);

-- A session key is PENDING until the chain shows its registration; module-exec uses ACTIVE keys
-- only. The transaction hashes that registered and revoked it on chain.
ALTER TABLE session_keys DROP CONSTRAINT session_keys_status_check;
ALTER TABLE session_keys ADD CONSTRAINT session_keys_status_check
  CHECK (status IN ('PENDING', 'ACTIVE', 'REVOKED', 'EXPIRED'));
ALTER TABLE session_keys ADD COLUMN revoked_tx_hash text;

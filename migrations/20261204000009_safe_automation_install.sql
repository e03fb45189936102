-- Module installation (POST /safe-automation/enable): the SafeTx Mirror proposed (enableModule
-- plus the module's configuration, one MultiSend at the Safe's nonce), kept so the owner's
-- signature is checked against exactly what was shown; the relayer transaction that executes it;
-- and a lease so racing signWithAuthority calls sign once. module_installed becomes true only when
-- the receipt confirms it and the Safe says the module is enabled; a failed installation counts an
-- attempt, so the next signature is a new relayer transaction.
ALTER TABLE safe_automations
  ADD COLUMN proposal_nonce      numeric,
  ADD COLUMN proposal_data       bytea,
  ADD COLUMN proposal_hash       text,
  ADD COLUMN install_tx_id       text REFERENCES relayer_txs (id),
  ADD COLUMN install_error       text,
  ADD COLUMN install_attempt     integer NOT NULL DEFAULT 0,
  ADD COLUMN lease_owner         text,
  ADD COLUMN lease_expires_at    timestamptz,
  ADD CONSTRAINT safe_automations_installed_at CHECK (NOT module_installed OR installed_at IS NOT NULL),
  ADD CONSTRAINT safe_automations_proposal_whole
    CHECK ((proposal_nonce IS NULL) = (proposal_data IS NULL) AND (proposal_data IS NULL) = (proposal_hash IS NULL));


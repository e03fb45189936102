-- Account setup (POST /me/trading-account): the user's Polymarket proxy Safe, created through
-- Polymarket's Safe factory from the authority's signed CreateProxy, then one owner-signed
-- MultiSend of the approvals trading and redeeming need. Every on-chain step is a relayer_txs
-- row (SAFE_CREATE, SAFE_TX); a request advances the setup as far as the chain allows under a
-- lease, so racing requests do each step once.
CREATE TABLE trading_accounts (
  user_id           text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  owner_address     text NOT NULL,
  safe_address      text NOT NULL UNIQUE,
  status            text NOT NULL DEFAULT 'DEPLOYING'
                    CHECK (status IN ('DEPLOYING', 'APPROVING', 'READY', 'FAILED')),
  adopted           boolean NOT NULL DEFAULT false,
  attempt           integer NOT NULL DEFAULT 0,
  deploy_tx_id      text REFERENCES relayer_txs (id),
  approvals_tx_id   text REFERENCES relayer_txs (id),
  error_message     text,
  lease_owner       text,
  lease_expires_at  timestamptz,
  ready_at          timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'READY' OR ready_at IS NOT NULL)
);
CREATE INDEX trading_accounts_status_idx ON trading_accounts (status);

ALTER TABLE relayer_txs DROP CONSTRAINT relayer_txs_kind_check;
ALTER TABLE relayer_txs ADD CONSTRAINT relayer_txs_kind_check
  CHECK (kind IN ('WITHDRAWAL', 'REDEEM', 'MODULE_EXEC', 'OWNERSHIP_TRANSFER', 'MANUAL', 'NONCE_FILL',
                  'SAFE_CREATE', 'SAFE_TX'));

-- Mirror's first schema: every table of ARCHITECTURE §4 with the columns the runbooks' SQL uses.
-- Ids are text (UUIDs by default) so the runbooks' queries run as pasted, placeholders included.
-- Statuses are CHECK-constrained text; unique keys make every write idempotent.

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$;

CREATE TABLE users (
  id               text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  dynamic_user_id  text NOT NULL UNIQUE,           -- the Dynamic JWT `sub`
  email            text,
  embedded_wallet_address text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_email_idx ON users (email);

-- Phase 1 legacy wallets. `enc_priv_key` holds the AES-256-GCM encrypted trading key until the
-- Phase 2A migration destroys it (sets it NULL).
CREATE TABLE wallets (
  id            text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type          text NOT NULL CHECK (type IN ('EMBEDDED', 'TRADING_EOA', 'PROXY')),
  address       text NOT NULL,
  enc_priv_key  text,
  key_version   integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, type),
  CHECK (enc_priv_key IS NULL OR type = 'TRADING_EOA')
);
CREATE INDEX wallets_type_idx ON wallets (type);

-- Dynamic MPC server wallets. `wallet_properties` is what the signer needs to sign for this
-- wallet (no key share in clear). A user has at most one live wallet — CREATING (a reservation,
-- so racing requests create one wallet, not two) or READY — checked at the end of the statement;
-- a rotation's new wallet is ROTATING until one statement makes it READY and the old ROTATED.
CREATE TABLE server_wallets (
  id                 text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id            text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  address            text UNIQUE,
  dynamic_wallet_id  text,
  wallet_properties  jsonb,
  status             text NOT NULL DEFAULT 'CREATING'
                     CHECK (status IN ('CREATING', 'ROTATING', 'READY', 'FAILED', 'ROTATED')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (status IN ('CREATING', 'ROTATING') OR address IS NOT NULL),
  CONSTRAINT server_wallets_one_live_per_user EXCLUDE USING btree (user_id WITH =)
    WHERE (status IN ('CREATING', 'READY')) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX server_wallets_user_idx ON server_wallets (user_id);
CREATE UNIQUE INDEX server_wallets_one_rotation_per_user ON server_wallets (user_id) WHERE status = 'ROTATING';

CREATE TABLE binding_proofs (
  id                text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id           text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  server_wallet_id  text NOT NULL REFERENCES server_wallets (id),
  embedded_address  text NOT NULL,
  message           text NOT NULL,
  nonce             text NOT NULL UNIQUE,        -- a nonce is accepted once: replays are rejected
  signature         text NOT NULL,
  verified_at       timestamptz NOT NULL DEFAULT now(),
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX binding_proofs_user_idx ON binding_proofs (user_id);

CREATE TABLE signing_requests (
  id                text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id           text REFERENCES users (id) ON DELETE SET NULL,
  server_wallet_id  text REFERENCES server_wallets (id),
  kind              text NOT NULL CHECK (kind IN ('MESSAGE', 'TYPED_DATA', 'TRANSACTION')),
  purpose           text NOT NULL,                -- e.g. ORDER, CLOB_AUTH, BINDING, SAFE_TX
  payload_hash      text NOT NULL,
  status            text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  attempts          integer NOT NULL DEFAULT 0,
  error_code        text,
  error_message     text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signing_requests_created_idx ON signing_requests (created_at);
CREATE INDEX signing_requests_status_created_idx ON signing_requests (status, created_at DESC);

-- CLOB API credentials, derived once per signer through L1 auth; secret parts encrypted.
CREATE TABLE clob_credentials (
  id              text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  signer_address  text NOT NULL UNIQUE,
  api_key         text NOT NULL,
  enc_secret      bytea NOT NULL,
  enc_passphrase  bytea NOT NULL,
  key_version     integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Amounts in USDC base units (6 decimals); ratios in basis points.
CREATE TABLE copy_profiles (
  id                        text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id                   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  leader_address            text NOT NULL,
  status                    text NOT NULL DEFAULT 'ENABLED' CHECK (status IN ('ENABLED', 'PAUSED')),
  paused_reason             text,
  sizing_mode               text NOT NULL CHECK (sizing_mode IN ('FIXED_USD', 'LEADER_RATIO', 'BALANCE_PERCENT')),
  fixed_amount              bigint CHECK (fixed_amount > 0),
  ratio_bps                 integer CHECK (ratio_bps > 0),
  min_order_amount          bigint CHECK (min_order_amount >= 0),
  max_order_amount          bigint CHECK (max_order_amount > 0),
  max_position_per_market   bigint CHECK (max_position_per_market > 0),
  max_daily_volume          bigint CHECK (max_daily_volume > 0),
  max_price_deviation_bps   integer CHECK (max_price_deviation_bps >= 0),
  market_allowlist          text[] NOT NULL DEFAULT '{}',
  market_denylist           text[] NOT NULL DEFAULT '{}',
  buy_only                  boolean NOT NULL DEFAULT false,
  binary_only               boolean NOT NULL DEFAULT true,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, leader_address),
  CHECK (sizing_mode <> 'FIXED_USD' OR fixed_amount IS NOT NULL),
  CHECK (sizing_mode = 'FIXED_USD' OR ratio_bps IS NOT NULL)
);
CREATE INDEX copy_profiles_leader_enabled_idx ON copy_profiles (leader_address) WHERE status = 'ENABLED';
CREATE INDEX copy_profiles_status_idx ON copy_profiles (status);

-- Per-leader polling cursor for the Data API.
CREATE TABLE leader_cursors (
  leader_address   text PRIMARY KEY,
  last_trade_at    timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per on-chain fill: fills carry no id, so `fill_key` is derived from
-- (transactionHash, asset, side, size, price, occurrence).
CREATE TABLE leader_events (
  id               text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  leader_address   text NOT NULL,
  fill_key         text NOT NULL UNIQUE,
  transaction_hash text NOT NULL,
  asset            text NOT NULL,
  condition_id     text NOT NULL,
  side             text NOT NULL CHECK (side IN ('BUY', 'SELL')),
  size             numeric NOT NULL CHECK (size > 0),
  price            numeric NOT NULL CHECK (price > 0 AND price < 1),
  outcome          text,
  outcome_index    integer,
  market_slug      text,
  event_slug       text,
  source           text NOT NULL CHECK (source IN ('POLL', 'WEBHOOK')),
  traded_at        timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leader_events_leader_traded_idx ON leader_events (leader_address, traded_at);

-- One attempt per (follower, leader event); claimed by workers with a lease.
CREATE TABLE copy_attempts (
  id                text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id           text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  copy_profile_id   text NOT NULL REFERENCES copy_profiles (id) ON DELETE CASCADE,
  leader_event_id   text NOT NULL REFERENCES leader_events (id),
  status            text NOT NULL DEFAULT 'PENDING'
                    CHECK (status IN ('PENDING', 'SKIPPED', 'SIGNED', 'SUBMITTED', 'FILLED', 'FAILED', 'DRY_RUN')),
  skip_reason       text,
  side              text CHECK (side IN ('BUY', 'SELL')),
  size              numeric,
  price             numeric,
  amount            bigint,
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  lease_owner       text,
  lease_expires_at  timestamptz,
  error_code        text,
  error_message     text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, leader_event_id)
);
CREATE INDEX copy_attempts_user_created_idx ON copy_attempts (user_id, created_at DESC);
CREATE INDEX copy_attempts_claimable_idx ON copy_attempts (next_attempt_at) WHERE status IN ('PENDING', 'SIGNED');

-- A signed order is persisted before it is posted, so a retry re-posts the same order.
CREATE TABLE orders (
  id               text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id          text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  copy_attempt_id  text UNIQUE REFERENCES copy_attempts (id),
  order_hash       text NOT NULL UNIQUE,
  clob_order_id    text,
  token_id         text NOT NULL,
  side             text NOT NULL CHECK (side IN ('BUY', 'SELL')),
  price            numeric NOT NULL,
  size             numeric NOT NULL,
  maker_amount     bigint NOT NULL,
  taker_amount     bigint NOT NULL,
  order_type       text NOT NULL DEFAULT 'GTC' CHECK (order_type IN ('GTC', 'FOK', 'GTD', 'FAK')),
  signed_order     jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'PENDING'
                   CHECK (status IN ('PENDING', 'SUBMITTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'FAILED', 'DRY_RUN')),
  error_code       text,
  error_message    text,
  submitted_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC);
CREATE INDEX orders_stale_idx ON orders (updated_at) WHERE status IN ('PENDING', 'SUBMITTED');

CREATE TABLE positions (
  id              text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_id        text NOT NULL,
  condition_id    text NOT NULL,
  outcome         text,
  outcome_index   integer,
  size            numeric NOT NULL DEFAULT 0,
  avg_price       numeric,
  current_value   numeric,
  redeemable      boolean NOT NULL DEFAULT false,
  negative_risk   boolean NOT NULL DEFAULT false,
  synced_at       timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, token_id)
);

-- Transactions submitted through the relayer (withdrawals, redemptions, module executions,
-- ownership transfers).
CREATE TABLE relayer_txs (
  id               text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id          text REFERENCES users (id) ON DELETE SET NULL,
  kind             text NOT NULL CHECK (kind IN ('WITHDRAWAL', 'REDEEM', 'MODULE_EXEC', 'OWNERSHIP_TRANSFER')),
  idempotency_key  text NOT NULL UNIQUE,
  status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUBMITTED', 'CONFIRMED', 'FAILED')),
  relayer_address  text,
  nonce            bigint,
  to_address       text NOT NULL,
  value            numeric NOT NULL DEFAULT 0,
  data             bytea NOT NULL DEFAULT '\x',
  tx_hash          text,
  gas_used         bigint,
  attempts         integer NOT NULL DEFAULT 0,
  error_reason     text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX relayer_txs_status_idx ON relayer_txs (status, created_at);
CREATE UNIQUE INDEX relayer_txs_nonce_idx ON relayer_txs (relayer_address, nonce) WHERE nonce IS NOT NULL;

-- The audit trail outlives nothing it refers to: users with audit entries cannot be deleted.
-- Per-user migration entries must name their user, or the runbook's "failed migrations" query
-- (`user_id NOT IN (SELECT user_id ...)`) would silently return nothing on a NULL.
CREATE TABLE audit_logs (
  id          text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id     text REFERENCES users (id),
  action      text NOT NULL CHECK (action ~ '^[A-Z][A-Z0-9_]*$'),
  actor       text NOT NULL DEFAULT 'system',
  details     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (user_id IS NOT NULL OR action NOT IN ('MIGRATION_STARTED', 'SERVER_WALLET_CREATED',
    'OWNERSHIP_TRANSFERRED', 'PRIVATE_KEY_DESTROYED', 'MIGRATION_COMPLETED'))
);
CREATE INDEX audit_logs_created_idx ON audit_logs (created_at DESC);
CREATE INDEX audit_logs_action_created_idx ON audit_logs (action, created_at DESC);
CREATE INDEX audit_logs_user_created_idx ON audit_logs (user_id, created_at DESC);

CREATE TABLE safe_automations (
  id                text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id           text NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  safe_address      text NOT NULL,
  module_address    text NOT NULL,
  module_installed  boolean NOT NULL DEFAULT false,
  owner_signature   text,
  installed_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Session keys: private key AES-256-GCM encrypted (nonce + ciphertext, the row id as
-- associated data, `key_version` for rotation of TRADING_KEY_ENCRYPTION_KEY).
-- Limits in USDC base units.
CREATE TABLE session_keys (
  id                     text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  safe_automation_id     text NOT NULL REFERENCES safe_automations (id) ON DELETE CASCADE,
  address                text NOT NULL UNIQUE,
  enc_private_key        bytea NOT NULL,
  key_version            integer NOT NULL DEFAULT 1,
  status                 text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'REVOKED', 'EXPIRED')),
  max_notional_per_trade bigint NOT NULL DEFAULT 100000000 CHECK (max_notional_per_trade > 0),
  max_notional_per_day   bigint NOT NULL DEFAULT 1000000000 CHECK (max_notional_per_day > 0),
  max_tx_per_hour        integer NOT NULL DEFAULT 60 CHECK (max_tx_per_hour > 0),
  expires_at             timestamptz NOT NULL,
  revoked_at             timestamptz,
  registered_tx_hash     text,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'REVOKED' OR revoked_at IS NOT NULL)
);
CREATE INDEX session_keys_status_expires_idx ON session_keys (status, expires_at);
CREATE INDEX session_keys_automation_idx ON session_keys (safe_automation_id);

CREATE TABLE module_txs (
  id                  text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  safe_automation_id  text NOT NULL REFERENCES safe_automations (id) ON DELETE CASCADE,
  session_key_id      text NOT NULL REFERENCES session_keys (id),
  idempotency_key     text NOT NULL UNIQUE,
  to_address          text NOT NULL,
  value               numeric NOT NULL DEFAULT 0,
  data                bytea NOT NULL DEFAULT '\x',
  module_nonce        numeric,
  deadline            timestamptz,
  status              text NOT NULL DEFAULT 'PENDING'
                      CHECK (status IN ('PENDING', 'SUBMITTED', 'CONFIRMED', 'FAILED', 'BLOCKED')),
  error_reason        text,
  tx_hash             text,
  gas_used            bigint,
  relayer_tx_id       text REFERENCES relayer_txs (id),
  lease_owner         text,
  lease_expires_at    timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX module_txs_status_created_idx ON module_txs (status, created_at);
CREATE INDEX module_txs_session_key_idx ON module_txs (session_key_id, created_at DESC);
CREATE INDEX module_txs_automation_idx ON module_txs (safe_automation_id);

CREATE TABLE withdrawal_allowlists (
  id                  text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  safe_automation_id  text NOT NULL REFERENCES safe_automations (id) ON DELETE CASCADE,
  address             text NOT NULL,
  label               text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (safe_automation_id, address)
);

-- Work that failed past its retries, kept for operators to inspect and retry.
CREATE TABLE dead_letters (
  id            text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  kind          text NOT NULL,
  reference_id  text NOT NULL,
  payload       jsonb NOT NULL DEFAULT '{}',
  error         text NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  retried_at    timestamptz,
  resolved_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, reference_id)
);
CREATE INDEX dead_letters_open_idx ON dead_letters (created_at) WHERE resolved_at IS NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'wallets', 'server_wallets', 'signing_requests', 'clob_credentials',
    'copy_profiles', 'leader_cursors', 'copy_attempts', 'orders', 'positions', 'relayer_txs',
    'safe_automations', 'session_keys', 'module_txs']
  LOOP
    EXECUTE format('CREATE TRIGGER %I_updated_at BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION set_updated_at()', t, t);
  END LOOP;
END;
$$;

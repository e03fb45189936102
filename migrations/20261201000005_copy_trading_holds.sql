-- An operator's or the platform's pause stands until an operator lifts it, whatever the user
-- writes: it is a hold, kept apart from the user's own wish to pause a profile.
--
-- copy_trading_holds: one of each kind per scope, a user id or '*' for every user. A hold pauses every
-- profile in its scope (status PAUSED, paused_reason = the hold's reason), including profiles
-- created while it stands; the copy pipeline also skips attempts of a held user whatever the
-- profile row says. Lifted by POST /admin/copy-trading/resume (ADMIN holds) or by rotating the
-- user's server wallet (SERVER_WALLET_REVOKED holds).
CREATE TABLE copy_trading_holds (
  scope       text NOT NULL,
  reason      text NOT NULL CHECK (reason <> 'USER'),
  kind        text NOT NULL CHECK (kind IN ('ADMIN', 'SERVER_WALLET_REVOKED')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, kind)
);

-- The user's own switch: what status the profile has when no hold covers it. paused_reason
-- stays the runbook's view of why a profile is PAUSED ('USER', a hold's reason, or NULL when
-- the runbook's SQL paused it, which counts as an operator's pause).
ALTER TABLE copy_profiles ADD COLUMN paused_by_user boolean NOT NULL DEFAULT false;
UPDATE copy_profiles SET paused_by_user = true WHERE status = 'PAUSED' AND paused_reason = 'USER';

-- A profile that copies has no pause: the runbook's `SET status = 'ENABLED'` clears the rest too.
CREATE FUNCTION copy_profiles_enabled_has_no_pause() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'ENABLED' THEN
    NEW.paused_reason := NULL;
    NEW.paused_by_user := false;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER copy_profiles_enabled_has_no_pause BEFORE INSERT OR UPDATE ON copy_profiles
  FOR EACH ROW EXECUTE FUNCTION copy_profiles_enabled_has_no_pause();

-- Users revoked before holds existed: their revocation stands until their wallet is rotated.
INSERT INTO copy_trading_holds (scope, reason, kind)
SELECT DISTINCT user_id, 'SERVER_WALLET_REVOKED', 'SERVER_WALLET_REVOKED' FROM server_wallets f
WHERE status = 'FAILED'
  AND NOT EXISTS (SELECT 1 FROM server_wallets r WHERE r.user_id = f.user_id AND r.status IN ('READY', 'CREATING'));

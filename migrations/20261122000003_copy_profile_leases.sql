-- One execution pass at a time per copy profile: a pass leases the profiles whose attempts it
-- claims, so a profile's limits that span attempts (max daily volume) are checked by one pass
-- at a time even while several ticks and webhook deliveries run at once. Kept apart from
-- copy_profiles so leasing never touches the profile row (or its updated_at).
CREATE TABLE copy_profile_leases (
  copy_profile_id   text PRIMARY KEY REFERENCES copy_profiles (id) ON DELETE CASCADE,
  lease_owner       text NOT NULL,
  lease_expires_at  timestamptz NOT NULL
);

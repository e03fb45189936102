-- Deleting a copy profile keeps its copy history: the attempts keep their user and leader event
-- (and their orders), and lose only the link to the profile.
ALTER TABLE copy_attempts ALTER COLUMN copy_profile_id DROP NOT NULL;
ALTER TABLE copy_attempts DROP CONSTRAINT copy_attempts_copy_profile_id_fkey;
ALTER TABLE copy_attempts ADD CONSTRAINT copy_attempts_copy_profile_id_fkey
  FOREIGN KEY (copy_profile_id) REFERENCES copy_profiles (id) ON DELETE SET NULL;
-- ON DELETE SET NULL looks attempts up by profile: without an index each delete scans them all.
CREATE INDEX copy_attempts_copy_profile_idx ON copy_attempts (copy_profile_id);

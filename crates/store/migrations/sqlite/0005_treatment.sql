-- Treatment in a track: planned sessions, session log, journal, measurements, closing, follow-up, GP messages.

-- When a record last changed, for the KL export's "changed since": an encounter changes when
-- it is marked entered-in-error; a referral is found by when it was written, not by when the
-- family was guided.
ALTER TABLE encounters ADD COLUMN updated_at TEXT NULL;
ALTER TABLE referrals ADD COLUMN recorded_at TEXT NULL;

-- A referral to child psychiatry may come from the child's GP, through the national referral
-- service rather than Samspor: the unit registers it on arrival. Such a referral has no
-- municipal course, and its referrer is a practice that may or may not use Samspor.
ALTER TABLE referrals_to_psychiatry
    ADD COLUMN origin TEXT NOT NULL DEFAULT 'municipality' CHECK (origin IN ('municipality', 'gp')),
    ADD COLUMN referrer_name TEXT NULL,
    ADD COLUMN gp_reference TEXT NULL,
    ALTER COLUMN course_id DROP NOT NULL,
    ALTER COLUMN from_org_id DROP NOT NULL;
ALTER TABLE referrals_to_psychiatry ALTER COLUMN origin DROP DEFAULT;
-- A municipality refers from a course; a GP's referral names its practice.
ALTER TABLE referrals_to_psychiatry ADD CONSTRAINT referrals_to_psychiatry_origin CHECK (
    (origin = 'municipality' AND course_id IS NOT NULL AND from_org_id IS NOT NULL AND referrer_name IS NULL AND gp_reference IS NULL)
    OR (origin = 'gp' AND course_id IS NULL AND draft_id IS NULL AND referrer_name IS NOT NULL AND length(trim(referrer_name)) > 0));

-- The unit's answer to a GP's referral goes to the practice as a MedCom message.
ALTER TABLE medcom_messages ADD COLUMN referral_id UUID NULL REFERENCES referrals_to_psychiatry (id);
CREATE UNIQUE INDEX medcom_messages_referral_key ON medcom_messages (referral_id);

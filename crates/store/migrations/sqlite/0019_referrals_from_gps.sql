-- A referral to child psychiatry may come from the child's GP, through the national referral
-- service rather than Samspor: the unit registers it on arrival. Such a referral has no
-- municipal course, and its referrer is a practice that may or may not use Samspor. SQLite
-- cannot relax NOT NULL in place, so the table is rebuilt with the same rows.
CREATE TABLE referrals_to_psychiatry_v2 (
    id BLOB PRIMARY KEY,
    child_id BLOB NOT NULL REFERENCES children (id),
    origin TEXT NOT NULL CHECK (origin IN ('municipality', 'gp')),
    course_id BLOB NULL REFERENCES courses (id),
    from_org_id BLOB NULL REFERENCES organisations (id),
    referrer_name TEXT NULL,
    gp_reference TEXT NULL,
    to_org_id BLOB NOT NULL REFERENCES organisations (id),
    draft_id BLOB NULL REFERENCES psychiatry_referrals (id),
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    tried TEXT NOT NULL CHECK (length(trim(tried)) > 0),
    child_view TEXT NOT NULL CHECK (length(trim(child_view)) > 0),
    family_view TEXT NOT NULL CHECK (length(trim(family_view)) > 0),
    scores TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL CHECK (due_on >= received_on),
    sent_at TEXT NOT NULL,
    sent_by BLOB NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('sent', 'accepted', 'returned')),
    answered_at TEXT NULL,
    answered_by BLOB NULL REFERENCES users (id),
    answer_note TEXT NULL,
    return_destination TEXT NULL,
    return_advice TEXT NULL,
    acted_at TEXT NULL,
    acted_by BLOB NULL REFERENCES users (id),
    CONSTRAINT referrals_to_psychiatry_answered CHECK ((status = 'sent') = (answered_at IS NULL AND answered_by IS NULL)),
    CONSTRAINT referrals_to_psychiatry_return_names_the_way CHECK (
        (status = 'returned' AND return_destination IN ('other', 'other_offer_home', 'other_municipality', 'gp', 'civil_society')
            AND return_advice IS NOT NULL AND length(trim(return_advice)) > 0)
        OR (status <> 'returned' AND return_destination IS NULL AND return_advice IS NULL)),
    CONSTRAINT referrals_to_psychiatry_acted_on_a_return CHECK (acted_at IS NULL OR status = 'returned'),
    -- A municipality refers from a course; a GP's referral names its practice.
    CONSTRAINT referrals_to_psychiatry_origin CHECK (
        (origin = 'municipality' AND course_id IS NOT NULL AND from_org_id IS NOT NULL AND referrer_name IS NULL AND gp_reference IS NULL)
        OR (origin = 'gp' AND course_id IS NULL AND draft_id IS NULL AND referrer_name IS NOT NULL AND length(trim(referrer_name)) > 0))
);
INSERT INTO referrals_to_psychiatry_v2 (id, child_id, origin, course_id, from_org_id, to_org_id, draft_id,
    reason, tried, child_view, family_view, scores, received_on, due_on, sent_at, sent_by, status,
    answered_at, answered_by, answer_note, return_destination, return_advice, acted_at, acted_by)
SELECT id, child_id, 'municipality', course_id, from_org_id, to_org_id, draft_id,
    reason, tried, child_view, family_view, scores, received_on, due_on, sent_at, sent_by, status,
    answered_at, answered_by, answer_note, return_destination, return_advice, acted_at, acted_by
FROM referrals_to_psychiatry;
DROP TABLE referrals_to_psychiatry;
ALTER TABLE referrals_to_psychiatry_v2 RENAME TO referrals_to_psychiatry;
CREATE INDEX referrals_to_psychiatry_to_idx ON referrals_to_psychiatry (to_org_id, status, due_on);
CREATE INDEX referrals_to_psychiatry_from_idx ON referrals_to_psychiatry (from_org_id, status);
CREATE INDEX referrals_to_psychiatry_child_idx ON referrals_to_psychiatry (child_id);
CREATE UNIQUE INDEX referrals_to_psychiatry_one_open ON referrals_to_psychiatry (course_id) WHERE status = 'sent';

-- The unit's answer to a GP's referral goes to the practice as a MedCom message.
ALTER TABLE medcom_messages ADD COLUMN referral_id BLOB NULL REFERENCES referrals_to_psychiatry (id);
CREATE UNIQUE INDEX medcom_messages_referral_key ON medcom_messages (referral_id);

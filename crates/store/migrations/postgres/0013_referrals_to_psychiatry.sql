-- A referral sent from a municipality's course to a child-psychiatry unit, and the answer. The
-- unit reads the course through the share that sending made (on a lawful basis); the answer is
-- an acceptance or a return that names the way forward: never a bare no.
CREATE TABLE referrals_to_psychiatry (
    id UUID PRIMARY KEY,
    child_id UUID NOT NULL REFERENCES children (id),
    course_id UUID NOT NULL REFERENCES courses (id),
    from_org_id UUID NOT NULL REFERENCES organisations (id),
    to_org_id UUID NOT NULL REFERENCES organisations (id),
    draft_id UUID NULL REFERENCES psychiatry_referrals (id),
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    tried TEXT NOT NULL CHECK (length(trim(tried)) > 0),
    child_view TEXT NOT NULL CHECK (length(trim(child_view)) > 0),
    family_view TEXT NOT NULL CHECK (length(trim(family_view)) > 0),
    scores TEXT NOT NULL,
    received_on DATE NOT NULL,
    due_on DATE NOT NULL CHECK (due_on >= received_on),
    sent_at TIMESTAMPTZ NOT NULL,
    sent_by UUID NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('sent', 'accepted', 'returned')),
    answered_at TIMESTAMPTZ NULL,
    answered_by UUID NULL REFERENCES users (id),
    answer_note TEXT NULL,
    return_destination TEXT NULL,
    return_advice TEXT NULL,
    acted_at TIMESTAMPTZ NULL,
    acted_by UUID NULL REFERENCES users (id),
    CONSTRAINT referrals_to_psychiatry_answered CHECK ((status = 'sent') = (answered_at IS NULL AND answered_by IS NULL)),
    CONSTRAINT referrals_to_psychiatry_return_names_the_way CHECK (
        (status = 'returned' AND return_destination IN ('other', 'other_offer_home', 'other_municipality', 'gp', 'civil_society')
            AND return_advice IS NOT NULL AND length(trim(return_advice)) > 0)
        OR (status <> 'returned' AND return_destination IS NULL AND return_advice IS NULL)),
    CONSTRAINT referrals_to_psychiatry_acted_on_a_return CHECK (acted_at IS NULL OR status = 'returned')
);
CREATE INDEX referrals_to_psychiatry_to_idx ON referrals_to_psychiatry (to_org_id, status, due_on);
CREATE INDEX referrals_to_psychiatry_from_idx ON referrals_to_psychiatry (from_org_id, status);
CREATE INDEX referrals_to_psychiatry_child_idx ON referrals_to_psychiatry (child_id);
-- One referral at a time waits for an answer per course.
CREATE UNIQUE INDEX referrals_to_psychiatry_one_open ON referrals_to_psychiatry (course_id) WHERE status = 'sent';

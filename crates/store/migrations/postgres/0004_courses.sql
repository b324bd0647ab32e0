-- Courses ("forløb", the KL LTT CarePlan) from first contact to visitation.
-- Kept in step with ../sqlite. The KL invariants and "never a no without a way" are
-- CHECK constraints, so no code path can store a record that breaks them.

CREATE TABLE courses (
    id UUID PRIMARY KEY,
    child_id UUID NOT NULL REFERENCES children (id),
    org_id UUID NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'entered-in-error')),
    started_on DATE NOT NULL,
    ended_on DATE NULL,
    track TEXT NULL CHECK (track IN ('restlessness', 'worry_sadness', 'body_food', 'self_harm', 'repeated_thoughts')),
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID NULL REFERENCES users (id),
    CONSTRAINT courses_completed_has_end CHECK (status <> 'completed' OR ended_on IS NOT NULL),
    CONSTRAINT courses_end_after_start CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX courses_org_idx ON courses (org_id, status);
CREATE INDEX courses_child_idx ON courses (child_id);

-- The referral content of the contact that opened the course.
CREATE TABLE course_contacts (
    course_id UUID PRIMARY KEY REFERENCES courses (id),
    source TEXT NOT NULL CHECK (source IN ('self', 'gp', 'school', 'hospital', 'social_services', 'psychiatry_return', 'other')),
    received_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    duration TEXT NULL,
    tried TEXT NULL,
    consent TEXT NOT NULL CHECK (consent IN ('given', 'not_given', 'unknown')),
    referrer_name TEXT NULL,
    referrer_contact TEXT NULL,
    family_contact TEXT NULL,
    psychiatry_reason TEXT NULL,
    psychiatry_recommendation TEXT NULL,
    screening_response_id UUID NULL REFERENCES responses (id),
    self_referral_id UUID NULL,
    CONSTRAINT course_contacts_return_has_reason
        CHECK (source <> 'psychiatry_return' OR (psychiatry_reason IS NOT NULL AND psychiatry_recommendation IS NOT NULL))
);

-- Themes change over time; a change ends the current rows and adds new ones.
CREATE TABLE course_themes (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    theme TEXT NOT NULL CHECK (theme IN ('behaviour', 'worry', 'body_food', 'self_harm', 'sadness', 'obsessive_compulsive', 'restlessness_inattention', 'other')),
    valid_from TIMESTAMPTZ NOT NULL,
    valid_to TIMESTAMPTZ NULL,
    set_by UUID NULL REFERENCES users (id)
);
CREATE INDEX course_themes_course_idx ON course_themes (course_id, valid_from);

CREATE TABLE encounters (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    kind TEXT NOT NULL CHECK (kind IN ('henvendelse', 'forsamtale', 'screening', 'behandling', 'afsluttende_samtale', 'afslutning')),
    at TIMESTAMP NOT NULL,
    delivery TEXT NULL CHECK (delivery IN ('individual', 'group')),
    participants TEXT NULL CHECK (participants IN ('child_present', 'caregivers_only')),
    staff_id UUID NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('held', 'entered-in-error')),
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NULL REFERENCES users (id),
    CONSTRAINT encounters_treatment_details CHECK (
        (kind = 'behandling' AND delivery IS NOT NULL AND participants IS NOT NULL)
        OR (kind <> 'behandling' AND delivery IS NULL AND participants IS NULL))
);
CREATE INDEX encounters_course_idx ON encounters (course_id, at);
-- The worklist asks each course for its first Forsamtale and Screening.
CREATE INDEX encounters_course_kind_idx ON encounters (course_id, kind, at);

CREATE TABLE visitation_meetings (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organisations (id),
    held_on DATE NOT NULL,
    participants TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id)
);
CREATE INDEX visitation_meetings_org_idx ON visitation_meetings (org_id, held_on);

CREATE TABLE decisions (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    meeting_id UUID NULL REFERENCES visitation_meetings (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('track', 'other_offer_home', 'other_municipality', 'gp', 'psychiatry', 'civil_society', 'close')),
    track TEXT NULL,
    way_destination TEXT NULL CHECK (way_destination IN ('other', 'other_offer_home', 'other_municipality', 'gp', 'psychiatry', 'civil_society')),
    way_note TEXT NULL,
    reason_despite_signs TEXT NULL,
    decided_at TIMESTAMPTZ NOT NULL,
    decided_by UUID NOT NULL REFERENCES users (id),
    -- Never a no without a way: anything but a track names where the family was guided.
    CONSTRAINT decisions_never_no_without_way CHECK (
        (outcome = 'track' AND track IS NOT NULL)
        OR (outcome <> 'track' AND track IS NULL AND way_destination IS NOT NULL
            AND way_note IS NOT NULL AND length(trim(way_note)) > 0))
);
CREATE INDEX decisions_course_idx ON decisions (course_id, decided_at);

-- KL Referral: guidance given to the family, one per decision that gave a way.
CREATE TABLE referrals (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    decision_id UUID NULL REFERENCES decisions (id),
    destination TEXT NOT NULL CHECK (destination IN ('other', 'other_offer_home', 'other_municipality', 'gp', 'psychiatry', 'civil_society')),
    note TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id)
);
CREATE INDEX referrals_course_idx ON referrals (course_id);

-- A referral to child psychiatry written from the course, waiting to be sent.
CREATE TABLE psychiatry_referrals (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    decision_id UUID NOT NULL REFERENCES decisions (id),
    content TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('to_be_sent', 'sent')),
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id)
);
CREATE INDEX psychiatry_referrals_course_idx ON psychiatry_referrals (course_id);

-- What a family or young person wrote in the public form, until staff register it.
CREATE TABLE self_referrals (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organisations (id),
    receipt TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('new', 'registered', 'dismissed')),
    course_id UUID NULL REFERENCES courses (id),
    received_at TIMESTAMPTZ NOT NULL,
    handled_at TIMESTAMPTZ NULL,
    handled_by UUID NULL REFERENCES users (id),
    CONSTRAINT self_referrals_receipt_key UNIQUE (receipt)
);
CREATE INDEX self_referrals_org_idx ON self_referrals (org_id, status);

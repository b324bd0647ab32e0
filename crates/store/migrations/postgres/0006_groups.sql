-- Group courses and learning-environment guidance.
-- Kept in step with ../sqlite. Membership and attendance rules that the database can hold
-- are constraints here, so no code path can record a child in a group it is not a member of.

-- A parent group: several children's courses of the same track and organisation meet together.
CREATE TABLE group_courses (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organisations (id),
    track TEXT NOT NULL CHECK (track IN ('restlessness', 'worry_sadness', 'body_food', 'self_harm', 'repeated_thoughts')),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    starts_on DATE NOT NULL,
    leader_id UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id)
);
CREATE INDEX group_courses_org_idx ON group_courses (org_id, starts_on);

-- A course belongs to at most one group: its group sessions are its treatment.
CREATE TABLE group_members (
    group_id UUID NOT NULL REFERENCES group_courses (id),
    course_id UUID NOT NULL REFERENCES courses (id),
    added_at TIMESTAMPTZ NOT NULL,
    added_by UUID NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, course_id),
    CONSTRAINT group_members_one_group_per_course UNIQUE (course_id)
);

-- `at` is Danish local wall-clock time, like encounters.
CREATE TABLE group_sessions (
    id UUID PRIMARY KEY,
    group_id UUID NOT NULL REFERENCES group_courses (id),
    at TIMESTAMP NOT NULL,
    module BIGINT NULL CHECK (module IS NULL OR module >= 1),
    note TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    CONSTRAINT group_sessions_id_group_key UNIQUE (id, group_id)
);
CREATE INDEX group_sessions_group_idx ON group_sessions (group_id, at);

-- One row per member per session. An attending member's row points at the KL Behandling
-- written in that member's course; an absent member's row has neither participants nor one.
CREATE TABLE group_attendance (
    group_session_id UUID NOT NULL,
    group_id UUID NOT NULL,
    course_id UUID NOT NULL,
    attended BOOLEAN NOT NULL,
    participants TEXT NULL CHECK (participants IN ('child_present', 'caregivers_only')),
    encounter_id UUID NULL REFERENCES encounters (id),
    PRIMARY KEY (group_session_id, course_id),
    FOREIGN KEY (group_session_id, group_id) REFERENCES group_sessions (id, group_id),
    FOREIGN KEY (group_id, course_id) REFERENCES group_members (group_id, course_id),
    CONSTRAINT group_attendance_encounter_when_attended CHECK (
        (attended AND participants IS NOT NULL AND encounter_id IS NOT NULL)
        OR (NOT attended AND participants IS NULL AND encounter_id IS NULL))
);
CREATE INDEX group_attendance_course_idx ON group_attendance (course_id);

-- Learning-environment guidance ("læringsmiljø-vejledning") with a child's teachers or
-- pedagogues. Not a KL encounter. The school is a registered unit or, when it is not
-- registered, named.
CREATE TABLE guidance_sessions (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    school_org_id UUID NULL REFERENCES organisations (id),
    school_name TEXT NULL,
    held_on DATE NOT NULL,
    participants TEXT NOT NULL CHECK (length(trim(participants)) > 0),
    topic TEXT NOT NULL CHECK (length(trim(topic)) > 0),
    agreed_actions TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    CONSTRAINT guidance_sessions_names_school CHECK (
        school_org_id IS NOT NULL OR (school_name IS NOT NULL AND length(trim(school_name)) > 0))
);
CREATE INDEX guidance_sessions_course_idx ON guidance_sessions (course_id, held_on);

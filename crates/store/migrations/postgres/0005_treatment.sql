-- Treatment in a track: planned sessions, session log, journal, measurements, closing, follow-up, GP messages.
-- Kept in step with ../sqlite. Rules are CHECK constraints where the database can hold them, so
-- no code path can store a record that breaks them.

-- The responsible therapist, and why and how the course was closed. A closing reason belongs
-- to a course that is no longer active.
ALTER TABLE courses ADD COLUMN therapist_id UUID NULL REFERENCES users (id);
ALTER TABLE courses ADD COLUMN closing_reason TEXT NULL
    CHECK (closing_reason IS NULL OR closing_reason IN ('completed', 'dropped_out', 'moved', 'referred_on', 'other'));
ALTER TABLE courses ADD COLUMN closing_note TEXT NULL;
CREATE INDEX courses_therapist_idx ON courses (therapist_id, status);

-- The sessions of the track's plan, made when the course is decided onto the track.
-- A cancelled session always says why; only a held session points to its encounter.
CREATE TABLE planned_sessions (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    number BIGINT NOT NULL CHECK (number >= 1),
    title_da TEXT NOT NULL,
    title_en TEXT NOT NULL,
    participants TEXT NOT NULL CHECK (participants IN ('child', 'parents', 'child_and_parents')),
    status TEXT NOT NULL CHECK (status IN ('planned', 'held', 'cancelled')),
    planned_at TIMESTAMP NULL,
    encounter_id UUID NULL REFERENCES encounters (id),
    cancel_reason TEXT NULL,
    CONSTRAINT planned_sessions_number_key UNIQUE (course_id, number),
    CONSTRAINT planned_sessions_cancelled_has_reason CHECK (
        (status = 'cancelled') = (cancel_reason IS NOT NULL AND length(trim(cancel_reason)) > 0)),
    CONSTRAINT planned_sessions_held_has_encounter CHECK ((status = 'held') = (encounter_id IS NOT NULL))
);
CREATE INDEX planned_sessions_day_idx ON planned_sessions (planned_at);

-- What a treatment session (a Behandling encounter) delivered and who took part.
CREATE TABLE session_details (
    encounter_id UUID PRIMARY KEY REFERENCES encounters (id),
    course_id UUID NOT NULL REFERENCES courses (id),
    planned_session_id UUID NULL REFERENCES planned_sessions (id),
    module TEXT NOT NULL CHECK (length(trim(module)) > 0),
    -- Comma-separated codes: child, mother, father, other_caregiver.
    attendance TEXT NOT NULL CHECK (length(attendance) > 0)
);
CREATE INDEX session_details_course_idx ON session_details (course_id);

-- The journal is append-only: a correction is a new entry pointing to the one it corrects.
CREATE TABLE journal_entries (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    encounter_id UUID NULL REFERENCES encounters (id),
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    corrects_id UUID NULL REFERENCES journal_entries (id),
    written_at TIMESTAMPTZ NOT NULL,
    written_by UUID NOT NULL REFERENCES users (id),
    CONSTRAINT journal_entries_not_self CHECK (corrects_id IS NULL OR corrects_id <> id)
);
CREATE INDEX journal_entries_course_idx ON journal_entries (course_id, written_at);

CREATE FUNCTION journal_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal_entries is append-only';
END;
$$;
CREATE TRIGGER journal_entries_no_update BEFORE UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION journal_entries_refuse_change();
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION journal_entries_refuse_change();

-- The systematic follow-up talk after the course ended.
CREATE TABLE follow_ups (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    due_on DATE NOT NULL,
    held_at TIMESTAMP NULL,
    note TEXT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT follow_ups_course_key UNIQUE (course_id),
    CONSTRAINT follow_ups_note_when_held CHECK (note IS NULL OR held_at IS NOT NULL)
);
CREATE INDEX follow_ups_due_idx ON follow_ups (due_on);

-- Information to the child's GP when treatment starts and when it ends, waiting to be sent.
CREATE TABLE gp_messages (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    kind TEXT NOT NULL CHECK (kind IN ('start', 'end')),
    content TEXT NOT NULL,
    consent TEXT NOT NULL CHECK (consent IN ('given', 'not_given', 'unknown')),
    status TEXT NOT NULL CHECK (status IN ('to_be_sent', 'sent')),
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    CONSTRAINT gp_messages_kind_key UNIQUE (course_id, kind)
);

-- Why an encounter was marked entered in error.
ALTER TABLE encounters ADD COLUMN error_reason TEXT NULL;

-- When a record last changed, for the KL export's "changed since": an encounter changes when
-- it is marked entered-in-error; a referral is found by when it was written, not by when the
-- family was guided.
ALTER TABLE encounters ADD COLUMN updated_at TIMESTAMPTZ NULL;
ALTER TABLE referrals ADD COLUMN recorded_at TIMESTAMPTZ NULL;

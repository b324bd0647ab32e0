-- Measurements a course's track plan schedules, and the links sent for them.
-- Kept in step with ../sqlite.
--
-- One row per measurement sent: the schedule itself is worked out from the course's decision
-- and encounters, so only what went out and what came back is stored. The unique key makes a
-- job that runs twice, or on two servers at once, unable to send the same measurement twice.
CREATE TABLE course_measurements (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    instrument_id TEXT NOT NULL,
    respondent TEXT NOT NULL CHECK (respondent IN ('parent', 'child', 'teacher')),
    point TEXT NOT NULL CHECK (point IN ('start', 'end') OR (point LIKE 'session:%' AND length(point) > 8)),
    -- Danish wall-clock time the measurement fell due (as encounters are recorded).
    due_at TIMESTAMP NOT NULL,
    invitation_id UUID NOT NULL REFERENCES invitations (id),
    response_id UUID NULL REFERENCES responses (id),
    status TEXT NOT NULL CHECK (status IN ('sent', 'answered', 'expired', 'revoked')),
    -- The raw link, kept only while it can be used: nothing can e-mail or text it yet, so
    -- staff hand it over from the course's outbox.
    link_token TEXT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    -- NULL: sent by the schedule job, not by a person.
    sent_by UUID NULL REFERENCES users (id),
    closed_at TIMESTAMPTZ NULL,
    CONSTRAINT course_measurements_once UNIQUE (course_id, instrument_id, respondent, point),
    CONSTRAINT course_measurements_invitation_key UNIQUE (invitation_id),
    CONSTRAINT course_measurements_link_only_while_open CHECK (status = 'sent' OR link_token IS NULL),
    CONSTRAINT course_measurements_open_has_link CHECK (status <> 'sent' OR link_token IS NOT NULL),
    CONSTRAINT course_measurements_answered_has_response CHECK ((status = 'answered') = (response_id IS NOT NULL)),
    CONSTRAINT course_measurements_closed_when_done CHECK ((status = 'sent') = (closed_at IS NULL))
);
-- The job and the front page look for measurements still out.
CREATE INDEX course_measurements_open_idx ON course_measurements (status, course_id);

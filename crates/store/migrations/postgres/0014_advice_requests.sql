-- Advice requests ("sparring") from a municipality's or GP's staff to a child-psychiatry unit,
-- and the answer. A question is anonymous (the child's age and sex only) or about a child whose
-- course the unit may read on a lawful basis; never both, never neither.
CREATE TABLE advice_requests (
    id UUID PRIMARY KEY,
    from_org_id UUID NOT NULL REFERENCES organisations (id),
    to_org_id UUID NOT NULL REFERENCES organisations (id),
    asked_by UUID NOT NULL REFERENCES users (id),
    asked_at TIMESTAMPTZ NOT NULL,
    asked_on DATE NOT NULL,
    due_on DATE NOT NULL CHECK (due_on > asked_on),
    child_id UUID NULL REFERENCES children (id),
    course_id UUID NULL REFERENCES courses (id),
    age BIGINT NULL,
    sex TEXT NULL,
    question TEXT NOT NULL CHECK (length(trim(question)) > 0),
    answer TEXT NULL,
    answered_at TIMESTAMPTZ NULL,
    answered_by UUID NULL REFERENCES users (id),
    answered_on DATE NULL,
    answer_read_at TIMESTAMPTZ NULL,
    CONSTRAINT advice_requests_anonymous_or_identified CHECK (
        (child_id IS NOT NULL AND course_id IS NOT NULL AND age IS NULL AND sex IS NULL)
        OR (child_id IS NULL AND course_id IS NULL AND age BETWEEN 0 AND 17
            AND sex IN ('female', 'male', 'unknown'))),
    CONSTRAINT advice_requests_answered CHECK (
        (answer IS NULL AND answered_at IS NULL AND answered_by IS NULL AND answered_on IS NULL)
        OR (length(trim(answer)) > 0 AND answered_at IS NOT NULL AND answered_by IS NOT NULL
            AND answered_on >= asked_on)),
    CONSTRAINT advice_requests_read_after_answer CHECK (answer_read_at IS NULL OR answer IS NOT NULL)
);
CREATE INDEX advice_requests_to_idx ON advice_requests (to_org_id, answered_at, due_on);
CREATE INDEX advice_requests_from_idx ON advice_requests (from_org_id, asked_at);
CREATE INDEX advice_requests_course_idx ON advice_requests (course_id);

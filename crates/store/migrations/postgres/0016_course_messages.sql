-- Messages on a course between its owning municipality and the organisations it is shared
-- with on a lawful basis. A thread starts with a subject; replies name the thread.
CREATE TABLE course_messages (
    id UUID PRIMARY KEY,
    thread_id UUID NOT NULL,
    course_id UUID NOT NULL REFERENCES courses (id),
    child_id UUID NOT NULL REFERENCES children (id),
    from_org_id UUID NOT NULL REFERENCES organisations (id),
    to_org_id UUID NOT NULL REFERENCES organisations (id),
    subject TEXT NOT NULL CHECK (length(trim(subject)) > 0),
    body TEXT NOT NULL CHECK (length(trim(body)) > 0),
    sent_at TIMESTAMPTZ NOT NULL,
    sent_by UUID NOT NULL REFERENCES users (id),
    read_at TIMESTAMPTZ NULL,
    read_by UUID NULL REFERENCES users (id),
    CONSTRAINT course_messages_not_to_itself CHECK (from_org_id <> to_org_id),
    CONSTRAINT course_messages_read CHECK ((read_at IS NULL) = (read_by IS NULL))
);
CREATE INDEX course_messages_course_idx ON course_messages (course_id, sent_at);
CREATE INDEX course_messages_unread_idx ON course_messages (to_org_id, read_at);

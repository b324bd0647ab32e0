-- Messages on a course between its owning municipality and the organisations it is shared
-- with on a lawful basis. A thread starts with a subject; replies name the thread.
CREATE TABLE course_messages (
    id BLOB PRIMARY KEY,
    thread_id BLOB NOT NULL,
    course_id BLOB NOT NULL REFERENCES courses (id),
    child_id BLOB NOT NULL REFERENCES children (id),
    from_org_id BLOB NOT NULL REFERENCES organisations (id),
    to_org_id BLOB NOT NULL REFERENCES organisations (id),
    subject TEXT NOT NULL CHECK (length(trim(subject)) > 0),
    body TEXT NOT NULL CHECK (length(trim(body)) > 0),
    sent_at TEXT NOT NULL,
    sent_by BLOB NOT NULL REFERENCES users (id),
    read_at TEXT NULL,
    read_by BLOB NULL REFERENCES users (id),
    CONSTRAINT course_messages_not_to_itself CHECK (from_org_id <> to_org_id),
    CONSTRAINT course_messages_read CHECK ((read_at IS NULL) = (read_by IS NULL))
);
CREATE INDEX course_messages_course_idx ON course_messages (course_id, sent_at);
CREATE INDEX course_messages_unread_idx ON course_messages (to_org_id, read_at);

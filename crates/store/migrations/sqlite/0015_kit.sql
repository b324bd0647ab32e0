-- KIT: one coordinated plan per course across sectors, the contact person of each sector,
-- network meetings and tasks. A task always has an owning organisation and a deadline.
CREATE TABLE kit_plans (
    id BLOB PRIMARY KEY,
    course_id BLOB NOT NULL UNIQUE REFERENCES courses (id),
    child_id BLOB NOT NULL REFERENCES children (id),
    owner_org_id BLOB NOT NULL REFERENCES organisations (id),
    goals TEXT NOT NULL CHECK (length(trim(goals)) > 0),
    next_review_on TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users (id),
    updated_at TEXT NOT NULL,
    updated_by BLOB NOT NULL REFERENCES users (id)
);
CREATE TABLE kit_parties (
    plan_id BLOB NOT NULL REFERENCES kit_plans (id),
    sector TEXT NOT NULL CHECK (sector IN ('municipality', 'psychiatry', 'school', 'gp')),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    contact_name TEXT NOT NULL CHECK (length(trim(contact_name)) > 0),
    contact TEXT NULL,
    responsibility TEXT NOT NULL CHECK (length(trim(responsibility)) > 0),
    PRIMARY KEY (plan_id, sector)
);
CREATE TABLE kit_meetings (
    id BLOB PRIMARY KEY,
    plan_id BLOB NOT NULL REFERENCES kit_plans (id),
    held_on TEXT NOT NULL,
    participants TEXT NOT NULL,
    agenda TEXT NOT NULL CHECK (length(trim(agenda)) > 0),
    decisions TEXT NOT NULL CHECK (length(trim(decisions)) > 0),
    recorded_at TEXT NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES users (id)
);
CREATE INDEX kit_meetings_plan_idx ON kit_meetings (plan_id, held_on);
CREATE TABLE kit_tasks (
    id BLOB PRIMARY KEY,
    plan_id BLOB NOT NULL REFERENCES kit_plans (id),
    meeting_id BLOB NULL REFERENCES kit_meetings (id),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    owner_org_id BLOB NOT NULL REFERENCES organisations (id),
    owner_name TEXT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done')),
    created_at TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users (id),
    done_at TEXT NULL,
    done_by BLOB NULL REFERENCES users (id),
    CONSTRAINT kit_tasks_done CHECK ((status = 'done') = (done_at IS NOT NULL AND done_by IS NOT NULL))
);
CREATE INDEX kit_tasks_plan_idx ON kit_tasks (plan_id);
CREATE INDEX kit_tasks_owner_idx ON kit_tasks (owner_org_id, status, due_on);

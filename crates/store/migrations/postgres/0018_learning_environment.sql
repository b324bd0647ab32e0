-- Learning-environment guidance as the municipality's own activity: the schools and day-care
-- institutions it guides, and guidance sessions with their staff about a class or group (no
-- child named) or about named children of its own, linked so the lawful basis can be asked.
CREATE TABLE learning_env_institutions (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('school', 'day_care')),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    linked_org_id UUID NULL REFERENCES organisations (id),
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    CONSTRAINT learning_env_institutions_name_unique UNIQUE (org_id, name)
);
CREATE TABLE learning_env_sessions (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organisations (id),
    institution_id UUID NOT NULL REFERENCES learning_env_institutions (id),
    held_on DATE NOT NULL,
    about TEXT NOT NULL CHECK (about IN ('group', 'children')),
    group_label TEXT NULL,
    participants TEXT NOT NULL CHECK (length(trim(participants)) > 0),
    themes TEXT NOT NULL CHECK (length(themes) > 0),
    notes TEXT NOT NULL CHECK (length(trim(notes)) > 0),
    follow_up TEXT NULL,
    follow_up_on DATE NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    CONSTRAINT learning_env_sessions_group CHECK ((about = 'group') = (group_label IS NOT NULL)),
    CONSTRAINT learning_env_sessions_follow_up CHECK (follow_up_on IS NULL OR follow_up_on >= held_on)
);
CREATE INDEX learning_env_sessions_org_idx ON learning_env_sessions (org_id, held_on);
CREATE TABLE learning_env_session_children (
    session_id UUID NOT NULL REFERENCES learning_env_sessions (id),
    child_id UUID NOT NULL REFERENCES children (id),
    PRIMARY KEY (session_id, child_id)
);
CREATE INDEX learning_env_session_children_child_idx ON learning_env_session_children (child_id);

-- Samspor foundation schema (PostgreSQL). Kept in step with ../sqlite/0001_schema.sql.

CREATE TABLE organisations (
    id UUID PRIMARY KEY,
    code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('region', 'municipality', 'ppr', 'psychiatry', 'gp_practice', 'hospital_department', 'school', 'secretariat')),
    name TEXT NOT NULL,
    parent_id UUID NULL REFERENCES organisations (id),
    region_code TEXT NULL,
    municipality_code TEXT NULL,
    sor_code TEXT NULL,
    ean_code TEXT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT organisations_code_key UNIQUE (code)
);

CREATE TABLE participation (
    municipality_code TEXT NOT NULL,
    programme TEXT NOT NULL CHECK (programme IN ('restlessness', 'worry_sadness', 'body_food', 'self_harm', 'repeated_thoughts', 'kit')),
    since DATE NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID NULL,
    PRIMARY KEY (municipality_code, programme)
);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'therapist', 'psychiatry', 'gp', 'kit_coordinator', 'secretariat', 'analyst')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ NULL,
    CONSTRAINT api_tokens_hash_key UNIQUE (token_hash)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE children (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organisations (id),
    municipality_code TEXT NULL,
    cpr TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    birth_date DATE NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('female', 'male', 'unknown')),
    address TEXT NULL,
    school TEXT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID NOT NULL REFERENCES users (id),
    CONSTRAINT children_org_cpr_key UNIQUE (org_id, cpr)
);
CREATE INDEX children_org_name_idx ON children (org_id, search_name);

CREATE TABLE guardians (
    id UUID PRIMARY KEY,
    child_id UUID NOT NULL REFERENCES children (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('mother', 'father', 'parent', 'foster_parent', 'other')),
    custody BOOLEAN NOT NULL,
    phone TEXT NULL,
    email TEXT NULL,
    CONSTRAINT guardians_child_position_key UNIQUE (child_id, position)
);

CREATE TABLE child_history (
    id UUID PRIMARY KEY,
    child_id UUID NOT NULL REFERENCES children (id),
    version BIGINT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    changed_by UUID NOT NULL REFERENCES users (id),
    changed_fields TEXT NOT NULL,
    previous TEXT NOT NULL,
    CONSTRAINT child_history_version_key UNIQUE (child_id, version)
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    user_id UUID NULL,
    org_id UUID NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id UUID NULL,
    child_id UUID NULL,
    purpose TEXT NOT NULL,
    request_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_child_idx ON audit_log (child_id, seq);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, seq);

-- The end of the chain: one row, updated with every append, so that appends
-- serialise and a removed tail is noticed.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

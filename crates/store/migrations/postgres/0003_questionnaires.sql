-- Questionnaires: links sent to respondents, responses with their scores, alerts
-- raised by critical answers, and licensed item texts. Kept in step with ../sqlite.

CREATE TABLE invitations (
    id UUID PRIMARY KEY,
    child_id UUID NOT NULL REFERENCES children (id),
    org_id UUID NOT NULL REFERENCES organisations (id),
    municipality_code TEXT NULL,
    instrument_id TEXT NOT NULL,
    respondent TEXT NOT NULL CHECK (respondent IN ('parent', 'child', 'teacher')),
    respondent_name TEXT NOT NULL,
    respondent_email TEXT NULL,
    token_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sent', 'started', 'submitted', 'revoked')),
    answers TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT invitations_token_key UNIQUE (token_hash)
);
CREATE INDEX invitations_child_idx ON invitations (child_id, created_at);

CREATE TABLE responses (
    id UUID PRIMARY KEY,
    child_id UUID NOT NULL REFERENCES children (id),
    org_id UUID NOT NULL REFERENCES organisations (id),
    municipality_code TEXT NULL,
    instrument_id TEXT NOT NULL,
    instrument_version TEXT NOT NULL,
    respondent TEXT NOT NULL CHECK (respondent IN ('parent', 'child', 'teacher')),
    respondent_name TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('link', 'paper')),
    invitation_id UUID NULL REFERENCES invitations (id),
    answers TEXT NOT NULL,
    scores TEXT NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NULL REFERENCES users (id),
    CONSTRAINT responses_invitation_key UNIQUE (invitation_id)
);
CREATE INDEX responses_child_idx ON responses (child_id, answered_at);

CREATE TABLE alerts (
    id UUID PRIMARY KEY,
    child_id UUID NOT NULL REFERENCES children (id),
    org_id UUID NOT NULL REFERENCES organisations (id),
    response_id UUID NOT NULL REFERENCES responses (id),
    code TEXT NOT NULL,
    message_en TEXT NOT NULL,
    message_da TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    escalated_at TIMESTAMPTZ NULL,
    acknowledged_at TIMESTAMPTZ NULL,
    acknowledged_by UUID NULL REFERENCES users (id)
);
CREATE INDEX alerts_org_open_idx ON alerts (org_id, acknowledged_at);

CREATE TABLE instrument_texts (
    org_id UUID NOT NULL REFERENCES organisations (id),
    instrument_id TEXT NOT NULL,
    link_id TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('da', 'en')),
    text TEXT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, instrument_id, link_id, lang)
);

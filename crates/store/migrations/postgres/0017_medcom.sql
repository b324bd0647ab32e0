-- The child's GP practice: where the information to the GP goes. MedCom routes on the SOR code
-- and the EAN location number of both sender and receiver.
CREATE TABLE child_gp_practices (
    child_id UUID PRIMARY KEY REFERENCES children (id),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    ydernummer TEXT NOT NULL CHECK (length(ydernummer) = 6),
    sor_code TEXT NOT NULL,
    ean TEXT NOT NULL CHECK (length(ean) = 13),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID NOT NULL REFERENCES users (id)
);

-- The telephone an organisation signs its MedCom messages with (as in the SOR register).
ALTER TABLE organisations ADD COLUMN phone TEXT NULL;

-- MedCom CareCommunication messages, from queued to acknowledged. The FHIR message Bundle is
-- made at the first attempt to send and kept as sent. A message to a practice that uses Samspor
-- lands in its inbox here.
CREATE TABLE medcom_messages (
    id UUID PRIMARY KEY,
    header_id UUID NOT NULL,
    child_id UUID NOT NULL REFERENCES children (id),
    course_id UUID NULL REFERENCES courses (id),
    gp_message_id UUID NULL REFERENCES gp_messages (id),
    sender_org_id UUID NOT NULL REFERENCES organisations (id),
    receiver_name TEXT NOT NULL,
    receiver_sor_code TEXT NOT NULL,
    receiver_ean TEXT NOT NULL,
    receiver_org_id UUID NULL REFERENCES organisations (id),
    category TEXT NOT NULL CHECK (category IN ('psychiatry-social-disability', 'regarding-referral')),
    topic TEXT NOT NULL,
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    bundle TEXT NULL,
    state TEXT NOT NULL CHECK (state IN ('to_be_sent', 'sent', 'acknowledged', 'failed')),
    transport TEXT NULL CHECK (transport IN ('inbox', 'file_drop')),
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMPTZ NULL,
    last_error TEXT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    sent_at TIMESTAMPTZ NULL,
    acknowledged_at TIMESTAMPTZ NULL,
    read_at TIMESTAMPTZ NULL,
    read_by UUID NULL REFERENCES users (id),
    CONSTRAINT medcom_messages_header_key UNIQUE (header_id),
    CONSTRAINT medcom_messages_gp_message_key UNIQUE (gp_message_id),
    CONSTRAINT medcom_messages_failed_why CHECK (state <> 'failed' OR last_error IS NOT NULL),
    CONSTRAINT medcom_messages_sent_when CHECK (state NOT IN ('sent', 'acknowledged') OR (sent_at IS NOT NULL AND transport IS NOT NULL AND bundle IS NOT NULL)),
    CONSTRAINT medcom_messages_acknowledged_when CHECK (state <> 'acknowledged' OR acknowledged_at IS NOT NULL)
);
CREATE INDEX medcom_messages_due_idx ON medcom_messages (state, next_attempt_at);
CREATE INDEX medcom_messages_receiver_idx ON medcom_messages (receiver_org_id, created_at);
CREATE INDEX medcom_messages_sender_idx ON medcom_messages (sender_org_id, created_at);

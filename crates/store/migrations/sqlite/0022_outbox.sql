-- The outbox: e-mail and SMS that Samspor sends to families and staff: a neutral text with a link, never
-- health wording. The text holds a credential (the link), so it is erased once the message is
-- delivered or given up; the row stays as the record of what was sent to whom, and when.
CREATE TABLE outbox (
    id BLOB PRIMARY KEY,
    org_id BLOB NULL REFERENCES organisations (id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'manual')),
    recipient TEXT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('questionnaire_link', 'account_invite', 'password_reset')),
    about_id BLOB NULL,
    subject TEXT NOT NULL,
    body TEXT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'bounced', 'marked_sent')),
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NULL,
    last_error TEXT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT NULL,
    -- 'manual': staff passed the link on themselves (copied, printed) and marked it as sent.
    CONSTRAINT outbox_recipient CHECK (channel = 'manual' OR (recipient IS NOT NULL AND length(trim(recipient)) > 0)),
    CONSTRAINT outbox_manual CHECK (channel <> 'manual' OR state = 'marked_sent'),
    CONSTRAINT outbox_body_while_queued CHECK (state <> 'queued' OR body IS NOT NULL),
    CONSTRAINT outbox_failed_why CHECK (state NOT IN ('failed', 'bounced') OR last_error IS NOT NULL),
    CONSTRAINT outbox_sent_when CHECK (state NOT IN ('sent', 'marked_sent') OR sent_at IS NOT NULL)
);
CREATE INDEX outbox_due_idx ON outbox (state, next_attempt_at);
CREATE INDEX outbox_about_idx ON outbox (about_id);

-- A one-time link for a member of staff to choose a password: an invitation to a new account or
-- a reset. Only the token's hash is kept; a link is used once and expires.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_at TEXT NOT NULL,
    created_by BLOB NULL REFERENCES users (id),
    expires_at TEXT NOT NULL,
    used_at TEXT NULL
);
CREATE INDEX password_links_user_idx ON password_links (user_id);

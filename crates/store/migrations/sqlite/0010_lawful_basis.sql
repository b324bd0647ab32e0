-- The lawful basis for sharing a child's data with other organisations, and the shares
-- themselves (DOMAIN.md §4). Kept in step with ../postgres.
--
-- Records are never deleted: a consent is withdrawn, a basis or a share ended, an objection
-- withdrawn, each with when and by whom, so the history stays in the journal. Lists of
-- recipients, categories and givers are JSON text: they are always read with their record and
-- checked by the domain, never searched on.

-- A course (and with it the child's record) shared with another organisation. What the
-- recipient sees is decided per category by the lawful basis, on every request.
CREATE TABLE shares (
    id BLOB PRIMARY KEY,
    child_id BLOB NOT NULL REFERENCES children (id),
    course_id BLOB NOT NULL REFERENCES courses (id),
    owner_org_id BLOB NOT NULL REFERENCES organisations (id),
    recipient_org_id BLOB NOT NULL REFERENCES organisations (id),
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('child_psychiatry', 'general_practice', 'other_municipality', 'school_ppr', 'social_authority')),
    shared_by BLOB NOT NULL REFERENCES users (id),
    shared_at TEXT NOT NULL,
    ended_at TEXT NULL,
    ended_by BLOB NULL REFERENCES users (id),
    CONSTRAINT shares_not_with_owner CHECK (recipient_org_id <> owner_org_id),
    CONSTRAINT shares_end_has_who CHECK ((ended_at IS NULL) = (ended_by IS NULL))
);
CREATE UNIQUE INDEX shares_open_once ON shares (course_id, recipient_org_id) WHERE ended_at IS NULL;
CREATE INDEX shares_recipient_idx ON shares (recipient_org_id, child_id);
CREATE INDEX shares_child_idx ON shares (child_id);

CREATE TABLE consents (
    id BLOB PRIMARY KEY,
    child_id BLOB NOT NULL REFERENCES children (id),
    owner_org_id BLOB NOT NULL REFERENCES organisations (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('treatment', 'other')),
    recipients TEXT NOT NULL,
    categories TEXT NOT NULL,
    purpose_text TEXT NOT NULL CHECK (length(purpose_text) > 0),
    form TEXT NOT NULL CHECK (form IN ('written', 'oral')),
    oral_reason TEXT NULL,
    recorded_by BLOB NOT NULL REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    given_on TEXT NOT NULL,
    valid_to TEXT NULL,
    givers TEXT NOT NULL,
    capacity TEXT NULL,
    withdrawn_at TEXT NULL,
    withdrawn_by TEXT NULL,
    withdrawn_recorded_by BLOB NULL REFERENCES users (id),
    version BIGINT NOT NULL,
    CONSTRAINT consents_dates_in_order CHECK (valid_to IS NULL OR valid_to >= given_on),
    CONSTRAINT consents_withdrawal_whole CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL) AND (withdrawn_at IS NULL) = (withdrawn_recorded_by IS NULL))
);
CREATE INDEX consents_child_idx ON consents (child_id);

CREATE TABLE statutory_bases (
    id BLOB PRIMARY KEY,
    child_id BLOB NOT NULL REFERENCES children (id),
    owner_org_id BLOB NOT NULL REFERENCES organisations (id),
    ground TEXT NOT NULL CHECK (ground IN ('current_treatment', 'vital_interests', 'legal_duty')),
    recipients TEXT NOT NULL,
    categories TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    decided_by BLOB NOT NULL REFERENCES users (id),
    decided_at TEXT NOT NULL,
    from_day TEXT NOT NULL,
    to_day TEXT NULL,
    ended_at TEXT NULL,
    ended_by BLOB NULL REFERENCES users (id),
    CONSTRAINT statutory_bases_dates_in_order CHECK (to_day IS NULL OR to_day >= from_day),
    CONSTRAINT statutory_bases_end_has_who CHECK ((ended_at IS NULL) = (ended_by IS NULL))
);
CREATE INDEX statutory_bases_child_idx ON statutory_bases (child_id);

CREATE TABLE objections (
    id BLOB PRIMARY KEY,
    child_id BLOB NOT NULL REFERENCES children (id),
    owner_org_id BLOB NOT NULL REFERENCES organisations (id),
    by_person TEXT NOT NULL,
    recipients TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    withdrawn_at TEXT NULL,
    withdrawn_by BLOB NULL REFERENCES users (id),
    CONSTRAINT objections_withdrawal_has_who CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL))
);
CREATE INDEX objections_child_idx ON objections (child_id);

-- A clinician's emergency opening of another organisation's record; reviewed afterwards.
CREATE TABLE emergency_accesses (
    id BLOB PRIMARY KEY,
    child_id BLOB NOT NULL REFERENCES children (id),
    owner_org_id BLOB NOT NULL REFERENCES organisations (id),
    org_id BLOB NOT NULL REFERENCES organisations (id),
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('child_psychiatry', 'general_practice', 'other_municipality', 'school_ppr', 'social_authority')),
    user_id BLOB NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    at TEXT NOT NULL,
    reviewed_at TEXT NULL,
    reviewed_by BLOB NULL REFERENCES users (id),
    review_note TEXT NULL,
    CONSTRAINT emergency_accesses_review_whole CHECK ((reviewed_at IS NULL) = (reviewed_by IS NULL) AND (reviewed_at IS NULL) = (review_note IS NULL))
);
CREATE INDEX emergency_accesses_child_idx ON emergency_accesses (child_id);

-- A notification ("underretning") to the children-and-family authority: a disclosure, not a
-- basis for sharing. It can be withheld from the family until a day, for a stated reason.
CREATE TABLE notifications (
    id BLOB PRIMARY KEY,
    child_id BLOB NOT NULL REFERENCES children (id),
    owner_org_id BLOB NOT NULL REFERENCES organisations (id),
    made_by BLOB NOT NULL REFERENCES users (id),
    made_on TEXT NOT NULL,
    summary TEXT NOT NULL CHECK (length(summary) > 0),
    withheld_until TEXT NULL,
    withheld_reason TEXT NULL,
    recorded_at TEXT NOT NULL,
    CONSTRAINT notifications_withheld_has_reason CHECK ((withheld_until IS NULL) = (withheld_reason IS NULL))
);
CREATE INDEX notifications_child_idx ON notifications (child_id);

-- Where the custody facts on a child's record come from: "checked against CPR on <day> by <whom>".
CREATE TABLE custody_checks (
    id BLOB PRIMARY KEY,
    child_id BLOB NOT NULL REFERENCES children (id),
    checked_on TEXT NOT NULL,
    checked_by BLOB NOT NULL REFERENCES users (id),
    source TEXT NOT NULL CHECK (length(source) > 0),
    recorded_at TEXT NOT NULL
);
CREATE INDEX custody_checks_child_idx ON custody_checks (child_id);

-- The family's extracts of the access log (GDPR art. 15): who asked, and the data-protection
-- decision that let staff names in, if any.
CREATE TABLE access_log_extracts (
    id UUID PRIMARY KEY,
    child_id UUID NOT NULL REFERENCES children (id),
    owner_org_id UUID NOT NULL REFERENCES organisations (id),
    requested_by TEXT NOT NULL CHECK (length(requested_by) > 0),
    staff_names_decision TEXT NULL CHECK (staff_names_decision IS NULL OR length(staff_names_decision) > 0),
    made_by UUID NOT NULL REFERENCES users (id),
    made_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX access_log_extracts_child_idx ON access_log_extracts (child_id);

-- An emergency access is told to the family (sundhedsloven § 43, stk. 4) unless the review
-- withholds it until a day, for a reason.
ALTER TABLE emergency_accesses ADD COLUMN withheld_until DATE NULL;
ALTER TABLE emergency_accesses ADD COLUMN withheld_reason TEXT NULL;
ALTER TABLE emergency_accesses ADD CONSTRAINT emergency_accesses_withheld_has_reason
    CHECK ((withheld_until IS NULL) = (withheld_reason IS NULL));

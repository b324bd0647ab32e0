-- Every writer appends to its own audit chain, so no single head row serialises the writes of
-- several server instances; entries written from now on carry a payload digest (hash v2), so
-- retention can erase a payload while the chain still verifies.

CREATE TABLE audit_chains (
    id BIGINT PRIMARY KEY CHECK (id >= 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chains (id, seq, hash) SELECT 1, seq, hash FROM audit_head;
DROP TABLE audit_head;

ALTER TABLE audit_log ADD COLUMN chain_id BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_log ALTER COLUMN chain_id DROP DEFAULT;
ALTER TABLE audit_log ADD COLUMN payload_digest TEXT NULL;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD PRIMARY KEY (chain_id, seq);
DROP INDEX audit_log_child_idx;
DROP INDEX audit_log_org_idx;
CREATE INDEX audit_log_child_idx ON audit_log (child_id, at);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, at);

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

-- SQLite cannot change a primary key in place: the log moves to a new table (a DROP TABLE runs
-- no DELETE triggers) and the append-only triggers are made again.
CREATE TABLE audit_log_chained (
    chain_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    user_id BLOB NULL,
    org_id BLOB NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BLOB NULL,
    child_id BLOB NULL,
    purpose TEXT NOT NULL,
    request_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    payload_digest TEXT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (chain_id, seq)
);
INSERT INTO audit_log_chained (chain_id, seq, at, user_id, org_id, action, object_type, object_id, child_id, purpose, request_id, detail, payload_digest, prev_hash, hash)
    SELECT 1, seq, at, user_id, org_id, action, object_type, object_id, child_id, purpose, request_id, detail, NULL, prev_hash, hash FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_chained RENAME TO audit_log;
CREATE INDEX audit_log_child_idx ON audit_log (child_id, at);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

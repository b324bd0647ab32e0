-- KL Gateway LTT deliveries. Kept in step with ../postgres.

-- Every delivery made, with the JSON exactly as it was handed out, so an administrator can
-- download it again and the nightly job knows where the next one starts.
CREATE TABLE kl_deliveries (
    id BLOB PRIMARY KEY,
    -- The municipality organisation whose courses it reports; NULL for an operator's export
    -- of every organisation.
    org_id BLOB NULL REFERENCES organisations (id),
    since TEXT NOT NULL,
    until TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- The member of staff who asked for it; NULL when the nightly job or the command line made it.
    created_by BLOB NULL REFERENCES users (id),
    source TEXT NOT NULL CHECK (source IN ('job', 'cli', 'api')),
    reports BIGINT NOT NULL CHECK (reports >= 0),
    delivery TEXT NOT NULL,
    CONSTRAINT kl_deliveries_period CHECK (since < until),
    CONSTRAINT kl_deliveries_staff_via_api CHECK ((source = 'api') = (created_by IS NOT NULL))
);
CREATE INDEX kl_deliveries_org_idx ON kl_deliveries (org_id, created_at);
-- One nightly delivery per organisation and period end, however many servers run the job.
CREATE UNIQUE INDEX kl_deliveries_job_key ON kl_deliveries (org_id, until) WHERE source = 'job';

-- Which children a delivery reports on, so that downloading it again is recorded in each
-- child's access log.
CREATE TABLE kl_delivery_children (
    delivery_id BLOB NOT NULL REFERENCES kl_deliveries (id),
    child_id BLOB NOT NULL REFERENCES children (id),
    PRIMARY KEY (delivery_id, child_id)
);

-- The export finds changed courses by when they last changed.
CREATE INDEX courses_updated_idx ON courses (updated_at);

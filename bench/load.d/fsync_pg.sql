-- pgbench transaction for the PostgreSQL fsync limit: one single-row INSERT, committed on its
-- own (pgbench runs each script execution as one transaction in autocommit).
INSERT INTO load_fsync_probe (at, note) VALUES (clock_timestamp(), 'fsync probe');

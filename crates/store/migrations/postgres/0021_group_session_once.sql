-- A group's session at one time is recorded once: the same form sent twice at once must not give
-- every attending course a second treatment entry (and the KL report a second Behandling).
CREATE UNIQUE INDEX group_sessions_one_per_time ON group_sessions (group_id, at);

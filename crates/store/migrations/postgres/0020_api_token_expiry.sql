-- An API token lasts until it expires or is revoked; the operator lists and revokes them.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ NULL;
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

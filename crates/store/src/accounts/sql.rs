// The SQL of accounts for both backends; included by `db/sqlite.rs` and `db/postgres.rs`
// after `db/backend.rs`.

use crate::accounts::rows::*;

#[async_trait::async_trait]
impl crate::AccountTx for BackendTx {
    async fn insert_user(&mut self, u: &crate::NewUser) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO users (id, org_id, email, name, role, password_hash, active, failed_logins, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, TRUE, 0, $7)",
        )
        .bind(u.id)
        .bind(u.org_id)
        .bind(&u.email)
        .bind(&u.name)
        .bind(u.role.as_str())
        .bind(&u.password_hash)
        .bind(u.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn user(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::User>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT id, org_id, email, name, role, password_hash, active, failed_logins, locked_until, created_at
             FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn user_by_email(&mut self, email: &str) -> crate::Result<Option<crate::User>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT id, org_id, email, name, role, password_hash, active, failed_logins, locked_until, created_at
             FROM users WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn users_of_org(&mut self, org_id: uuid::Uuid) -> crate::Result<Vec<crate::User>> {
        let rows: Vec<UserRow> = sqlx::query_as(
            "SELECT id, org_id, email, name, role, password_hash, active, failed_logins, locked_until, created_at
             FROM users WHERE org_id = $1 ORDER BY name",
        )
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn set_login_state(
        &mut self,
        user_id: uuid::Uuid,
        failed_logins: i64,
        locked_until: Option<chrono::DateTime<chrono::Utc>>,
    ) -> crate::Result<()> {
        sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
            .bind(failed_logins)
            .bind(locked_until)
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn insert_session(&mut self, s: &crate::SessionRecord) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.id_hash)
        .bind(s.user_id)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn session(&mut self, id_hash: &str) -> crate::Result<Option<crate::SessionRecord>> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at
             FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(Into::into))
    }

    async fn touch_session(
        &mut self,
        id_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(at)
            .bind(id_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn delete_session(&mut self, id_hash: &str) -> crate::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(
        &mut self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(r.rows_affected())
    }

    async fn insert_token(&mut self, t: &crate::ApiToken) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(t.id)
        .bind(t.user_id)
        .bind(&t.token_hash)
        .bind(&t.label)
        .bind(t.created_at)
        .bind(t.expires_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn tokens(
        &mut self,
        user_id: Option<uuid::Uuid>,
    ) -> crate::Result<Vec<crate::accounts::model::TokenInfo>> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.user_id, u.email, t.label, t.created_at, t.expires_at, t.revoked_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE $1 IS NULL OR t.user_id = $1
             ORDER BY t.created_at DESC, t.id",
        )
        .bind(user_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    async fn token(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::accounts::model::TokenInfo>> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.user_id, u.email, t.label, t.created_at, t.expires_at, t.revoked_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    async fn revoke_token(
        &mut self,
        id: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let r = sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(at)
            .execute(&mut *self.tx)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn revoke_tokens_of(
        &mut self,
        user_id: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<u64> {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected())
    }

    async fn delete_sessions_of(&mut self, user_id: uuid::Uuid) -> crate::Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(r.rows_affected())
    }

    async fn set_user_active(&mut self, user_id: uuid::Uuid, active: bool) -> crate::Result<()> {
        sqlx::query("UPDATE users SET active = $2 WHERE id = $1")
            .bind(user_id)
            .bind(active)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn set_user_role(
        &mut self,
        user_id: uuid::Uuid,
        role: samspor_domain::role::Role,
    ) -> crate::Result<()> {
        sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
            .bind(user_id)
            .bind(role.as_str())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn set_password_hash(&mut self, user_id: uuid::Uuid, hash: &str) -> crate::Result<()> {
        sqlx::query(
            "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1",
        )
        .bind(user_id)
        .bind(hash)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn insert_password_link(&mut self, l: &crate::PasswordLink) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO password_links (token_hash, user_id, purpose, created_at, created_by, expires_at, used_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&l.token_hash)
        .bind(l.user_id)
        .bind(l.purpose.as_str())
        .bind(l.created_at)
        .bind(l.created_by)
        .bind(l.expires_at)
        .bind(l.used_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn password_link(
        &mut self,
        token_hash: &str,
    ) -> crate::Result<Option<crate::PasswordLink>> {
        let row: Option<PasswordLinkRow> = sqlx::query_as(
            "SELECT token_hash, user_id, purpose, created_at, created_by, expires_at, used_at
             FROM password_links WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn latest_password_link(
        &mut self,
        user_id: uuid::Uuid,
    ) -> crate::Result<Option<crate::PasswordLink>> {
        let row: Option<PasswordLinkRow> = sqlx::query_as(
            "SELECT token_hash, user_id, purpose, created_at, created_by, expires_at, used_at
             FROM password_links WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn use_password_link(
        &mut self,
        token_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let r = sqlx::query(
            "UPDATE password_links SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn void_password_links(
        &mut self,
        user_id: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<u64> {
        let r = sqlx::query(
            "UPDATE password_links SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected())
    }
}

#[async_trait::async_trait]
impl crate::AccountLookup for BackendConn {
    async fn member_by_token(
        &mut self,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<Option<(crate::User, crate::Organisation)>> {
        let row: Option<MemberRow> = sqlx::query_as(
            "SELECT u.id, u.org_id, u.email, u.name, u.role, u.password_hash, u.active, u.failed_logins,
                    u.locked_until, u.created_at,
                    o.code AS org_code, o.kind AS org_kind, o.name AS org_name, o.parent_id AS org_parent_id,
                    o.region_code AS org_region_code, o.municipality_code AS org_municipality_code,
                    o.sor_code AS org_sor_code, o.ean_code AS org_ean_code, o.created_at AS org_created_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.org_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > $2)",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }
}

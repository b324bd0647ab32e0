// The SQL for both backends. This file is included by `sqlite.rs` and `postgres.rs`,
// each of which defines `DB` (the sqlx database type) first, so one text serves both
// and the compiler checks it against each. SQL here must be valid on both databases.

use crate::rows::*;

/// A transaction on one backend.
pub struct BackendTx {
    tx: sqlx::Transaction<'static, DB>,
}

#[async_trait::async_trait]
impl crate::Tx for BackendTx {
    async fn organisations(&mut self) -> crate::Result<Vec<crate::Organisation>> {
        let rows: Vec<OrgRow> = sqlx::query_as(
            "SELECT id, code, kind, name, parent_id, region_code, municipality_code, sor_code, ean_code, created_at
             FROM organisations ORDER BY code",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn organisation(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::Organisation>> {
        let row: Option<OrgRow> = sqlx::query_as(
            "SELECT id, code, kind, name, parent_id, region_code, municipality_code, sor_code, ean_code, created_at
             FROM organisations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn organisation_by_code(
        &mut self,
        code: &str,
    ) -> crate::Result<Option<crate::Organisation>> {
        let row: Option<OrgRow> = sqlx::query_as(
            "SELECT id, code, kind, name, parent_id, region_code, municipality_code, sor_code, ean_code, created_at
             FROM organisations WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn insert_organisation(&mut self, o: &crate::Organisation) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO organisations (id, code, kind, name, parent_id, region_code, municipality_code, sor_code, ean_code, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(o.id)
        .bind(&o.code)
        .bind(o.kind.as_str())
        .bind(&o.name)
        .bind(o.parent_id)
        .bind(&o.region_code)
        .bind(&o.municipality_code)
        .bind(&o.sor_code)
        .bind(&o.ean_code)
        .bind(o.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn next_unit_code(&mut self) -> crate::Result<String> {
        // Unit codes are 'U' + 6 digits, so their text order is their number order.
        let max: Option<String> =
            sqlx::query_scalar("SELECT MAX(code) FROM organisations WHERE code LIKE 'U%'")
                .fetch_one(&mut *self.tx)
                .await?;
        let n = max
            .and_then(|c| c.get(1..).and_then(|d| d.parse::<u32>().ok()))
            .unwrap_or(0);
        Ok(format!("U{:06}", n + 1))
    }

    async fn participation(
        &mut self,
        municipality_code: Option<&str>,
    ) -> crate::Result<Vec<crate::Participation>> {
        let rows: Vec<ParticipationRow> = sqlx::query_as(
            "SELECT municipality_code, programme, since FROM participation
             WHERE ($1 IS NULL OR municipality_code = $1) ORDER BY municipality_code, programme",
        )
        .bind(municipality_code)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn set_participation(
        &mut self,
        municipality_code: &str,
        programme: samspor_domain::organisation::Programme,
        since: Option<chrono::NaiveDate>,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        match since {
            Some(since) => {
                sqlx::query(
                    "INSERT INTO participation (municipality_code, programme, since, updated_at, updated_by)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (municipality_code, programme)
                     DO UPDATE SET since = excluded.since, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(municipality_code)
                .bind(programme.as_str())
                .bind(since)
                .bind(at)
                .bind(by)
                .execute(&mut *self.tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM participation WHERE municipality_code = $1 AND programme = $2",
                )
                .bind(municipality_code)
                .bind(programme.as_str())
                .execute(&mut *self.tx)
                .await?;
            }
        }
        Ok(())
    }

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
            "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(t.id)
        .bind(t.user_id)
        .bind(&t.token_hash)
        .bind(&t.label)
        .bind(t.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn user_by_token(&mut self, token_hash: &str) -> crate::Result<Option<crate::User>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT u.id, u.org_id, u.email, u.name, u.role, u.password_hash, u.active, u.failed_logins, u.locked_until, u.created_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn insert_child(&mut self, c: &crate::Child) -> crate::Result<()> {
        let d = &c.data;
        sqlx::query(
            "INSERT INTO children (id, org_id, municipality_code, cpr, given_name, family_name, search_name, birth_date, sex,
                                   address, school, version, created_at, created_by, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(c.id)
        .bind(c.org_id)
        .bind(&c.municipality_code)
        .bind(d.cpr.as_str())
        .bind(&d.given_name)
        .bind(&d.family_name)
        .bind(search_name(d))
        .bind(d.birth_date())
        .bind(d.sex().as_str())
        .bind(&d.address)
        .bind(&d.school)
        .bind(c.version)
        .bind(c.created_at)
        .bind(c.created_by)
        .bind(c.updated_at)
        .bind(c.updated_by)
        .execute(&mut *self.tx)
        .await?;
        self.insert_guardians(c.id, &d.guardians).await
    }

    async fn child(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::Child>> {
        let row: Option<ChildRow> = sqlx::query_as(
            "SELECT id, org_id, municipality_code, cpr, given_name, family_name, address, school, version,
                    created_at, created_by, updated_at, updated_by
             FROM children WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let guardians: Vec<GuardianRow> = sqlx::query_as(
            "SELECT name, relation, custody, phone, email FROM guardians WHERE child_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        row.into_child(guardians).map(Some)
    }

    async fn child_by_cpr(
        &mut self,
        org_id: uuid::Uuid,
        cpr: &str,
    ) -> crate::Result<Option<uuid::Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM children WHERE org_id = $1 AND cpr = $2")
                .bind(org_id)
                .bind(cpr)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    async fn children_by_cpr_everywhere(&mut self, cpr: &str) -> crate::Result<Vec<uuid::Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM children WHERE cpr = $1 ORDER BY id")
                .bind(cpr)
                .fetch_all(&mut *self.tx)
                .await?,
        )
    }

    async fn update_child(
        &mut self,
        current: &crate::Child,
        data: &samspor_domain::child::ChildData,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<crate::Child> {
        let fields = samspor_domain::child::changed_fields(&current.data, data);
        if fields.is_empty() {
            return Ok(current.clone());
        }
        // The version check makes a concurrent edit lose visibly instead of silently.
        let updated = sqlx::query(
            "UPDATE children SET cpr = $1, given_name = $2, family_name = $3, search_name = $4, birth_date = $5, sex = $6,
                    address = $7, school = $8, version = version + 1, updated_at = $9, updated_by = $10
             WHERE id = $11 AND version = $12",
        )
        .bind(data.cpr.as_str())
        .bind(&data.given_name)
        .bind(&data.family_name)
        .bind(search_name(data))
        .bind(data.birth_date())
        .bind(data.sex().as_str())
        .bind(&data.address)
        .bind(&data.school)
        .bind(at)
        .bind(by)
        .bind(current.id)
        .bind(current.version)
        .execute(&mut *self.tx)
        .await?;
        if updated.rows_affected() == 0 {
            let now: Option<i64> = sqlx::query_scalar("SELECT version FROM children WHERE id = $1")
                .bind(current.id)
                .fetch_optional(&mut *self.tx)
                .await?;
            return Err(match now {
                Some(v) => crate::StoreError::VersionConflict { current: v },
                None => crate::StoreError::NotFound,
            });
        }
        sqlx::query(
            "INSERT INTO child_history (id, child_id, version, changed_at, changed_by, changed_fields, previous)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(current.id)
        .bind(current.version)
        .bind(at)
        .bind(by)
        .bind(fields.join(","))
        .bind(history_snapshot(&current.data))
        .execute(&mut *self.tx)
        .await?;
        if fields.contains(&"guardians") {
            sqlx::query("DELETE FROM guardians WHERE child_id = $1")
                .bind(current.id)
                .execute(&mut *self.tx)
                .await?;
            self.insert_guardians(current.id, &data.guardians).await?;
        }
        Ok(crate::Child {
            data: data.clone(),
            version: current.version + 1,
            updated_at: at,
            updated_by: by,
            ..current.clone()
        })
    }

    async fn search_children(
        &mut self,
        org_id: uuid::Uuid,
        q: &crate::ChildQuery,
    ) -> crate::Result<Vec<crate::ChildSummary>> {
        let text = q.text.as_deref().map(str::trim).unwrap_or("");
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        let looks_like_cpr = !digits.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
        let (name_pattern, cpr_pattern): (Option<String>, Option<String>) = if text.is_empty() {
            (None, None)
        } else if looks_like_cpr {
            (None, Some(format!("{}%", like_escape(&digits))))
        } else {
            (
                Some(format!("%{}%", like_escape(&text.to_lowercase()))),
                None,
            )
        };
        let rows: Vec<ChildSummaryRow> = sqlx::query_as(
            "SELECT id, given_name, family_name, birth_date, cpr FROM children
             WHERE org_id = $1
               AND ($2 IS NULL OR search_name LIKE $2 ESCAPE '\\')
               AND ($3 IS NULL OR cpr LIKE $3 ESCAPE '\\')
             ORDER BY family_name, given_name, id
             LIMIT $4 OFFSET $5",
        )
        .bind(org_id)
        .bind(name_pattern)
        .bind(cpr_pattern)
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn child_history(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::ChildHistoryEntry>> {
        let rows: Vec<HistoryRow> = sqlx::query_as(
            "SELECT h.version, h.changed_at, h.changed_by, u.name AS changed_by_name, h.changed_fields, h.previous
             FROM child_history h JOIN users u ON u.id = h.changed_by
             WHERE h.child_id = $1 ORDER BY h.version DESC",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
    async fn insert_invitation(&mut self, i: &crate::Invitation) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO invitations (id, child_id, org_id, municipality_code, instrument_id, respondent, respondent_name,
                                      respondent_email, token_hash, status, answers, expires_at, created_at, created_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(i.id)
        .bind(i.child_id)
        .bind(i.org_id)
        .bind(&i.municipality_code)
        .bind(&i.instrument_id)
        .bind(&i.respondent)
        .bind(&i.respondent_name)
        .bind(&i.respondent_email)
        .bind(&i.token_hash)
        .bind(i.status.as_str())
        .bind(i.answers.to_string())
        .bind(i.expires_at)
        .bind(i.created_at)
        .bind(i.created_by)
        .bind(i.updated_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn invitation(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::Invitation>> {
        let row: Option<InvitationRow> = sqlx::query_as(
            "SELECT id, child_id, org_id, municipality_code, instrument_id, respondent, respondent_name, respondent_email,
                    token_hash, status, answers, expires_at, created_at, created_by, updated_at
             FROM invitations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn invitation_by_token(
        &mut self,
        token_hash: &str,
    ) -> crate::Result<Option<crate::Invitation>> {
        let row: Option<InvitationRow> = sqlx::query_as(
            "SELECT id, child_id, org_id, municipality_code, instrument_id, respondent, respondent_name, respondent_email,
                    token_hash, status, answers, expires_at, created_at, created_by, updated_at
             FROM invitations WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn invitations_of_child(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::Invitation>> {
        let rows: Vec<InvitationRow> = sqlx::query_as(
            "SELECT id, child_id, org_id, municipality_code, instrument_id, respondent, respondent_name, respondent_email,
                    token_hash, status, answers, expires_at, created_at, created_by, updated_at
             FROM invitations WHERE child_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn update_invitation(
        &mut self,
        id: uuid::Uuid,
        status: crate::InvitationStatus,
        answers: &serde_json::Value,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "UPDATE invitations SET status = $1, answers = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(answers.to_string())
        .bind(at)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn insert_response(&mut self, r: &crate::ResponseRecord) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO responses (id, child_id, org_id, municipality_code, instrument_id, instrument_version, respondent,
                                    respondent_name, source, invitation_id, answers, scores, answered_at, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(r.id)
        .bind(r.child_id)
        .bind(r.org_id)
        .bind(&r.municipality_code)
        .bind(&r.instrument_id)
        .bind(&r.instrument_version)
        .bind(&r.respondent)
        .bind(&r.respondent_name)
        .bind(&r.source)
        .bind(r.invitation_id)
        .bind(r.answers.to_string())
        .bind(r.scores.to_string())
        .bind(r.answered_at)
        .bind(r.created_at)
        .bind(r.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn responses_of_child(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::ResponseRecord>> {
        let rows: Vec<ResponseRow> = sqlx::query_as(
            "SELECT id, child_id, org_id, municipality_code, instrument_id, instrument_version, respondent, respondent_name,
                    source, invitation_id, answers, scores, answered_at, created_at, created_by
             FROM responses WHERE child_id = $1 ORDER BY answered_at, id",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_alert(&mut self, a: &crate::Alert) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO alerts (id, child_id, org_id, response_id, code, message_en, message_da, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.id)
        .bind(a.child_id)
        .bind(a.org_id)
        .bind(a.response_id)
        .bind(&a.code)
        .bind(&a.message_en)
        .bind(&a.message_da)
        .bind(a.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn alert(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::Alert>> {
        let row: Option<AlertRow> = sqlx::query_as(
            "SELECT id, child_id, org_id, response_id, code, message_en, message_da, created_at, escalated_at,
                    acknowledged_at, acknowledged_by
             FROM alerts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(Into::into))
    }

    async fn open_alerts(&mut self, org_id: uuid::Uuid) -> crate::Result<Vec<crate::Alert>> {
        let rows: Vec<AlertRow> = sqlx::query_as(
            "SELECT id, child_id, org_id, response_id, code, message_en, message_da, created_at, escalated_at,
                    acknowledged_at, acknowledged_by
             FROM alerts WHERE org_id = $1 AND acknowledged_at IS NULL ORDER BY created_at, id",
        )
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn acknowledge_alert(
        &mut self,
        id: uuid::Uuid,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let r = sqlx::query(
            "UPDATE alerts SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND acknowledged_at IS NULL",
        )
        .bind(at)
        .bind(by)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn escalate_alerts(
        &mut self,
        before: chrono::DateTime<chrono::Utc>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<u64> {
        let r = sqlx::query(
            "UPDATE alerts SET escalated_at = $1
             WHERE acknowledged_at IS NULL AND escalated_at IS NULL AND created_at < $2",
        )
        .bind(at)
        .bind(before)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected())
    }

    async fn set_instrument_text(
        &mut self,
        org_id: uuid::Uuid,
        instrument_id: &str,
        link_id: &str,
        lang: &str,
        text: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO instrument_texts (org_id, instrument_id, link_id, lang, text, loaded_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (org_id, instrument_id, link_id, lang)
             DO UPDATE SET text = excluded.text, loaded_at = excluded.loaded_at",
        )
        .bind(org_id)
        .bind(instrument_id)
        .bind(link_id)
        .bind(lang)
        .bind(text)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn instrument_texts(
        &mut self,
        org_id: uuid::Uuid,
        instrument_id: &str,
        lang: &str,
    ) -> crate::Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT link_id, text FROM instrument_texts WHERE org_id = $1 AND instrument_id = $2 AND lang = $3",
        )
        .bind(org_id)
        .bind(instrument_id)
        .bind(lang)
        .fetch_all(&mut *self.tx)
        .await?)
    }
}

impl BackendTx {
    async fn insert_guardians(
        &mut self,
        child_id: uuid::Uuid,
        guardians: &[samspor_domain::child::Guardian],
    ) -> crate::Result<()> {
        for (i, g) in guardians.iter().enumerate() {
            sqlx::query(
                "INSERT INTO guardians (id, child_id, position, name, relation, custody, phone, email)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(uuid::Uuid::now_v7())
            .bind(child_id)
            .bind(i as i64)
            .bind(&g.name)
            .bind(g.relation.as_str())
            .bind(g.custody)
            .bind(&g.phone)
            .bind(&g.email)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
}

// The SQL of questionnaires for both backends; included by `db/sqlite.rs` and `db/postgres.rs`
// after `db/backend.rs`.

use crate::questionnaires::rows::*;

#[async_trait::async_trait]
impl crate::QuestionnaireTx for BackendTx {
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

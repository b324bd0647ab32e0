// The SQL of referrals to child psychiatry for both backends; included by `db/sqlite.rs` and
// `db/postgres.rs` after `db/backend.rs`.

use crate::referrals::rows::{ToPsychiatryRow, select_referrals};

#[async_trait::async_trait]
impl crate::referrals::tx::ReferralTx for BackendTx {
    async fn insert_referral_to_psychiatry(
        &mut self,
        r: &crate::referrals::model::ReferralToPsychiatry,
    ) -> crate::Result<()> {
        use crate::referrals::model::Referrer;
        let (origin, referrer_name, gp_reference) = match &r.referrer {
            Referrer::Municipality { .. } => ("municipality", None, None),
            Referrer::Gp {
                referrer_name,
                gp_reference,
                ..
            } => ("gp", Some(referrer_name), gp_reference.as_ref()),
        };
        sqlx::query(
            "INSERT INTO referrals_to_psychiatry (id, child_id, course_id, from_org_id, to_org_id, draft_id,
                 reason, tried, child_view, family_view, scores, received_on, due_on, sent_at, sent_by, status,
                 origin, referrer_name, gp_reference)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'sent', $16, $17, $18)",
        )
        .bind(r.id)
        .bind(r.child_id)
        .bind(r.referrer.course_id())
        .bind(r.referrer.from_org_id())
        .bind(r.to_org_id)
        .bind(r.draft_id)
        .bind(&r.text.reason)
        .bind(&r.text.tried)
        .bind(&r.text.child_view)
        .bind(&r.text.family_view)
        .bind(r.scores.to_string())
        .bind(r.received_on)
        .bind(r.due_on)
        .bind(r.sent_at)
        .bind(r.sent_by)
        .bind(origin)
        .bind(referrer_name)
        .bind(gp_reference)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn referral_to_psychiatry(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::referrals::model::ReferralToPsychiatry>> {
        let row: Option<ToPsychiatryRow> = sqlx::query_as(select_referrals!(
            "WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn referrals_to(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::referrals::model::ReferralToPsychiatry>> {
        let rows: Vec<ToPsychiatryRow> = sqlx::query_as(select_referrals!(
            "WHERE to_org_id = $1
             ORDER BY due_on, sent_at"
        ))
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn referrals_from(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::referrals::model::ReferralToPsychiatry>> {
        let rows: Vec<ToPsychiatryRow> = sqlx::query_as(select_referrals!(
            "WHERE from_org_id = $1
             ORDER BY sent_at DESC"
        ))
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn referrals_of_course(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::referrals::model::ReferralToPsychiatry>> {
        let rows: Vec<ToPsychiatryRow> = sqlx::query_as(select_referrals!(
            "WHERE course_id = $1
             ORDER BY sent_at"
        ))
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn referrals_of_child(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::referrals::model::ReferralToPsychiatry>> {
        let rows: Vec<ToPsychiatryRow> = sqlx::query_as(select_referrals!(
            "WHERE child_id = $1
             ORDER BY sent_at"
        ))
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn answer_referral(
        &mut self,
        id: uuid::Uuid,
        answer: &samspor_domain::referral::Answer,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        use samspor_domain::referral::Answer;
        let (note, destination, advice) = match answer {
            Answer::Accepted { note } => (note.as_deref(), None, None),
            Answer::Returned { way } => (
                None,
                Some(way.destination.as_str()),
                Some(way.note.as_str()),
            ),
        };
        let done = sqlx::query(
            "UPDATE referrals_to_psychiatry
             SET status = $2, answered_at = $3, answered_by = $4, answer_note = $5,
                 return_destination = $6, return_advice = $7
             WHERE id = $1 AND status = 'sent'",
        )
        .bind(id)
        .bind(answer.status().as_str())
        .bind(at)
        .bind(by)
        .bind(note)
        .bind(destination)
        .bind(advice)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn act_on_return(
        &mut self,
        id: uuid::Uuid,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE referrals_to_psychiatry SET acted_at = $2, acted_by = $3
             WHERE id = $1 AND status = 'returned' AND acted_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_draft_sent(&mut self, draft_id: uuid::Uuid) -> crate::Result<()> {
        sqlx::query("UPDATE psychiatry_referrals SET status = 'sent' WHERE id = $1")
            .bind(draft_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

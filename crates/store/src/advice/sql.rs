// The SQL of advice requests for both backends; included by `db/sqlite.rs` and
// `db/postgres.rs` after `db/backend.rs`.

use crate::advice::rows::{AdviceRow, select_advice};

#[async_trait::async_trait]
impl crate::advice::tx::AdviceTx for BackendTx {
    async fn insert_advice_request(
        &mut self,
        r: &crate::advice::model::AdviceRequest,
    ) -> crate::Result<()> {
        use samspor_domain::advice::Subject;
        let (course_id, age, sex) = match r.subject {
            Subject::Identified { course_id } => (Some(course_id), None, None),
            Subject::Anonymous { age, sex } => (None, Some(i64::from(age)), Some(sex.as_str())),
        };
        sqlx::query(
            "INSERT INTO advice_requests (id, from_org_id, to_org_id, asked_by, asked_at, asked_on,
                 due_on, child_id, course_id, age, sex, question)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(r.id)
        .bind(r.from_org_id)
        .bind(r.to_org_id)
        .bind(r.asked_by)
        .bind(r.asked_at)
        .bind(r.asked_on)
        .bind(r.due_on)
        .bind(r.child_id)
        .bind(course_id)
        .bind(age)
        .bind(sex)
        .bind(&r.question)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn advice_request(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::advice::model::AdviceRequest>> {
        let row: Option<AdviceRow> = sqlx::query_as(select_advice!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn advice_asked_of(
        &mut self,
        org_id: uuid::Uuid,
        since: chrono::NaiveDate,
    ) -> crate::Result<Vec<crate::advice::model::AdviceRequest>> {
        let rows: Vec<AdviceRow> = sqlx::query_as(select_advice!(
            "WHERE to_org_id = $1 AND (answered_on IS NULL OR answered_on >= $2)
             ORDER BY answered_at IS NOT NULL, due_on, asked_at, answered_at DESC"
        ))
        .bind(org_id)
        .bind(since)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn advice_asked_by(
        &mut self,
        org_id: uuid::Uuid,
        since: chrono::NaiveDate,
    ) -> crate::Result<Vec<crate::advice::model::AdviceRequest>> {
        let rows: Vec<AdviceRow> = sqlx::query_as(select_advice!(
            "WHERE from_org_id = $1 AND (answer_read_at IS NULL OR asked_on >= $2)
             ORDER BY asked_at DESC"
        ))
        .bind(org_id)
        .bind(since)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn advice_of_course(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::advice::model::AdviceRequest>> {
        let rows: Vec<AdviceRow> = sqlx::query_as(select_advice!(
            "WHERE course_id = $1 ORDER BY asked_at"
        ))
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn answer_advice(
        &mut self,
        id: uuid::Uuid,
        answer: &crate::advice::model::AdviceAnswer,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE advice_requests
             SET answer = $2, answered_at = $3, answered_by = $4, answered_on = $5
             WHERE id = $1 AND answer IS NULL",
        )
        .bind(id)
        .bind(&answer.text)
        .bind(answer.answered_at)
        .bind(answer.answered_by)
        .bind(answer.answered_on)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_advice_read(
        &mut self,
        id: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "UPDATE advice_requests SET answer_read_at = $2
             WHERE id = $1 AND answer IS NOT NULL AND answer_read_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

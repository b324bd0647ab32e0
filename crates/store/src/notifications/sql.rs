// The SQL of the outbox for both backends; included by `db/sqlite.rs` and `db/postgres.rs`
// after `db/backend.rs`.

use crate::notifications::rows::*;

#[async_trait::async_trait]
impl crate::NotificationTx for BackendTx {
    async fn outbox_insert(
        &mut self,
        n: &crate::notifications::model::Notification,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO outbox (id, org_id, channel, recipient, purpose, about_id, subject, body,
                                        state, attempts, next_attempt_at, last_error, created_at, sent_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(n.id)
        .bind(n.org_id)
        .bind(n.channel.as_str())
        .bind(&n.recipient)
        .bind(n.purpose.as_str())
        .bind(n.about_id)
        .bind(&n.subject)
        .bind(&n.body)
        .bind(n.state.as_str())
        .bind(n.attempts)
        .bind(n.next_attempt_at)
        .bind(&n.last_error)
        .bind(n.created_at)
        .bind(n.sent_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn outbox_due(
        &mut self,
        now: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> crate::Result<Vec<crate::notifications::model::Notification>> {
        let rows: Vec<NotificationRow> = sqlx::query_as(select_notification!(
            "WHERE state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
             ORDER BY created_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        notification_rows(rows)
    }

    async fn outbox_claim(
        &mut self,
        id: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $3
             WHERE id = $1 AND state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= $2)",
        )
        .bind(id)
        .bind(now)
        .bind(until)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn outbox_update(
        &mut self,
        n: &crate::notifications::model::Notification,
    ) -> crate::Result<()> {
        sqlx::query(
            "UPDATE outbox SET state = $2, attempts = $3, next_attempt_at = $4, last_error = $5,
                 sent_at = $6, body = $7
             WHERE id = $1",
        )
        .bind(n.id)
        .bind(n.state.as_str())
        .bind(n.attempts)
        .bind(n.next_attempt_at)
        .bind(&n.last_error)
        .bind(n.sent_at)
        .bind(&n.body)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn outbox_about(
        &mut self,
        about_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::notifications::model::Notification>> {
        let rows: Vec<NotificationRow> = sqlx::query_as(select_notification!(
            "WHERE about_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(about_id)
        .fetch_all(&mut *self.tx)
        .await?;
        notification_rows(rows)
    }
}

// The SQL of course messages for both backends; included by `db/sqlite.rs` and
// `db/postgres.rs` after `db/backend.rs`.

use crate::messages::rows::{MessageRow, select_messages};

#[async_trait::async_trait]
impl crate::messages::tx::MessageTx for BackendTx {
    async fn insert_message(
        &mut self,
        m: &crate::messages::model::CourseMessage,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO course_messages (id, thread_id, course_id, child_id, from_org_id, to_org_id,
                 subject, body, sent_at, sent_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(m.id)
        .bind(m.thread_id)
        .bind(m.course_id)
        .bind(m.child_id)
        .bind(m.from_org_id)
        .bind(m.to_org_id)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(m.sent_at)
        .bind(m.sent_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn message(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::messages::model::CourseMessage>> {
        let row: Option<MessageRow> = sqlx::query_as(select_messages!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn messages_of_course_for(
        &mut self,
        course_id: uuid::Uuid,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::messages::model::CourseMessage>> {
        let rows: Vec<MessageRow> = sqlx::query_as(select_messages!(
            "WHERE course_id = $1 AND (from_org_id = $2 OR to_org_id = $2) ORDER BY sent_at, id"
        ))
        .bind(course_id)
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn mark_messages_read(
        &mut self,
        course_id: uuid::Uuid,
        org_id: uuid::Uuid,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "UPDATE course_messages SET read_at = $3, read_by = $4
             WHERE course_id = $1 AND to_org_id = $2 AND read_at IS NULL",
        )
        .bind(course_id)
        .bind(org_id)
        .bind(at)
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn unread_messages_for(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<(uuid::Uuid, uuid::Uuid, i64)>> {
        Ok(sqlx::query_as(
            "SELECT course_id, child_id, COUNT(*) FROM course_messages
             WHERE to_org_id = $1 AND read_at IS NULL
             GROUP BY course_id, child_id ORDER BY MIN(sent_at)",
        )
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }
}

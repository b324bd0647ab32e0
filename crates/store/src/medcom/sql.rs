// The SQL of MedCom messages and the child's GP practice for both backends; included by
// `db/sqlite.rs` and `db/postgres.rs` after `db/backend.rs`.

use crate::medcom::rows::{GpPracticeRow, MedcomRow, select_medcom};

fn medcom_rows(
    rows: Vec<MedcomRow>,
) -> crate::Result<Vec<crate::medcom::model::MedcomMessage>> {
    rows.into_iter().map(TryInto::try_into).collect()
}

#[async_trait::async_trait]
impl crate::medcom::tx::MedcomTx for BackendTx {
    async fn child_gp_practice(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Option<samspor_domain::medcom::GpPractice>> {
        let row: Option<GpPracticeRow> = sqlx::query_as(
            "SELECT name, ydernummer, sor_code, ean FROM child_gp_practices WHERE child_id = $1",
        )
        .bind(child_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(|r| samspor_domain::medcom::GpPractice {
            name: r.name,
            ydernummer: r.ydernummer,
            sor_code: r.sor_code,
            ean: r.ean,
        }))
    }

    async fn set_child_gp_practice(
        &mut self,
        child_id: uuid::Uuid,
        p: &samspor_domain::medcom::GpPractice,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO child_gp_practices (child_id, name, ydernummer, sor_code, ean, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (child_id) DO UPDATE SET name = excluded.name, ydernummer = excluded.ydernummer,
                 sor_code = excluded.sor_code, ean = excluded.ean, updated_at = excluded.updated_at,
                 updated_by = excluded.updated_by",
        )
        .bind(child_id)
        .bind(&p.name)
        .bind(&p.ydernummer)
        .bind(&p.sor_code)
        .bind(&p.ean)
        .bind(at)
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn organisation_phone(&mut self, org_id: uuid::Uuid) -> crate::Result<Option<String>> {
        let phone: Option<Option<String>> =
            sqlx::query_scalar("SELECT phone FROM organisations WHERE id = $1")
                .bind(org_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(phone.flatten())
    }

    async fn set_organisation_routing(
        &mut self,
        org_id: uuid::Uuid,
        sor_code: &str,
        ean: &str,
        phone: &str,
    ) -> crate::Result<()> {
        sqlx::query("UPDATE organisations SET sor_code = $2, ean_code = $3, phone = $4 WHERE id = $1")
            .bind(org_id)
            .bind(sor_code)
            .bind(ean)
            .bind(phone)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn organisation_by_sor(&mut self, sor_code: &str) -> crate::Result<Option<uuid::Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM organisations WHERE sor_code = $1 ORDER BY code LIMIT 1")
                .bind(sor_code)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    async fn insert_medcom_message(
        &mut self,
        m: &crate::medcom::model::MedcomMessage,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO medcom_messages (id, header_id, child_id, course_id, gp_message_id, sender_org_id,
                 receiver_name, receiver_sor_code, receiver_ean, receiver_org_id, category, topic, text,
                 bundle, state, transport, attempts, next_attempt_at, last_error, created_at, created_by,
                 sent_at, acknowledged_at, read_at, read_by, referral_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $20, $21, $22, $23, $24, $25, $26)",
        )
        .bind(m.id)
        .bind(m.header_id)
        .bind(m.child_id)
        .bind(m.course_id)
        .bind(m.gp_message_id)
        .bind(m.sender_org_id)
        .bind(&m.receiver_name)
        .bind(&m.receiver_sor_code)
        .bind(&m.receiver_ean)
        .bind(m.receiver_org_id)
        .bind(&m.category)
        .bind(&m.topic)
        .bind(&m.text)
        .bind(&m.bundle)
        .bind(m.state.as_str())
        .bind(m.route.map(|r| r.as_str()))
        .bind(m.attempts)
        .bind(m.next_attempt_at)
        .bind(&m.last_error)
        .bind(m.created_at)
        .bind(m.created_by)
        .bind(m.sent_at)
        .bind(m.acknowledged_at)
        .bind(m.read_at)
        .bind(m.read_by)
        .bind(m.referral_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn medcom_message(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::medcom::model::MedcomMessage>> {
        let row: Option<MedcomRow> = sqlx::query_as(select_medcom!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn medcom_message_by_header(
        &mut self,
        header_id: uuid::Uuid,
    ) -> crate::Result<Option<crate::medcom::model::MedcomMessage>> {
        let row: Option<MedcomRow> = sqlx::query_as(select_medcom!("WHERE header_id = $1"))
            .bind(header_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn medcom_message_of_gp_message(
        &mut self,
        gp_message_id: uuid::Uuid,
    ) -> crate::Result<Option<crate::medcom::model::MedcomMessage>> {
        let row: Option<MedcomRow> = sqlx::query_as(select_medcom!("WHERE gp_message_id = $1"))
            .bind(gp_message_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn medcom_message_of_referral(
        &mut self,
        referral_id: uuid::Uuid,
    ) -> crate::Result<Option<crate::medcom::model::MedcomMessage>> {
        let row: Option<MedcomRow> = sqlx::query_as(select_medcom!("WHERE referral_id = $1"))
            .bind(referral_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn due_medcom_messages(
        &mut self,
        now: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> crate::Result<Vec<crate::medcom::model::MedcomMessage>> {
        let rows: Vec<MedcomRow> = sqlx::query_as(select_medcom!(
            "WHERE state = 'to_be_sent' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
             ORDER BY created_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        medcom_rows(rows)
    }

    async fn claim_medcom_message(
        &mut self,
        id: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE medcom_messages SET next_attempt_at = $3
             WHERE id = $1 AND state = 'to_be_sent' AND (next_attempt_at IS NULL OR next_attempt_at <= $2)",
        )
        .bind(id)
        .bind(now)
        .bind(until)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_medcom_delivery(
        &mut self,
        m: &crate::medcom::model::MedcomMessage,
    ) -> crate::Result<()> {
        sqlx::query(
            "UPDATE medcom_messages SET state = $2, transport = $3, attempts = $4, next_attempt_at = $5,
                 last_error = $6, sent_at = $7, acknowledged_at = $8, bundle = $9
             WHERE id = $1",
        )
        .bind(m.id)
        .bind(m.state.as_str())
        .bind(m.route.map(|r| r.as_str()))
        .bind(m.attempts)
        .bind(m.next_attempt_at)
        .bind(&m.last_error)
        .bind(m.sent_at)
        .bind(m.acknowledged_at)
        .bind(&m.bundle)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn mark_medcom_read(
        &mut self,
        id: uuid::Uuid,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "UPDATE medcom_messages SET read_at = $3, read_by = $2 WHERE id = $1 AND read_at IS NULL",
        )
        .bind(id)
        .bind(by)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn medcom_inbox(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::medcom::model::MedcomMessage>> {
        let rows: Vec<MedcomRow> = sqlx::query_as(select_medcom!(
            "WHERE receiver_org_id = $1 AND transport = 'inbox' ORDER BY created_at DESC, id DESC LIMIT 200"
        ))
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        medcom_rows(rows)
    }

    async fn medcom_outbox(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::medcom::model::MedcomMessage>> {
        let rows: Vec<MedcomRow> = sqlx::query_as(select_medcom!(
            "WHERE sender_org_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200"
        ))
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        medcom_rows(rows)
    }

    async fn unread_medcom(&mut self, org_id: uuid::Uuid) -> crate::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM medcom_messages
             WHERE receiver_org_id = $1 AND transport = 'inbox' AND read_at IS NULL",
        )
        .bind(org_id)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    async fn set_gp_message_status(&mut self, id: uuid::Uuid, status: &str) -> crate::Result<()> {
        sqlx::query("UPDATE gp_messages SET status = $2 WHERE id = $1")
            .bind(id)
            .bind(status)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

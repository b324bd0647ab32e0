// The SQL of lawful bases and shares for both backends; included by `db/sqlite.rs` and
// `db/postgres.rs` after `db/backend.rs`.

use crate::consent::rows::*;


#[async_trait::async_trait]
impl crate::consent::tx::ConsentTx for BackendTx {
    async fn insert_share(&mut self, s: &crate::consent::model::Share) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO shares (id, child_id, course_id, owner_org_id, recipient_org_id, recipient_kind, shared_by, shared_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.id)
        .bind(s.child_id)
        .bind(s.course_id)
        .bind(s.owner_org_id)
        .bind(s.recipient_org_id)
        .bind(s.recipient_kind.as_str())
        .bind(s.shared_by)
        .bind(s.shared_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn end_share(
        &mut self,
        id: uuid::Uuid,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query("UPDATE shares SET ended_at = $2, ended_by = $3 WHERE id = $1 AND ended_at IS NULL")
            .bind(id)
            .bind(at)
            .bind(by)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn shares_of_child(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::consent::model::Share>> {
        let rows: Vec<ShareRow> = sqlx::query_as(
            "SELECT s.id, s.child_id, s.course_id, s.owner_org_id, s.recipient_org_id, o.name AS recipient_name,
                    s.recipient_kind, s.shared_by, s.shared_at, s.ended_at
             FROM shares s JOIN organisations o ON o.id = s.recipient_org_id
             WHERE s.child_id = $1 ORDER BY s.shared_at, s.id",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn shared_courses(
        &mut self,
        child_id: uuid::Uuid,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<uuid::Uuid>> {
        Ok(sqlx::query_scalar(
            "SELECT course_id FROM shares WHERE child_id = $1 AND recipient_org_id = $2 AND ended_at IS NULL
             ORDER BY course_id",
        )
        .bind(child_id)
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    async fn children_shared_with(&mut self, org_id: uuid::Uuid) -> crate::Result<Vec<uuid::Uuid>> {
        Ok(sqlx::query_scalar(
            "SELECT child_id FROM shares WHERE recipient_org_id = $1 AND ended_at IS NULL
             UNION SELECT child_id FROM emergency_accesses WHERE org_id = $1
             ORDER BY child_id",
        )
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    async fn insert_consent(
        &mut self,
        child_id: uuid::Uuid,
        owner_org_id: uuid::Uuid,
        c: &samspor_domain::lawful_basis::Consent,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO consents (id, child_id, owner_org_id, purpose, recipients, categories, purpose_text, form,
                                   oral_reason, recorded_by, recorded_at, given_on, valid_to, givers, capacity, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1)",
        )
        .bind(c.id)
        .bind(child_id)
        .bind(owner_org_id)
        .bind(c.purpose.as_str())
        .bind(to_json(&c.recipients))
        .bind(to_json(&c.categories))
        .bind(&c.purpose_text)
        .bind(c.form.as_str())
        .bind(&c.oral_reason)
        .bind(c.recorded_by)
        .bind(at)
        .bind(c.given_on)
        .bind(c.valid_to)
        .bind(to_json(&c.givers))
        .bind(c.capacity.as_ref().map(to_json))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn update_consent(
        &mut self,
        c: &samspor_domain::lawful_basis::Consent,
        version: i64,
    ) -> crate::Result<()> {
        let w = c.withdrawn.as_ref();
        let done = sqlx::query(
            "UPDATE consents SET givers = $2, capacity = $3, withdrawn_at = $4, withdrawn_by = $5,
                                 withdrawn_recorded_by = $6, version = version + 1
             WHERE id = $1 AND version = $7",
        )
        .bind(c.id)
        .bind(to_json(&c.givers))
        .bind(c.capacity.as_ref().map(to_json))
        .bind(w.map(|w| w.at))
        .bind(w.map(|w| to_json(&w.by)))
        .bind(w.map(|w| w.recorded_by))
        .bind(version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let now: Option<i64> = sqlx::query_scalar("SELECT version FROM consents WHERE id = $1")
            .bind(c.id)
            .fetch_optional(&mut *self.tx)
            .await?;
        Err(match now {
            Some(current) => crate::StoreError::VersionConflict { current },
            None => crate::StoreError::NotFound,
        })
    }

    async fn consents_of(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<(samspor_domain::lawful_basis::Consent, i64)>> {
        let rows: Vec<ConsentRow> = sqlx::query_as(
            "SELECT id, purpose, recipients, categories, purpose_text, form, oral_reason, recorded_by, given_on,
                    valid_to, givers, capacity, withdrawn_at, withdrawn_by, withdrawn_recorded_by, version
             FROM consents WHERE child_id = $1 ORDER BY recorded_at, id",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(ConsentRow::into_consent).collect()
    }

    async fn insert_statutory(
        &mut self,
        child_id: uuid::Uuid,
        owner_org_id: uuid::Uuid,
        b: &samspor_domain::lawful_basis::StatutoryBasis,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO statutory_bases (id, child_id, owner_org_id, ground, recipients, categories, reason,
                                          decided_by, decided_at, from_day, to_day)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(b.id)
        .bind(child_id)
        .bind(owner_org_id)
        .bind(b.ground.as_str())
        .bind(to_json(&b.recipients))
        .bind(to_json(&b.categories))
        .bind(&b.reason)
        .bind(b.decided_by)
        .bind(at)
        .bind(b.from)
        .bind(b.to)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn end_statutory(
        &mut self,
        id: uuid::Uuid,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE statutory_bases SET ended_at = $2, ended_by = $3 WHERE id = $1 AND ended_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_objection(
        &mut self,
        child_id: uuid::Uuid,
        owner_org_id: uuid::Uuid,
        o: &samspor_domain::lawful_basis::Objection,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO objections (id, child_id, owner_org_id, by_person, recipients, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(o.id)
        .bind(child_id)
        .bind(owner_org_id)
        .bind(to_json(&o.by))
        .bind(to_json(&o.recipients))
        .bind(&o.note)
        .bind(o.recorded_by)
        .bind(o.recorded_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn withdraw_objection(
        &mut self,
        id: uuid::Uuid,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE objections SET withdrawn_at = $2, withdrawn_by = $3 WHERE id = $1 AND withdrawn_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_emergency(
        &mut self,
        child_id: uuid::Uuid,
        owner_org_id: uuid::Uuid,
        e: &samspor_domain::lawful_basis::EmergencyAccess,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO emergency_accesses (id, child_id, owner_org_id, org_id, recipient_kind, user_id, reason, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.id)
        .bind(child_id)
        .bind(owner_org_id)
        .bind(e.org_id)
        .bind(e.kind.as_str())
        .bind(e.user_id)
        .bind(&e.reason)
        .bind(e.at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn insert_notification(
        &mut self,
        child_id: uuid::Uuid,
        owner_org_id: uuid::Uuid,
        n: &samspor_domain::lawful_basis::Notification,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO notifications (id, child_id, owner_org_id, made_by, made_on, summary, withheld_until,
                                        withheld_reason, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(n.id)
        .bind(child_id)
        .bind(owner_org_id)
        .bind(n.made_by)
        .bind(n.made_on)
        .bind(&n.summary)
        .bind(n.withheld.as_ref().map(|(d, _)| *d))
        .bind(n.withheld.as_ref().map(|(_, r)| r.clone()))
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn notifications_of(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<samspor_domain::lawful_basis::Notification>> {
        let rows: Vec<(uuid::Uuid, uuid::Uuid, chrono::NaiveDate, String, Option<chrono::NaiveDate>, Option<String>)> =
            sqlx::query_as(
                "SELECT id, made_by, made_on, summary, withheld_until, withheld_reason FROM notifications
                 WHERE child_id = $1 ORDER BY made_on, id",
            )
            .bind(child_id)
            .fetch_all(&mut *self.tx)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, made_by, made_on, summary, until, reason)| samspor_domain::lawful_basis::Notification {
                id,
                made_by,
                made_on,
                summary,
                withheld: until.zip(reason),
            })
            .collect())
    }

    async fn insert_custody_check(
        &mut self,
        child_id: uuid::Uuid,
        checked_on: chrono::NaiveDate,
        by: uuid::Uuid,
        source: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO custody_checks (id, child_id, checked_on, checked_by, source, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(child_id)
        .bind(checked_on)
        .bind(by)
        .bind(source)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn custody_checks_of(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::consent::model::CustodyCheck>> {
        let rows: Vec<(chrono::NaiveDate, uuid::Uuid, String, String)> = sqlx::query_as(
            "SELECT c.checked_on, c.checked_by, u.name, c.source FROM custody_checks c
             JOIN users u ON u.id = c.checked_by WHERE c.child_id = $1 ORDER BY c.recorded_at, c.id",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(checked_on, checked_by, checked_by_name, source)| crate::consent::model::CustodyCheck {
                checked_on,
                checked_by,
                checked_by_name,
                source,
            })
            .collect())
    }

    async fn review_emergency(
        &mut self,
        child_id: uuid::Uuid,
        id: uuid::Uuid,
        r: &samspor_domain::lawful_basis::EmergencyReview,
    ) -> crate::Result<bool> {
        let (until, reason) = r.withheld.clone().unzip();
        let done = sqlx::query(
            "UPDATE emergency_accesses SET reviewed_at = $1, reviewed_by = $2, review_note = $3, withheld_until = $4, withheld_reason = $5
             WHERE id = $6 AND child_id = $7 AND reviewed_at IS NULL",
        )
        .bind(r.reviewed_at)
        .bind(r.reviewed_by)
        .bind(&r.note)
        .bind(until)
        .bind(reason)
        .bind(id)
        .bind(child_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn emergency_reviews(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<(uuid::Uuid, samspor_domain::lawful_basis::EmergencyReview)>> {
        let rows: Vec<ReviewRow> = sqlx::query_as(
            "SELECT id, reviewed_by, reviewed_at, review_note, withheld_until, withheld_reason FROM emergency_accesses
             WHERE child_id = $1 AND reviewed_at IS NOT NULL ORDER BY at, id",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn unreviewed_emergencies(
        &mut self,
        owner_org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::consent::model::OpenReview>> {
        let rows: Vec<(uuid::Uuid, uuid::Uuid, String, String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
            "SELECT e.id, e.child_id, c.given_name, c.family_name, o.name, e.at FROM emergency_accesses e
             JOIN children c ON c.id = e.child_id JOIN organisations o ON o.id = e.org_id
             WHERE e.owner_org_id = $1 AND e.reviewed_at IS NULL ORDER BY e.at, e.id",
        )
        .bind(owner_org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(emergency_id, child_id, given, family, org_name, at)| crate::consent::model::OpenReview {
                emergency_id,
                child_id,
                child_name: format!("{given} {family}"),
                org_name,
                at,
            })
            .collect())
    }

    async fn consenting_children_born(
        &mut self,
        owner_org_id: uuid::Uuid,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> crate::Result<Vec<uuid::Uuid>> {
        let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
            "SELECT DISTINCT c.id FROM children c JOIN consents k ON k.child_id = c.id
             WHERE c.org_id = $1 AND c.birth_date >= $2 AND c.birth_date <= $3 AND k.withdrawn_at IS NULL",
        )
        .bind(owner_org_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn insert_extract(&mut self, e: &crate::consent::model::ExtractRecord) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO access_log_extracts (id, child_id, owner_org_id, requested_by, staff_names_decision, made_by, made_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.id)
        .bind(e.child_id)
        .bind(e.owner_org_id)
        .bind(to_json(&e.requested_by))
        .bind(&e.staff_names_decision)
        .bind(e.made_by)
        .bind(e.made_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn extracts_of(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::consent::model::ExtractRecord>> {
        let rows: Vec<ExtractRow> = sqlx::query_as(
            "SELECT id, child_id, owner_org_id, requested_by, staff_names_decision, made_by, made_at
             FROM access_log_extracts WHERE child_id = $1 ORDER BY made_at, id",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn basis_record(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<samspor_domain::lawful_basis::BasisRecord> {
        let consents = self.consents_of(child_id).await?.into_iter().map(|(c, _)| c).collect();
        let statutory: Vec<StatutoryRow> = sqlx::query_as(
            "SELECT id, ground, recipients, categories, reason, decided_by, from_day, to_day, ended_at
             FROM statutory_bases WHERE child_id = $1 ORDER BY decided_at, id",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        let objections: Vec<ObjectionRow> = sqlx::query_as(
            "SELECT id, by_person, recipients, note, recorded_by, recorded_at, withdrawn_at
             FROM objections WHERE child_id = $1 ORDER BY recorded_at, id",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        let emergencies: Vec<EmergencyRow> = sqlx::query_as(
            "SELECT id, org_id, recipient_kind, user_id, reason, at FROM emergency_accesses
             WHERE child_id = $1 ORDER BY at, id",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(samspor_domain::lawful_basis::BasisRecord {
            consents,
            statutory: statutory.into_iter().map(TryInto::try_into).collect::<crate::Result<_>>()?,
            objections: objections.into_iter().map(TryInto::try_into).collect::<crate::Result<_>>()?,
            emergencies: emergencies.into_iter().map(TryInto::try_into).collect::<crate::Result<_>>()?,
        })
    }
}

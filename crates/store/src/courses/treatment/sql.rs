// Treatment SQL for both backends; included by `sqlite.rs` and `postgres.rs` after `backend.rs`.

use crate::courses::treatment::model::treatment_rows::*;

macro_rules! planned_columns {
    () => {
        "id, course_id, number, title_da, title_en, participants, status, planned_at, encounter_id, cancel_reason"
    };
}

#[async_trait::async_trait]
impl crate::TreatmentTx for BackendTx {
    async fn course_treatment(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<crate::CourseTreatment> {
        let row: Option<CourseTreatmentRow> = sqlx::query_as(
            "SELECT c.therapist_id, u.name AS therapist_name, c.closing_reason, c.closing_note
             FROM courses c LEFT JOIN users u ON u.id = c.therapist_id WHERE c.id = $1",
        )
        .bind(course_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.ok_or(crate::StoreError::NotFound)?.try_into()
    }

    async fn set_course_therapist(
        &mut self,
        course_id: uuid::Uuid,
        therapist: Option<uuid::Uuid>,
    ) -> crate::Result<()> {
        sqlx::query("UPDATE courses SET therapist_id = $1 WHERE id = $2")
            .bind(therapist)
            .bind(course_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn set_course_closing(
        &mut self,
        course_id: uuid::Uuid,
        reason: samspor_domain::course::closing::ClosingReason,
        note: Option<&str>,
    ) -> crate::Result<()> {
        sqlx::query("UPDATE courses SET closing_reason = $1, closing_note = $2 WHERE id = $3")
            .bind(reason.as_str())
            .bind(note)
            .bind(course_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn insert_planned_session(
        &mut self,
        p: &crate::PlannedSessionRecord,
    ) -> crate::Result<()> {
        sqlx::query(concat!(
            "INSERT INTO planned_sessions (",
            planned_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(p.id)
        .bind(p.course_id)
        .bind(i64::from(p.number))
        .bind(&p.title_da)
        .bind(&p.title_en)
        .bind(p.participants.as_str())
        .bind(p.status.as_str())
        .bind(p.planned_at)
        .bind(p.encounter_id)
        .bind(&p.cancel_reason)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn planned_sessions(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::PlannedSessionRecord>> {
        let rows: Vec<PlannedRow> = sqlx::query_as(concat!(
            "SELECT ",
            planned_columns!(),
            " FROM planned_sessions WHERE course_id = $1 ORDER BY number"
        ))
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn update_planned_session(
        &mut self,
        p: &crate::PlannedSessionRecord,
    ) -> crate::Result<()> {
        sqlx::query(
            "UPDATE planned_sessions SET status = $1, planned_at = $2, encounter_id = $3, cancel_reason = $4
             WHERE id = $5",
        )
        .bind(p.status.as_str())
        .bind(p.planned_at)
        .bind(p.encounter_id)
        .bind(&p.cancel_reason)
        .bind(p.id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn insert_session_detail(&mut self, d: &crate::SessionDetail) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO session_details (encounter_id, course_id, planned_session_id, module, attendance)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(d.encounter_id)
        .bind(d.course_id)
        .bind(d.planned_session_id)
        .bind(&d.module)
        .bind(samspor_domain::course::closing::attendance_codes(&d.attendance))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn session_details(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::SessionDetail>> {
        let rows: Vec<DetailRow> = sqlx::query_as(
            "SELECT encounter_id, course_id, planned_session_id, module, attendance
             FROM session_details WHERE course_id = $1",
        )
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_journal_entry(&mut self, e: &crate::JournalEntry) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO journal_entries (id, course_id, encounter_id, text, corrects_id, written_at, written_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.id)
        .bind(e.course_id)
        .bind(e.encounter_id)
        .bind(&e.text)
        .bind(e.corrects_id)
        .bind(e.written_at)
        .bind(e.written_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn journal(&mut self, course_id: uuid::Uuid) -> crate::Result<Vec<crate::JournalEntry>> {
        let rows: Vec<JournalRow> = sqlx::query_as(
            "SELECT j.id, j.course_id, j.encounter_id, j.text, j.corrects_id, j.written_at, j.written_by,
                    u.name AS written_by_name
             FROM journal_entries j LEFT JOIN users u ON u.id = j.written_by
             WHERE j.course_id = $1 ORDER BY j.written_at, j.id",
        )
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn journal_entry(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::JournalEntry>> {
        let row: Option<JournalRow> = sqlx::query_as(
            "SELECT j.id, j.course_id, j.encounter_id, j.text, j.corrects_id, j.written_at, j.written_by,
                    u.name AS written_by_name
             FROM journal_entries j LEFT JOIN users u ON u.id = j.written_by WHERE j.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(Into::into))
    }

    async fn insert_follow_up(&mut self, f: &crate::FollowUpRecord) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO follow_ups (id, course_id, due_on, held_at, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(f.id)
        .bind(f.course_id)
        .bind(f.due_on)
        .bind(f.held_at)
        .bind(&f.note)
        .bind(f.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn follow_up(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Option<crate::FollowUpRecord>> {
        let row: Option<FollowUpRow> = sqlx::query_as(
            "SELECT id, course_id, due_on, held_at, note, created_at FROM follow_ups WHERE course_id = $1",
        )
        .bind(course_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(Into::into))
    }

    async fn hold_follow_up(
        &mut self,
        id: uuid::Uuid,
        held_at: chrono::NaiveDateTime,
        note: Option<&str>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE follow_ups SET held_at = $1, note = $2 WHERE id = $3 AND held_at IS NULL",
        )
        .bind(held_at)
        .bind(note)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_gp_message(&mut self, m: &crate::GpMessage) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO gp_messages (id, course_id, kind, content, consent, status, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(m.id)
        .bind(m.course_id)
        .bind(m.kind.as_str())
        .bind(m.content.to_string())
        .bind(m.consent.as_str())
        .bind(&m.status)
        .bind(m.created_at)
        .bind(m.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn gp_messages(&mut self, course_id: uuid::Uuid) -> crate::Result<Vec<crate::GpMessage>> {
        let rows: Vec<GpMessageRow> = sqlx::query_as(
            "SELECT id, course_id, kind, content, consent, status, created_at, created_by
             FROM gp_messages WHERE course_id = $1 ORDER BY created_at, id",
        )
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn mark_encounter_in_error(
        &mut self,
        course_id: uuid::Uuid,
        encounter_id: uuid::Uuid,
        reason: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE encounters SET status = 'entered-in-error', error_reason = $1, updated_at = $2
             WHERE id = $3 AND course_id = $4 AND status = 'held'",
        )
        .bind(reason)
        .bind(at)
        .bind(encounter_id)
        .bind(course_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn encounter_error_reasons(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<(uuid::Uuid, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, error_reason FROM encounters
             WHERE course_id = $1 AND status = 'entered-in-error' AND error_reason IS NOT NULL",
        )
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    async fn therapist_courses(
        &mut self,
        org_id: uuid::Uuid,
        therapist: uuid::Uuid,
    ) -> crate::Result<Vec<crate::TherapistCourse>> {
        let rows: Vec<TherapistCourseRow> = sqlx::query_as(
            "SELECT c.id AS course_id, c.child_id, ch.given_name, ch.family_name, c.track, c.started_on,
                    (SELECT COUNT(*) FROM encounters e WHERE e.course_id = c.id AND e.kind = 'behandling'
                       AND e.status = 'held') AS sessions_held,
                    (SELECT COUNT(*) FROM planned_sessions p WHERE p.course_id = c.id
                       AND p.status <> 'cancelled') AS sessions_planned
             FROM courses c JOIN children ch ON ch.id = c.child_id
             WHERE c.org_id = $1 AND c.therapist_id = $2 AND c.status = 'active'
             ORDER BY c.started_on, c.id",
        )
        .bind(org_id)
        .bind(therapist)
        .fetch_all(&mut *self.tx)
        .await?;
        let mut out: Vec<crate::TherapistCourse> = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<crate::Result<_>>()?;
        let next: Vec<NextRow> = sqlx::query_as(
            "SELECT p.course_id, p.number, p.title_da, p.title_en, p.planned_at
             FROM planned_sessions p JOIN courses c ON c.id = p.course_id
             WHERE c.org_id = $1 AND c.therapist_id = $2 AND c.status = 'active' AND p.status = 'planned'
             ORDER BY p.course_id, p.number",
        )
        .bind(org_id)
        .bind(therapist)
        .fetch_all(&mut *self.tx)
        .await?;
        for c in &mut out {
            // The lowest-numbered open session is the next one the plan has in line.
            if let Some(n) = next.iter().find(|n| n.course_id == c.course_id) {
                c.next_number = Some(n.number()?);
                c.next_title_da = Some(n.title_da.clone());
                c.next_title_en = Some(n.title_en.clone());
                c.next_at = n.planned_at;
            }
        }
        Ok(out)
    }

    async fn booked_sessions(
        &mut self,
        org_id: uuid::Uuid,
        therapist: uuid::Uuid,
        from: chrono::NaiveDateTime,
        to: chrono::NaiveDateTime,
    ) -> crate::Result<Vec<crate::BookedSession>> {
        let rows: Vec<BookedRow> = sqlx::query_as(
            "SELECT c.id AS course_id, c.child_id, ch.given_name, ch.family_name, p.number, p.title_da,
                    p.title_en, p.planned_at
             FROM planned_sessions p JOIN courses c ON c.id = p.course_id JOIN children ch ON ch.id = c.child_id
             WHERE c.org_id = $1 AND c.therapist_id = $2 AND c.status = 'active' AND p.status = 'planned'
               AND p.planned_at >= $3 AND p.planned_at < $4
             ORDER BY p.planned_at, p.id",
        )
        .bind(org_id)
        .bind(therapist)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn due_follow_ups(
        &mut self,
        org_id: uuid::Uuid,
        therapist: uuid::Uuid,
        until: chrono::NaiveDate,
    ) -> crate::Result<Vec<crate::DueFollowUp>> {
        let rows: Vec<DueFollowUpRow> = sqlx::query_as(
            "SELECT c.id AS course_id, c.child_id, ch.given_name, ch.family_name, f.due_on, c.ended_on
             FROM follow_ups f JOIN courses c ON c.id = f.course_id JOIN children ch ON ch.id = c.child_id
             WHERE c.org_id = $1 AND c.therapist_id = $2 AND c.status = 'completed'
               AND f.held_at IS NULL AND f.due_on <= $3
             ORDER BY f.due_on, f.id",
        )
        .bind(org_id)
        .bind(therapist)
        .bind(until)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

// Course SQL for both backends; included by `sqlite.rs` and `postgres.rs` after `backend.rs`.

use crate::courses::rows::*;

macro_rules! course_columns {
    () => {
        "c.id, c.child_id, c.org_id, c.status, c.started_on, c.ended_on, c.track, c.version, c.created_at, c.updated_at"
    };
}

macro_rules! decision_select {
    () => {
        "SELECT d.id, d.course_id, d.meeting_id, d.outcome, d.track, d.way_destination, d.way_note,
                d.reason_despite_signs, d.decided_at, d.decided_by, u.name AS decided_by_name
         FROM decisions d LEFT JOIN users u ON u.id = d.decided_by"
    };
}

#[async_trait::async_trait]
impl crate::CourseTx for BackendTx {
    async fn insert_course(&mut self, c: &crate::CourseRecord) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO courses (id, child_id, org_id, status, started_on, ended_on, track, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(c.id)
        .bind(c.child_id)
        .bind(c.org_id)
        .bind(c.status.as_str())
        .bind(c.started_on)
        .bind(c.ended_on)
        .bind(c.track.map(|t| t.as_str()))
        .bind(c.version)
        .bind(c.created_at)
        .bind(c.updated_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn course(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::CourseRecord>> {
        let row: Option<CourseRow> = sqlx::query_as(concat!(
            "SELECT ",
            course_columns!(),
            " FROM courses c WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn save_course(
        &mut self,
        c: &crate::CourseRecord,
        by: Option<uuid::Uuid>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<crate::CourseRecord> {
        let done = sqlx::query(
            "UPDATE courses SET status = $1, ended_on = $2, track = $3, version = version + 1,
                    updated_at = $4, updated_by = $5
             WHERE id = $6 AND version = $7",
        )
        .bind(c.status.as_str())
        .bind(c.ended_on)
        .bind(c.track.map(|t| t.as_str()))
        .bind(at)
        .bind(by)
        .bind(c.id)
        .bind(c.version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            let current: Option<i64> =
                sqlx::query_scalar("SELECT version FROM courses WHERE id = $1")
                    .bind(c.id)
                    .fetch_optional(&mut *self.tx)
                    .await?;
            return Err(match current {
                Some(current) => crate::StoreError::VersionConflict { current },
                None => crate::StoreError::NotFound,
            });
        }
        Ok(crate::CourseRecord {
            version: c.version + 1,
            updated_at: at,
            ..c.clone()
        })
    }

    async fn courses_of_org(
        &mut self,
        org_id: uuid::Uuid,
        status: Option<samspor_domain::course::careplan::CourseStatus>,
    ) -> crate::Result<Vec<crate::CourseSummary>> {
        // A list of statuses rather than "$2 IS NULL OR ...": a prepared statement's generic
        // plan can then use the (org_id, status) index, so closed courses are never read.
        use samspor_domain::course::careplan::CourseStatus;
        let statuses = match status {
            Some(s) => [s.as_str(); 3],
            None => CourseStatus::ALL.map(CourseStatus::as_str),
        };
        let rows: Vec<SummaryRow> = sqlx::query_as(concat!(
            "SELECT ", course_columns!(), ", ch.given_name, ch.family_name, ch.birth_date, k.source, k.received_at,
                    (SELECT MIN(e.at) FROM encounters e
                      WHERE e.course_id = c.id AND e.kind = 'forsamtale' AND e.status = 'held') AS forsamtale,
                    (SELECT MIN(e.at) FROM encounters e
                      WHERE e.course_id = c.id AND e.kind = 'screening' AND e.status = 'held') AS screening,
                    (SELECT COUNT(*) FROM decisions d WHERE d.course_id = c.id) AS decisions
             FROM courses c
             JOIN children ch ON ch.id = c.child_id
             JOIN course_contacts k ON k.course_id = c.id
             WHERE c.org_id = $1 AND c.status IN ($2, $3, $4)
             ORDER BY k.received_at, c.id"
        ))
        .bind(org_id)
        .bind(statuses[0])
        .bind(statuses[1])
        .bind(statuses[2])
        .fetch_all(&mut *self.tx)
        .await?;
        let mut out: Vec<crate::CourseSummary> = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<crate::Result<_>>()?;
        let themes: Vec<(uuid::Uuid, String)> = sqlx::query_as(
            "SELECT t.course_id, t.theme FROM course_themes t JOIN courses c ON c.id = t.course_id
             WHERE c.org_id = $1 AND c.status IN ($2, $3, $4) AND t.valid_to IS NULL
             ORDER BY t.theme",
        )
        .bind(org_id)
        .bind(statuses[0])
        .bind(statuses[1])
        .bind(statuses[2])
        .fetch_all(&mut *self.tx)
        .await?;
        let mut by_course: std::collections::HashMap<uuid::Uuid, Vec<_>> = Default::default();
        for (course, theme) in themes {
            let t = samspor_domain::course::kl::Theme::parse(&theme)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("theme {theme:?}")))?;
            by_course.entry(course).or_default().push(t);
        }
        for s in &mut out {
            s.themes = by_course.remove(&s.course.id).unwrap_or_default();
        }
        Ok(out)
    }

    async fn courses_of_child(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::CourseRecord>> {
        let rows: Vec<CourseRow> = sqlx::query_as(concat!(
            "SELECT ",
            course_columns!(),
            " FROM courses c WHERE c.child_id = $1 ORDER BY c.started_on DESC, c.id"
        ))
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_contact(&mut self, r: &crate::ContactRecord) -> crate::Result<()> {
        let c = &r.contact;
        sqlx::query(
            "INSERT INTO course_contacts (course_id, source, received_at, reason, duration, tried, consent, referrer_name,
                    referrer_contact, family_contact, psychiatry_reason, psychiatry_recommendation,
                    screening_response_id, self_referral_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(r.course_id)
        .bind(c.source.as_str())
        .bind(r.received_at)
        .bind(&c.reason)
        .bind(&c.duration)
        .bind(&c.tried)
        .bind(c.consent.as_str())
        .bind(&c.referrer_name)
        .bind(&c.referrer_contact)
        .bind(&c.family_contact)
        .bind(&c.psychiatry_reason)
        .bind(&c.psychiatry_recommendation)
        .bind(r.screening_response_id)
        .bind(r.self_referral_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn contact(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Option<crate::ContactRecord>> {
        let row: Option<ContactRow> = sqlx::query_as(
            "SELECT course_id, source, received_at, reason, duration, tried, consent, referrer_name, referrer_contact,
                    family_contact, psychiatry_reason, psychiatry_recommendation, screening_response_id, self_referral_id
             FROM course_contacts WHERE course_id = $1",
        )
        .bind(course_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn set_themes(
        &mut self,
        course_id: uuid::Uuid,
        themes: &[samspor_domain::course::kl::Theme],
        by: Option<uuid::Uuid>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "UPDATE course_themes SET valid_to = $1 WHERE course_id = $2 AND valid_to IS NULL",
        )
        .bind(at)
        .bind(course_id)
        .execute(&mut *self.tx)
        .await?;
        for theme in themes {
            sqlx::query(
                "INSERT INTO course_themes (id, course_id, theme, valid_from, set_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(uuid::Uuid::new_v4())
            .bind(course_id)
            .bind(theme.as_str())
            .bind(at)
            .bind(by)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn themes(&mut self, course_id: uuid::Uuid) -> crate::Result<Vec<crate::ThemeRecord>> {
        let rows: Vec<ThemeRow> = sqlx::query_as(
            "SELECT t.theme, t.valid_from, t.valid_to, u.name AS set_by_name
             FROM course_themes t LEFT JOIN users u ON u.id = t.set_by
             WHERE t.course_id = $1 ORDER BY t.valid_from, t.theme",
        )
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_encounter(
        &mut self,
        r: &crate::EncounterRecord,
        by: Option<uuid::Uuid>,
    ) -> crate::Result<()> {
        let t = r.encounter.treatment;
        sqlx::query(
            "INSERT INTO encounters (id, course_id, kind, at, delivery, participants, staff_id, status, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(r.id)
        .bind(r.course_id)
        .bind(r.encounter.kind.as_str())
        .bind(r.encounter.at)
        .bind(t.map(|t| delivery_str(t.delivery)))
        .bind(t.map(|t| participants_str(t.participants)))
        .bind(r.staff_id)
        .bind(match r.status {
            crate::EncounterStatus::Held => "held",
            crate::EncounterStatus::EnteredInError => "entered-in-error",
        })
        .bind(r.created_at)
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn encounters(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::EncounterRecord>> {
        let rows: Vec<EncounterRow> = sqlx::query_as(
            "SELECT e.id, e.course_id, e.kind, e.at, e.delivery, e.participants, e.staff_id, u.name AS staff_name,
                    e.status, e.created_at
             FROM encounters e LEFT JOIN users u ON u.id = e.staff_id
             WHERE e.course_id = $1 ORDER BY e.at, e.created_at, e.id",
        )
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_meeting(&mut self, m: &crate::Meeting) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO visitation_meetings (id, org_id, held_on, participants, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(m.id)
        .bind(m.org_id)
        .bind(m.held_on)
        .bind(&m.participants)
        .bind(m.created_at)
        .bind(m.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn meeting(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::Meeting>> {
        let row: Option<MeetingRow> = sqlx::query_as(
            "SELECT id, org_id, held_on, participants, created_at, created_by FROM visitation_meetings WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(Into::into))
    }

    async fn meetings_of_org(&mut self, org_id: uuid::Uuid) -> crate::Result<Vec<crate::Meeting>> {
        let rows: Vec<MeetingRow> = sqlx::query_as(
            "SELECT id, org_id, held_on, participants, created_at, created_by FROM visitation_meetings
             WHERE org_id = $1 ORDER BY held_on DESC, created_at DESC",
        )
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn insert_decision(&mut self, d: &crate::DecisionRecord) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO decisions (id, course_id, meeting_id, outcome, track, way_destination, way_note,
                    reason_despite_signs, decided_at, decided_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(d.id)
        .bind(d.course_id)
        .bind(d.meeting_id)
        .bind(d.outcome.as_str())
        .bind(d.track.map(|t| t.as_str()))
        .bind(d.way.as_ref().map(|w| w.destination.as_str()))
        .bind(d.way.as_ref().map(|w| w.note.as_str()))
        .bind(&d.reason_despite_signs)
        .bind(d.decided_at)
        .bind(d.decided_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn decisions(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::DecisionRecord>> {
        let rows: Vec<DecisionRow> = sqlx::query_as(concat!(
            decision_select!(),
            " WHERE d.course_id = $1 ORDER BY d.decided_at, d.id"
        ))
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn decisions_of_meeting(
        &mut self,
        meeting_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::DecisionRecord>> {
        let rows: Vec<DecisionRow> = sqlx::query_as(concat!(
            decision_select!(),
            " WHERE d.meeting_id = $1 ORDER BY d.decided_at, d.id"
        ))
        .bind(meeting_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_referral(&mut self, r: &crate::ReferralRecord) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO referrals (id, course_id, decision_id, destination, note, at, created_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.id)
        .bind(r.course_id)
        .bind(r.decision_id)
        .bind(r.destination.as_str())
        .bind(&r.note)
        .bind(r.at)
        .bind(r.created_by)
        .bind(r.recorded_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn referrals(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::ReferralRecord>> {
        let rows: Vec<ReferralRow> = sqlx::query_as(
            "SELECT id, course_id, decision_id, destination, note, at, created_by, recorded_at FROM referrals
             WHERE course_id = $1 ORDER BY at, id",
        )
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_psychiatry_referral(
        &mut self,
        r: &crate::PsychiatryReferral,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO psychiatry_referrals (id, course_id, decision_id, content, status, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(r.id)
        .bind(r.course_id)
        .bind(r.decision_id)
        .bind(r.content.to_string())
        .bind(&r.status)
        .bind(r.created_at)
        .bind(r.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn psychiatry_referrals(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::PsychiatryReferral>> {
        let rows: Vec<PsychiatryReferralRow> = sqlx::query_as(
            "SELECT id, course_id, decision_id, content, status, created_at, created_by FROM psychiatry_referrals
             WHERE course_id = $1 ORDER BY created_at, id",
        )
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_self_referral(&mut self, s: &crate::SelfReferralRecord) -> crate::Result<()> {
        let content = serde_json::to_string(&s.content)
            .map_err(|e| crate::StoreError::Corrupt(format!("self-referral: {e}")))?;
        sqlx::query(
            "INSERT INTO self_referrals (id, org_id, receipt, content, status, course_id, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(s.id)
        .bind(s.org_id)
        .bind(&s.receipt)
        .bind(content)
        .bind(s.status.as_str())
        .bind(s.course_id)
        .bind(s.received_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn self_referral(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::SelfReferralRecord>> {
        let row: Option<SelfReferralRow> = sqlx::query_as(
            "SELECT id, org_id, receipt, content, status, course_id, received_at, handled_at, dismiss_reason FROM self_referrals WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn new_self_referrals(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::SelfReferralRecord>> {
        let rows: Vec<SelfReferralRow> = sqlx::query_as(
            "SELECT id, org_id, receipt, content, status, course_id, received_at, handled_at, dismiss_reason
             FROM self_referrals WHERE org_id = $1 AND status = 'new' ORDER BY received_at, id",
        )
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn count_new_self_referrals(&mut self, org_id: uuid::Uuid) -> crate::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM self_referrals WHERE org_id = $1 AND status = 'new'",
        )
        .bind(org_id)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    async fn handle_self_referral(
        &mut self,
        id: uuid::Uuid,
        status: crate::SelfReferralStatus,
        course_id: Option<uuid::Uuid>,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE self_referrals SET status = $1, course_id = $2, handled_by = $3, handled_at = $4
             WHERE id = $5 AND status = 'new'",
        )
        .bind(status.as_str())
        .bind(course_id)
        .bind(by)
        .bind(at)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }
    async fn dismiss_self_referral(
        &mut self,
        id: uuid::Uuid,
        reason: &str,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE self_referrals SET status = 'dismissed', dismiss_reason = $2, handled_by = $3, handled_at = $4
             WHERE id = $1 AND status = 'new'",
        )
        .bind(id)
        .bind(reason)
        .bind(by)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn dismissed_self_referrals(
        &mut self,
        org_id: uuid::Uuid,
        since: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<Vec<crate::SelfReferralRecord>> {
        let rows: Vec<SelfReferralRow> = sqlx::query_as(
            "SELECT id, org_id, receipt, content, status, course_id, received_at, handled_at, dismiss_reason
             FROM self_referrals WHERE org_id = $1 AND status = 'dismissed' AND handled_at >= $2
             ORDER BY handled_at DESC, id",
        )
        .bind(org_id)
        .bind(since)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn restore_self_referral(
        &mut self,
        id: uuid::Uuid,
        since: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE self_referrals SET status = 'new', dismiss_reason = NULL, handled_by = NULL, handled_at = NULL
             WHERE id = $1 AND status = 'dismissed' AND handled_at >= $2",
        )
        .bind(id)
        .bind(since)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

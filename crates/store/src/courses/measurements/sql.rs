// Course measurement SQL for both backends; included by `sqlite.rs` and `postgres.rs` after `backend.rs`.

macro_rules! measurement_select {
    () => {
        "SELECT id, course_id, instrument_id, respondent, point, due_at, invitation_id, response_id,
                status, link_token, sent_at, sent_by, closed_at
         FROM course_measurements"
    };
}

/// The three ways a sent link stops being usable; each clears the stored link.
macro_rules! close_measurements {
    ($scope:literal) => {
        [
            concat!(
                "UPDATE course_measurements SET status = 'answered', link_token = NULL, closed_at = $1,
                        response_id = (SELECT r.id FROM responses r
                                       WHERE r.invitation_id = course_measurements.invitation_id)
                 WHERE status = 'sent' AND EXISTS (SELECT 1 FROM responses r
                                                   WHERE r.invitation_id = course_measurements.invitation_id)",
                $scope
            ),
            concat!(
                "UPDATE course_measurements SET status = 'revoked', link_token = NULL, closed_at = $1
                 WHERE status = 'sent' AND EXISTS (SELECT 1 FROM invitations i
                                                   WHERE i.id = course_measurements.invitation_id
                                                     AND i.status = 'revoked')",
                $scope
            ),
            concat!(
                "UPDATE course_measurements SET status = 'expired', link_token = NULL, closed_at = $1
                 WHERE status = 'sent' AND EXISTS (SELECT 1 FROM invitations i
                                                   WHERE i.id = course_measurements.invitation_id
                                                     AND i.status IN ('sent', 'started')
                                                     AND i.expires_at <= $1)",
                $scope
            ),
        ]
    };
}

#[async_trait::async_trait]
impl crate::MeasurementTx for BackendTx {
    async fn insert_course_measurement(
        &mut self,
        m: &crate::CourseMeasurement,
    ) -> crate::Result<bool> {
        // DO NOTHING rather than an error: on PostgreSQL a failed statement would spoil the
        // whole transaction, and losing the race to another server is not a failure.
        let done = sqlx::query(
            "INSERT INTO course_measurements (id, course_id, instrument_id, respondent, point, due_at,
                    invitation_id, response_id, status, link_token, sent_at, sent_by, closed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (course_id, instrument_id, respondent, point) DO NOTHING",
        )
        .bind(m.id)
        .bind(m.course_id)
        .bind(&m.instrument_id)
        .bind(m.respondent.as_str())
        .bind(m.point_code())
        .bind(m.due_at)
        .bind(m.invitation_id)
        .bind(m.response_id)
        .bind(m.status.as_str())
        .bind(&m.link_token)
        .bind(m.sent_at)
        .bind(m.sent_by)
        .bind(m.closed_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn course_measurements(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::CourseMeasurement>> {
        let rows: Vec<crate::courses::measurements::model::MeasurementRow> = sqlx::query_as(concat!(
            measurement_select!(),
            " WHERE course_id = $1 ORDER BY sent_at, id"
        ))
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn open_measurements_of_courses_in_error(
        &mut self,
    ) -> crate::Result<Vec<crate::CourseMeasurement>> {
        let rows: Vec<crate::courses::measurements::model::MeasurementRow> = sqlx::query_as(concat!(
            measurement_select!(),
            " WHERE status = 'sent'
                AND course_id IN (SELECT c.id FROM courses c WHERE c.status = 'entered-in-error')
              ORDER BY course_id, sent_at, id"
        ))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn close_finished_measurements(
        &mut self,
        course_id: Option<uuid::Uuid>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<u64> {
        let mut changed = 0;
        match course_id {
            Some(id) => {
                for sql in close_measurements!(" AND course_id = $2") {
                    let r = sqlx::query(sql)
                        .bind(at)
                        .bind(id)
                        .execute(&mut *self.tx)
                        .await?;
                    changed += r.rows_affected();
                }
            }
            None => {
                for sql in close_measurements!("") {
                    let r = sqlx::query(sql).bind(at).execute(&mut *self.tx).await?;
                    changed += r.rows_affected();
                }
            }
        }
        Ok(changed)
    }

    async fn courses_on_track(
        &mut self,
        org_id: Option<uuid::Uuid>,
        ended_since: Option<chrono::NaiveDate>,
    ) -> crate::Result<Vec<crate::CourseRecord>> {
        // Without a date no completed course qualifies: no course ends after the last day.
        let since = ended_since.unwrap_or(chrono::NaiveDate::MAX);
        let since = since.min(chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(since));
        let rows: Vec<CourseRow> = match org_id {
            Some(org) => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    course_columns!(),
                    " FROM courses c WHERE c.org_id = $1 AND c.track IS NOT NULL
                       AND (c.status = 'active' OR (c.status = 'completed' AND c.ended_on >= $2))
                     ORDER BY c.started_on, c.id"
                ))
                .bind(org)
                .bind(since)
                .fetch_all(&mut *self.tx)
                .await?
            }
            None => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    course_columns!(),
                    " FROM courses c WHERE c.track IS NOT NULL
                       AND (c.status = 'active' OR (c.status = 'completed' AND c.ended_on >= $1))
                     ORDER BY c.started_on, c.id"
                ))
                .bind(since)
                .fetch_all(&mut *self.tx)
                .await?
            }
        };
        rows.into_iter().map(TryInto::try_into).collect()
    }
}

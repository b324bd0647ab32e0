//! The course measurement part of a transaction; every `Tx` has it.

use crate::courses::measurements::model::CourseMeasurement;
use crate::{CourseRecord, Result};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

#[async_trait]
pub trait MeasurementTx: Send {
    /// Records a sent measurement. False (and nothing written) when the same measurement of
    /// the course was already sent, by this job or another server's.
    async fn insert_course_measurement(&mut self, m: &CourseMeasurement) -> Result<bool>;
    /// The measurements sent on a course, in the order they were sent.
    async fn course_measurements(&mut self, course_id: Uuid) -> Result<Vec<CourseMeasurement>>;
    /// Marks sent measurements whose link was answered, revoked or has expired, and clears
    /// their stored link; all courses, or one. Returns how many changed.
    async fn close_finished_measurements(
        &mut self,
        course_id: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<u64>;
    /// Sent measurements still open on courses entered in error: their links must be
    /// withdrawn, since the course they belong to was never real.
    async fn open_measurements_of_courses_in_error(&mut self) -> Result<Vec<CourseMeasurement>>;
    /// Courses on a track that are active, or completed on or after `ended_since`; of one
    /// organisation or of all.
    async fn courses_on_track(
        &mut self,
        org_id: Option<Uuid>,
        ended_since: Option<NaiveDate>,
    ) -> Result<Vec<CourseRecord>>;
}

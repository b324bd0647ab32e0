//! The treatment part of a transaction; every `Tx` has it.

use crate::Result;
use crate::courses::treatment::model::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::course::closing::ClosingReason;
use uuid::Uuid;

#[async_trait]
pub trait TreatmentTx: Send {
    /// The therapist and closing columns of a course.
    async fn course_treatment(&mut self, course_id: Uuid) -> Result<CourseTreatment>;
    /// Sets the responsible therapist. The caller saves the course (version bump) after.
    async fn set_course_therapist(
        &mut self,
        course_id: Uuid,
        therapist: Option<Uuid>,
    ) -> Result<()>;
    /// Records why the course was closed. The caller saves the course (version bump) after.
    async fn set_course_closing(
        &mut self,
        course_id: Uuid,
        reason: ClosingReason,
        note: Option<&str>,
    ) -> Result<()>;

    async fn insert_planned_session(&mut self, p: &PlannedSessionRecord) -> Result<()>;
    /// The course's planned sessions by number.
    async fn planned_sessions(&mut self, course_id: Uuid) -> Result<Vec<PlannedSessionRecord>>;
    /// Writes status, booked time, encounter and cancel reason of a planned session.
    async fn update_planned_session(&mut self, p: &PlannedSessionRecord) -> Result<()>;

    async fn insert_session_detail(&mut self, d: &SessionDetail) -> Result<()>;
    async fn session_details(&mut self, course_id: Uuid) -> Result<Vec<SessionDetail>>;

    async fn insert_journal_entry(&mut self, e: &JournalEntry) -> Result<()>;
    /// The course's journal, oldest first.
    async fn journal(&mut self, course_id: Uuid) -> Result<Vec<JournalEntry>>;
    async fn journal_entry(&mut self, id: Uuid) -> Result<Option<JournalEntry>>;

    async fn insert_follow_up(&mut self, f: &FollowUpRecord) -> Result<()>;
    async fn follow_up(&mut self, course_id: Uuid) -> Result<Option<FollowUpRecord>>;
    /// Records the talk held; false if it was already recorded.
    async fn hold_follow_up(
        &mut self,
        id: Uuid,
        held_at: NaiveDateTime,
        note: Option<&str>,
    ) -> Result<bool>;

    async fn insert_gp_message(&mut self, m: &GpMessage) -> Result<()>;
    async fn gp_messages(&mut self, course_id: Uuid) -> Result<Vec<GpMessage>>;

    /// Marks one held encounter of the course entered in error; false if there is none such.
    async fn mark_encounter_in_error(
        &mut self,
        course_id: Uuid,
        encounter_id: Uuid,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// (encounter id, reason) of the course's encounters marked entered in error.
    async fn encounter_error_reasons(&mut self, course_id: Uuid) -> Result<Vec<(Uuid, String)>>;

    /// Active courses of the organisation with this responsible therapist.
    async fn therapist_courses(
        &mut self,
        org_id: Uuid,
        therapist: Uuid,
    ) -> Result<Vec<TherapistCourse>>;
    /// Planned sessions booked in [from, to) on the therapist's active courses.
    async fn booked_sessions(
        &mut self,
        org_id: Uuid,
        therapist: Uuid,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<Vec<BookedSession>>;
    /// Follow-up talks not held and due on or before `until` on the therapist's courses.
    async fn due_follow_ups(
        &mut self,
        org_id: Uuid,
        therapist: Uuid,
        until: NaiveDate,
    ) -> Result<Vec<DueFollowUp>>;
}

//! The groups part of a transaction; every `Tx` has it.

use crate::Result;
use crate::courses::groups::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[async_trait]
pub trait GroupTx: Send {
    async fn insert_group(&mut self, g: &GroupCourse) -> Result<()>;
    async fn group(&mut self, id: Uuid) -> Result<Option<GroupCourse>>;
    /// The organisation's groups with how many members and sessions each has, newest first.
    async fn groups_of_org(&mut self, org_id: Uuid) -> Result<Vec<GroupSummary>>;

    /// Adds a member; a course already in a group gives `Unique`.
    async fn insert_group_member(
        &mut self,
        group_id: Uuid,
        course_id: Uuid,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The members with their child's name and course status, by name.
    async fn group_members(&mut self, group_id: Uuid) -> Result<Vec<GroupMember>>;
    /// The group a course belongs to, if any.
    async fn group_of_course(&mut self, course_id: Uuid) -> Result<Option<Uuid>>;
    /// Every course of the organisation that is in some group, in one query (the group page
    /// lists the courses that could join without asking once per course).
    async fn grouped_courses_of_org(&mut self, org_id: Uuid) -> Result<Vec<Uuid>>;

    async fn insert_group_session(&mut self, s: &GroupSession) -> Result<()>;
    /// `group_id` must be the session's group; the database refuses a course not in it.
    async fn insert_attendance(&mut self, group_id: Uuid, a: &Attendance) -> Result<()>;
    /// The group's sessions, oldest first.
    async fn group_sessions(&mut self, group_id: Uuid) -> Result<Vec<GroupSession>>;
    /// Every attendance row of the group's sessions.
    async fn group_attendance(&mut self, group_id: Uuid) -> Result<Vec<Attendance>>;

    async fn insert_guidance(&mut self, g: &GuidanceSession) -> Result<()>;
    /// The course's guidance sessions, newest first.
    async fn guidance_sessions(&mut self, course_id: Uuid) -> Result<Vec<GuidanceSession>>;
}

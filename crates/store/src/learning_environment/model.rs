//! Institutions and guidance sessions as stored.

use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::learning_environment::{InstitutionKind, Subject, Theme};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Institution {
    pub id: Uuid,
    /// The municipality that guides it.
    pub org_id: Uuid,
    pub kind: InstitutionKind,
    pub name: String,
    /// The school's organisation in Samspor, which a lawful basis can name.
    pub linked_org_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LearningEnvSession {
    pub id: Uuid,
    pub org_id: Uuid,
    pub institution_id: Uuid,
    pub held_on: NaiveDate,
    #[serde(flatten)]
    pub subject: Subject,
    pub participants: String,
    pub themes: Vec<Theme>,
    pub notes: String,
    pub follow_up: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
}

//! Rows as the database returns them.

use crate::learning_environment::model::{Institution, LearningEnvSession};
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::learning_environment::{InstitutionKind, Subject, Theme};
use uuid::Uuid;

macro_rules! select_institutions {
    ($rest:literal) => {
        concat!(
            "SELECT id, org_id, kind, name, linked_org_id, created_at, created_by \
             FROM learning_env_institutions ",
            $rest
        )
    };
}
pub(crate) use select_institutions;

macro_rules! select_sessions {
    ($rest:literal) => {
        concat!(
            "SELECT id, org_id, institution_id, held_on, about, group_label, participants, themes, \
             notes, follow_up, follow_up_on, created_at, created_by FROM learning_env_sessions ",
            $rest
        )
    };
}
pub(crate) use select_sessions;

#[derive(sqlx::FromRow)]
pub(crate) struct LearningEnvInstitutionRow {
    id: Uuid,
    org_id: Uuid,
    kind: String,
    name: String,
    linked_org_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    created_by: Uuid,
}

impl TryFrom<LearningEnvInstitutionRow> for Institution {
    type Error = crate::StoreError;
    fn try_from(r: LearningEnvInstitutionRow) -> crate::Result<Institution> {
        Ok(Institution {
            id: r.id,
            org_id: r.org_id,
            kind: InstitutionKind::parse(&r.kind).ok_or_else(|| {
                crate::StoreError::Corrupt(format!("institution kind {}", r.kind))
            })?,
            name: r.name,
            linked_org_id: r.linked_org_id,
            created_at: r.created_at,
            created_by: r.created_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LearningEnvSessionRow {
    id: Uuid,
    org_id: Uuid,
    institution_id: Uuid,
    held_on: NaiveDate,
    about: String,
    group_label: Option<String>,
    participants: String,
    themes: String,
    notes: String,
    follow_up: Option<String>,
    follow_up_on: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    created_by: Uuid,
}

impl LearningEnvSessionRow {
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }

    /// The session, with the children it named (empty for a group).
    pub(crate) fn into_session(self, child_ids: Vec<Uuid>) -> crate::Result<LearningEnvSession> {
        let corrupt = |what: &str| crate::StoreError::Corrupt(format!("guidance session {what}"));
        let subject = match (self.about.as_str(), self.group_label) {
            ("group", Some(group_label)) => Subject::Group { group_label },
            ("children", None) => Subject::Children { child_ids },
            _ => return Err(corrupt("subject")),
        };
        let themes = self
            .themes
            .split(',')
            .map(|t| Theme::parse(t).ok_or_else(|| corrupt("theme")))
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(LearningEnvSession {
            id: self.id,
            org_id: self.org_id,
            institution_id: self.institution_id,
            held_on: self.held_on,
            subject,
            participants: self.participants,
            themes,
            notes: self.notes,
            follow_up: self.follow_up,
            follow_up_on: self.follow_up_on,
            created_at: self.created_at,
            created_by: self.created_by,
        })
    }
}

/// The themes column: the codes, comma-separated.
pub(crate) fn themes_column(themes: &[Theme]) -> String {
    themes
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

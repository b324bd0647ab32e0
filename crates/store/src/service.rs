//! Use cases: each opens one transaction, asks the domain, writes, audits, commits.
//! The web handlers and the CLI call these; neither touches a `Tx` directly.

use crate::StoreError;
use chrono::{DateTime, Utc};
use samspor_domain::access::{Actor, Decision};
use samspor_domain::audit::{AuditAction, AuditEvent};
use samspor_domain::validation::FieldErrors;
use uuid::Uuid;

/// Who asks, why, and when: carried from the request into every audit entry.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub request_id: String,
    pub purpose: String,
    pub now: DateTime<Utc>,
}

impl Ctx {
    pub fn new(actor: Actor, request_id: impl Into<String>) -> Self {
        Ctx {
            actor,
            request_id: request_id.into(),
            purpose: "treatment".into(),
            now: Utc::now(),
        }
    }

    /// Today in Denmark: ages, deadlines and "held on" days are Danish calendar days, which
    /// differ from the UTC date for an hour or two after midnight.
    pub fn today(&self) -> chrono::NaiveDate {
        crate::courses::local(self.now).date()
    }

    pub fn event(
        &self,
        action: AuditAction,
        object_type: &str,
        object_id: Option<Uuid>,
        child_id: Option<Uuid>,
        detail: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent {
            user_id: Some(self.actor.user_id),
            org_id: Some(self.actor.org_id),
            action,
            object_type: object_type.into(),
            object_id,
            child_id,
            purpose: self.purpose.clone(),
            request_id: self.request_id.clone(),
            detail: detail.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("not allowed for this role")]
    Forbidden,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("a child with this CPR number is already registered")]
    DuplicateChild { existing_id: Uuid },
    #[error("changed by someone else (now version {current})")]
    Conflict { current: i64 },
    /// Another request did the same thing a moment before; nothing of this one was kept.
    #[error("done by another request at the same time")]
    RaceLost,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::DuplicateChild { existing_id } => {
                ServiceError::DuplicateChild { existing_id }
            }
            StoreError::VersionConflict { current } => ServiceError::Conflict { current },
            StoreError::NotFound => ServiceError::NotFound,
            other => ServiceError::Store(other),
        }
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(e: FieldErrors) -> Self {
        ServiceError::Invalid(e)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

pub(crate) fn check(decision: Decision) -> ServiceResult<()> {
    match decision {
        Decision::Allow => Ok(()),
        Decision::NotFound => Err(ServiceError::NotFound),
        Decision::Forbidden => Err(ServiceError::Forbidden),
    }
}

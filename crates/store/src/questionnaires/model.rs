//! Questionnaire links, responses and alerts.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Where a questionnaire link stands. "Expired" is not stored: it follows from the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Sent,
    Started,
    Submitted,
    Revoked,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Sent => "sent",
            InvitationStatus::Started => "started",
            InvitationStatus::Submitted => "submitted",
            InvitationStatus::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Sent, Self::Started, Self::Submitted, Self::Revoked]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A one-time link to a questionnaire for one respondent about one child.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invitation {
    pub id: Uuid,
    pub child_id: Uuid,
    pub org_id: Uuid,
    pub municipality_code: Option<String>,
    pub instrument_id: String,
    pub respondent: String,
    pub respondent_name: String,
    pub respondent_email: Option<String>,
    #[serde(skip)]
    pub token_hash: String,
    pub status: InvitationStatus,
    /// Answers saved so far, page by page: linkId → value or null.
    pub answers: serde_json::Value,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
    pub updated_at: DateTime<Utc>,
}

impl Invitation {
    /// Whether the link can still be used to answer.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        matches!(
            self.status,
            InvitationStatus::Sent | InvitationStatus::Started
        ) && now < self.expires_at
    }

    /// The state shown to staff, with expiry derived from the time.
    pub fn state(&self, now: DateTime<Utc>) -> &'static str {
        match self.status {
            InvitationStatus::Sent | InvitationStatus::Started if now >= self.expires_at => {
                "expired"
            }
            s => s.as_str(),
        }
    }
}

/// A scored questionnaire response, from a link or typed in from paper.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRecord {
    pub id: Uuid,
    pub child_id: Uuid,
    pub org_id: Uuid,
    pub municipality_code: Option<String>,
    pub instrument_id: String,
    pub instrument_version: String,
    pub respondent: String,
    pub respondent_name: String,
    /// "link" or "paper".
    pub source: String,
    pub invitation_id: Option<Uuid>,
    pub answers: serde_json::Value,
    pub scores: serde_json::Value,
    pub answered_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
}

/// Raised at once when a critical item (e.g. thoughts of self-harm) is answered positively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub id: Uuid,
    pub child_id: Uuid,
    pub org_id: Uuid,
    pub response_id: Uuid,
    pub code: String,
    pub message_en: String,
    pub message_da: String,
    pub created_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<Uuid>,
}

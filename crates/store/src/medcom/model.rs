//! MedCom messages as Samspor keeps them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Where a message is on its way to the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Queued; a transport takes it on its next round (again, after a transient failure).
    ToBeSent,
    /// Handed to the MedCom network; waiting for the receiver's acknowledgement.
    Sent,
    /// The receiver has it: acknowledged, or delivered into its Samspor inbox.
    Acknowledged,
    /// Given up: refused by the receiver, or every attempt failed. A coordinator may send it again.
    Failed,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 4] = [
        DeliveryState::ToBeSent,
        DeliveryState::Sent,
        DeliveryState::Acknowledged,
        DeliveryState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::ToBeSent => "to_be_sent",
            DeliveryState::Sent => "sent",
            DeliveryState::Acknowledged => "acknowledged",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// How a message left Samspor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Into the receiving practice's inbox in Samspor.
    Inbox,
    /// Written for the MedCom network by the file-drop transport.
    FileDrop,
}

impl Route {
    pub fn as_str(self) -> &'static str {
        match self {
            Route::Inbox => "inbox",
            Route::FileDrop => "file_drop",
        }
    }

    pub fn parse(s: &str) -> Option<Route> {
        [Route::Inbox, Route::FileDrop]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MedcomMessage {
    pub id: Uuid,
    /// The MessageHeader id: what an acknowledgement names.
    pub header_id: Uuid,
    pub child_id: Uuid,
    pub course_id: Option<Uuid>,
    pub gp_message_id: Option<Uuid>,
    /// The GP's referral this message answers.
    pub referral_id: Option<Uuid>,
    pub sender_org_id: Uuid,
    pub receiver_name: String,
    pub receiver_sor_code: String,
    pub receiver_ean: String,
    /// The receiving practice when it uses Samspor.
    pub receiver_org_id: Option<Uuid>,
    pub category: String,
    pub topic: String,
    pub text: String,
    /// The FHIR message Bundle, as sent.
    #[serde(skip)]
    pub bundle: Option<String>,
    pub state: DeliveryState,
    pub route: Option<Route>,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
    pub sent_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub read_by: Option<Uuid>,
}

//! Records of the KL Gateway LTT export: the deliveries made, and what the export reads.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::encounter::{EncounterType, Treatment};
use samspor_domain::course::kl::{ReferralDestination, Theme};
use serde::Serialize;
use uuid::Uuid;

/// Who made a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliverySource {
    /// The nightly job of a server.
    Job,
    /// An operator's `samspor export kl-ltt`.
    Cli,
    /// A municipality's administrator through the API.
    Api,
}

impl DeliverySource {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliverySource::Job => "job",
            DeliverySource::Cli => "cli",
            DeliverySource::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Option<DeliverySource> {
        [
            DeliverySource::Job,
            DeliverySource::Cli,
            DeliverySource::Api,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// A delivery as listed: everything but the JSON itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KlDelivery {
    pub id: Uuid,
    /// The municipality organisation reported on; `None` for every organisation at once.
    pub org_id: Option<Uuid>,
    /// The changes reported are those after `since` up to `until`.
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    pub source: DeliverySource,
    /// How many citizen reports it holds.
    pub reports: i64,
}

/// A course whose KL data changed, with what its CarePlan shows and who the citizen is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KlCourse {
    pub id: Uuid,
    pub child_id: Uuid,
    pub status: CourseStatus,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    /// When the contact that opened the course came in (Danish local time).
    pub received_at: Option<NaiveDateTime>,
    /// When the course's Afslutning was held (Danish local time).
    pub closed_at: Option<NaiveDateTime>,
    pub citizen: KlCitizen,
}

/// The child as the KL report names them: by CPR number and record-keeping organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KlCitizen {
    pub child_id: Uuid,
    pub cpr: String,
    /// Code of the organisation keeping the child's record, for messages.
    pub org_code: String,
    pub sor_code: Option<String>,
}

/// An encounter to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KlEncounter {
    pub id: Uuid,
    pub course_id: Uuid,
    pub kind: EncounterType,
    pub at: NaiveDateTime,
    pub treatment: Option<Treatment>,
    pub entered_in_error: bool,
}

/// A referral to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KlReferral {
    pub id: Uuid,
    pub course_id: Uuid,
    pub destination: ReferralDestination,
    pub at: DateTime<Utc>,
}

/// A current theme of a reported course, with when it was first set, which orders them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KlTheme {
    pub course_id: Uuid,
    pub theme: Theme,
    pub first_set: DateTime<Utc>,
}

/// Which records the export reads: changes after `since` up to `until`, of one organisation or
/// of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KlWindow {
    pub org_id: Option<Uuid>,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// A municipality organisation that has courses, for the nightly job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KlOrganisation {
    pub id: Uuid,
    pub code: String,
    /// End of the period of its latest nightly delivery.
    pub last_job_until: Option<DateTime<Utc>>,
}

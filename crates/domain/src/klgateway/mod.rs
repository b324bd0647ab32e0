//! The national LTT report to KL Gateway ("KL Gateway LTT", FHIR R4, canonical
//! `http://fhir.kl.dk/ltt`): a builder that turns one citizen's Samspor records into a
//! `KLGatewayLTTDeliveryReport`, a wrapper for several reports (`KLGatewayLTTIncrementalDelivery`),
//! and a checker that tests any such JSON against the profiles before it leaves the municipality.
//!
//! The profiles (FSH) and code systems live in `../shared/specs/kl-ltt`, outside the repository.
//! Everything here was written from them by hand; the tests re-read those files whenever they are
//! present, so a KL update that changes an id, a fixed value or a value set fails the build
//! instead of the night's delivery.
//!
//! Pure code like the rest of the domain: no I/O, no clock. The caller supplies the time of the
//! report and the records to report.

pub mod check;
pub mod report;
#[cfg(test)]
mod tests;

pub use check::{Rule, Severity, Violation, check_delivery, check_report, has_errors};
pub use report::{
    BuildError, CitizenData, CourseData, EncounterData, Moment, ReferralData, ResourceKind,
    build_delivery, build_report, report_id, resource_id,
};

use crate::course::kl::{self, KlCode};
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Copenhagen;
use chrono_tz::Tz;

/// Canonical base of the LTT implementation guide; profile and extension URLs hang below it.
pub const LTT_CANONICAL: &str = "http://fhir.kl.dk/ltt";

/// `meta.profile` of the citizen (FSH `Id: klgateway-ltt-citizen`).
pub const CITIZEN_PROFILE: &str = "http://fhir.kl.dk/ltt/StructureDefinition/klgateway-ltt-citizen";
/// `meta.profile` of the course CarePlan (FSH `Id: klgateway-ltt-care-plan`).
pub const CAREPLAN_PROFILE: &str =
    "http://fhir.kl.dk/ltt/StructureDefinition/klgateway-ltt-care-plan";
/// `meta.profile` of an encounter (FSH `Id: klgateway-ltt-encounter`).
pub const ENCOUNTER_PROFILE: &str =
    "http://fhir.kl.dk/ltt/StructureDefinition/klgateway-ltt-encounter";
/// `meta.profile` of a referral, which is a CarePlan too (FSH `Id: klgateway-ltt-referral`).
pub const REFERRAL_PROFILE: &str =
    "http://fhir.kl.dk/ltt/StructureDefinition/klgateway-ltt-referral";
/// `meta.profile` of the per-citizen report Bundle (FSH `Id: klgateway-ltt-delivery-report`).
pub const DELIVERY_REPORT_PROFILE: &str =
    "http://fhir.kl.dk/ltt/StructureDefinition/klgateway-ltt-delivery-report";
/// `meta.profile` of the Bundle of reports (FSH `Id: klgateway-ltt-incremental-delivery`).
pub const INCREMENTAL_DELIVERY_PROFILE: &str =
    "http://fhir.kl.dk/ltt/StructureDefinition/klgateway-ltt-incremental-delivery";

/// Encounter extension "DeliveryType" (individual or group); the URL is the one the
/// Behandling invariant in `encounter.fsh` looks for.
pub const DELIVERY_TYPE_EXTENSION: &str =
    "http://fhir.kl.dk/ltt/StructureDefinition/klgateway-ltt-encounter-delivery-type";
/// Encounter extension "BasedOnCarePlan": the course the encounter belongs to.
pub const BASED_ON_CARE_PLAN_EXTENSION: &str =
    "http://fhir.kl.dk/ltt/StructureDefinition/klgateway-ltt-encounter-based-on-care-plan";

/// FHIR identifier system of SOR codes (dk-core `SORIdentifier`), used for the record-keeping
/// organisation.
pub const SOR_SYSTEM: &str = "urn:oid:1.2.208.176.1.1";

/// HL7 v3 ActCode, the system of the fixed encounter class (`$v3-ActCode` in `aliases.fsh`).
pub const V3_ACT_CODE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
/// The fixed `Encounter.class`: every LTT encounter is ambulatory. Not a KL code, but a coding
/// all the same, so it shares [`KlCode`]'s shape.
pub const ENCOUNTER_CLASS_AMB: KlCode = KlCode::new(V3_ACT_CODE_SYSTEM, "AMB", "ambulatory");

/// One of the IG's value sets, enumerated. `valueSets.fsh` defines three of them by hierarchy
/// ("descendent-of"); they are expanded here from the `kl.rs` constants, and a test expands the
/// FSH definitions against the CodeSystem files and compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueSet {
    /// The FSH name, for messages.
    pub name: &'static str,
    pub codes: &'static [KlCode],
}

impl ValueSet {
    /// The member with this system and code.
    pub fn find(&self, system: &str, code: &str) -> Option<KlCode> {
        self.codes
            .iter()
            .copied()
            .find(|c| c.system == system && c.code == code)
    }
}

/// `LTTEncounterTypes`: the six encounter types.
pub const ENCOUNTER_TYPES: ValueSet = ValueSet {
    name: "LTTEncounterTypes",
    codes: &[
        kl::ENC_AFSLUTTENDE_SAMTALE,
        kl::ENC_AFSLUTNING,
        kl::ENC_HENVENDELSE,
        kl::ENC_FORSAMTALE,
        kl::ENC_SCREENING,
        kl::ENC_BEHANDLING,
    ],
};

/// `LTTCarePlanActivityTypes`: the single course code.
pub const CAREPLAN_ACTIVITY_TYPES: ValueSet = ValueSet {
    name: "LTTCarePlanActivityTypes",
    codes: &[kl::CAREPLAN_ACTIVITY_LTT],
};

/// `LTTFocusArea`: the descendants of "Tema" in the LTT code system.
pub const FOCUS_AREAS: ValueSet = ValueSet {
    name: "LTTFocusArea",
    codes: &[
        kl::THEME_ADFAERD,
        kl::THEME_BEKYMRING,
        kl::THEME_KROP_OG_MAD,
        kl::THEME_SELVSKADE,
        kl::THEME_TRISTHED,
        kl::THEME_TVANGSTANKER,
        kl::THEME_URO,
        kl::THEME_ANDET,
    ],
};

/// `LTTDeliveryTypes`: group or individual.
pub const DELIVERY_TYPES: ValueSet = ValueSet {
    name: "LTTDeliveryTypes",
    codes: &[kl::DELIVERY_GROUP, kl::DELIVERY_INDIVIDUAL],
};

/// `LTTParticipantTypes`: the descendants of "Deltagere i kontakt" in CareSocialCodes.
pub const PARTICIPANT_TYPES: ValueSet = ValueSet {
    name: "LTTParticipantTypes",
    codes: &[kl::PARTICIPANT_CHILD, kl::PARTICIPANT_CAREGIVER_ONLY],
};

/// `LTTTypeOfReferral`: the descendants of "Henvisning" in the LTT code system.
pub const REFERRAL_TYPES: ValueSet = ValueSet {
    name: "LTTTypeOfReferral",
    codes: &[
        kl::REF_ANDET,
        kl::REF_ANDET_TILBUD_HJEMKOMMUNE,
        kl::REF_ANDEN_KOMMUNE,
        kl::REF_ALMEN_PRAKSIS,
        kl::REF_BOERNEPSYKIATRI,
        kl::REF_CIVILSAMFUND,
    ],
};

/// Every value set the builder and checker use, for the conformance tests.
pub const VALUE_SETS: [ValueSet; 6] = [
    ENCOUNTER_TYPES,
    CAREPLAN_ACTIVITY_TYPES,
    FOCUS_AREAS,
    DELIVERY_TYPES,
    PARTICIPANT_TYPES,
    REFERRAL_TYPES,
];

/// A Danish wall-clock time placed on the time line.
///
/// Samspor records local times (the waiting goals count Danish days), while a FHIR dateTime with
/// a time of day must carry its zone. Two local times a year are not one instant:
/// - in the spring gap (02:00-02:59 on the last Sunday of March) the time does not exist; it is
///   read as the moment the clock jumped (03:00 summer time). Shifting it by an hour instead
///   would put 02:30 after a real 03:10 and could turn a valid course period backwards;
/// - in the autumn overlap (02:00-02:59 on the last Sunday of October) it exists twice; the
///   earlier one (summer time) is taken, as nothing in the record tells them apart.
///
/// Both choices keep the order of local times, so what is in order in the record is in order
/// in the report.
pub fn danish_time(local: NaiveDateTime) -> DateTime<Tz> {
    match Copenhagen.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t,
        chrono::LocalResult::Ambiguous(earlier, _) => earlier,
        chrono::LocalResult::None => {
            // Danish gaps are whole hours, so the next whole hour is the first time that exists.
            let next_hour = (local + Duration::hours(1))
                .date()
                .and_hms_opt((local + Duration::hours(1)).hour(), 0, 0)
                .unwrap_or(local);
            Copenhagen
                .from_local_datetime(&next_hour)
                .earliest()
                .unwrap_or_else(|| Copenhagen.from_utc_datetime(&local))
        }
    }
}

/// A Danish local time as a FHIR `dateTime` with seconds and the Danish offset of that day,
/// e.g. `2025-07-07T15:28:17+02:00`. The offset keeps the wall-clock time readable while
/// naming the instant exactly.
pub fn fhir_date_time(local: NaiveDateTime) -> String {
    danish_time(local)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// An instant (Bundle.timestamp, meta.lastUpdated) as a FHIR `instant`, in Danish time for the
/// same reason as [`fhir_date_time`]. FHIR instants require seconds and a zone.
pub fn fhir_instant(t: DateTime<Utc>) -> String {
    t.with_timezone(&Copenhagen)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

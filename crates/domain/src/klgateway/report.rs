//! Builds KL Gateway LTT reports from Samspor's records.
//!
//! One report (`KLGatewayLTTDeliveryReport`, a Bundle of type collection) describes one citizen:
//! the Citizen, and for each course passed in its CarePlan, encounters and referrals. The caller
//! decides what goes in: normally the records changed since the last delivery, each with its
//! course, because an encounter or referral points to its CarePlan and every reference must
//! resolve inside the report (the IG's Josefine example re-sends the unchanged CarePlan for
//! exactly that reason). Passing everything gives a full snapshot, which KL reads as updates.
//!
//! Resource ids are UUID v5 of Samspor's own record ids, so a record keeps its FHIR id from one
//! delivery to the next (KL Gateway: same id = update) without exposing Samspor's internal ids.

use super::{
    BASED_ON_CARE_PLAN_EXTENSION, CAREPLAN_ACTIVITY_TYPES, CAREPLAN_PROFILE, CITIZEN_PROFILE,
    DELIVERY_REPORT_PROFILE, DELIVERY_TYPE_EXTENSION, ENCOUNTER_CLASS_AMB, ENCOUNTER_PROFILE,
    INCREMENTAL_DELIVERY_PROFILE, REFERRAL_PROFILE, SOR_SYSTEM, fhir_date_time, fhir_instant,
};
use crate::course::careplan::CourseStatus;
use crate::course::encounter::{EncounterType, Treatment};
use crate::course::kl::{KlCode, ReferralDestination, Theme};
use crate::cpr::{CPR_SYSTEM, Cpr, CprKind};
use crate::organisation::parse_sor;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value, json};
use std::collections::HashSet;
use uuid::Uuid;

/// Namespace of every FHIR id Samspor derives. It must never change: a new namespace would give
/// every course, encounter and citizen a new id, and KL would count them all twice.
const ID_NAMESPACE: Uuid = Uuid::from_u128(0x887b4aa8_a16f_4032_b7a1_74b5904a845b);

/// What kind of resource a Samspor record becomes; part of the derived id, so a course and a
/// referral can never share an id even if their record ids were equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    Citizen,
    CarePlan,
    Encounter,
    Referral,
}

impl ResourceKind {
    fn tag(self) -> &'static str {
        match self {
            ResourceKind::Citizen => "citizen",
            ResourceKind::CarePlan => "careplan",
            ResourceKind::Encounter => "encounter",
            ResourceKind::Referral => "referral",
        }
    }

    /// The FHIR resource type; a referral is a CarePlan with its own profile.
    pub fn resource_type(self) -> &'static str {
        match self {
            ResourceKind::Citizen => "Patient",
            ResourceKind::CarePlan | ResourceKind::Referral => "CarePlan",
            ResourceKind::Encounter => "Encounter",
        }
    }
}

/// The FHIR id of a Samspor record: the same record always gets the same id.
pub fn resource_id(kind: ResourceKind, record_id: Uuid) -> Uuid {
    Uuid::new_v5(
        &ID_NAMESPACE,
        format!("{}:{}", kind.tag(), record_id).as_bytes(),
    )
}

/// The id of a report Bundle: one citizen at one time, so rebuilding the same report gives the
/// same Bundle and the delivery can point to it by fullUrl. The time is taken to the
/// microsecond: two deliveries made within one second must not give a child's two reports,
/// with different content, the same id.
pub fn report_id(child_id: Uuid, timestamp: DateTime<Utc>) -> Uuid {
    Uuid::new_v5(
        &ID_NAMESPACE,
        format!("report:{}:{}", child_id, timestamp.timestamp_micros()).as_bytes(),
    )
}

/// A Danish local point in time as precise as the record holds it. A course period is stored
/// as dates, encounters with their time of day; a FHIR dateTime may be either, and a date is
/// reported as a date rather than inventing a time of day for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Moment {
    fn to_fhir(self) -> String {
        match self {
            Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
            Moment::DateTime(t) => fhir_date_time(t),
        }
    }

    /// Whether `self` lies after `other`, compared as FHIR compares mixed precision: at the
    /// common precision, i.e. by day unless both have a time.
    fn is_after(self, other: Moment) -> bool {
        match (self, other) {
            (Moment::DateTime(a), Moment::DateTime(b)) => a > b,
            _ => self.date() > other.date(),
        }
    }

    fn date(self) -> NaiveDate {
        match self {
            Moment::Date(d) => d,
            Moment::DateTime(t) => t.date(),
        }
    }
}

impl From<NaiveDate> for Moment {
    fn from(d: NaiveDate) -> Self {
        Moment::Date(d)
    }
}

impl From<NaiveDateTime> for Moment {
    fn from(t: NaiveDateTime) -> Self {
        Moment::DateTime(t)
    }
}

/// One citizen (always a child or young person, never a parent) and what to report about them.
#[derive(Debug, Clone, PartialEq)]
pub struct CitizenData {
    /// Samspor's child record id; the Citizen's FHIR id is derived from it, not from the CPR
    /// number, so a corrected CPR number updates the same Citizen.
    pub child_id: Uuid,
    pub cpr: Cpr,
    /// SOR code of the organisation keeping the record ("journalførende organisation").
    pub sor: String,
    /// The child was registered by mistake. KL's only error mark on a Citizen is
    /// `active = false`, and everything reported under them is then in error too.
    pub entered_in_error: bool,
    pub courses: Vec<CourseData>,
}

/// A course ("forløb") and the records under it that go into this report.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseData {
    pub id: Uuid,
    pub status: CourseStatus,
    pub start: Moment,
    pub end: Option<Moment>,
    /// The themes at the time of the report, in the order they are to be listed.
    pub themes: Vec<Theme>,
    pub encounters: Vec<EncounterData>,
    pub referrals: Vec<ReferralData>,
}

/// An encounter that was held (KL reports only held encounters), or one entered in error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncounterData {
    pub id: Uuid,
    pub kind: EncounterType,
    pub at: NaiveDateTime,
    /// Delivery and participants; present exactly for a Behandling.
    pub treatment: Option<Treatment>,
    pub entered_in_error: bool,
}

/// Guidance to another offer, reported as a KL Referral on the course.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferralData {
    pub id: Uuid,
    pub destination: ReferralDestination,
    pub at: NaiveDateTime,
    pub entered_in_error: bool,
}

/// Why records could not be turned into a report that the profiles accept. Carries record ids
/// only, never personal data, so it can be logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("the base URL must be an absolute http(s) URL without query or fragment")]
    BaseUrl,
    #[error(
        "the child has a replacement number (eCPR); the KL citizen profile allows only a CPR number"
    )]
    ReplacementCpr,
    #[error("the SOR code of the record-keeping organisation must have at least 11 digits")]
    Sor,
    #[error("course {0} is completed but has no end")]
    CompletedWithoutEnd(Uuid),
    #[error("course {0} ends before it starts")]
    EndBeforeStart(Uuid),
    #[error("encounter {0} is a Behandling without delivery type and participants")]
    TreatmentMissing(Uuid),
    #[error("encounter {0} has delivery type and participants but is not a Behandling")]
    TreatmentOnOtherType(Uuid),
    #[error("record {0} appears twice in the report")]
    DuplicateRecord(Uuid),
    #[error("report {0} of the delivery has no id to point to")]
    ReportWithoutId(usize),
}

/// Builds the `KLGatewayLTTDeliveryReport` for one citizen.
///
/// `timestamp` is when the report is made (Bundle.timestamp, and meta.lastUpdated of every
/// resource: the state reported is the record's state at that time). `base_url` is the base of
/// the fullUrls (`{base_url}/Patient/{id}`); references inside the report are relative
/// (`Patient/{id}`) and resolve against it, as in the IG's example.
pub fn build_report(
    citizen: &CitizenData,
    timestamp: DateTime<Utc>,
    base_url: &str,
) -> Result<Value, BuildError> {
    let base = normalise_base(base_url)?;
    if citizen.cpr.kind() != CprKind::Regular {
        return Err(BuildError::ReplacementCpr);
    }
    let sor = parse_sor(&citizen.sor).map_err(|_| BuildError::Sor)?;
    let updated = fhir_instant(timestamp);
    let mut b = ReportBuilder {
        base,
        updated: &updated,
        entries: Vec::new(),
        seen: HashSet::new(),
    };

    let patient_id = resource_id(ResourceKind::Citizen, citizen.child_id);
    b.push(
        ResourceKind::Citizen,
        citizen.child_id,
        json!({
            "resourceType": "Patient",
            "id": patient_id.to_string(),
            "meta": meta(CITIZEN_PROFILE, &updated),
            "identifier": [{
                "use": "official",
                "system": CPR_SYSTEM,
                "value": citizen.cpr.as_str(),
            }],
            "active": !citizen.entered_in_error,
            "managingOrganization": {
                "identifier": { "use": "official", "system": SOR_SYSTEM, "value": sor }
            }
        }),
    )?;
    let subject = reference(ResourceKind::Citizen, patient_id);

    for course in &citizen.courses {
        b.course(course, citizen.entered_in_error, &subject)?;
    }

    let mut bundle = Map::new();
    bundle.insert("resourceType".into(), json!("Bundle"));
    bundle.insert(
        "id".into(),
        json!(report_id(citizen.child_id, timestamp).to_string()),
    );
    bundle.insert("meta".into(), meta(DELIVERY_REPORT_PROFILE, &updated));
    bundle.insert("type".into(), json!("collection"));
    bundle.insert("timestamp".into(), json!(updated));
    bundle.insert("entry".into(), Value::Array(b.entries));
    Ok(Value::Object(bundle))
}

/// Wraps reports made since the last delivery in a `KLGatewayLTTIncrementalDelivery`. Reports
/// are taken as built by [`build_report`]; the delivery points to each by `{base_url}/Bundle/{id}`.
pub fn build_delivery(
    reports: Vec<Value>,
    timestamp: DateTime<Utc>,
    base_url: &str,
) -> Result<Value, BuildError> {
    let base = normalise_base(base_url)?;
    let updated = fhir_instant(timestamp);
    let mut entries = Vec::with_capacity(reports.len());
    for (i, report) in reports.into_iter().enumerate() {
        let id = report
            .get("id")
            .and_then(Value::as_str)
            .ok_or(BuildError::ReportWithoutId(i))?
            .to_string();
        entries.push(json!({ "fullUrl": format!("{base}/Bundle/{id}"), "resource": report }));
    }
    let mut bundle = Map::new();
    bundle.insert("resourceType".into(), json!("Bundle"));
    bundle.insert("meta".into(), meta(INCREMENTAL_DELIVERY_PROFILE, &updated));
    bundle.insert("type".into(), json!("collection"));
    bundle.insert("timestamp".into(), json!(updated));
    // FHIR JSON has no empty arrays: a delivery with nothing to report has no entry element.
    if !entries.is_empty() {
        bundle.insert("entry".into(), Value::Array(entries));
    }
    Ok(Value::Object(bundle))
}

/// The base without a trailing slash; relative references are resolved by appending
/// `/{type}/{id}`, so the base itself must be a plain absolute URL.
fn normalise_base(base_url: &str) -> Result<&str, BuildError> {
    let base = base_url.trim_end_matches('/');
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or(BuildError::BaseUrl)?;
    let plain = !rest.is_empty()
        && !rest.starts_with('/')
        && !rest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'));
    plain.then_some(base).ok_or(BuildError::BaseUrl)
}

fn coding(c: KlCode) -> Value {
    json!({ "system": c.system, "code": c.code, "display": c.display })
}

fn concept(c: KlCode) -> Value {
    json!({ "coding": [coding(c)] })
}

fn meta(profile: &str, updated: &str) -> Value {
    json!({ "profile": [profile], "lastUpdated": updated })
}

fn reference(kind: ResourceKind, id: Uuid) -> Value {
    json!({ "reference": format!("{}/{}", kind.resource_type(), id) })
}

struct ReportBuilder<'a> {
    base: &'a str,
    updated: &'a str,
    entries: Vec<Value>,
    seen: HashSet<Uuid>,
}

impl ReportBuilder<'_> {
    fn push(
        &mut self,
        kind: ResourceKind,
        record: Uuid,
        resource: Value,
    ) -> Result<(), BuildError> {
        let id = resource_id(kind, record);
        // Twice the same record would give two entries with one fullUrl (bdl-7) and leave KL to
        // guess which state is current.
        if !self.seen.insert(id) {
            return Err(BuildError::DuplicateRecord(record));
        }
        self.entries.push(json!({
            "fullUrl": format!("{}/{}/{}", self.base, kind.resource_type(), id),
            "resource": resource,
        }));
        Ok(())
    }

    fn course(
        &mut self,
        course: &CourseData,
        citizen_in_error: bool,
        subject: &Value,
    ) -> Result<(), BuildError> {
        if course.status == CourseStatus::Completed && course.end.is_none() {
            return Err(BuildError::CompletedWithoutEnd(course.id));
        }
        if course.end.is_some_and(|end| course.start.is_after(end)) {
            return Err(BuildError::EndBeforeStart(course.id));
        }
        // A child registered by mistake has no real course; a course registered by mistake has
        // no real encounters or referrals. Reporting them as valid would keep them in KL's
        // figures after the correction.
        let status = if citizen_in_error {
            CourseStatus::EnteredInError
        } else {
            course.status
        };
        let in_error = status == CourseStatus::EnteredInError;
        let careplan_id = resource_id(ResourceKind::CarePlan, course.id);

        let mut detail = Map::new();
        let activity_code = CAREPLAN_ACTIVITY_TYPES.codes[0];
        detail.insert("code".into(), concept(activity_code));
        let mut themes: Vec<Theme> = Vec::new();
        for t in &course.themes {
            if !themes.contains(t) {
                themes.push(*t);
            }
        }
        if !themes.is_empty() {
            detail.insert(
                "reasonCode".into(),
                Value::Array(themes.iter().map(|t| concept(t.kl_code())).collect()),
            );
        }
        detail.insert("status".into(), json!(activity_status(status)));

        let mut period = Map::new();
        period.insert("start".into(), json!(course.start.to_fhir()));
        if let Some(end) = course.end {
            period.insert("end".into(), json!(end.to_fhir()));
        }

        self.push(
            ResourceKind::CarePlan,
            course.id,
            json!({
                "resourceType": "CarePlan",
                "id": careplan_id.to_string(),
                "meta": meta(CAREPLAN_PROFILE, self.updated),
                "status": status.as_str(),
                "intent": "plan",
                "subject": subject,
                "period": period,
                "activity": [{ "detail": detail }],
            }),
        )?;
        let careplan = reference(ResourceKind::CarePlan, careplan_id);

        for e in &course.encounters {
            self.encounter(e, in_error, subject, &careplan)?;
        }
        for r in &course.referrals {
            self.referral(r, in_error, subject, &careplan)?;
        }
        Ok(())
    }

    fn encounter(
        &mut self,
        e: &EncounterData,
        course_in_error: bool,
        subject: &Value,
        careplan: &Value,
    ) -> Result<(), BuildError> {
        let is_treatment = e.kind == EncounterType::Behandling;
        let treatment = match (is_treatment, e.treatment) {
            (true, None) => return Err(BuildError::TreatmentMissing(e.id)),
            (false, Some(_)) => return Err(BuildError::TreatmentOnOtherType(e.id)),
            (_, t) => t,
        };
        let mut extension = vec![json!({
            "url": BASED_ON_CARE_PLAN_EXTENSION,
            "valueReference": careplan,
        })];
        let mut enc = Map::new();
        enc.insert("resourceType".into(), json!("Encounter"));
        enc.insert(
            "id".into(),
            json!(resource_id(ResourceKind::Encounter, e.id).to_string()),
        );
        enc.insert("meta".into(), meta(ENCOUNTER_PROFILE, self.updated));
        if let Some(t) = treatment {
            extension.push(json!({
                "url": DELIVERY_TYPE_EXTENSION,
                "valueCodeableConcept": concept(t.delivery.kl_code()),
            }));
        }
        enc.insert("extension".into(), Value::Array(extension));
        // KL reports only encounters that were held; "finished" is the only other status.
        let status = if e.entered_in_error || course_in_error {
            "entered-in-error"
        } else {
            "finished"
        };
        enc.insert("status".into(), json!(status));
        enc.insert("class".into(), coding(ENCOUNTER_CLASS_AMB));
        enc.insert("type".into(), json!([concept(e.kind.kl_code())]));
        enc.insert("subject".into(), subject.clone());
        if let Some(t) = treatment {
            enc.insert(
                "participant".into(),
                json!([{ "type": [concept(t.participants.kl_code())] }]),
            );
        }
        enc.insert("period".into(), json!({ "start": fhir_date_time(e.at) }));
        self.push(ResourceKind::Encounter, e.id, Value::Object(enc))
    }

    fn referral(
        &mut self,
        r: &ReferralData,
        course_in_error: bool,
        subject: &Value,
        careplan: &Value,
    ) -> Result<(), BuildError> {
        // A referral is an event that happened: "completed", unless it was recorded by mistake.
        // activity.detail.status is fixed to "completed" by the profile either way.
        let status = if r.entered_in_error || course_in_error {
            CourseStatus::EnteredInError
        } else {
            CourseStatus::Completed
        };
        self.push(
            ResourceKind::Referral,
            r.id,
            json!({
                "resourceType": "CarePlan",
                "id": resource_id(ResourceKind::Referral, r.id).to_string(),
                "meta": meta(REFERRAL_PROFILE, self.updated),
                "basedOn": [careplan],
                "status": status.as_str(),
                "intent": "plan",
                "subject": subject,
                "period": { "start": fhir_date_time(r.at) },
                "activity": [{
                    "detail": {
                        "code": concept(r.destination.kl_code()),
                        "status": "completed",
                    }
                }],
            }),
        )
    }
}

/// CarePlan.activity.detail.status for a course: the IG's example reports an ongoing course as
/// "in-progress" and a closed one as "completed".
fn activity_status(status: CourseStatus) -> &'static str {
    match status {
        CourseStatus::Active => "in-progress",
        CourseStatus::Completed => "completed",
        CourseStatus::EnteredInError => "entered-in-error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::encounter::{Delivery, Participants};

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn ts() -> DateTime<Utc> {
        "2026-03-02T22:45:00Z".parse().unwrap()
    }

    fn citizen() -> CitizenData {
        CitizenData {
            child_id: Uuid::from_u128(1),
            cpr: Cpr::parse("010115-4006").unwrap(),
            sor: "451000016003".into(),
            entered_in_error: false,
            courses: vec![CourseData {
                id: Uuid::from_u128(2),
                status: CourseStatus::Active,
                start: Moment::Date("2026-01-05".parse().unwrap()),
                end: None,
                themes: vec![Theme::Worry, Theme::Sadness, Theme::Worry],
                encounters: vec![EncounterData {
                    id: Uuid::from_u128(3),
                    kind: EncounterType::Behandling,
                    at: t("2026-03-02 10:00:00"),
                    treatment: Some(Treatment {
                        delivery: Delivery::Group,
                        participants: Participants::CaregiversOnly,
                    }),
                    entered_in_error: false,
                }],
                referrals: vec![ReferralData {
                    id: Uuid::from_u128(4),
                    destination: ReferralDestination::Gp,
                    at: t("2026-03-02 11:00:00"),
                    entered_in_error: false,
                }],
            }],
        }
    }

    #[test]
    fn ids_are_stable_distinct_per_kind_and_pinned() {
        let r = Uuid::from_u128(42);
        assert_eq!(
            resource_id(ResourceKind::CarePlan, r),
            resource_id(ResourceKind::CarePlan, r)
        );
        assert_ne!(
            resource_id(ResourceKind::CarePlan, r),
            resource_id(ResourceKind::Referral, r)
        );
        // Pinned: a change here renames every resource ever reported to KL.
        assert_eq!(
            resource_id(ResourceKind::Encounter, Uuid::from_u128(1)).to_string(),
            Uuid::new_v5(
                &Uuid::parse_str("887b4aa8-a16f-4032-b7a1-74b5904a845b").unwrap(),
                b"encounter:00000000-0000-0000-0000-000000000001"
            )
            .to_string()
        );
        assert_eq!(resource_id(ResourceKind::Citizen, r).get_version_num(), 5);
    }

    #[test]
    fn the_same_records_give_the_same_report() {
        let a = build_report(&citizen(), ts(), "https://example.org/fhir/").unwrap();
        let b = build_report(&citizen(), ts(), "https://example.org/fhir").unwrap();
        assert_eq!(a, b);
        let entries = a["entry"].as_array().unwrap();
        assert_eq!(entries.len(), 4);
        assert!(
            entries[0]["fullUrl"]
                .as_str()
                .unwrap()
                .starts_with("https://example.org/fhir/Patient/")
        );
        // Themes are deduplicated in the order given; the date-only start stays a date.
        let careplan = &entries[1]["resource"];
        assert_eq!(
            careplan["activity"][0]["detail"]["reasonCode"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(careplan["period"]["start"], "2026-01-05");
        let enc = &entries[2]["resource"];
        assert_eq!(enc["period"]["start"], "2026-03-02T10:00:00+01:00");
        assert_eq!(enc["participant"][0]["type"][0]["coding"][0]["code"], {
            crate::course::kl::PARTICIPANT_CAREGIVER_ONLY.code
        });
        assert_eq!(a["timestamp"], "2026-03-02T23:45:00+01:00");
    }

    #[test]
    fn nothing_personal_beyond_the_cpr_number() {
        let a = build_report(&citizen(), ts(), "https://example.org/fhir").unwrap();
        let patient = a["entry"][0]["resource"].as_object().unwrap();
        let mut keys: Vec<&str> = patient.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "active",
                "id",
                "identifier",
                "managingOrganization",
                "meta",
                "resourceType"
            ]
        );
    }

    #[test]
    fn errors_in_the_record_are_reported_as_such_all_the_way_down() {
        let mut c = citizen();
        c.entered_in_error = true;
        let a = build_report(&c, ts(), "https://example.org/fhir").unwrap();
        let statuses: Vec<&str> = a["entry"].as_array().unwrap()[1..]
            .iter()
            .map(|e| e["resource"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["entered-in-error"; 3]);
        assert_eq!(a["entry"][0]["resource"]["active"], false);
        // The referral's activity status stays fixed.
        assert_eq!(
            a["entry"][3]["resource"]["activity"][0]["detail"]["status"],
            "completed"
        );
    }

    #[test]
    fn records_the_profiles_cannot_carry_are_refused() {
        let mut c = citizen();
        c.cpr = Cpr::parse("010115-1AB2").unwrap();
        assert_eq!(
            build_report(&c, ts(), "https://x.dk"),
            Err(BuildError::ReplacementCpr)
        );
        let mut c = citizen();
        c.sor = "4510000".into();
        assert_eq!(build_report(&c, ts(), "https://x.dk"), Err(BuildError::Sor));
        let mut c = citizen();
        c.courses[0].status = CourseStatus::Completed;
        assert_eq!(
            build_report(&c, ts(), "https://x.dk"),
            Err(BuildError::CompletedWithoutEnd(Uuid::from_u128(2)))
        );
        c.courses[0].end = Some(Moment::Date("2026-01-04".parse().unwrap()));
        assert_eq!(
            build_report(&c, ts(), "https://x.dk"),
            Err(BuildError::EndBeforeStart(Uuid::from_u128(2)))
        );
        // Same day at a time: compared by day, so not before the start.
        c.courses[0].end = Some(Moment::DateTime(t("2026-01-05 00:00:00")));
        assert!(build_report(&c, ts(), "https://x.dk").is_ok());
        let mut c = citizen();
        c.courses[0].encounters[0].treatment = None;
        assert_eq!(
            build_report(&c, ts(), "https://x.dk"),
            Err(BuildError::TreatmentMissing(Uuid::from_u128(3)))
        );
        let mut c = citizen();
        c.courses[0].encounters[0].kind = EncounterType::Screening;
        assert_eq!(
            build_report(&c, ts(), "https://x.dk"),
            Err(BuildError::TreatmentOnOtherType(Uuid::from_u128(3)))
        );
        let mut c = citizen();
        let dup = c.courses[0].encounters[0];
        c.courses[0].encounters.push(dup);
        assert_eq!(
            build_report(&c, ts(), "https://x.dk"),
            Err(BuildError::DuplicateRecord(Uuid::from_u128(3)))
        );
        for bad in [
            "",
            "test.fhir.dk",
            "https://",
            "https://x.dk/?a",
            "ftp://x.dk",
        ] {
            assert_eq!(
                build_report(&citizen(), ts(), bad),
                Err(BuildError::BaseUrl),
                "{bad}"
            );
        }
    }

    #[test]
    fn delivery_points_to_each_report() {
        let r = build_report(&citizen(), ts(), "https://x.dk").unwrap();
        let id = r["id"].as_str().unwrap().to_string();
        let d = build_delivery(vec![r], ts(), "https://x.dk").unwrap();
        assert_eq!(
            d["entry"][0]["fullUrl"],
            format!("https://x.dk/Bundle/{id}")
        );
        assert_eq!(d["type"], "collection");
        let empty = build_delivery(vec![], ts(), "https://x.dk").unwrap();
        assert!(empty.get("entry").is_none());
        assert_eq!(
            build_delivery(vec![json!({})], ts(), "https://x.dk"),
            Err(BuildError::ReportWithoutId(0))
        );
    }
}

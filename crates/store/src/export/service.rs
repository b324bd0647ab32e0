//! The national KL Gateway LTT report: deliveries of what changed, the nightly job, and the
//! administrator's list of deliveries.
//!
//! A delivery holds one report per child whose KL data changed in (since, until]: the Citizen,
//! and for each changed course its CarePlan with the encounters and referrals that changed, as
//! the IG's Josefine example does (an unchanged CarePlan is sent again with a new encounter,
//! because references must resolve inside the report). Every report is checked against the
//! profiles before anything is written; one that fails stops the delivery, since KL Gateway
//! rejects a whole delivery for one error.
//!
//! Who may take a delivery: the administrator of a municipality organisation, for that
//! organisation's courses (it is the municipality's reporting duty, and the administrator is
//! the one who sends it). Nobody else through the web: clinical staff work with single
//! children, and the secretariat and analysts never see CPR numbers, which every report holds.
//! The operator's command line and the nightly job run with access to the server and may
//! export any organisation; what they export is audited all the same.

use crate::Work;
use crate::export::model::*;
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{Organisation, Store, StoreError};
use chrono::{DateTime, Duration, NaiveTime, SubsecRound, Utc};
use samspor_domain::access::{Action, Resource};
use samspor_domain::audit::{AuditAction, AuditEvent};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::cpr::Cpr;
use samspor_domain::klgateway::{
    self, CitizenData, CourseData, EncounterData, Moment, ReferralData, build_delivery,
    build_report, check_report, has_errors,
};
use samspor_domain::organisation::{OrgKind, parse_sor};
use samspor_domain::role::Role;
use samspor_domain::validation::{FieldError, FieldErrors};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Base of the fullUrls in a delivery. References inside a report are relative and resolve
/// against it; KL identifies resources by their UUIDs, not by this address.
pub const BASE_URL: &str = "https://samspor.dk/fhir";

/// The purpose recorded in the audit entries of the export.
pub const PURPOSE: &str = "kl_reporting";

/// What to export: changes after `since` up to `until`, of one organisation or of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportRequest {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// `None`: every organisation (the command line only).
    pub org: Option<Uuid>,
}

/// Who asks for a delivery.
#[derive(Debug, Clone)]
pub enum Caller<'a> {
    /// A member of staff through the API: access-checked, their own organisation only.
    Staff(&'a Ctx),
    /// The operator's command line or the nightly job: no user, any organisation.
    System(System),
}

/// A caller without a user.
#[derive(Debug, Clone)]
pub struct System {
    pub source: DeliverySource,
    pub request_id: String,
    pub now: DateTime<Utc>,
}

impl Caller<'_> {
    fn now(&self) -> DateTime<Utc> {
        match self {
            Caller::Staff(ctx) => ctx.now,
            Caller::System(s) => s.now,
        }
    }

    fn source(&self) -> DeliverySource {
        match self {
            Caller::Staff(_) => DeliverySource::Api,
            Caller::System(s) => s.source,
        }
    }

    fn user(&self) -> Option<Uuid> {
        match self {
            Caller::Staff(ctx) => Some(ctx.actor.user_id),
            Caller::System(_) => None,
        }
    }

    fn event(
        &self,
        action: AuditAction,
        org: Option<Uuid>,
        object_id: Option<Uuid>,
        child_id: Option<Uuid>,
        detail: &str,
    ) -> AuditEvent {
        match self {
            Caller::Staff(ctx) => {
                let mut e = ctx.event(action, "kl_delivery", object_id, child_id, detail);
                e.purpose = PURPOSE.into();
                e
            }
            Caller::System(s) => AuditEvent {
                user_id: None,
                org_id: org,
                action,
                object_type: "kl_delivery".into(),
                object_id,
                child_id,
                purpose: PURPOSE.into(),
                request_id: s.request_id.clone(),
                detail: detail.into(),
            },
        }
    }
}

/// A delivery made or fetched: its record and the JSON exactly as stored.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub record: KlDelivery,
    /// The `KLGatewayLTTIncrementalDelivery` Bundle.
    pub json: String,
}

async fn check_staff(tx: &mut Work<'_>, ctx: &Ctx) -> ServiceResult<Organisation> {
    let org = tx
        .organisation(ctx.actor.org_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.authorize(
        &ctx.actor,
        Action::Export,
        Resource::KlDeliveries {
            org: org.id,
            is_municipality: org.kind == OrgKind::Municipality,
        },
    )?;
    Ok(org)
}

/// Reads `since` as given on the command line or in the API: an RFC 3339 time, not after `now`.
pub fn parse_since(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    parse_time("since", value, now)
}

/// Reads `until` the same way.
pub fn parse_until(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    parse_time("until", value, now)
}

fn parse_time(field: &str, value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    let t = DateTime::parse_from_rfc3339(value.trim())
        .map_err(|_| {
            FieldError::new(
                field,
                "Give an RFC 3339 time with its zone, e.g. 2026-11-20T00:00:00+01:00.",
                "Angiv en RFC 3339-tid med tidszone, fx 2026-11-20T00:00:00+01:00.",
            )
        })?
        .with_timezone(&Utc);
    if t > now {
        return Err(future(field));
    }
    Ok(t)
}

fn future(field: &str) -> FieldError {
    FieldError::new(
        field,
        "The time lies in the future; a delivery reports what has already changed.",
        "Tidspunktet ligger i fremtiden; en levering indberetter det, der allerede er ændret.",
    )
}

/// Refuses a window that cannot be reported. Times are cut to microseconds, the precision
/// both databases store, so the `until` recorded is exactly where the next delivery starts.
fn window(req: &ExportRequest, now: DateTime<Utc>) -> ServiceResult<KlWindow> {
    let (since, until) = (req.since.trunc_subsecs(6), req.until.trunc_subsecs(6));
    let mut errors = FieldErrors::default();
    if since > now {
        errors.push(future("since"));
    }
    if until > now {
        errors.push(future("until"));
    } else if until <= since {
        errors.push(FieldError::new(
            "until",
            "The end of the period must lie after its start (since).",
            "Periodens slutning skal ligge efter dens start (since).",
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    Ok(KlWindow {
        org_id: req.org,
        since,
        until,
    })
}

/// Why the records cannot be exported: names the organisation and record ids, never a CPR
/// number or a name, so it can be shown and logged.
fn refused(field: &str, message: String) -> ServiceError {
    ServiceError::Invalid(
        FieldError {
            field: field.into(),
            message_da: format!("Leveringen kan ikke laves: {message}"),
            message_en: format!("The delivery cannot be made: {message}"),
        }
        .into(),
    )
}

/// Makes a KL Gateway LTT delivery of what changed in the window, records it and audits one
/// export per child reported, all in one transaction.
pub async fn kl_ltt(
    store: &Store,
    caller: Caller<'_>,
    req: ExportRequest,
) -> ServiceResult<Delivery> {
    let now = caller.now();
    store.write(async |tx| {
        let mut req = req;
        if let Caller::Staff(ctx) = &caller {
            let org = check_staff(tx, ctx).await?;
            match req.org {
                None => req.org = Some(org.id),
                Some(id) if id == org.id => {}
                // Another organisation's deliveries do not exist for this admin.
                Some(_) => return Err(ServiceError::NotFound),
            }
        }
        let w = window(&req, now)?;
        let citizens = read_citizens(tx, &w).await?;

        let mut reports = Vec::with_capacity(citizens.len());
        let mut children = Vec::with_capacity(citizens.len());
        for (citizen, org_code) in &citizens {
            let report = build_report(citizen, now, BASE_URL).map_err(|e| {
                refused(
                    "records",
                    format!(
                        "child record {} of organisation {org_code}: {e}",
                        citizen.child_id
                    ),
                )
            })?;
            let found = check_report(&report);
            if has_errors(&found) {
                let listed: Vec<String> = found
                    .iter()
                    .filter(|v| v.is_error())
                    .take(5)
                    .map(ToString::to_string)
                    .collect();
                return Err(refused(
                    "records",
                    format!(
                        "the report of child record {} of organisation {org_code} does not conform to the KL profiles: {}",
                        citizen.child_id,
                        listed.join("; ")
                    ),
                ));
            }
            reports.push(report);
            children.push(citizen.child_id);
        }
        let bundle =
            build_delivery(reports, now, BASE_URL).map_err(|e| refused("records", e.to_string()))?;
        let json = serde_json::to_string(&bundle)
            .map_err(|e| StoreError::Corrupt(format!("delivery JSON: {e}")))?;
        let record = KlDelivery {
            id: Uuid::now_v7(),
            org_id: w.org_id,
            since: w.since,
            until: w.until,
            created_at: now,
            created_by: caller.user(),
            created_by_name: None,
            source: caller.source(),
            reports: i64::try_from(children.len()).unwrap_or(i64::MAX),
        };
        tx.insert_kl_delivery(&record, &json, &children).await?;
        for child in &children {
            tx.audit(
                now,
                caller.event(
                    AuditAction::Export,
                    w.org_id,
                    Some(record.id),
                    Some(*child),
                    "kl-ltt",
                ),
            );
        }
        Ok(Delivery { record, json })
    }).await
}

/// The citizens to report in the window, each with the code of the organisation keeping the
/// record (for messages), in child-id order.
async fn read_citizens(
    tx: &mut Work<'_>,
    w: &KlWindow,
) -> ServiceResult<Vec<(CitizenData, String)>> {
    let courses = tx.kl_courses(w).await?;
    let themes = tx.kl_themes(w).await?;
    let encounters = tx.kl_encounters(w).await?;
    let referrals = tx.kl_referrals(w).await?;
    let cpr_changed = tx.kl_cpr_changed(w).await?;
    assemble(courses, themes, encounters, referrals, cpr_changed)
}

/// Puts the rows read together into the builder's records.
fn assemble(
    courses: Vec<KlCourse>,
    themes: Vec<KlTheme>,
    encounters: Vec<KlEncounter>,
    referrals: Vec<KlReferral>,
    cpr_changed: Vec<KlCitizen>,
) -> ServiceResult<Vec<(CitizenData, String)>> {
    let mut themes_of: BTreeMap<Uuid, Vec<_>> = BTreeMap::new();
    for t in themes {
        themes_of.entry(t.course_id).or_default().push(t.theme);
    }
    let mut encounters_of: BTreeMap<Uuid, Vec<EncounterData>> = BTreeMap::new();
    for e in encounters {
        encounters_of
            .entry(e.course_id)
            .or_default()
            .push(EncounterData {
                id: e.id,
                kind: e.kind,
                at: e.at,
                treatment: e.treatment,
                entered_in_error: e.entered_in_error,
            });
    }
    let mut referrals_of: BTreeMap<Uuid, Vec<ReferralData>> = BTreeMap::new();
    for r in referrals {
        referrals_of
            .entry(r.course_id)
            .or_default()
            .push(ReferralData {
                id: r.id,
                destination: r.destination,
                at: crate::courses::local(r.at),
                entered_in_error: false,
            });
    }

    let mut citizens: BTreeMap<Uuid, (CitizenData, String)> = BTreeMap::new();
    let mut citizen_of = |c: &KlCitizen| -> ServiceResult<()> {
        if citizens.contains_key(&c.child_id) {
            return Ok(());
        }
        let sor = c.sor_code.clone().ok_or_else(|| {
            refused(
                "sor_code",
                format!(
                    "organisation {} has no SOR code; its administrator sets it on the KL deliveries page",
                    c.org_code
                ),
            )
        })?;
        let cpr = Cpr::parse(&c.cpr).map_err(|_| {
            StoreError::Corrupt(format!("the CPR number of child record {}", c.child_id))
        })?;
        citizens.insert(
            c.child_id,
            (
                CitizenData {
                    child_id: c.child_id,
                    cpr,
                    sor,
                    entered_in_error: false,
                    courses: Vec::new(),
                },
                c.org_code.clone(),
            ),
        );
        Ok(())
    };
    for c in &cpr_changed {
        citizen_of(c)?;
    }
    for c in &courses {
        citizen_of(&c.citizen)?;
    }
    for c in courses {
        let data = course_data(
            &c,
            themes_of.remove(&c.id).unwrap_or_default(),
            encounters_of.remove(&c.id).unwrap_or_default(),
            referrals_of.remove(&c.id).unwrap_or_default(),
        );
        if let Some((citizen, _)) = citizens.get_mut(&c.child_id) {
            citizen.courses.push(data);
        }
    }
    Ok(citizens.into_values().collect())
}

/// The CarePlan of a course. Its period is given to the second where the record knows the
/// moment (the Henvendelse that opened it, the Afslutning that closed it), as in the IG's
/// example; otherwise as the date the course holds.
fn course_data(
    c: &KlCourse,
    themes: Vec<samspor_domain::course::kl::Theme>,
    encounters: Vec<EncounterData>,
    referrals: Vec<ReferralData>,
) -> CourseData {
    let start = match c.received_at {
        Some(t) if t.date() == c.started_on => Moment::DateTime(t),
        _ => Moment::Date(c.started_on),
    };
    let end = c.ended_on.map(|d| match c.closed_at {
        Some(t) if t.date() == d && c.status != CourseStatus::Active => Moment::DateTime(t),
        _ => Moment::Date(d),
    });
    CourseData {
        id: c.id,
        status: c.status,
        start,
        end,
        themes,
        encounters,
        referrals,
    }
}

/// The start of today in Denmark, as an instant: where a nightly delivery ends.
pub fn last_danish_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = crate::courses::local(now).date();
    klgateway::danish_time(today.and_time(NaiveTime::MIN)).with_timezone(&Utc)
}

/// How long after a Danish midnight the nightly job waits before it closes that day. A write
/// is stamped with the time its request began; one that began just before midnight and
/// commits just after would otherwise fall before the delivery's end yet be invisible to it,
/// and the next delivery starts after it: lost for good.
pub const NIGHTLY_GRACE_MINUTES: i64 = 5;

/// Where the nightly deliveries made at `now` end: the last Danish midnight at least
/// [`NIGHTLY_GRACE_MINUTES`] ago.
pub fn nightly_until(now: DateTime<Utc>) -> DateTime<Utc> {
    last_danish_midnight(now - Duration::minutes(NIGHTLY_GRACE_MINUTES))
}

/// The ends of the nightly deliveries still to make after `last` (the end of the last one) up
/// to `until`: KL Gateway wants one delivery per day when a day was missed, each covering no
/// more than one day, so every Danish midnight in between ends one. The first delivery of an
/// organisation (no `last`) carries everything before `until`.
pub fn nightly_ends(last: Option<DateTime<Utc>>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut ends = Vec::new();
    if let Some(last) = last {
        let mut day = crate::courses::local(last).date();
        loop {
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
            let end = klgateway::danish_time(day.and_time(NaiveTime::MIN)).with_timezone(&Utc);
            if end >= until {
                break;
            }
            if end > last {
                ends.push(end);
            }
        }
    }
    if last.is_none_or(|l| l < until) {
        ends.push(until);
    }
    ends
}

/// What one run of the nightly job did.
#[derive(Debug, Clone, Default)]
pub struct NightlyRun {
    pub made: Vec<KlDelivery>,
    /// Organisation code and why its delivery could not be made.
    pub failed: Vec<(String, String)>,
}

/// For each municipality organisation with courses whose nightly deliveries do not yet reach
/// the last Danish midnight (see [`nightly_until`]): deliveries from where the last one ended
/// (or the beginning), one per day missed. Several servers may run this at once; the unique
/// key on (organisation, until) lets one of them make each delivery and the others skip it.
///
/// The deliveries of one run are stamped a second apart, oldest day first: a report's id is
/// derived from the child and the second it was made, and two reports on one child in two
/// deliveries must not share an id.
pub async fn nightly(store: &Store, now: DateTime<Utc>) -> ServiceResult<NightlyRun> {
    let until = nightly_until(now);
    let orgs = store.read(async |tx| tx.kl_organisations().await).await?;
    let mut run = NightlyRun::default();
    for org in orgs {
        let ends = nightly_ends(org.last_job_until, until);
        let mut since = org.last_job_until.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let count = ends.len();
        for (i, end) in ends.into_iter().enumerate() {
            let stamp = now - Duration::seconds(i64::try_from(count - 1 - i).unwrap_or(0));
            let caller = Caller::System(System {
                source: DeliverySource::Job,
                request_id: format!("kl-nightly-{}-{}", org.code, end.format("%Y%m%d")),
                now: stamp,
            });
            let req = ExportRequest {
                since,
                until: end,
                org: Some(org.id),
            };
            match kl_ltt(store, caller, req).await {
                Ok(d) => run.made.push(d.record),
                // Another server made this day's delivery; the next day starts where it ended.
                Err(ServiceError::Store(StoreError::Unique(_))) => {}
                // A day that cannot be delivered stops the organisation's run: the next
                // delivery must start where the last one made ended, so the job tries this
                // day again next time.
                Err(ServiceError::Invalid(f)) => {
                    run.failed.push((
                        org.code.clone(),
                        f.0.iter()
                            .map(|e| e.message_en.clone())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ));
                    break;
                }
                Err(e) => {
                    run.failed.push((org.code.clone(), e.to_string()));
                    break;
                }
            }
            since = end;
        }
    }
    Ok(run)
}

/// The deliveries of the administrator's organisation, newest first (no personal data).
pub async fn deliveries(
    store: &Store,
    ctx: &Ctx,
) -> ServiceResult<(Organisation, Vec<KlDelivery>)> {
    store
        .write(async |tx| {
            let org = check_staff(tx, ctx).await?;
            let list = tx.kl_deliveries(org.id).await?;
            let mut event = ctx.event(
                AuditAction::Read,
                "kl_delivery",
                None,
                None,
                format!("list results={}", list.len()),
            );
            event.purpose = PURPOSE.into();
            tx.audit(ctx.now, event);
            Ok((org, list))
        })
        .await
}

/// One delivery of the administrator's organisation with its JSON, for download; recorded as
/// an export of each child it reports on.
pub async fn download(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<Delivery> {
    store
        .write(async |tx| {
            let org = check_staff(tx, ctx).await?;
            let (record, json, children) = tx
                .kl_delivery(id)
                .await?
                .filter(|(d, _, _)| d.org_id == Some(org.id))
                .ok_or(ServiceError::NotFound)?;
            let caller = Caller::Staff(ctx);
            for child in &children {
                tx.audit(
                    ctx.now,
                    caller.event(
                        AuditAction::Export,
                        Some(org.id),
                        Some(id),
                        Some(*child),
                        "download",
                    ),
                );
            }
            if children.is_empty() {
                tx.audit(
                    ctx.now,
                    caller.event(
                        AuditAction::Export,
                        Some(org.id),
                        Some(id),
                        None,
                        "download",
                    ),
                );
            }
            Ok(Delivery { record, json })
        })
        .await
}

/// Sets the SOR code of the administrator's own municipality organisation, which every report
/// names as the record-keeping organisation. The secretariat may set any organisation's.
pub async fn set_sor_code(
    store: &Store,
    ctx: &Ctx,
    org_code: &str,
    sor_code: &str,
) -> ServiceResult<Organisation> {
    let sor = parse_sor(sor_code)?;
    store
        .write(async |tx| {
            let org = tx
                .organisation_by_code(org_code.trim())
                .await?
                .ok_or(ServiceError::NotFound)?;
            let allowed = match ctx.actor.role {
                Role::Secretariat => true,
                Role::Admin => org.id == ctx.actor.org_id,
                _ => false,
            };
            if !allowed {
                return Err(ServiceError::Forbidden);
            }
            tx.set_sor_code(org.id, Some(&sor)).await?;
            let mut event = ctx.event(
                AuditAction::Update,
                "organisation",
                Some(org.id),
                None,
                "sor_code",
            );
            event.purpose = "administration".into();
            tx.audit(ctx.now, event);
            Ok(Organisation {
                sor_code: Some(sor),
                ..org
            })
        })
        .await
}

/// Sets an organisation's SOR code without a user: for the demo data and operators.
pub async fn set_sor_code_as_operator(
    store: &Store,
    org_code: &str,
    sor_code: &str,
    request_id: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let sor = parse_sor(sor_code)?;
    store
        .write(async |tx| {
            let org = tx
                .organisation_by_code(org_code.trim())
                .await?
                .ok_or(ServiceError::NotFound)?;
            tx.set_sor_code(org.id, Some(&sor)).await?;
            tx.audit(
                now,
                AuditEvent {
                    user_id: None,
                    org_id: Some(org.id),
                    action: AuditAction::Update,
                    object_type: "organisation".into(),
                    object_id: Some(org.id),
                    child_id: None,
                    purpose: "administration".into(),
                    request_id: request_id.into(),
                    detail: "sor_code".into(),
                },
            );
            Ok(())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_nightly_period_ends_at_danish_midnight_in_winter_and_summer() {
        assert_eq!(
            last_danish_midnight(utc("2026-01-15T10:00:00Z")),
            utc("2026-01-14T23:00:00Z")
        );
        assert_eq!(
            last_danish_midnight(utc("2026-07-15T10:00:00Z")),
            utc("2026-07-14T22:00:00Z")
        );
        // 23:30 UTC on 14 July is already 15 July in Denmark.
        assert_eq!(
            last_danish_midnight(utc("2026-07-14T23:30:00Z")),
            utc("2026-07-14T22:00:00Z")
        );
    }

    #[test]
    fn since_must_be_rfc3339_and_not_in_the_future() {
        let now = utc("2026-11-29T12:00:00Z");
        assert_eq!(
            parse_since("2026-11-29T00:00:00+01:00", now).unwrap(),
            utc("2026-11-28T23:00:00Z")
        );
        for bad in ["2026-11-29", "yesterday", "", "2026-11-29T00:00:00"] {
            assert_eq!(parse_since(bad, now).unwrap_err().field, "since", "{bad}");
        }
        let e = parse_since("2026-11-29T12:00:01Z", now).unwrap_err();
        assert!(e.message_en.contains("future"));
    }

    /// Every 7 minutes over three years (both clock changes of each year included): the
    /// nightly period ends on a Danish midnight at most a day before now. The store crate has
    /// no property-test dependency, so the sweep stands in for one.
    #[test]
    fn last_midnight_is_a_danish_midnight_within_a_day() {
        let start = utc("2025-01-01T00:00:00Z").timestamp();
        for secs in (start..start + 3 * 366 * 86_400).step_by(7 * 60) {
            let now = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let m = last_danish_midnight(now);
            assert!(m <= now && now - m < chrono::Duration::hours(25), "{now}");
            let local = m.with_timezone(&chrono_tz::Europe::Copenhagen);
            assert_eq!(local.time(), NaiveTime::MIN, "{now}");
        }
    }

    /// Missed nights are caught up one Danish day per delivery: the ends rise, the first
    /// lies after the last delivery, the last is the night asked for, and each delivery spans
    /// at most one day (25 hours when the clock is turned back), ending on a Danish midnight.
    #[test]
    fn missed_nights_are_delivered_one_day_at_a_time() {
        let start = utc("2025-03-01T00:00:00Z");
        let copenhagen = chrono_tz::Europe::Copenhagen;
        // Every 5 hours 37 minutes across both clock changes of two years.
        for step in 0..(2 * 366 * 24 / 5) {
            let now = start + Duration::minutes(337 * step);
            let until = nightly_until(now);
            for missed in [0i64, 1, 2, 9] {
                let last = until - Duration::days(missed);
                let last = last_danish_midnight(last + Duration::hours(1));
                let ends = nightly_ends(Some(last), until);
                if last >= until {
                    assert!(ends.is_empty(), "{now} {missed}");
                    continue;
                }
                assert_eq!(ends.last(), Some(&until), "{now} {missed}");
                let mut previous = last;
                for end in &ends {
                    assert!(*end > previous, "{now} {missed}");
                    assert!(*end - previous <= Duration::hours(25), "{now} {missed}");
                    assert_eq!(
                        end.with_timezone(&copenhagen).time(),
                        NaiveTime::MIN,
                        "{now}"
                    );
                    previous = *end;
                }
                assert_eq!(ends.len() as i64, missed.max(1), "{now} {missed}");
            }
            assert_eq!(nightly_ends(None, until), vec![until]);
            assert!(nightly_ends(Some(until), until).is_empty());
        }
    }

    /// The job waits a few minutes after midnight before it closes the day.
    #[test]
    fn the_night_is_closed_only_after_the_grace_period() {
        assert_eq!(
            nightly_until(utc("2026-01-15T23:02:00Z")),
            utc("2026-01-14T23:00:00Z"),
            "two minutes past Danish midnight: the day just ended is not closed yet"
        );
        assert_eq!(
            nightly_until(utc("2026-01-15T23:06:00Z")),
            utc("2026-01-15T23:00:00Z")
        );
    }

    /// A window is accepted exactly when since < until <= now, and is kept to microseconds.
    #[test]
    fn windows_are_ordered_and_in_the_past() {
        let now = utc("2034-01-01T00:00:00Z");
        let times = [0i64, 1, 59, 1_700_000_000, 1_700_000_001, 1_999_999_999];
        for a in times {
            for b in times {
                for nanos in [0u32, 999, 1_000, 500_000_001, 999_999_999] {
                    let since = DateTime::<Utc>::from_timestamp(a, nanos).unwrap();
                    let until = DateTime::<Utc>::from_timestamp(b, 0).unwrap();
                    let w = window(
                        &ExportRequest {
                            since,
                            until,
                            org: None,
                        },
                        now,
                    );
                    assert_eq!(w.is_ok(), since.trunc_subsecs(6) < until, "{since} {until}");
                    if let Ok(w) = w {
                        assert_eq!(w.since.timestamp_subsec_nanos() % 1000, 0);
                    }
                }
            }
        }
        let later = utc("2035-01-01T00:00:00Z");
        let Err(ServiceError::Invalid(f)) = window(
            &ExportRequest {
                since: now,
                until: later,
                org: None,
            },
            now,
        ) else {
            panic!("an until in the future is refused");
        };
        assert_eq!(f.0[0].field, "until");
    }

    #[test]
    fn a_course_period_is_as_precise_as_the_record() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        let mut c = KlCourse {
            id: Uuid::from_u128(1),
            child_id: Uuid::from_u128(2),
            status: CourseStatus::Completed,
            started_on: d("2025-05-14"),
            ended_on: Some(d("2025-11-08")),
            received_at: Some(t("2025-05-14 11:12:05")),
            closed_at: Some(t("2025-11-08 16:36:22")),
            citizen: KlCitizen {
                child_id: Uuid::from_u128(2),
                cpr: "0505149996".into(),
                org_code: "0316".into(),
                sor_code: None,
            },
        };
        let data = course_data(&c, vec![], vec![], vec![]);
        assert_eq!(data.start, Moment::DateTime(t("2025-05-14 11:12:05")));
        assert_eq!(data.end, Some(Moment::DateTime(t("2025-11-08 16:36:22"))));
        // A contact received on another day than the course start, and a course ended by a
        // decision on a later day than its Afslutning: the dates stand.
        c.received_at = Some(t("2025-05-13 23:59:00"));
        c.ended_on = Some(d("2025-11-09"));
        let data = course_data(&c, vec![], vec![], vec![]);
        assert_eq!(data.start, Moment::Date(d("2025-05-14")));
        assert_eq!(data.end, Some(Moment::Date(d("2025-11-09"))));
    }

    #[test]
    fn an_organisation_without_a_sor_code_is_named_and_no_cpr_is_shown() {
        let citizen = KlCitizen {
            child_id: Uuid::from_u128(7),
            cpr: "0505149996".into(),
            org_code: "0316".into(),
            sor_code: None,
        };
        let Err(ServiceError::Invalid(f)) = assemble(vec![], vec![], vec![], vec![], vec![citizen])
        else {
            panic!("refused");
        };
        assert_eq!(f.0[0].field, "sor_code");
        assert!(f.0[0].message_en.contains("0316"));
        assert!(!f.0[0].message_en.contains("0505149996"));
    }
}

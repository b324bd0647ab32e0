//! Courses from first contact to visitation: contacts, encounters, themes, decisions.
//!
//! Every write to a course names the version it was read at; a save in between by someone
//! else is refused as a conflict, so nobody overwrites what they have not seen.

use crate::Work;
use crate::courses::model::*;
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use crate::{Child, Store};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::AuditAction;
use samspor_domain::course::careplan::{CourseStatus, Period, parse_themes};
use samspor_domain::course::contact::{ContactInput, validate_contact};
use samspor_domain::course::encounter::{
    CourseContext, Encounter, EncounterInput, EncounterType, validate_encounter,
};
use samspor_domain::course::kl::Theme;
use samspor_domain::course::support::{
    CriterionRef, LatestResult, RaisedAlert, SignRule, Support, SupportInput, decision_support,
};
use samspor_domain::course::tracks::Track;
use samspor_domain::course::visitation::{DecisionInput, Outcome, TrackOffer, validate_decision};
use samspor_domain::course::waiting::Waiting;
use samspor_domain::instrument::{Catalogue, Respondent, Scored};
use samspor_domain::lawful_basis::DataCategory;
use samspor_domain::organisation::Programme;
use samspor_domain::validation::{FieldError, FieldErrors};
use uuid::Uuid;

/// Danish wall-clock time: encounters are recorded and goals counted in Danish days.
pub fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&chrono_tz::Europe::Copenhagen)
        .naive_local()
}

/// A Danish wall-clock time as an instant: the earlier one when the clock is turned back, an
/// hour on when the time was skipped as the clock is turned forward.
pub fn instant_of_local(t: NaiveDateTime) -> DateTime<Utc> {
    use chrono::TimeZone;
    chrono_tz::Europe::Copenhagen
        .from_local_datetime(&t)
        .earliest()
        .or_else(|| {
            chrono_tz::Europe::Copenhagen
                .from_local_datetime(&(t + chrono::Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| t.and_utc(), |d| d.with_timezone(&Utc))
}

/// A new contact as received from any source.
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub child_id: Uuid,
    pub received_at: Option<NaiveDateTime>,
    pub contact: ContactInput,
    pub themes: Vec<String>,
    pub screening_response_id: Option<Uuid>,
}

/// Everything the course page and `GET /api/v1/courses/{id}` show.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseView {
    pub course: CourseRecord,
    pub child_name: String,
    pub birth_date: NaiveDate,
    pub contact: ContactRecord,
    pub themes: Vec<ThemeRecord>,
    pub encounters: Vec<EncounterRecord>,
    pub decisions: Vec<DecisionRecord>,
    pub referrals: Vec<ReferralRecord>,
    pub psychiatry_referrals: Vec<PsychiatryReferral>,
    pub waiting: Waiting,
    /// Therapist, planned sessions, session log, journal, closing, follow-up, GP messages.
    pub treatment: crate::courses::treatment::TreatmentView,
}

impl CourseView {
    pub fn current_themes(&self) -> Vec<Theme> {
        self.themes
            .iter()
            .filter(|t| t.valid_to.is_none())
            .map(|t| t.theme)
            .collect()
    }
}

/// One line of the worklist.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkItem {
    #[serde(flatten)]
    pub summary: CourseSummary,
    pub waiting: Waiting,
}

/// Filters of the deadline worklist; empty means all.
#[derive(Debug, Clone, Default)]
pub struct WorklistFilter {
    pub status: Option<CourseStatus>,
    pub theme: Option<Theme>,
    /// Only courses with an open goal due on or before this day.
    pub due_by: Option<NaiveDate>,
    /// Only courses still waiting for their visitation decision.
    pub undecided: bool,
}

fn waiting_of(
    received: NaiveDateTime,
    forsamtale: Option<NaiveDateTime>,
    screening: Option<NaiveDateTime>,
    today: NaiveDate,
) -> Waiting {
    Waiting::new(
        received.date(),
        forsamtale.map(|d| d.date()),
        screening.map(|d| d.date()),
        today,
    )
}

/// Loads a course the actor may see, with its child.
pub(crate) async fn load(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    id: Uuid,
    action: Action,
) -> ServiceResult<(CourseRecord, Child)> {
    let course = tx.course(id).await?.ok_or(ServiceError::NotFound)?;
    let child = crate::children::load(tx, ctx, course.child_id, action).await?;
    Ok((course, child))
}

pub(crate) fn conflict_check(course: &CourseRecord, expected: Option<i64>) -> ServiceResult<()> {
    match expected {
        Some(v) if v != course.version => Err(ServiceError::Conflict {
            current: course.version,
        }),
        _ => Ok(()),
    }
}

pub(crate) fn must_be_active(course: &CourseRecord) -> ServiceResult<()> {
    if course.status == CourseStatus::Active {
        return Ok(());
    }
    Err(FieldError::new(
        "course",
        "The course is no longer active; nothing more can be registered on it.",
        "Forløbet er ikke længere aktivt; der kan ikke registreres mere på det.",
    )
    .into())
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid(e.into())
    }
}

/// Saves a changed course (bumping its version, refused if someone saved in between) and
/// audits the change: the last step of every write to a course.
pub(crate) async fn save(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    next: &CourseRecord,
    child_id: Uuid,
    detail: impl Into<String>,
) -> ServiceResult<CourseRecord> {
    let saved = tx
        .save_course(next, Some(ctx.actor.user_id), ctx.now)
        .await?;
    tx.audit(
        ctx.now,
        ctx.event(
            AuditAction::Update,
            "course",
            Some(next.id),
            Some(child_id),
            detail,
        ),
    );
    Ok(saved)
}

/// An encounter held now by the acting member of staff.
pub(crate) fn held_by(ctx: &Ctx, course_id: Uuid, encounter: Encounter) -> EncounterRecord {
    EncounterRecord {
        id: Uuid::now_v7(),
        course_id,
        encounter,
        staff_id: Some(ctx.actor.user_id),
        staff_name: None,
        status: EncounterStatus::Held,
        created_at: ctx.now,
    }
}

/// The course completed on `end`; the domain's period type guards "completed ⇒ end".
pub(crate) fn completed(course: &CourseRecord, end: NaiveDate) -> ServiceResult<CourseRecord> {
    let period = Period::from_stored(course.status, course.started_on, course.ended_on)
        .ok_or_else(|| crate::StoreError::Corrupt("course period".into()))?
        .complete(end)?;
    Ok(CourseRecord {
        status: period.status(),
        ended_on: period.end(),
        ..course.clone()
    })
}

/// Registers a contact: creates the course, its Henvendelse encounter and the referral content.
pub async fn create_contact(
    store: &Store,
    ctx: &Ctx,
    input: &NewContact,
) -> ServiceResult<CourseRecord> {
    store
        .write(async |tx| {
            let child = crate::children::load(tx, ctx, input.child_id, Action::Update).await?;
            let course = open_course(tx, ctx, &child, input, None).await?;
            Ok(course)
        })
        .await
}

/// The shared part of staff contacts and registered self-referrals, inside one transaction.
pub(crate) async fn open_course(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    child: &Child,
    input: &NewContact,
    self_referral_id: Option<Uuid>,
) -> ServiceResult<CourseRecord> {
    let now = local(ctx.now);
    let mut errors = FieldErrors::default();
    let contact = validate_contact(
        &input.contact,
        input.received_at,
        child.data.birth_date(),
        now,
    )
    .map_err(|e| errors.extend(e))
    .ok();
    let themes = if input.themes.iter().all(|t| t.trim().is_empty()) {
        Vec::new()
    } else {
        parse_themes(&input.themes)
            .map_err(|e| errors.extend(e))
            .unwrap_or_default()
    };
    if let Some(id) = input.screening_response_id {
        let belongs = tx
            .responses_of_child(child.id)
            .await?
            .iter()
            .any(|r| r.id == id);
        if !belongs {
            errors.push(FieldError::new(
                "screening_response_id",
                "The attached screening is not one of this child's questionnaires.",
                "Den vedhæftede screening hører ikke til barnets spørgeskemaer.",
            ));
        }
    }
    let (Some(contact), Some(received_at), true) = (contact, input.received_at, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let course = CourseRecord {
        id: Uuid::now_v7(),
        child_id: child.id,
        org_id: child.org_id,
        status: CourseStatus::Active,
        started_on: received_at.date(),
        ended_on: None,
        track: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    tx.insert_course(&course).await?;
    tx.insert_contact(&ContactRecord {
        course_id: course.id,
        received_at,
        contact,
        screening_response_id: input.screening_response_id,
        self_referral_id,
    })
    .await?;
    let henvendelse = Encounter {
        kind: EncounterType::Henvendelse,
        at: received_at,
        treatment: None,
    };
    tx.insert_encounter(
        &held_by(ctx, course.id, henvendelse),
        Some(ctx.actor.user_id),
    )
    .await?;
    if !themes.is_empty() {
        tx.set_themes(course.id, &themes, Some(ctx.actor.user_id), ctx.now)
            .await?;
    }
    tx.audit(
        ctx.now,
        ctx.event(
            AuditAction::Create,
            "course",
            Some(course.id),
            Some(child.id),
            "contact",
        ),
    );
    Ok(course)
}

async fn view(
    tx: &mut Work<'_>,
    course: CourseRecord,
    child: &Child,
    today: NaiveDate,
) -> ServiceResult<CourseView> {
    let contact = tx
        .contact(course.id)
        .await?
        .ok_or_else(|| crate::StoreError::Corrupt("course without its contact".into()))?;
    let encounters = tx.encounters(course.id).await?;
    let first = |kind: EncounterType| {
        encounters
            .iter()
            .filter(|e| e.status == EncounterStatus::Held && e.encounter.kind == kind)
            .map(|e| e.encounter.at)
            .min()
    };
    let waiting = waiting_of(
        contact.received_at,
        first(EncounterType::Forsamtale),
        first(EncounterType::Screening),
        today,
    );
    let treatment = crate::courses::treatment::treatment_view(tx, &course).await?;
    Ok(CourseView {
        treatment,
        themes: tx.themes(course.id).await?,
        decisions: tx.decisions(course.id).await?,
        referrals: tx.referrals(course.id).await?,
        psychiatry_referrals: tx.psychiatry_referrals(course.id).await?,
        child_name: format!("{} {}", child.data.given_name, child.data.family_name),
        birth_date: child.data.birth_date(),
        course,
        contact,
        encounters,
        waiting,
    })
}

/// One course with everything on it; the read is audited.
pub async fn course(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<CourseView> {
    store
        .read(async |tx| {
            let course = tx.course(id).await?.ok_or(ServiceError::NotFound)?;
            let seen = crate::children::load_seen(
                tx,
                ctx,
                course.child_id,
                DataCategory::ContactAndCourse,
                Some(course.id),
            )
            .await?;
            let mut v = view(tx, course, &seen.child, local(ctx.now).date()).await?;
            if seen.grant.is_some() {
                redact(&mut v, &seen);
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "course",
                    Some(id),
                    Some(seen.child.id),
                    "",
                ),
            );
            Ok(v)
        })
        .await
}

/// One of the organisation's own courses, for the pages that work on it (the treatment page):
/// a course shared by another organisation answers as if it did not exist; its recipients read
/// it through [`course`].
pub async fn course_to_work_on(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<CourseView> {
    store
        .read(async |tx| {
            let course = tx.course(id).await?.ok_or(ServiceError::NotFound)?;
            let child = crate::children::load(tx, ctx, course.child_id, Action::Update).await?;
            let v = view(tx, course, &child, local(ctx.now).date()).await?;
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Read, "course", Some(id), Some(child.id), ""),
            );
            Ok(v)
        })
        .await
}

/// Leaves out of a shared course what the recipient's basis does not cover, and what only the
/// owning organisation uses (its staff list).
fn redact(v: &mut CourseView, seen: &crate::children::Seen) {
    let t = &mut v.treatment;
    t.staff.clear();
    if !seen.may(DataCategory::Journal) {
        t.journal.clear();
        t.sessions.clear();
        t.gp_messages.clear();
        t.closing_note = None;
        t.error_reasons.clear();
    }
    if !seen.may(DataCategory::Plan) {
        t.planned.clear();
    }
    if !seen.may(DataCategory::Scores) {
        v.contact.screening_response_id = None;
    }
}

/// The courses of one child (for the child page).
pub async fn courses_of_child(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
) -> ServiceResult<Vec<CourseRecord>> {
    store
        .read(async |tx| {
            let seen =
                crate::children::load_seen(tx, ctx, child_id, DataCategory::ContactAndCourse, None)
                    .await?;
            let mut courses = tx.courses_of_child(child_id).await?;
            if let Some(grant) = &seen.grant {
                courses.retain(|c| grant.courses.contains(&c.id));
            }
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Read, "course", None, Some(child_id), "list"),
            );
            Ok(courses)
        })
        .await
}

/// Adds an encounter other than an Afslutning (which needs its reason: see
/// [`add_encounter_with`]).
pub async fn add_encounter(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    input: &EncounterInput,
) -> ServiceResult<(CourseRecord, EncounterRecord)> {
    add_encounter_with(store, ctx, course_id, expected_version, input, None, &[]).await
}

/// Adds an encounter. An Afslutning closes the course by the same rule as the closing form:
/// it needs a closing reason, refuses while planned sessions are open, completes the course,
/// schedules the follow-up talk (months from `tracks`, else 3) and writes the GP's end
/// message. The first Behandling makes its recorder the responsible therapist and writes the
/// GP's start message.
pub async fn add_encounter_with(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    input: &EncounterInput,
    closing: Option<&samspor_domain::course::closing::ClosingInput>,
    tracks: &[Track],
) -> ServiceResult<(CourseRecord, EncounterRecord)> {
    store
        .write(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
            conflict_check(&course, expected_version)?;
            must_be_active(&course)?;
            if input.kind == EncounterType::Afslutning {
                let request = crate::courses::treatment::CloseRequest {
                    closing_talk_at: None,
                    at: Some(input.at),
                    closing: closing.cloned().unwrap_or_default(),
                };
                let (next, closed) =
                    crate::courses::treatment::close_in(tx, ctx, &course, &child, &request, tracks)
                        .await?;
                let saved = save(tx, ctx, &next, child.id, "encounter afslutning").await?;
                return Ok((saved, closed.afslutning));
            }
            let existing: Vec<_> = tx
                .encounters(course_id)
                .await?
                .into_iter()
                .filter(|e| e.status == EncounterStatus::Held)
                .map(|e| e.encounter)
                .collect();
            let encounter = validate_encounter(
                input,
                &CourseContext {
                    birth_date: child.data.birth_date(),
                    existing: &existing,
                    now: local(ctx.now),
                },
            )?;
            let record = held_by(ctx, course_id, encounter);
            tx.insert_encounter(&record, Some(ctx.actor.user_id))
                .await?;
            if encounter.kind == EncounterType::Behandling {
                crate::courses::treatment::treatment_recorded(tx, ctx, &course).await?;
            }
            // Saving bumps the version even when only an encounter was added: the course changed.
            let saved = save(
                tx,
                ctx,
                &course,
                child.id,
                format!("encounter {}", encounter.kind.as_str()),
            )
            .await?;
            Ok((saved, record))
        })
        .await
}

/// Replaces the course's themes; the earlier ones stay in the history.
pub async fn set_themes(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    themes: &[String],
) -> ServiceResult<CourseRecord> {
    let themes = parse_themes(themes)?;
    store
        .write(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
            conflict_check(&course, expected_version)?;
            must_be_active(&course)?;
            tx.set_themes(course_id, &themes, Some(ctx.actor.user_id), ctx.now)
                .await?;
            let saved = save(tx, ctx, &course, child.id, "themes").await?;
            Ok(saved)
        })
        .await
}

/// Marks a course registered by mistake; it stays on record with that status.
pub async fn mark_entered_in_error(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
) -> ServiceResult<CourseRecord> {
    store
        .write(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
            conflict_check(&course, expected_version)?;
            let next = CourseRecord {
                status: CourseStatus::EnteredInError,
                ..course.clone()
            };
            let saved = save(tx, ctx, &next, child.id, "entered-in-error").await?;
            Ok(saved)
        })
        .await
}

/// The tracks the course's municipality offers, from the participation data.
pub(crate) async fn offered_tracks(
    tx: &mut Work<'_>,
    org_id: Uuid,
) -> ServiceResult<Vec<Programme>> {
    let org = tx
        .organisation(org_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let Some(code) = org.municipality_code else {
        return Ok(Vec::new());
    };
    Ok(tx
        .participation(Some(&code))
        .await?
        .into_iter()
        .map(|p| p.programme)
        .filter(|p| *p != Programme::Kit)
        .collect())
}

/// A visitation decision as submitted, with the meeting it was taken at.
#[derive(Debug, Clone, Default)]
pub struct NewDecision {
    pub input: DecisionInput,
    pub meeting_id: Option<Uuid>,
    pub expected_version: Option<i64>,
    /// Checklist criteria staff found to apply to the child.
    pub ticked: Vec<CriterionRef>,
}

/// The rules decisions are checked against: tracks, psychiatry signs, instruments.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub tracks: &'a [Track],
    pub signs: &'a [SignRule],
    pub catalogue: &'a Catalogue,
}

/// Gathers what decision support looks at for one child, inside the caller's transaction.
async fn support_for(
    tx: &mut Work<'_>,
    child: &Child,
    offered: &[Programme],
    rules: Rules<'_>,
    ticked: &[CriterionRef],
    today: NaiveDate,
) -> ServiceResult<Support> {
    let responses = tx.responses_of_child(child.id).await?;
    // Responses come oldest first, so the last one per instrument is the latest.
    let mut latest: std::collections::BTreeMap<String, LatestResult> = Default::default();
    for r in &responses {
        let (Ok(scored), Some(respondent)) = (
            serde_json::from_value::<Scored>(r.scores.clone()),
            Respondent::parse(&r.respondent),
        ) else {
            continue;
        };
        latest.insert(
            r.instrument_id.clone(),
            LatestResult {
                instrument: r.instrument_id.clone(),
                respondent,
                scored,
            },
        );
    }
    let results: Vec<LatestResult> = latest.into_values().collect();
    let alerts: Vec<RaisedAlert> = tx
        .open_alerts(child.org_id)
        .await?
        .into_iter()
        .filter(|a| a.child_id == child.id)
        .map(|a| RaisedAlert {
            code: a.code,
            message_en: a.message_en,
            message_da: a.message_da,
        })
        .collect();
    Ok(decision_support(&SupportInput {
        age: child.data.cpr.age_on(today),
        results: &results,
        alerts: &alerts,
        ticked,
        tracks: rules.tracks,
        offered,
        signs: rules.signs,
        catalogue: rules.catalogue,
    }))
}

/// Decision support for a course: the tracks the scores point to, checklists, signs.
pub async fn support(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    rules: Rules<'_>,
    ticked: &[CriterionRef],
) -> ServiceResult<Support> {
    store
        .read(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Read).await?;
            let offered = offered_tracks(tx, course.org_id).await?;
            let support =
                support_for(tx, &child, &offered, rules, ticked, local(ctx.now).date()).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "course",
                    Some(course_id),
                    Some(child.id),
                    "decision support",
                ),
            );
            Ok(support)
        })
        .await
}

/// What the decision produced.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Decided {
    pub course: CourseRecord,
    pub decision: DecisionRecord,
    pub referral: Option<ReferralRecord>,
    pub psychiatry_referral: Option<PsychiatryReferral>,
}

/// Records a visitation decision. Anything but a track names a way and is recorded as a KL
/// Referral; a psychiatry decision also writes the outgoing referral; a decision that starts
/// no track closes the course with an Afslutning, since the municipality's part ends there.
pub async fn decide(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    new: &NewDecision,
    rules: Rules<'_>,
) -> ServiceResult<Decided> {
    store
        .write(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
            conflict_check(&course, new.expected_version)?;
            must_be_active(&course)?;
            if course.track.is_some() {
                return Err(FieldError::new(
                    "outcome",
                    "The course has already started a track.",
                    "Forløbet er allerede startet i et spor.",
                )
                .into());
            }
            if let Some(meeting_id) = new.meeting_id {
                let meeting = tx.meeting(meeting_id).await?;
                if meeting.is_none_or(|m| m.org_id != course.org_id) {
                    return Err(FieldError::new(
                        "meeting_id",
                        "No such visitation meeting in this organisation.",
                        "Visitationsmødet findes ikke i denne organisation.",
                    )
                    .into());
                }
            }
            let offered = offered_tracks(tx, course.org_id).await?;
            let today = local(ctx.now).date();
            // Signs are worked out here from the stored data, never taken from the caller.
            let support = support_for(tx, &child, &offered, rules, &new.ticked, today).await?;
            let decision = validate_decision(
                &new.input,
                &TrackOffer {
                    offered: &offered,
                    age: child.data.cpr.age_on(today),
                    tracks: rules.tracks,
                    signs: &support.signs,
                },
            )?;
            let record = DecisionRecord {
                id: Uuid::now_v7(),
                course_id,
                meeting_id: new.meeting_id,
                outcome: decision.outcome(),
                track: decision.track(),
                way: decision.way().cloned(),
                reason_despite_signs: decision.reason_despite_signs().map(str::to_string),
                decided_at: ctx.now,
                decided_by: ctx.actor.user_id,
                decided_by_name: None,
            };
            tx.insert_decision(&record).await?;
            let referral = match decision.way() {
                Some(way) => {
                    let r = ReferralRecord {
                        id: Uuid::now_v7(),
                        course_id,
                        decision_id: Some(record.id),
                        destination: way.destination,
                        note: way.note.clone(),
                        at: ctx.now,
                        created_by: ctx.actor.user_id,
                        recorded_at: ctx.now,
                    };
                    tx.insert_referral(&r).await?;
                    Some(r)
                }
                None => None,
            };
            let psychiatry_referral = if decision.outcome() == Outcome::Psychiatry {
                let contact = tx.contact(course_id).await?;
                let responses = tx.responses_of_child(child.id).await?;
                let r = PsychiatryReferral {
                    id: Uuid::now_v7(),
                    course_id,
                    decision_id: record.id,
                    content: psychiatry_referral_content(
                        &child,
                        contact.as_ref(),
                        &responses,
                        &record,
                    ),
                    status: "to_be_sent".into(),
                    created_at: ctx.now,
                    created_by: ctx.actor.user_id,
                };
                tx.insert_psychiatry_referral(&r).await?;
                Some(r)
            } else {
                None
            };

            let mut next = course.clone();
            next.track = decision.track();
            if let Some(track) = decision.track() {
                crate::courses::treatment::plan_sessions(tx, course_id, track, rules.tracks)
                    .await?;
            }
            if decision.track().is_none() {
                let existing = tx.encounters(course_id).await?;
                let now = local(ctx.now);
                // Closing at the decision moment, but never before an encounter already recorded.
                let at = existing
                    .iter()
                    .map(|e| e.encounter.at)
                    .max()
                    .map_or(now, |last| last.max(now));
                let closing = Encounter {
                    kind: EncounterType::Afslutning,
                    at,
                    treatment: None,
                };
                tx.insert_encounter(&held_by(ctx, course_id, closing), Some(ctx.actor.user_id))
                    .await?;
                next = completed(&next, at.date())?;
            }
            let saved = save(
                tx,
                ctx,
                &next,
                child.id,
                format!("decision {}", record.outcome.as_str()),
            )
            .await?;
            Ok(Decided {
                course: saved,
                decision: record,
                referral,
                psychiatry_referral,
            })
        })
        .await
}

/// The standard content of a referral to child psychiatry, as far as the course knows it.
fn psychiatry_referral_content(
    child: &Child,
    contact: Option<&ContactRecord>,
    responses: &[crate::ResponseRecord],
    decision: &DecisionRecord,
) -> serde_json::Value {
    serde_json::json!({
        "child_id": child.id,
        "reason": contact.map(|c| c.contact.reason.as_str()),
        "duration": contact.and_then(|c| c.contact.duration.as_deref()),
        "tried": contact.and_then(|c| c.contact.tried.as_deref()),
        "consent": contact.map(|c| c.contact.consent.as_str()),
        "screening": responses.iter().map(|r| serde_json::json!({
            "response_id": r.id,
            "instrument": r.instrument_id,
            "respondent": r.respondent,
            "answered_at": r.answered_at,
            "scores": r.scores,
        })).collect::<Vec<_>>(),
        "note": decision.way.as_ref().map(|w| w.note.as_str()),
        "reason_despite_signs": decision.reason_despite_signs,
    })
}

/// The deadline worklist of the actor's organisation, nearest open deadline first.
pub async fn worklist(
    store: &Store,
    ctx: &Ctx,
    filter: &WorklistFilter,
) -> ServiceResult<Vec<WorkItem>> {
    check(authorize(
        &ctx.actor,
        Action::Search,
        Resource::ChildRegister,
    ))?;
    let today = local(ctx.now).date();
    store
        .read(async |tx| {
            let summaries = tx.courses_of_org(ctx.actor.org_id, filter.status).await?;
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Search, "course", None, None, "worklist"),
            );
            let mut items: Vec<WorkItem> = summaries
                .into_iter()
                .map(|s| {
                    let waiting = waiting_of(s.received_at, s.forsamtale, s.screening, today);
                    WorkItem {
                        summary: s,
                        waiting,
                    }
                })
                .filter(|i| filter.status.is_none_or(|s| i.summary.course.status == s))
                .filter(|i| filter.theme.is_none_or(|t| i.summary.themes.contains(&t)))
                .filter(|i| !filter.undecided || !i.summary.decided)
                .filter(|i| {
                    filter
                        .due_by
                        .is_none_or(|d| i.waiting.next_open_due().is_some_and(|due| due <= d))
                })
                .collect();
            items.sort_by_key(|i| {
                (
                    i.waiting.next_open_due().unwrap_or(NaiveDate::MAX),
                    i.summary.received_at,
                )
            });
            Ok(items)
        })
        .await
}

/// Opens a visitation meeting in the actor's organisation.
pub async fn create_meeting(
    store: &Store,
    ctx: &Ctx,
    held_on: Option<NaiveDate>,
    participants: Option<&str>,
) -> ServiceResult<Meeting> {
    check(authorize(
        &ctx.actor,
        Action::Create,
        Resource::ChildRegister,
    ))?;
    let mut errors = FieldErrors::default();
    if held_on.is_none() {
        errors.push(FieldError::required("held_on"));
    }
    let participants =
        samspor_domain::validation::required_text(&mut errors, "participants", participants, 1000);
    let Some(held_on) = held_on.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let meeting = Meeting {
        id: Uuid::now_v7(),
        org_id: ctx.actor.org_id,
        held_on,
        participants,
        created_at: ctx.now,
        created_by: ctx.actor.user_id,
    };
    store
        .write(async |tx| {
            tx.insert_meeting(&meeting).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "visitation_meeting",
                    Some(meeting.id),
                    None,
                    "",
                ),
            );
            Ok(meeting)
        })
        .await
}

/// A meeting with the decisions taken at it.
pub async fn meeting(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
) -> ServiceResult<(Meeting, Vec<DecisionRecord>)> {
    check(authorize(&ctx.actor, Action::Read, Resource::ChildRegister))?;
    store
        .read(async |tx| {
            let meeting = tx
                .meeting(id)
                .await?
                .filter(|m| m.org_id == ctx.actor.org_id)
                .ok_or(ServiceError::NotFound)?;
            let decisions = tx.decisions_of_meeting(id).await?;
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Read, "visitation_meeting", Some(id), None, ""),
            );
            Ok((meeting, decisions))
        })
        .await
}

pub async fn meetings(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<Meeting>> {
    check(authorize(&ctx.actor, Action::Read, Resource::ChildRegister))?;
    store
        .read(async |tx| {
            let meetings = tx.meetings_of_org(ctx.actor.org_id).await?;
            Ok(meetings)
        })
        .await
}

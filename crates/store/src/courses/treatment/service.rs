//! Treatment in a STIME track: the planned sessions, the session log, the append-only journal,
//! corrections, closing with the follow-up talk, the information messages to the GP, and the
//! therapist's front page.
//!
//! Every write names the course version it was read at and ends in `save`, so the
//! course's version and `updated_at` move with anything the KL report of the course shows.

use crate::Work;
use crate::courses::model::*;
use crate::courses::treatment::model::*;
use crate::courses::{completed, conflict_check, held_by, load, local, must_be_active, save};
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use crate::{Child, Store};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::AuditAction;
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::closing::{
    Attendee, ClosingInput, ClosingReason, FOLLOW_UP_NOTICE_DAYS, MAX_TEXT, OpenSession,
    check_attendance, follow_up_due, moved_within, parse_attendance, validate_closing,
};
use samspor_domain::course::encounter::{
    CourseContext, Delivery, Encounter, EncounterInput, EncounterType, Participants,
    validate_encounter,
};
use samspor_domain::course::kl::ReferralDestination;
use samspor_domain::course::tracks::{Track, find};
use samspor_domain::organisation::Programme;
use samspor_domain::validation::{FieldError, FieldErrors, optional_text, required_text};
use uuid::Uuid;

/// Months to the follow-up talk when the track does not say.
pub const DEFAULT_FOLLOW_UP_MONTHS: u32 = 3;

/// The treatment part of the course page and `GET /api/v1/courses/{id}`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TreatmentView {
    pub therapist_id: Option<Uuid>,
    pub therapist_name: Option<String>,
    pub closing_reason: Option<ClosingReason>,
    pub closing_note: Option<String>,
    pub planned: Vec<PlannedSessionRecord>,
    pub sessions: Vec<SessionDetail>,
    pub journal: Vec<JournalEntry>,
    pub follow_up: Option<FollowUpRecord>,
    pub gp_messages: Vec<GpMessage>,
    /// Why encounters were marked entered in error, by encounter id.
    pub error_reasons: Vec<(Uuid, String)>,
    /// Staff of the course's organisation who may be its responsible therapist.
    pub staff: Vec<(Uuid, String)>,
}

impl TreatmentView {
    /// The journal entry that corrects `id` most recently, if any.
    pub fn correction_of(&self, id: Uuid) -> Option<&JournalEntry> {
        self.journal
            .iter()
            .rev()
            .find(|e| e.corrects_id == Some(id))
    }

    pub fn detail_of(&self, encounter_id: Uuid) -> Option<&SessionDetail> {
        self.sessions
            .iter()
            .find(|d| d.encounter_id == encounter_id)
    }

    pub fn error_reason(&self, encounter_id: Uuid) -> Option<&str> {
        self.error_reasons
            .iter()
            .find(|(id, _)| *id == encounter_id)
            .map(|(_, r)| r.as_str())
    }

    /// The outcome summary the therapist gave at closing (it travels in the end message).
    pub fn summary(&self) -> Option<&str> {
        self.gp_messages
            .iter()
            .find(|m| m.kind == GpMessageKind::End)
            .and_then(|m| m.content.get("summary"))
            .and_then(|s| s.as_str())
    }
}

/// Reads the treatment part of a course inside the caller's (audited) transaction.
pub(crate) async fn treatment_view(
    tx: &mut Work<'_>,
    course: &CourseRecord,
) -> ServiceResult<TreatmentView> {
    let t = tx.course_treatment(course.id).await?;
    let staff = tx
        .users_of_org(course.org_id)
        .await?
        .into_iter()
        .filter(|u| u.active && u.role.works_with_children())
        .map(|u| (u.id, u.name))
        .collect();
    Ok(TreatmentView {
        therapist_id: t.therapist_id,
        therapist_name: t.therapist_name,
        closing_reason: t.closing_reason,
        closing_note: t.closing_note,
        planned: tx.planned_sessions(course.id).await?,
        sessions: tx.session_details(course.id).await?,
        journal: tx.journal(course.id).await?,
        follow_up: tx.follow_up(course.id).await?,
        gp_messages: tx.gp_messages(course.id).await?,
        error_reasons: tx.encounter_error_reasons(course.id).await?,
        staff,
    })
}

/// Creates the course's planned sessions from the track plan, when it is decided onto a track.
pub(crate) async fn plan_sessions(
    tx: &mut Work<'_>,
    course_id: Uuid,
    track: Programme,
    tracks: &[Track],
) -> ServiceResult<()> {
    let Some(track) = find(tracks, track) else {
        return Ok(());
    };
    for s in &track.plan.sessions {
        tx.insert_planned_session(&PlannedSessionRecord {
            id: Uuid::now_v7(),
            course_id,
            number: s.number,
            title_da: s.title_da.clone(),
            title_en: s.title_en.clone(),
            participants: s.participants,
            status: PlannedStatus::Planned,
            planned_at: None,
            encounter_id: None,
            cancel_reason: None,
        })
        .await?;
    }
    Ok(())
}

async fn consent_of(
    tx: &mut Work<'_>,
    course_id: Uuid,
) -> ServiceResult<samspor_domain::course::contact::Consent> {
    Ok(tx
        .contact(course_id)
        .await?
        .map(|c| c.contact.consent)
        .unwrap_or(samspor_domain::course::contact::Consent::Unknown))
}

fn held_behandlinger(encounters: &[EncounterRecord]) -> impl Iterator<Item = &EncounterRecord> {
    encounters.iter().filter(|e| {
        e.status == EncounterStatus::Held && e.encounter.kind == EncounterType::Behandling
    })
}

/// When a Behandling has been recorded on the course: the first one makes its recorder the
/// responsible therapist (unless one is set) and writes the GP's start message, in the caller's
/// transaction. Group sessions recorded elsewhere call this too.
pub(crate) async fn treatment_recorded(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    course: &CourseRecord,
) -> ServiceResult<()> {
    let t = tx.course_treatment(course.id).await?;
    if t.therapist_id.is_none() {
        tx.set_course_therapist(course.id, Some(ctx.actor.user_id))
            .await?;
    }
    let messages = tx.gp_messages(course.id).await?;
    if messages.iter().any(|m| m.kind == GpMessageKind::Start) {
        return Ok(());
    }
    let encounters = tx.encounters(course.id).await?;
    let first = held_behandlinger(&encounters).map(|e| e.encounter.at).min();
    let planned = tx.planned_sessions(course.id).await?;
    let content = serde_json::json!({
        "child_id": course.child_id,
        "track": course.track.map(|t| t.as_str()),
        "course_start": course.started_on,
        "treatment_start": first.map(|d| d.date()),
        // Counted as every page counts them: sessions not cancelled.
        "sessions_planned": planned.iter().filter(|p| p.status != PlannedStatus::Cancelled).count(),
    });
    let consent = consent_of(tx, course.id).await?;
    let message = GpMessage {
        id: Uuid::now_v7(),
        course_id: course.id,
        kind: GpMessageKind::Start,
        content,
        consent,
        status: "to_be_sent".into(),
        created_at: ctx.now,
        created_by: ctx.actor.user_id,
    };
    tx.insert_gp_message(&message).await?;
    crate::medcom::queue_gp_message(tx, ctx, course, &message).await?;
    Ok(())
}

/// A closing as asked for: the closing talk (if held now), the Afslutning and why.
#[derive(Debug, Clone, Default)]
pub struct CloseRequest {
    /// When the Afsluttende samtale was held, if it is recorded with the closing.
    pub closing_talk_at: Option<NaiveDateTime>,
    /// When the course was closed (the Afslutning).
    pub at: Option<NaiveDateTime>,
    pub closing: ClosingInput,
}

/// What a closing wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Closed {
    pub course: CourseRecord,
    pub afslutning: EncounterRecord,
    pub closing_talk: Option<EncounterRecord>,
    pub follow_up: Option<FollowUpRecord>,
    /// The GP's end message, for a course in a track (one that never started a track had no
    /// treatment to tell the GP about).
    pub gp_message: Option<GpMessage>,
}

/// Closes a course inside the caller's transaction: the closing talk if given, the Afslutning,
/// the reason, the follow-up talk (for a course in a track) and the GP's end message. Planned
/// sessions still open refuse the closing, naming them. Returns the course to save.
pub(crate) async fn close_in(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    course: &CourseRecord,
    child: &Child,
    req: &CloseRequest,
    tracks: &[Track],
) -> ServiceResult<(CourseRecord, Closed)> {
    must_be_active(course)?;
    let planned = tx.planned_sessions(course.id).await?;
    let open: Vec<OpenSession> = planned
        .iter()
        .filter(|p| p.status == PlannedStatus::Planned)
        .map(|p| OpenSession {
            number: p.number,
            title_da: p.title_da.clone(),
            title_en: p.title_en.clone(),
        })
        .collect();
    let mut errors = FieldErrors::default();
    let closing = validate_closing(&req.closing, &open)
        .map_err(|e| errors.extend(e))
        .ok();
    let encounters = tx.encounters(course.id).await?;
    let mut existing: Vec<Encounter> = encounters
        .iter()
        .filter(|e| e.status == EncounterStatus::Held)
        .map(|e| e.encounter)
        .collect();
    let now = local(ctx.now);
    let birth_date = child.data.birth_date();
    let talk = match req.closing_talk_at {
        None => None,
        Some(at) => validate_encounter(
            &EncounterInput {
                kind: EncounterType::AfsluttendeSamtale,
                at,
                delivery: None,
                participants: None,
            },
            &CourseContext {
                birth_date,
                existing: &existing,
                now,
            },
        )
        .map_err(|e| errors.extend(renamed(e, "at", "closing_talk_at")))
        .ok(),
    };
    if let Some(t) = talk {
        existing.push(t);
    }
    let afslutning = match req.at {
        None => {
            errors.push(FieldError::required("at"));
            None
        }
        Some(at) => validate_encounter(
            &EncounterInput {
                kind: EncounterType::Afslutning,
                at,
                delivery: None,
                participants: None,
            },
            &CourseContext {
                birth_date,
                existing: &existing,
                now,
            },
        )
        .map_err(|e| errors.extend(e))
        .ok(),
    };
    if let Some(to) = closing.as_ref().and_then(|c| c.moved_to) {
        let home = tx.organisation(course.org_id).await?;
        if let Some(e) = moved_within(to, home.and_then(|o| o.municipality_code).as_deref()) {
            errors.push(e);
        }
    }
    let (Some(closing), Some(afslutning), true) = (closing, afslutning, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };

    let closing_talk = match talk {
        Some(t) => {
            let r = held_by(ctx, course.id, t);
            tx.insert_encounter(&r, Some(ctx.actor.user_id)).await?;
            Some(r)
        }
        None => None,
    };
    let record = held_by(ctx, course.id, afslutning);
    tx.insert_encounter(&record, Some(ctx.actor.user_id))
        .await?;
    tx.set_course_closing(course.id, closing.reason, closing.note.as_deref())
        .await?;
    if let Some(to) = closing.moved_to {
        tx.insert_referral(&moved_referral(ctx, course.id, to, afslutning.at))
            .await?;
    }
    let treatment = tx.course_treatment(course.id).await?;
    if treatment.therapist_id.is_none() && course.track.is_some() {
        tx.set_course_therapist(course.id, Some(ctx.actor.user_id))
            .await?;
    }
    let next = completed(course, afslutning.at.date())?;
    let end = afslutning.at.date();
    let follow_up = match course.track {
        Some(track) => {
            let months = find(tracks, track)
                .map(|t| t.plan.follow_up.months_after_end)
                .unwrap_or(DEFAULT_FOLLOW_UP_MONTHS);
            let f = FollowUpRecord {
                id: Uuid::now_v7(),
                course_id: course.id,
                due_on: follow_up_due(end, months),
                held_at: None,
                note: None,
                created_at: ctx.now,
            };
            tx.insert_follow_up(&f).await?;
            Some(f)
        }
        None => None,
    };
    let held = held_behandlinger(&encounters).count();
    let first = held_behandlinger(&encounters).map(|e| e.encounter.at).min();
    let cancelled = planned
        .iter()
        .filter(|p| p.status == PlannedStatus::Cancelled)
        .count();
    let consent = consent_of(tx, course.id).await?;
    let gp_message = GpMessage {
        id: Uuid::now_v7(),
        course_id: course.id,
        kind: GpMessageKind::End,
        content: serde_json::json!({
            "child_id": course.child_id,
            "track": course.track.map(|t| t.as_str()),
            "course_start": course.started_on,
            "treatment_start": first.map(|d| d.date()),
            "end": end,
            "closing_reason": closing.reason.as_str(),
            "sessions_held": held,
            // Held of those not cancelled, as every page counts them; the cancelled apart.
            "sessions_planned": planned.len() - cancelled,
            "sessions_cancelled": cancelled,
            "summary": closing.summary,
            "follow_up_due": follow_up.as_ref().map(|f| f.due_on),
        }),
        consent,
        status: "to_be_sent".into(),
        created_at: ctx.now,
        created_by: ctx.actor.user_id,
    };
    let gp_message = if course.track.is_some() {
        tx.insert_gp_message(&gp_message).await?;
        crate::medcom::queue_gp_message(tx, ctx, course, &gp_message).await?;
        Some(gp_message)
    } else {
        None
    };
    Ok((
        next.clone(),
        Closed {
            course: next,
            afslutning: record,
            closing_talk,
            follow_up,
            gp_message,
        },
    ))
}

/// The KL referral of a move, at the Afslutning. The new municipality opens its own course,
/// and sees this one only if a lawful basis lets it be shared.
fn moved_referral(
    ctx: &Ctx,
    course_id: Uuid,
    to: samspor_domain::geo::MunicipalityCode,
    at: NaiveDateTime,
) -> ReferralRecord {
    ReferralRecord {
        id: Uuid::now_v7(),
        course_id,
        decision_id: None,
        destination: ReferralDestination::OtherMunicipality,
        note: format!("Fraflyttet til {} kommune ({})", to.name(), to.as_str()),
        at: crate::courses::instant_of_local(at),
        created_by: ctx.actor.user_id,
        recorded_at: ctx.now,
    }
}

/// The same errors under another field name (one encounter rule checked for a second time).
fn renamed(errors: FieldErrors, from: &str, to: &str) -> FieldErrors {
    FieldErrors(
        errors
            .0
            .into_iter()
            .map(|mut e| {
                if e.field == from {
                    e.field = to.to_string();
                }
                e
            })
            .collect(),
    )
}

/// Closes the course: the closing talk if given, the Afslutning with its reason, the
/// follow-up talk scheduled and the GP informed.
pub async fn close(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    req: &CloseRequest,
    tracks: &[Track],
) -> ServiceResult<Closed> {
    store
        .write(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
            conflict_check(&course, expected_version)?;
            let (next, mut closed) = close_in(tx, ctx, &course, &child, req, tracks).await?;
            closed.course = save(tx, ctx, &next, child.id, "closing").await?;
            Ok(closed)
        })
        .await
}

/// A treatment session as submitted.
#[derive(Debug, Clone, Default)]
pub struct SessionInput {
    pub at: Option<NaiveDateTime>,
    pub delivery: Option<Delivery>,
    pub participants: Option<Participants>,
    /// The number of the planned session it delivers, if any.
    pub planned_number: Option<u32>,
    /// The module delivered; defaults to the planned session's title.
    pub module: Option<String>,
    pub attendance: Vec<String>,
    /// The journal note of the session.
    pub note: Option<String>,
}

/// What recording a session wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionRecorded {
    pub course: CourseRecord,
    pub encounter: EncounterRecord,
    pub detail: SessionDetail,
    pub journal_entry: Option<JournalEntry>,
}

/// Records a treatment session: a KL Behandling with what it delivered, who took part and the
/// journal note. A session after the closing, in the future or before the contact is refused.
pub async fn record_session(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    input: &SessionInput,
) -> ServiceResult<SessionRecorded> {
    store
        .write(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
            conflict_check(&course, expected_version)?;
            must_be_active(&course)?;
            let mut errors = FieldErrors::default();
            let existing: Vec<Encounter> = tx
                .encounters(course_id)
                .await?
                .into_iter()
                .filter(|e| e.status == EncounterStatus::Held)
                .map(|e| e.encounter)
                .collect();
            let encounter = match input.at {
                None => {
                    errors.push(FieldError::required("at"));
                    None
                }
                Some(at) => validate_encounter(
                    &EncounterInput {
                        kind: EncounterType::Behandling,
                        at,
                        delivery: input.delivery,
                        participants: input.participants,
                    },
                    &CourseContext {
                        birth_date: child.data.birth_date(),
                        existing: &existing,
                        now: local(ctx.now),
                    },
                )
                .map_err(|e| errors.extend(e))
                .ok(),
            };
            let planned = tx.planned_sessions(course_id).await?;
            let session = match input.planned_number {
                None => None,
                Some(n) => match planned.iter().find(|p| p.number == n) {
                    None => {
                        errors.push(FieldError::new(
                            "planned_session",
                            "The course has no planned session with that number.",
                            "Forløbet har ingen planlagt session med det nummer.",
                        ));
                        None
                    }
                    Some(p) if p.status != PlannedStatus::Planned => {
                        errors.push(FieldError::new(
                            "planned_session",
                            "That planned session has already been held or cancelled.",
                            "Den planlagte session er allerede holdt eller aflyst.",
                        ));
                        None
                    }
                    Some(p) => Some(p.clone()),
                },
            };
            let module = match (&session, input.module.as_deref().map(str::trim)) {
                (_, Some(m)) if !m.is_empty() => required_text(&mut errors, "module", Some(m), 500),
                (Some(p), _) => p.title_da.clone(),
                (None, _) => required_text(&mut errors, "module", None, 500),
            };
            let attendance: Vec<Attendee> = parse_attendance(&input.attendance)
                .map_err(|e| errors.push(e))
                .unwrap_or_default();
            if let (Some(p), false) = (input.participants, attendance.is_empty())
                && let Some(e) = check_attendance(p, &attendance)
            {
                errors.push(e);
            }
            let note = optional_text(&mut errors, "note", input.note.as_deref(), MAX_TEXT);
            let (Some(encounter), true) = (encounter, errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };

            let record = held_by(ctx, course_id, encounter);
            tx.insert_encounter(&record, Some(ctx.actor.user_id))
                .await?;
            let detail = SessionDetail {
                encounter_id: record.id,
                course_id,
                planned_session_id: session.as_ref().map(|p| p.id),
                module,
                attendance,
            };
            tx.insert_session_detail(&detail).await?;
            if let Some(p) = session {
                tx.update_planned_session(&PlannedSessionRecord {
                    status: PlannedStatus::Held,
                    encounter_id: Some(record.id),
                    planned_at: p.planned_at.or(Some(encounter.at)),
                    ..p
                })
                .await?;
            }
            let journal_entry = match note {
                Some(text) => {
                    let e = JournalEntry {
                        id: Uuid::now_v7(),
                        course_id,
                        encounter_id: Some(record.id),
                        text,
                        corrects_id: None,
                        written_at: ctx.now,
                        written_by: ctx.actor.user_id,
                        written_by_name: None,
                    };
                    tx.insert_journal_entry(&e).await?;
                    Some(e)
                }
                None => None,
            };
            treatment_recorded(tx, ctx, &course).await?;
            let saved = save(tx, ctx, &course, child.id, "session").await?;
            Ok(SessionRecorded {
                course: saved,
                encounter: record,
                detail,
                journal_entry,
            })
        })
        .await
}

/// Loads a course for a treatment change that is still allowed after closing (journal,
/// corrections, follow-up), but never on a course registered by mistake.
async fn load_for_record(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
) -> ServiceResult<(CourseRecord, Child)> {
    let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
    conflict_check(&course, expected_version)?;
    if course.status == CourseStatus::EnteredInError {
        return Err(FieldError::new(
            "course",
            "The course was registered by mistake; nothing more can be recorded on it.",
            "Forløbet er fejlregistreret; der kan ikke registreres mere på det.",
        )
        .into());
    }
    Ok((course, child))
}

/// Writes a journal entry, or a correction of an earlier entry of the same course. Entries
/// are never changed: a correction is a new entry pointing to the one it corrects.
pub async fn add_journal_entry(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    text: Option<&str>,
    corrects: Option<Uuid>,
) -> ServiceResult<(CourseRecord, JournalEntry)> {
    store
        .write(async |tx| {
            let (course, child) = load_for_record(tx, ctx, course_id, expected_version).await?;
            let mut errors = FieldErrors::default();
            let text = required_text(&mut errors, "text", text, MAX_TEXT);
            if let Some(id) = corrects {
                let same_course = tx
                    .journal_entry(id)
                    .await?
                    .is_some_and(|e| e.course_id == course_id);
                if !same_course {
                    errors.push(FieldError::new(
                        "corrects_id",
                        "The entry to correct is not in this course's journal.",
                        "Notatet, der skal rettes, findes ikke i dette forløbs journal.",
                    ));
                }
            }
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            let entry = JournalEntry {
                id: Uuid::now_v7(),
                course_id,
                encounter_id: None,
                text,
                corrects_id: corrects,
                written_at: ctx.now,
                written_by: ctx.actor.user_id,
                written_by_name: None,
            };
            tx.insert_journal_entry(&entry).await?;
            // The detail names the kind of entry, never its text.
            let detail = if corrects.is_some() {
                "journal correction"
            } else {
                "journal entry"
            };
            let saved = save(tx, ctx, &course, child.id, detail).await?;
            Ok((saved, entry))
        })
        .await
}

/// Sets (or clears) the responsible therapist: someone of the course's organisation who works
/// with children.
pub async fn set_therapist(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    therapist: Option<Uuid>,
) -> ServiceResult<CourseRecord> {
    store.write(async |tx| {
        let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
        conflict_check(&course, expected_version)?;
        must_be_active(&course)?;
        if let Some(id) = therapist {
            let fits = tx
                .user(id)
                .await?
                .is_some_and(|u| u.org_id == course.org_id && u.active && u.role.works_with_children());
            if !fits {
                return Err(FieldError::new(
                    "therapist_id",
                    "Choose a member of staff of the course's organisation who works with children.",
                    "Vælg en medarbejder i forløbets organisation, der arbejder med børn.",
                )
                .into());
            }
        }
        tx.set_course_therapist(course_id, therapist).await?;
        save(tx, ctx, &course, child.id, "therapist").await
    }).await
}

async fn planned_session(
    tx: &mut Work<'_>,
    course_id: Uuid,
    number: u32,
) -> ServiceResult<PlannedSessionRecord> {
    tx.planned_sessions(course_id)
        .await?
        .into_iter()
        .find(|p| p.number == number)
        .ok_or(ServiceError::NotFound)
}

fn not_open() -> ServiceError {
    FieldError::new(
        "planned_session",
        "The session has already been held or cancelled.",
        "Sessionen er allerede holdt eller aflyst.",
    )
    .into()
}

/// Books (or unbooks, with `None`) a time for a planned session.
pub async fn book_session(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    number: u32,
    at: Option<NaiveDateTime>,
) -> ServiceResult<CourseRecord> {
    store.write(async |tx| {
        let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
        conflict_check(&course, expected_version)?;
        must_be_active(&course)?;
        let p = planned_session(tx, course_id, number).await?;
        if p.status != PlannedStatus::Planned {
            return Err(not_open());
        }
        if let Some(at) = at
            && at.date() < local(ctx.now).date()
        {
            return Err(FieldError::new(
                "planned_at",
                "Book a time from today on; register a session held earlier under “Record session”.",
                "Book et tidspunkt fra i dag og frem; en session, der er holdt, registreres under »Registrér session«.",
            )
            .into());
        }
        tx.update_planned_session(&PlannedSessionRecord {
            planned_at: at,
            ..p
        })
        .await?;
        save(tx, ctx, &course, child.id, format!("book session {number}")).await
    }).await
}

/// Cancels a planned session with a reason (required before closing for every session left).
pub async fn cancel_session(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    number: u32,
    reason: Option<&str>,
) -> ServiceResult<CourseRecord> {
    let reason = samspor_domain::course::closing::reason("reason", reason)?;
    store
        .write(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
            conflict_check(&course, expected_version)?;
            must_be_active(&course)?;
            let p = planned_session(tx, course_id, number).await?;
            if p.status != PlannedStatus::Planned {
                return Err(not_open());
            }
            tx.update_planned_session(&PlannedSessionRecord {
                status: PlannedStatus::Cancelled,
                cancel_reason: Some(reason),
                ..p
            })
            .await?;
            save(
                tx,
                ctx,
                &course,
                child.id,
                format!("cancel session {number}"),
            )
            .await
        })
        .await
}

/// Cancels every session still planned on the course at once, with one reason (before
/// closing, so they need not be cancelled one by one). Returns the course and how many.
pub async fn cancel_remaining_sessions(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    reason: Option<&str>,
) -> ServiceResult<(CourseRecord, usize)> {
    let reason = samspor_domain::course::closing::reason("cancel_rest_reason", reason)?;
    store
        .write(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
            conflict_check(&course, expected_version)?;
            must_be_active(&course)?;
            let open: Vec<PlannedSessionRecord> = tx
                .planned_sessions(course_id)
                .await?
                .into_iter()
                .filter(|p| p.status == PlannedStatus::Planned)
                .collect();
            if open.is_empty() {
                return Err(FieldError::new(
                    "cancel_rest_reason",
                    "No planned session is left to cancel.",
                    "Der er ingen planlagte sessioner tilbage at aflyse.",
                )
                .into());
            }
            let count = open.len();
            for p in open {
                tx.update_planned_session(&PlannedSessionRecord {
                    status: PlannedStatus::Cancelled,
                    cancel_reason: Some(reason.clone()),
                    ..p
                })
                .await?;
            }
            let course = save(
                tx,
                ctx,
                &course,
                child.id,
                format!("cancel remaining sessions ({count})"),
            )
            .await?;
            Ok((course, count))
        })
        .await
}

/// Marks one encounter entered in error, with why. The contact (Henvendelse) and the closing
/// (Afslutning) carry the course itself and are not marked one by one. A planned session the
/// encounter delivered is open again (or, on a closed course, cancelled with the same reason).
pub async fn mark_encounter_in_error(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    encounter_id: Uuid,
    reason: Option<&str>,
) -> ServiceResult<CourseRecord> {
    let reason = samspor_domain::course::closing::reason("reason", reason)?;
    store.write(async |tx| {
        let (course, child) = load_for_record(tx, ctx, course_id, expected_version).await?;
        let encounter = tx
            .encounters(course_id)
            .await?
            .into_iter()
            .find(|e| e.id == encounter_id)
            .ok_or(ServiceError::NotFound)?;
        if matches!(
            encounter.encounter.kind,
            EncounterType::Henvendelse | EncounterType::Afslutning
        ) {
            return Err(FieldError::new(
                "encounter",
                "The contact and the closing carry the course itself; mark the whole course entered in error instead.",
                "Henvendelsen og afslutningen bærer selve forløbet; markér i stedet hele forløbet som fejlregistreret.",
            )
            .into());
        }
        if encounter.status != EncounterStatus::Held
            || !tx
                .mark_encounter_in_error(course_id, encounter_id, &reason, ctx.now)
                .await?
        {
            return Err(FieldError::new(
                "encounter",
                "The encounter is already marked entered in error.",
                "Kontakten er allerede markeret som fejlregistreret.",
            )
            .into());
        }
        let delivered = tx
            .planned_sessions(course_id)
            .await?
            .into_iter()
            .find(|p| p.encounter_id == Some(encounter_id));
        if let Some(p) = delivered {
            let reopened = if course.status == CourseStatus::Active {
                PlannedSessionRecord {
                    status: PlannedStatus::Planned,
                    encounter_id: None,
                    ..p
                }
            } else {
                PlannedSessionRecord {
                    status: PlannedStatus::Cancelled,
                    encounter_id: None,
                    cancel_reason: Some(reason.clone()),
                    ..p
                }
            };
            tx.update_planned_session(&reopened).await?;
        }
        save(
            tx,
            ctx,
            &course,
            child.id,
            format!("encounter {} entered-in-error", encounter_id),
        )
        .await
    }).await
}

/// A KL Referral written during treatment (the family guided elsewhere as well), without
/// closing the course.
pub async fn add_referral(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    destination: Option<&str>,
    note: Option<&str>,
    at: Option<DateTime<Utc>>,
) -> ServiceResult<(CourseRecord, ReferralRecord)> {
    let mut errors = FieldErrors::default();
    let destination = match destination.map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::required("destination"));
            None
        }
        Some(d) => ReferralDestination::parse(d).or_else(|| {
            errors.push(FieldError::new(
                "destination",
                "Unknown destination; use other, other_offer_home, other_municipality, gp, psychiatry or civil_society.",
                "Ukendt sted; vælg et af de mulige steder.",
            ));
            None
        }),
    };
    let note = required_text(&mut errors, "note", note, MAX_TEXT);
    let at = at.unwrap_or(ctx.now);
    if at > ctx.now {
        errors.push(FieldError::new(
            "at",
            "The time cannot be in the future.",
            "Tidspunktet må ikke ligge i fremtiden.",
        ));
    }
    store
        .write(async |tx| {
            let (course, child) = load(tx, ctx, course_id, Action::Update).await?;
            conflict_check(&course, expected_version)?;
            must_be_active(&course)?;
            if local(at).date() < course.started_on {
                errors.push(FieldError::new(
                    "at",
                    "The time is before the course started.",
                    "Tidspunktet ligger før forløbets start.",
                ));
            }
            let (Some(destination), true) = (destination, errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            let referral = ReferralRecord {
                id: Uuid::now_v7(),
                course_id,
                decision_id: None,
                destination,
                note,
                at,
                created_by: ctx.actor.user_id,
                recorded_at: ctx.now,
            };
            tx.insert_referral(&referral).await?;
            let saved = save(tx, ctx, &course, child.id, "referral").await?;
            Ok((saved, referral))
        })
        .await
}

/// Records the follow-up talk as held.
pub async fn hold_follow_up(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    expected_version: Option<i64>,
    held_at: Option<NaiveDateTime>,
    note: Option<&str>,
) -> ServiceResult<(CourseRecord, FollowUpRecord)> {
    store.write(async |tx| {
        let (course, child) = load_for_record(tx, ctx, course_id, expected_version).await?;
        let follow_up = tx.follow_up(course_id).await?.ok_or_else(|| {
            ServiceError::from(FieldError::new(
                "follow_up",
                "The course has no follow-up talk; it is scheduled when a course in a track is closed.",
                "Forløbet har ingen opfølgende samtale; den planlægges, når et forløb i et spor afsluttes.",
            ))
        })?;
        let mut errors = FieldErrors::default();
        if follow_up.held_at.is_some() {
            errors.push(FieldError::new(
                "follow_up",
                "The follow-up talk is already recorded as held.",
                "Den opfølgende samtale er allerede registreret som holdt.",
            ));
        }
        match held_at {
            None => errors.push(FieldError::required("held_at")),
            Some(at) if at > local(ctx.now) => errors.push(FieldError::new(
                "held_at",
                "The time cannot be in the future; record the talk once it has taken place.",
                "Tidspunktet må ikke ligge i fremtiden; registrér samtalen, når den har fundet sted.",
            )),
            Some(at) if course.ended_on.is_some_and(|end| at.date() < end) => {
                errors.push(FieldError::new(
                    "held_at",
                    "The follow-up talk comes after the course has ended.",
                    "Den opfølgende samtale ligger efter forløbets afslutning.",
                ))
            }
            Some(_) => {}
        }
        let note = optional_text(&mut errors, "note", note, MAX_TEXT);
        let Some(held_at) = held_at.filter(|_| errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        if !tx
            .hold_follow_up(follow_up.id, held_at, note.as_deref())
            .await?
        {
            return Err(ServiceError::Conflict {
                current: course.version,
            });
        }
        let saved = save(tx, ctx, &course, child.id, "follow-up held").await?;
        Ok((
            saved,
            FollowUpRecord {
                held_at: Some(held_at),
                note,
                ..follow_up
            },
        ))
    }).await
}

/// A therapist's front page: their active courses, sessions booked today and follow-up talks
/// due within a week.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FrontPage {
    pub courses: Vec<TherapistCourse>,
    pub today: Vec<BookedSession>,
    pub follow_ups: Vec<DueFollowUp>,
}

pub async fn front_page(store: &Store, ctx: &Ctx, today: NaiveDate) -> ServiceResult<FrontPage> {
    check(authorize(
        &ctx.actor,
        Action::Search,
        Resource::ChildRegister,
    ))?;
    let (org, me) = (ctx.actor.org_id, ctx.actor.user_id);
    let start = today.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = today
        .checked_add_days(Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(NaiveDateTime::MAX);
    let until = today
        .checked_add_days(Days::new(FOLLOW_UP_NOTICE_DAYS))
        .unwrap_or(NaiveDate::MAX);
    store
        .read(async |tx| {
            let page = FrontPage {
                courses: tx.therapist_courses(org, me).await?,
                today: tx.booked_sessions(org, me, start, end).await?,
                follow_ups: tx.due_follow_ups(org, me, until).await?,
            };
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Search,
                    "course",
                    None,
                    None,
                    "therapist front page",
                ),
            );
            Ok(page)
        })
        .await
}

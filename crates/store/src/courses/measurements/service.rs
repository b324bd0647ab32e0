//! Use cases of course measurements: the track plan's questionnaires sent as links when they
//! fall due, what came back, and the change between the start and the end of the course.
//!
//! The schedule is worked out from the course's decision and encounters
//! (`samspor_domain::course::schedule`); only what was sent is stored (`course_measurements`),
//! one row per course, instrument, respondent and point, so the job can run on several servers
//! and any number of times without sending anything twice.
//!
//! Nothing can e-mail or text a link yet. Until that exists the raw link is kept on the sent
//! measurement so the therapist can hand it over from the course's measurement page; it is
//! cleared as soon as the link is answered, revoked or has expired, so a stored link is never
//! one that still matters once it cannot be used, and a link that can be used is only readable
//! by staff who may see the child.

use crate::Store;
use crate::Work;
use crate::courses::measurements::model::{CourseMeasurement, MeasurementStatus};
use crate::courses::{Rules, local};
use crate::notifications::{Address, LinkMessage, Sending, queue_link};
use crate::questionnaires::{DEFAULT_LINK_DAYS, LinkRespondent, new_link};
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use crate::{Child, CourseRecord, EncounterStatus, InvitationStatus, ResponseRecord};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::{AuditAction, AuditEvent};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::encounter::EncounterType;
use samspor_domain::course::plan::MeasurePoint;
use samspor_domain::course::schedule::{CourseFacts, point_code, point_rank, schedule};
use samspor_domain::course::tracks::find;
use samspor_domain::instrument::{ReliableChange, Respondent, reliable_change};
use samspor_domain::notification::Purpose;
use samspor_domain::organisation::Programme;
use samspor_domain::validation::FieldError;
use uuid::Uuid;

/// The request id the schedule job writes into its audit entries.
pub const JOB_REQUEST_ID: &str = "measurement-schedule";

/// A course can close between two runs of the job (the closing talk and the Afslutning are
/// often registered together), so the job still sends what fell due on a course completed
/// this many days ago or less; older courses are left alone.
pub const END_GRACE_DAYS: i64 = 30;

/// Where one measurement of the plan stands on a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// Not yet due.
    Planned,
    /// Due, not yet sent.
    Due,
    /// The questionnaire does not fit the child (age) or is unknown to this server.
    NotSuitable,
    Sent,
    Answered,
    Expired,
    Revoked,
}

impl LineState {
    pub fn as_str(self) -> &'static str {
        match self {
            LineState::Planned => "planned",
            LineState::Due => "due",
            LineState::NotSuitable => "not_suitable",
            LineState::Sent => "sent",
            LineState::Answered => "answered",
            LineState::Expired => "expired",
            LineState::Revoked => "revoked",
        }
    }

    fn of(status: MeasurementStatus) -> LineState {
        match status {
            MeasurementStatus::Sent => LineState::Sent,
            MeasurementStatus::Answered => LineState::Answered,
            MeasurementStatus::Expired => LineState::Expired,
            MeasurementStatus::Revoked => LineState::Revoked,
        }
    }
}

/// One measurement of the track plan on one course.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScheduleLine {
    pub instrument_id: String,
    pub respondent: Respondent,
    pub point: MeasurePoint,
    /// Whether the schedule entry is confirmed (STIME's instruments are not, DOMAIN.md §2.3).
    pub verified: bool,
    /// Danish wall-clock time it fell due; `None` while it has not.
    pub due_at: Option<NaiveDateTime>,
    pub state: LineState,
    /// What was sent for it, if anything.
    pub sent: Option<CourseMeasurement>,
}

/// The change on one scale between the start and the end measurement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScaleChange {
    pub scale: String,
    pub start: i64,
    pub end: i64,
    pub change: i64,
    /// `None` when the instrument has no norms for the scale.
    pub reliable: Option<ReliableChange>,
}

/// An instrument answered by the same respondent at both start and end of the course.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InstrumentChange {
    /// The base instrument (a follow-up version shares its scales and norms).
    pub instrument_id: String,
    pub respondent: Respondent,
    pub start_answered_at: DateTime<Utc>,
    pub end_answered_at: DateTime<Utc>,
    pub scales: Vec<ScaleChange>,
}

/// Everything the course's measurement page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MeasurementsView {
    pub course: CourseRecord,
    pub child_name: String,
    pub track: Programme,
    pub lines: Vec<ScheduleLine>,
    pub changes: Vec<InstrumentChange>,
    /// How far each open link's delivery got, by invitation.
    #[serde(skip)]
    pub deliveries: std::collections::HashMap<Uuid, crate::notifications::Delivery>,
}

impl MeasurementsView {
    /// Sent links that can still be answered, to hand over: (line, raw token).
    pub fn outbox(&self) -> impl Iterator<Item = (&ScheduleLine, &str)> {
        // A course entered in error hands nothing over; the job withdraws its links.
        let live = self.course.status != CourseStatus::EnteredInError;
        self.lines.iter().filter(move |_| live).filter_map(|l| {
            let m = l.sent.as_ref()?;
            let token = m.link_token.as_deref()?;
            (m.status == MeasurementStatus::Sent).then_some((l, token))
        })
    }

    /// Whether "send due measurements now" has anything to do.
    pub fn has_due(&self) -> bool {
        self.lines.iter().any(|l| l.state == LineState::Due)
    }
}

/// What is outstanding for one of the organisation's courses, for the therapist's front page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DueMeasurement {
    pub course_id: Uuid,
    pub child_id: Uuid,
    pub child_name: String,
    pub instrument_id: String,
    pub respondent: Respondent,
    pub point: MeasurePoint,
    /// `Due` (not sent), `Sent` (unanswered) or `Expired` (unanswered and no longer usable).
    pub status: LineState,
    /// Danish wall-clock time it fell due (not sent) or was sent.
    pub since: NaiveDateTime,
}

/// Who sends: the job (audited without a user) or a member of staff.
#[derive(Clone, Copy)]
enum Sender<'a> {
    Job { at: DateTime<Utc> },
    Staff(&'a Ctx),
}

impl Sender<'_> {
    fn now(&self) -> DateTime<Utc> {
        match self {
            Sender::Job { at } => *at,
            Sender::Staff(ctx) => ctx.now,
        }
    }

    fn user(&self) -> Option<Uuid> {
        match self {
            Sender::Job { .. } => None,
            Sender::Staff(ctx) => Some(ctx.actor.user_id),
        }
    }

    fn event(&self, org_id: Uuid, invitation: Uuid, child: Uuid, detail: String) -> AuditEvent {
        match self {
            Sender::Job { .. } => AuditEvent {
                user_id: None,
                org_id: Some(org_id),
                action: AuditAction::Create,
                object_type: "invitation".into(),
                object_id: Some(invitation),
                child_id: Some(child),
                purpose: "treatment".into(),
                request_id: JOB_REQUEST_ID.into(),
                detail,
            },
            Sender::Staff(ctx) => ctx.event(
                AuditAction::Create,
                "invitation",
                Some(invitation),
                Some(child),
                detail,
            ),
        }
    }
}

/// The course's facts for the schedule, and who decided its track.
async fn facts_of(
    tx: &mut Work<'_>,
    course: &CourseRecord,
) -> ServiceResult<(CourseFacts, Option<Uuid>)> {
    let decision = tx
        .decisions(course.id)
        .await?
        .into_iter()
        .filter(|d| d.track.is_some())
        .min_by_key(|d| d.decided_at);
    let encounters = tx.encounters(course.id).await?;
    let held = |kind: EncounterType| {
        encounters
            .iter()
            .filter(|e| e.status == EncounterStatus::Held && e.encounter.kind == kind)
            .map(|e| e.encounter.at)
            .collect::<Vec<_>>()
    };
    Ok((
        CourseFacts {
            track_decided_at: decision.as_ref().map(|d| local(d.decided_at)),
            treatments: held(EncounterType::Behandling),
            closing_talks: held(EncounterType::AfsluttendeSamtale),
        },
        decision.map(|d| d.decided_by),
    ))
}

/// The plan's measurements on the course as they stand at `now` (Danish time).
fn lines_of(
    rules: Rules<'_>,
    track: Programme,
    facts: &CourseFacts,
    sent: &[CourseMeasurement],
    child: &Child,
    now: NaiveDateTime,
) -> Vec<ScheduleLine> {
    let Some(track) = find(rules.tracks, track) else {
        return Vec::new();
    };
    let age = child.data.cpr.age_on(now.date());
    let mut lines: Vec<ScheduleLine> = schedule(&track.plan, facts)
        .into_iter()
        .map(|s| {
            let m = s.measurement;
            let done = sent
                .iter()
                .find(|x| {
                    x.instrument_id == m.instrument
                        && x.respondent == m.respondent
                        && x.point == m.at
                })
                .cloned();
            let suitable = rules
                .catalogue
                .get(&m.instrument)
                .is_some_and(|i| i.respondent() == m.respondent && i.accepts_age(age));
            let due_at = s.due_at.filter(|d| *d <= now);
            let state = match (&done, due_at) {
                (Some(d), _) => LineState::of(d.status),
                (None, _) if !suitable => LineState::NotSuitable,
                (None, Some(_)) => LineState::Due,
                (None, None) => LineState::Planned,
            };
            ScheduleLine {
                instrument_id: m.instrument.clone(),
                respondent: m.respondent,
                point: m.at,
                verified: m.verified,
                due_at: done.as_ref().map(|d| d.due_at).or(due_at),
                state,
                sent: done,
            }
        })
        .collect();
    lines.sort_by_key(|l| point_rank(l.point));
    lines
}

/// Who the link is for, by the kind the schedule names: the first guardian with custody
/// (else the first registered), the child, or the teacher (whom the record does not name).
fn respondent_of(child: &Child, kind: Respondent) -> (String, Address) {
    match kind {
        Respondent::Parent => {
            let guardians = &child.data.guardians;
            match guardians.iter().find(|g| g.custody).or(guardians.first()) {
                Some(g) => (
                    g.name.clone(),
                    Address {
                        email: g.email.clone(),
                        phone: g.phone.clone(),
                    },
                ),
                None => ("Forælder".into(), Address::default()),
            }
        }
        Respondent::Child => (child.data.given_name.clone(), Address::default()),
        Respondent::Teacher => ("Lærer".into(), Address::default()),
    }
}

/// Sends every due measurement of one course inside `tx`. [`ServiceError::RaceLost`] when
/// another sender got there first, so the door rolls back everything of this attempt.
#[allow(clippy::too_many_arguments)]
async fn send_lines(
    tx: &mut Work<'_>,
    rules: Rules<'_>,
    course: &CourseRecord,
    child: &Child,
    lines: &[ScheduleLine],
    decided_by: Option<Uuid>,
    sender: Sender<'_>,
    sending: Sending<'_>,
) -> ServiceResult<usize> {
    let now = sender.now();
    // The invitation names who created it: the member of staff who pressed the button, or for
    // the job the one who decided the track, on whose decision the schedule runs.
    let Some(created_by) = sender.user().or(decided_by) else {
        return Ok(0);
    };
    let mut sent = 0;
    for line in lines.iter().filter(|l| l.state == LineState::Due) {
        let (Some(instrument), Some(due_at)) =
            (rules.catalogue.get(&line.instrument_id), line.due_at)
        else {
            continue;
        };
        let (name, address) = respondent_of(child, line.respondent);
        let (invitation, token) = new_link(
            child,
            instrument.id(),
            LinkRespondent {
                kind: line.respondent,
                name,
                email: address.email.clone(),
            },
            now + Duration::days(DEFAULT_LINK_DAYS),
            now,
            created_by,
        );
        tx.insert_invitation(&invitation).await?;
        queue_link(
            tx,
            sending.channels,
            LinkMessage {
                purpose: Purpose::QuestionnaireLink,
                org_id: Some(course.org_id),
                about_id: invitation.id,
                to: &address,
                link: &sending.questionnaire_link(&token),
                expires_on: local(invitation.expires_at).date(),
            },
            now,
        )
        .await?;
        let measurement = CourseMeasurement {
            id: Uuid::now_v7(),
            course_id: course.id,
            instrument_id: line.instrument_id.clone(),
            respondent: line.respondent,
            point: line.point,
            due_at,
            invitation_id: invitation.id,
            response_id: None,
            status: MeasurementStatus::Sent,
            link_token: Some(token),
            sent_at: now,
            sent_by: sender.user(),
            closed_at: None,
        };
        if !tx.insert_course_measurement(&measurement).await? {
            return Err(ServiceError::RaceLost);
        }
        tx.audit(
            now,
            sender.event(
                course.org_id,
                invitation.id,
                child.id,
                format!(
                    "measurement {} {} {}",
                    line.instrument_id,
                    line.respondent.as_str(),
                    point_code(line.point)
                ),
            ),
        );
        sent += 1;
    }
    Ok(sent)
}

/// Whether measurements may still be sent on the course: active, or (for the job) completed
/// within the grace period, so what fell due just before closing still goes out.
fn open_for_sending(course: &CourseRecord, today: NaiveDate, grace: Option<i64>) -> bool {
    match course.status {
        CourseStatus::Active => true,
        CourseStatus::Completed => match (grace, course.ended_on) {
            (None, _) => true,
            (Some(days), Some(end)) => end >= today - Duration::days(days),
            (Some(_), None) => false,
        },
        CourseStatus::EnteredInError => false,
    }
}

/// One course's turn in the job, in its own transaction.
async fn send_course_job(
    store: &Store,
    rules: Rules<'_>,
    sending: Sending<'_>,
    course_id: Uuid,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    store
        .write(async |tx| {
            // Read again inside the transaction: the course may have changed since the list was made.
            let Some(course) = tx.course(course_id).await? else {
                return Ok(0);
            };
            let today = local(now).date();
            let (Some(track), true) = (
                course.track,
                open_for_sending(&course, today, Some(END_GRACE_DAYS)),
            ) else {
                return Ok(0);
            };
            let child = tx
                .child(course.child_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let (facts, decided_by) = facts_of(tx, &course).await?;
            let sent = tx.course_measurements(course.id).await?;
            let lines = lines_of(rules, track, &facts, &sent, &child, local(now));
            if !lines.iter().any(|l| l.state == LineState::Due) {
                return Ok(0);
            }
            let sender = Sender::Job { at: now };
            send_lines(
                tx, rules, &course, &child, &lines, decided_by, sender, sending,
            )
            .await
        })
        .await
        .or_else(nothing_if_race_lost)
}

/// Another sender sent the same measurements a moment ago: they are out, which is what was
/// asked, and nothing of this attempt was kept.
fn nothing_if_race_lost(e: ServiceError) -> ServiceResult<usize> {
    match e {
        ServiceError::RaceLost => Ok(0),
        e => Err(e),
    }
}

/// The job: sends every measurement that has fallen due and was not sent, on every course on a
/// track (active, or completed in the last [`END_GRACE_DAYS`] days), and closes the sent ones
/// that were answered, revoked or have expired. Each course is its own transaction, audited as
/// the system. Returns how many links were sent; a course that fails does not stop the others,
/// and the first failure is returned after all were tried.
pub async fn send_due(
    store: &Store,
    rules: Rules<'_>,
    sending: Sending<'_>,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let courses = store
        .write(async |tx| {
            withdraw_links_of_courses_in_error(tx, now).await?;
            tx.close_finished_measurements(None, now).await?;
            let since = local(now).date() - Duration::days(END_GRACE_DAYS);
            Ok::<_, ServiceError>(tx.courses_on_track(None, Some(since)).await?)
        })
        .await?;
    // Each course in a unit of its own, so one course's failure keeps no one else's links back.
    let mut sent = 0;
    let mut first_error = None;
    for course in courses {
        match send_course_job(store, rules, sending, course.id, now).await {
            Ok(n) => sent += n,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(sent),
    }
}

/// Revokes the links still open on courses entered in error, audited as the job: the family
/// must not go on answering for a course that was never real, and the stored raw link is then
/// cleared with the other revoked ones by `close_finished_measurements`.
async fn withdraw_links_of_courses_in_error(
    tx: &mut Work<'_>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    for m in tx.open_measurements_of_courses_in_error().await? {
        let Some(inv) = tx.invitation(m.invitation_id).await? else {
            continue;
        };
        if matches!(
            inv.status,
            InvitationStatus::Submitted | InvitationStatus::Revoked
        ) {
            continue;
        }
        tx.update_invitation(inv.id, InvitationStatus::Revoked, &inv.answers, now)
            .await?;
        tx.audit(
            now,
            AuditEvent {
                user_id: None,
                org_id: Some(inv.org_id),
                action: AuditAction::Update,
                object_type: "invitation".into(),
                object_id: Some(inv.id),
                child_id: Some(inv.child_id),
                purpose: "treatment".into(),
                request_id: JOB_REQUEST_ID.into(),
                detail: "revoked: course entered in error".into(),
            },
        );
    }
    Ok(())
}

fn no_track() -> ServiceError {
    FieldError::new(
        "course",
        "The course has not started a track, so it has no measurement schedule.",
        "Forløbet er ikke startet i et spor og har derfor ingen målingsplan.",
    )
    .into()
}

/// "Send due measurements now" on one course, by a member of staff: the job's logic for this
/// course only, audited as that person. Sending twice sends nothing new. On a completed course
/// it sends what fell due while the course ran, whenever it closed.
pub async fn send_due_for_course(
    store: &Store,
    rules: Rules<'_>,
    sending: Sending<'_>,
    ctx: &Ctx,
    course_id: Uuid,
) -> ServiceResult<usize> {
    store
        .write(async |tx| {
            let course = tx.course(course_id).await?.ok_or(ServiceError::NotFound)?;
            let child = crate::children::load(tx, ctx, course.child_id, Action::Update).await?;
            let track = course.track.ok_or_else(no_track)?;
            if !open_for_sending(&course, local(ctx.now).date(), None) {
                return Ok(0);
            }
            tx.close_finished_measurements(Some(course.id), ctx.now)
                .await?;
            let (facts, decided_by) = facts_of(tx, &course).await?;
            let sent = tx.course_measurements(course.id).await?;
            let lines = lines_of(rules, track, &facts, &sent, &child, local(ctx.now));
            let sender = Sender::Staff(ctx);
            send_lines(
                tx, rules, &course, &child, &lines, decided_by, sender, sending,
            )
            .await
        })
        .await
        .or_else(nothing_if_race_lost)
}

fn score_of(r: &ResponseRecord, scale: &str) -> Option<i64> {
    r.scores["scales"][scale]["score"].as_i64()
}

/// Follow-up versions share scales and norms with their base questionnaire.
pub fn base_instrument(id: &str) -> &str {
    id.strip_suffix("-followup").unwrap_or(id)
}

/// Start against end, per instrument and respondent answered at both.
fn changes_of(
    rules: Rules<'_>,
    lines: &[ScheduleLine],
    responses: &[ResponseRecord],
) -> Vec<InstrumentChange> {
    let answered = |point: MeasurePoint| {
        lines
            .iter()
            .filter(move |l| l.point == point)
            .filter_map(|l| {
                let id = l.sent.as_ref()?.response_id?;
                responses.iter().find(|r| r.id == id).map(|r| (l, r))
            })
    };
    let mut out = Vec::new();
    for (start_line, start) in answered(MeasurePoint::Start) {
        let base = base_instrument(&start_line.instrument_id);
        let Some((_, end)) = answered(MeasurePoint::End).find(|(l, _)| {
            base_instrument(&l.instrument_id) == base && l.respondent == start_line.respondent
        }) else {
            continue;
        };
        let Some(instrument) = rules.catalogue.get(base) else {
            continue;
        };
        let scales = instrument
            .scales()
            .iter()
            .filter_map(|scale| {
                let (a, b) = (score_of(start, &scale.name)?, score_of(end, &scale.name)?);
                Some(ScaleChange {
                    scale: scale.name.clone(),
                    start: a,
                    end: b,
                    change: b - a,
                    reliable: reliable_change(instrument, &scale.name, a, b),
                })
            })
            .collect();
        out.push(InstrumentChange {
            instrument_id: base.to_string(),
            respondent: start_line.respondent,
            start_answered_at: start.answered_at,
            end_answered_at: end.answered_at,
            scales,
        });
    }
    out
}

/// The measurement page of a course: the schedule, the links to hand over and the change
/// between start and end. The read is audited; finished links are closed first, so the page
/// never offers a link that can no longer be used.
pub async fn measurements(
    store: &Store,
    rules: Rules<'_>,
    ctx: &Ctx,
    course_id: Uuid,
) -> ServiceResult<MeasurementsView> {
    store
        .write(async |tx| {
            let course = tx.course(course_id).await?.ok_or(ServiceError::NotFound)?;
            let child = crate::children::load(tx, ctx, course.child_id, Action::Read).await?;
            let track = course.track.ok_or_else(no_track)?;
            tx.close_finished_measurements(Some(course.id), ctx.now)
                .await?;
            let (facts, _) = facts_of(tx, &course).await?;
            let sent = tx.course_measurements(course.id).await?;
            let lines = lines_of(rules, track, &facts, &sent, &child, local(ctx.now));
            let responses = if sent.iter().any(|m| m.response_id.is_some()) {
                tx.responses_of_child(child.id).await?
            } else {
                Vec::new()
            };
            let changes = changes_of(rules, &lines, &responses);
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "course_measurements",
                    Some(course.id),
                    Some(child.id),
                    format!("sent={}", sent.len()),
                ),
            );
            let mut deliveries = std::collections::HashMap::new();
            for m in lines.iter().filter_map(|l| l.sent.as_ref()) {
                if m.status == MeasurementStatus::Sent
                    && let Some(d) = crate::notifications::latest_about(tx, m.invitation_id).await?
                {
                    deliveries.insert(m.invitation_id, d);
                }
            }
            Ok(MeasurementsView {
                child_name: format!("{} {}", child.data.given_name, child.data.family_name),
                course,
                track,
                lines,
                changes,
                deliveries,
            })
        })
        .await
}

/// Outstanding measurements of the active courses of the caller's organisation: due and not
/// sent, or sent and not answered. Oldest first.
pub async fn due_for_therapist(
    store: &Store,
    rules: Rules<'_>,
    ctx: &Ctx,
    today: NaiveDate,
) -> ServiceResult<Vec<DueMeasurement>> {
    outstanding(store, rules, ctx, today, None).await
}

/// The same for some of the organisation's courses only (the therapist's own, on the front
/// page): the others are not read at all.
pub async fn due_on_courses(
    store: &Store,
    rules: Rules<'_>,
    ctx: &Ctx,
    today: NaiveDate,
    course_ids: &std::collections::HashSet<Uuid>,
) -> ServiceResult<Vec<DueMeasurement>> {
    outstanding(store, rules, ctx, today, Some(course_ids)).await
}

async fn outstanding(
    store: &Store,
    rules: Rules<'_>,
    ctx: &Ctx,
    today: NaiveDate,
    only: Option<&std::collections::HashSet<Uuid>>,
) -> ServiceResult<Vec<DueMeasurement>> {
    if !ctx.actor.role.works_with_children() {
        return Ok(Vec::new());
    }
    check(authorize(&ctx.actor, Action::Read, Resource::ChildRegister))?;
    let now = local(ctx.now);
    // "Now" on the day asked for: the end of that day when it is not today.
    let now = if today == now.date() {
        now
    } else {
        today.and_hms_opt(23, 59, 59).unwrap_or(now)
    };
    store
        .write(async |tx| {
            let mut out = Vec::new();
            for course in tx.courses_on_track(Some(ctx.actor.org_id), None).await? {
                let Some(track) = course.track else { continue };
                if only.is_some_and(|ids| !ids.contains(&course.id)) {
                    continue;
                }
                let Some(child) = tx.child(course.child_id).await? else {
                    continue;
                };
                let allowed =
                    authorize(&ctx.actor, Action::Read, Resource::child(child.org_id)).is_allowed();
                if !allowed {
                    continue;
                }
                tx.close_finished_measurements(Some(course.id), ctx.now)
                    .await?;
                let (facts, _) = facts_of(tx, &course).await?;
                let sent = tx.course_measurements(course.id).await?;
                for line in lines_of(rules, track, &facts, &sent, &child, now) {
                    let since = match (line.state, &line.sent, line.due_at) {
                        (LineState::Due, _, Some(due)) => due,
                        (LineState::Sent | LineState::Expired, Some(m), _) => local(m.sent_at),
                        _ => continue,
                    };
                    out.push(DueMeasurement {
                        course_id: course.id,
                        child_id: child.id,
                        child_name: format!("{} {}", child.data.given_name, child.data.family_name),
                        instrument_id: line.instrument_id,
                        respondent: line.respondent,
                        point: line.point,
                        status: line.state,
                        since,
                    });
                }
            }
            out.sort_by_key(|d| (d.since, d.course_id));
            if !out.is_empty() {
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Read,
                        "measurement_list",
                        None,
                        None,
                        format!("results={}", out.len()),
                    ),
                );
            }
            Ok(out)
        })
        .await
}

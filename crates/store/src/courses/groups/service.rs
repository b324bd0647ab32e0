//! Use cases of group courses and learning-environment guidance.
//!
//! A parent group gathers several children's courses of one track. One group session is one
//! KL Behandling (delivery `group`) in the course of every member who attended, written in the
//! same transaction as the session, so the session and the KL encounters never disagree.
//! Guidance sessions with a child's teachers or pedagogues are recorded on the course but are
//! not KL encounters.

use crate::Work;
use crate::courses::groups::model::*;
use crate::courses::local;
use crate::courses::model::{CourseRecord, CourseSummary, EncounterRecord, EncounterStatus};
use crate::courses::treatment::model::{PlannedSessionRecord, PlannedStatus};
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use crate::{Organisation, Store};
use chrono::{NaiveDate, NaiveDateTime};
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::AuditAction;
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::encounter::{
    CourseContext, Delivery, EncounterInput, EncounterType, Participants, validate_encounter,
};
use samspor_domain::course::plan::Format;
use samspor_domain::course::tracks::{Track, find};
use samspor_domain::organisation::{OrgKind, Programme};
use samspor_domain::validation::{FieldError, FieldErrors, optional_text, required_text};
use uuid::Uuid;

/// Longest group name.
pub const NAME_MAX: usize = 200;
/// Longest free text of a session note or a guidance field.
pub const TEXT_MAX: usize = 4000;

/// Whether a track is run as a parent group course (its plan's format names `parent_group`).
pub fn is_group_track(tracks: &[Track], id: Programme) -> bool {
    find(tracks, id).is_some_and(|t| t.plan.format.contains(&Format::ParentGroup))
}

/// A group as submitted.
#[derive(Debug, Clone, Default)]
pub struct NewGroup {
    pub name: Option<String>,
    /// A STIME track id whose plan is a parent group.
    pub track: Option<String>,
    pub starts_on: Option<NaiveDate>,
    /// The member of staff leading the group; the actor when none is given.
    pub leader_id: Option<Uuid>,
}

/// One member's line of a session as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceInput {
    pub course_id: Uuid,
    pub attended: bool,
    /// Required for a member who attended: was the child there, or only the caregivers.
    pub participants: Option<Participants>,
}

/// A group session as submitted.
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    /// Danish local time the session was held.
    pub at: Option<NaiveDateTime>,
    /// The planned session (module) of the track's plan, by number.
    pub module: Option<u32>,
    pub note: Option<String>,
    pub attendance: Vec<AttendanceInput>,
}

/// What recording a session wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionRecorded {
    pub session: GroupSession,
    pub attendance: Vec<Attendance>,
}

/// A session with its attendance, for the group page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionView {
    pub session: GroupSession,
    pub attendance: Vec<Attendance>,
}

/// Everything the group page and `GET /api/v1/groups/{id}` show.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupView {
    pub group: GroupCourse,
    pub members: Vec<GroupMember>,
    /// Oldest first.
    pub sessions: Vec<SessionView>,
    /// Active courses of the group's track and organisation that are in no group yet.
    pub eligible: Vec<CourseSummary>,
}

/// A guidance session as submitted.
#[derive(Debug, Clone, Default)]
pub struct NewGuidance {
    /// A registered school unit of the course's municipality.
    pub school_org_id: Option<Uuid>,
    /// The school's name when it is not registered.
    pub school_name: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub participants: Option<String>,
    pub topic: Option<String>,
    pub agreed_actions: Option<String>,
}

/// The guidance page of one course.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GuidanceView {
    pub course: CourseRecord,
    pub child_name: String,
    /// Newest first.
    pub sessions: Vec<GuidanceSession>,
    /// The schools registered in the course's municipality, to choose from.
    pub schools: Vec<Organisation>,
}

fn field(en: &str, da: &str, name: &str) -> FieldError {
    FieldError::new(name, en, da)
}

/// Loads a group of the actor's organisation; any other group does not exist for them.
async fn load_group(tx: &mut Work<'_>, ctx: &Ctx, id: Uuid) -> ServiceResult<GroupCourse> {
    tx.authorize(&ctx.actor, Action::Read, Resource::ChildRegister)?;
    tx.group(id)
        .await?
        .filter(|g| g.org_id == ctx.actor.org_id)
        .ok_or(ServiceError::NotFound)
}

/// Loads a course whose child the actor may act on, with the child's id.
async fn load_course(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    id: Uuid,
    action: Action,
) -> ServiceResult<(CourseRecord, crate::Child)> {
    let course = tx.course(id).await?.ok_or(ServiceError::NotFound)?;
    let child = crate::children::load(tx, ctx, course.child_id, action).await?;
    Ok((course, child))
}

/// Creates a parent group in the actor's organisation.
pub async fn create_group(
    store: &Store,
    ctx: &Ctx,
    tracks: &[Track],
    input: &NewGroup,
) -> ServiceResult<GroupCourse> {
    check(authorize(
        &ctx.actor,
        Action::Create,
        Resource::ChildRegister,
    ))?;
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "name", input.name.as_deref(), NAME_MAX);
    let track = match input.track.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::required("track"));
            None
        }
        Some(t) => match Programme::parse(t) {
            Some(p) if is_group_track(tracks, p) => Some(p),
            _ => {
                errors.push(field(
                    "Choose a track that is run as a parent group.",
                    "Vælg et spor, der køres som forældregruppe.",
                    "track",
                ));
                None
            }
        },
    };
    if input.starts_on.is_none() {
        errors.push(FieldError::required("starts_on"));
    }
    store.write(async |tx| {
        let leader_id = input.leader_id.unwrap_or(ctx.actor.user_id);
        let leader = tx.user(leader_id).await?;
        if !leader.is_some_and(|u| u.org_id == ctx.actor.org_id && u.role.works_with_children()) {
            errors.push(field(
                "The leader must be a member of staff of your organisation who works with children.",
                "Gruppelederen skal være en medarbejder i din organisation, der arbejder med børn.",
                "leader_id",
            ));
        }
        let (Some(track), Some(starts_on), true) = (track, input.starts_on, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let group = GroupCourse {
            id: Uuid::now_v7(),
            org_id: ctx.actor.org_id,
            track,
            name,
            starts_on,
            leader_id,
            leader_name: None,
            created_at: ctx.now,
            created_by: ctx.actor.user_id,
        };
        tx.insert_group(&group).await?;
        tx.audit(
            ctx.now,
            ctx.event(
                AuditAction::Create,
                "group_course",
                Some(group.id),
                None,
                "",
            ),
        );
        Ok(group)
    }).await
}

/// The actor organisation's groups.
pub async fn groups(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<GroupSummary>> {
    check(authorize(&ctx.actor, Action::Read, Resource::ChildRegister))?;
    store
        .read(async |tx| {
            let list = tx.groups_of_org(ctx.actor.org_id).await?;
            Ok(list)
        })
        .await
}

/// The courses that could join `group`: active, on its track, in its organisation, in no group.
async fn eligible(tx: &mut Work<'_>, group: &GroupCourse) -> ServiceResult<Vec<CourseSummary>> {
    // Two queries whatever the number of courses: the page is shown after every session saved.
    let grouped = tx.grouped_courses_of_org(group.org_id).await?;
    Ok(tx
        .courses_of_org(group.org_id, Some(CourseStatus::Active))
        .await?
        .into_iter()
        .filter(|s| s.course.track == Some(group.track) && !grouped.contains(&s.course.id))
        .collect())
}

/// A group with its members, sessions and the courses that could join; every child shown is
/// audited as read.
pub async fn group(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<GroupView> {
    store
        .read(async |tx| {
            let group = load_group(tx, ctx, id).await?;
            let members = tx.group_members(id).await?;
            let sessions = tx.group_sessions(id).await?;
            let mut attendance = tx.group_attendance(id).await?;
            let eligible = eligible(tx, &group).await?;
            for m in &members {
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Read,
                        "group_course",
                        Some(id),
                        Some(m.child_id),
                        "member",
                    ),
                );
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Search,
                    "course",
                    None,
                    None,
                    format!("group eligible: {} results", eligible.len()),
                ),
            );
            let sessions = sessions
                .into_iter()
                .map(|session| {
                    let (mine, rest) = attendance
                        .drain(..)
                        .partition(|a| a.group_session_id == session.id);
                    attendance = rest;
                    SessionView {
                        session,
                        attendance: mine,
                    }
                })
                .collect();
            Ok(GroupView {
                group,
                members,
                sessions,
                eligible,
            })
        })
        .await
}

/// Adds a course to a group: an active course of the group's track and organisation that is in
/// no other group.
pub async fn add_member(
    store: &Store,
    ctx: &Ctx,
    group_id: Uuid,
    course_id: Option<Uuid>,
) -> ServiceResult<GroupMember> {
    let Some(course_id) = course_id else {
        return Err(FieldError::required("course_id").into());
    };
    store
        .write(async |tx| {
            let group = load_group(tx, ctx, group_id).await?;
            let not_eligible =
                |en: &str, da: &str| -> ServiceError { field(en, da, "course_id").into() };
            // A course the actor cannot see is answered like any other that cannot join, so the
            // field error tells nothing about other organisations' courses.
            let Some(course) = tx.course(course_id).await? else {
                return Err(not_eligible(
                    "No such course in your organisation.",
                    "Forløbet findes ikke i din organisation.",
                ));
            };
            if course.org_id != group.org_id {
                return Err(not_eligible(
                    "No such course in your organisation.",
                    "Forløbet findes ikke i din organisation.",
                ));
            }
            let child = crate::children::load(tx, ctx, course.child_id, Action::Update).await?;
            if course.status != CourseStatus::Active {
                return Err(not_eligible(
                    "The course is no longer active.",
                    "Forløbet er ikke længere aktivt.",
                ));
            }
            if course.track != Some(group.track) {
                return Err(not_eligible(
                    "The course has not started the group's track.",
                    "Forløbet er ikke startet i gruppens spor.",
                ));
            }
            if tx.group_of_course(course_id).await?.is_some() {
                return Err(not_eligible(
                    "The course is already in a group.",
                    "Forløbet er allerede med i en gruppe.",
                ));
            }
            tx.insert_group_member(group_id, course_id, ctx.actor.user_id, ctx.now)
                .await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "group_course",
                    Some(group_id),
                    Some(child.id),
                    "member added",
                ),
            );
            Ok(GroupMember {
                group_id,
                course_id,
                child_id: child.id,
                child_name: format!("{} {}", child.data.given_name, child.data.family_name),
                course_status: course.status,
                added_at: ctx.now,
            })
        })
        .await
}

/// Records one group session: for every member who attended, a KL Behandling (delivery
/// `group`, participants as recorded) in that member's course, which is saved (version and
/// `updated_at` bumped, so the KL export sees it) and audited per child; all in one transaction.
pub async fn record_session(
    store: &Store,
    ctx: &Ctx,
    group_id: Uuid,
    tracks: &[Track],
    input: &NewSession,
) -> ServiceResult<SessionRecorded> {
    store.write(async |tx| {
        let group = load_group(tx, ctx, group_id).await?;
        let now = local(ctx.now);
        let mut errors = FieldErrors::default();
        match input.at {
            None => errors.push(FieldError::required("at")),
            Some(at) if at > now => errors.push(field(
                "The time cannot be in the future; record a session once it has been held.",
                "Tidspunktet må ikke ligge i fremtiden; registrér sessionen, når den er holdt.",
                "at",
            )),
            Some(at) if at.date() < group.starts_on => errors.push(field(
                "The session cannot be before the group started.",
                "Sessionen kan ikke ligge før gruppens start.",
                "at",
            )),
            // A form sent twice would otherwise give every attending course a second Behandling
            // in the KL report.
            Some(at) if tx.group_sessions(group_id).await?.iter().any(|s| s.at == at) => {
                errors.push(field(
                    "A session of the group at this time is already recorded; see the list of sessions.",
                    "Der er allerede registreret en session i gruppen på dette tidspunkt; se listen over sessioner.",
                    "at",
                ))
            }
            Some(_) => {}
        }
        if let Some(module) = input.module {
            let planned = find(tracks, group.track).map_or(0, |t| t.plan.sessions.len());
            if module == 0 || module as usize > planned {
                errors.push(field(
                    &format!("The track's plan has sessions 1 to {planned}."),
                    &format!("Sporets plan har sessionerne 1 til {planned}."),
                    "module",
                ));
            }
        }
        let note =
            optional_text(&mut errors, "note", input.note.as_deref(), TEXT_MAX).unwrap_or_default();
        if !input.attendance.iter().any(|a| a.attended) {
            errors.push(field(
                "Record who attended: at least one member must have taken part.",
                "Registrér fremmøde: mindst ét medlem skal have deltaget.",
                "attendance",
            ));
        }
        let members = tx.group_members(group_id).await?;
        let mut seen: Vec<Uuid> = Vec::new();
        for (i, a) in input.attendance.iter().enumerate() {
            let name = |f: &str| format!("attendance[{i}].{f}");
            if seen.contains(&a.course_id) {
                errors.push(field(
                    "The member is listed twice.",
                    "Medlemmet står der to gange.",
                    &name("course_id"),
                ));
                continue;
            }
            seen.push(a.course_id);
            let Some(member) = members.iter().find(|m| m.course_id == a.course_id) else {
                errors.push(field(
                    "This course is not a member of the group.",
                    "Forløbet er ikke med i gruppen.",
                    &name("course_id"),
                ));
                continue;
            };
            if a.attended && member.course_status != CourseStatus::Active {
                errors.push(field(
                    "The course is closed; nothing more can be registered on it.",
                    "Forløbet er afsluttet; der kan ikke registreres mere på det.",
                    &name("course_id"),
                ));
            }
            match (a.attended, a.participants) {
                (true, None) => errors.push(field(
                    "Choose whether the child took part or only the caregivers.",
                    "Vælg, om barnet deltog, eller kun omsorgspersonerne.",
                    &name("participants"),
                )),
                (false, Some(_)) => errors.push(field(
                    "A member who did not attend has no participants.",
                    "Et medlem, der ikke deltog, har ingen deltagere.",
                    &name("participants"),
                )),
                _ => {}
            }
        }
        let Some(at) = input.at.filter(|_| errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };

        let session = GroupSession {
            id: Uuid::now_v7(),
            group_id,
            at,
            module: input.module,
            note,
            created_at: ctx.now,
            created_by: ctx.actor.user_id,
        };
        tx.insert_group_session(&session).await?;
        let mut written = Vec::new();
        for (i, a) in input.attendance.iter().enumerate() {
            let (course, child) = load_course(tx, ctx, a.course_id, Action::Update).await?;
            let encounter_id = match a.participants.filter(|_| a.attended) {
                Some(participants) => {
                    let id = behandling(tx, ctx, &course, &child, i, at, participants).await?;
                    deliver_planned_session(tx, course.id, id, at, input.module).await?;
                    Some(id)
                }
                None => None,
            };
            let row = Attendance {
                group_session_id: session.id,
                course_id: a.course_id,
                attended: a.attended,
                participants: a.participants.filter(|_| a.attended),
                encounter_id,
            };
            tx.insert_attendance(group_id, &row).await?;
            written.push(row);
        }
        // Attendance is recorded for every active member: one left out of the request did not come.
        for m in &members {
            if m.course_status == CourseStatus::Active && !seen.contains(&m.course_id) {
                let row = Attendance {
                    group_session_id: session.id,
                    course_id: m.course_id,
                    attended: false,
                    participants: None,
                    encounter_id: None,
                };
                tx.insert_attendance(group_id, &row).await?;
                written.push(row);
            }
        }
        tx.audit(
            ctx.now,
            ctx.event(
                AuditAction::Create,
                "group_session",
                Some(session.id),
                None,
                format!(
                    "group {group_id}: {} attended of {}",
                    written.iter().filter(|a| a.attended).count(),
                    written.len()
                ),
            ),
        );
        Ok(SessionRecorded {
            session,
            attendance: written,
        })
    }).await
}

/// Writes one attending member's Behandling, checked by the same rules as any encounter
/// (after the Henvendelse, not after the Afslutning), saves the course and audits it.
async fn behandling(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    course: &CourseRecord,
    child: &crate::Child,
    index: usize,
    at: NaiveDateTime,
    participants: Participants,
) -> ServiceResult<Uuid> {
    let existing: Vec<_> = tx
        .encounters(course.id)
        .await?
        .into_iter()
        .filter(|e| e.status == EncounterStatus::Held)
        .map(|e| e.encounter)
        .collect();
    let encounter = validate_encounter(
        &EncounterInput {
            kind: EncounterType::Behandling,
            at,
            delivery: Some(Delivery::Group),
            participants: Some(participants),
        },
        &CourseContext {
            birth_date: child.data.birth_date(),
            existing: &existing,
            now: local(ctx.now),
        },
    )
    .map_err(|errors| {
        // Named after the member's line, so the form shows the message beside it.
        let mut out = FieldErrors::default();
        for e in errors.0 {
            out.push(FieldError {
                field: format!("attendance[{index}].{}", e.field),
                ..e
            });
        }
        ServiceError::Invalid(out)
    })?;
    let record = EncounterRecord {
        id: Uuid::now_v7(),
        course_id: course.id,
        encounter,
        staff_id: Some(ctx.actor.user_id),
        staff_name: None,
        status: EncounterStatus::Held,
        created_at: ctx.now,
    };
    tx.insert_encounter(&record, Some(ctx.actor.user_id))
        .await?;
    // As for any Behandling: the first one names the responsible therapist and writes the
    // GP's start message.
    crate::courses::treatment::treatment_recorded(tx, ctx, course).await?;
    // The course changed: its version and `updated_at` move, so the KL export picks it up.
    tx.save_course(course, Some(ctx.actor.user_id), ctx.now)
        .await?;
    tx.audit(
        ctx.now,
        ctx.event(
            AuditAction::Update,
            "course",
            Some(course.id),
            Some(child.id),
            "encounter behandling (group session)",
        ),
    );
    Ok(record.id)
}

/// A group session that follows a session of the manual delivers that planned session in the
/// member's own course too, so the course shows it held and the next one as next. A session
/// the child already had (say, individually) stays as it was.
async fn deliver_planned_session(
    tx: &mut Work<'_>,
    course_id: Uuid,
    encounter_id: Uuid,
    at: NaiveDateTime,
    module: Option<u32>,
) -> ServiceResult<()> {
    // Which caregivers came is not recorded per child in a group, so there are no session
    // details (they name who attended); the group's own attendance row tells.
    let Some(number) = module else {
        return Ok(());
    };
    let Some(planned) = tx
        .planned_sessions(course_id)
        .await?
        .into_iter()
        .find(|p| p.number == number && p.status == PlannedStatus::Planned)
    else {
        return Ok(());
    };
    tx.update_planned_session(&PlannedSessionRecord {
        status: PlannedStatus::Held,
        encounter_id: Some(encounter_id),
        planned_at: planned.planned_at.or(Some(at)),
        ..planned
    })
    .await?;
    Ok(())
}

/// The schools registered in a municipality.
async fn schools(
    tx: &mut Work<'_>,
    municipality_code: Option<&str>,
) -> ServiceResult<Vec<Organisation>> {
    let Some(code) = municipality_code else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Organisation> = tx
        .organisations()
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::School && o.municipality_code.as_deref() == Some(code))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

async fn municipality_of(tx: &mut Work<'_>, org_id: Uuid) -> ServiceResult<Option<String>> {
    Ok(tx
        .organisation(org_id)
        .await?
        .and_then(|o| o.municipality_code))
}

/// Records a learning-environment guidance session on a course.
pub async fn add_guidance(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    input: &NewGuidance,
) -> ServiceResult<GuidanceSession> {
    store
        .write(async |tx| {
            let (course, child) = load_course(tx, ctx, course_id, Action::Update).await?;
            let mut errors = FieldErrors::default();
            if course.status != CourseStatus::Active {
                errors.push(field(
                    "The course is no longer active; nothing more can be registered on it.",
                    "Forløbet er ikke længere aktivt; der kan ikke registreres mere på det.",
                    "course",
                ));
            }
            let today = local(ctx.now).date();
            match input.held_on {
                None => errors.push(FieldError::required("held_on")),
                Some(d) if d > today => errors.push(field(
                    "The date cannot be in the future; record guidance once it has been given.",
                    "Datoen må ikke ligge i fremtiden; registrér vejledningen, når den er givet.",
                    "held_on",
                )),
                Some(d) if d < course.started_on => errors.push(field(
                    "The date is before the course started.",
                    "Datoen ligger før forløbets start.",
                    "held_on",
                )),
                Some(_) => {}
            }
            let participants = required_text(
                &mut errors,
                "participants",
                input.participants.as_deref(),
                TEXT_MAX,
            );
            let topic = required_text(&mut errors, "topic", input.topic.as_deref(), TEXT_MAX);
            let agreed_actions = optional_text(
                &mut errors,
                "agreed_actions",
                input.agreed_actions.as_deref(),
                TEXT_MAX,
            )
            .unwrap_or_default();
            let school_name = optional_text(
                &mut errors,
                "school_name",
                input.school_name.as_deref(),
                NAME_MAX,
            );
            match input.school_org_id {
                Some(id) => {
                    let municipality = municipality_of(tx, course.org_id).await?;
                    if !schools(tx, municipality.as_deref())
                        .await?
                        .iter()
                        .any(|s| s.id == id)
                    {
                        errors.push(field(
                            "Choose a school of the course's municipality.",
                            "Vælg en skole i forløbets kommune.",
                            "school_org_id",
                        ));
                    }
                }
                None if school_name.is_none() => errors.push(field(
                    "Choose the school, or write its name.",
                    "Vælg skolen, eller skriv dens navn.",
                    "school_name",
                )),
                None => {}
            }
            let Some(held_on) = input.held_on.filter(|_| errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            let session = GuidanceSession {
                id: Uuid::now_v7(),
                course_id,
                school_org_id: input.school_org_id,
                // A registered school is named by the unit; a typed name beside it would be a second truth.
                school_name: school_name.filter(|_| input.school_org_id.is_none()),
                held_on,
                participants,
                topic,
                agreed_actions,
                created_at: ctx.now,
                created_by: ctx.actor.user_id,
                created_by_name: None,
            };
            tx.insert_guidance(&session).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "guidance_session",
                    Some(session.id),
                    Some(child.id),
                    "",
                ),
            );
            Ok(session)
        })
        .await
}

/// A course's guidance sessions; the read is audited.
pub async fn guidance(store: &Store, ctx: &Ctx, course_id: Uuid) -> ServiceResult<GuidanceView> {
    store
        .read(async |tx| {
            let (course, child) = load_course(tx, ctx, course_id, Action::Read).await?;
            let sessions = tx.guidance_sessions(course_id).await?;
            let municipality = municipality_of(tx, course.org_id).await?;
            let schools = schools(tx, municipality.as_deref()).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "guidance_session",
                    None,
                    Some(child.id),
                    format!("course {course_id}"),
                ),
            );
            Ok(GuidanceView {
                child_name: format!("{} {}", child.data.given_name, child.data.family_name),
                course,
                sessions,
                schools,
            })
        })
        .await
}

/// The staff of the actor's organisation who may lead a group: active and working with
/// children, by name. Staff names are not personal data about a child, so this is not audited.
pub async fn leaders(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<(Uuid, String)>> {
    check(authorize(&ctx.actor, Action::Read, Resource::ChildRegister))?;
    store
        .read(async |tx| {
            let mut out: Vec<(Uuid, String)> = tx
                .users_of_org(ctx.actor.org_id)
                .await?
                .into_iter()
                .filter(|u| u.active && u.role.works_with_children())
                .map(|u| (u.id, u.name))
                .collect();
            out.sort_by(|a, b| a.1.cmp(&b.1));
            Ok(out)
        })
        .await
}

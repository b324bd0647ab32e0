//! The KIT plan of a course, its network meetings and tasks, and the worklist of open tasks.
//! The municipality that owns the course coordinates: it writes the plan and records meetings.
//! Every other party sees the plan through the course's share on a basis covering it, and
//! works the tasks its organisation owns.

use crate::children::load_seen;
use crate::kit::model::{KitMeeting, KitPlan, KitTask};
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{Child, CourseRecord, Organisation, Store, Work};
use samspor_domain::access::{Action, Resource};
use samspor_domain::audit::AuditAction;
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::kit::{
    MeetingInput, PlanInput, Sector, TaskInput, TaskStatus, parse_meeting, parse_plan, parse_task,
};
use samspor_domain::lawful_basis::DataCategory;
use samspor_domain::lawful_basis::kinds::RecipientKind;
use samspor_domain::organisation::{OrgKind, Programme};
use samspor_domain::validation::{FieldError, FieldErrors};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use uuid::Uuid;

/// What a party outside the municipality sees of the course: its facts and the plan.
const SHARED_CATEGORIES: [DataCategory; 2] = [DataCategory::ContactAndCourse, DataCategory::Plan];

/// A course's KIT plan with everything a reader needs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KitView {
    /// None until the municipality writes one.
    pub plan: Option<KitPlan>,
    pub course_id: Uuid,
    /// The municipality that owns the course and coordinates.
    pub owner_org_id: Uuid,
    pub child_name: String,
    /// The organisations' names, by id.
    pub org_names: HashMap<Uuid, String>,
    pub meetings: Vec<KitMeeting>,
    pub tasks: Vec<KitTask>,
    /// Whether the reader's organisation coordinates (writes the plan, records meetings).
    pub coordinates: bool,
}

/// An open task on the worklist.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskLine {
    #[serde(flatten)]
    pub task: KitTask,
    pub course_id: Uuid,
    pub child_name: String,
    pub owner_org_name: String,
}

fn recipient_kind(sector: Sector) -> RecipientKind {
    match sector {
        Sector::Psychiatry => RecipientKind::ChildPsychiatry,
        Sector::School => RecipientKind::SchoolPpr,
        // The municipality owns the course and is never a recipient of it.
        Sector::Gp | Sector::Municipality => RecipientKind::GeneralPractice,
    }
}

fn fits(sector: Sector, org: &Organisation, course: &CourseRecord) -> bool {
    match sector {
        Sector::Municipality => org.id == course.org_id,
        Sector::Psychiatry => org.kind == OrgKind::Psychiatry,
        Sector::School => matches!(org.kind, OrgKind::School | OrgKind::Ppr),
        Sector::Gp => org.kind == OrgKind::GpPractice,
    }
}

/// Whether the course's municipality takes part in KIT today (rollout data).
async fn offers_kit(tx: &mut Work<'_>, ctx: &Ctx, course: &CourseRecord) -> ServiceResult<bool> {
    let code = tx
        .organisation(course.org_id)
        .await?
        .and_then(|o| o.municipality_code);
    let Some(code) = code else {
        return Ok(false);
    };
    Ok(tx
        .participation(Some(&code))
        .await?
        .iter()
        .any(|p| p.programme == Programme::Kit && p.since <= ctx.today()))
}

/// Checks each party's organisation against its sector and, outside the municipality, the
/// lawful basis for seeing the course and the plan.
async fn check_parties(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    child: &Child,
    course: &CourseRecord,
    input: &PlanInput,
    errors: &mut FieldErrors,
) -> ServiceResult<Vec<(Organisation, Sector)>> {
    let mut out = Vec::new();
    for (i, p) in input.parties.iter().enumerate() {
        let sector = p.sector.as_deref().and_then(|s| Sector::parse(s.trim()));
        let (Some(sector), Some(org_id)) = (sector, p.org_id) else {
            continue;
        };
        let field = format!("parties[{i}].org_id");
        let org = tx.organisation(org_id).await?;
        let Some(org) = org.filter(|o| fits(sector, o, course)) else {
            errors.push(FieldError::new(
                field,
                "The organisation does not belong to this sector (the municipality's part is the course's own municipality).",
                "Organisationen hører ikke til denne sektor (kommunens del er forløbets egen kommune).",
            ));
            continue;
        };
        if sector != Sector::Municipality {
            let kind = recipient_kind(sector);
            let refusal = crate::consent::basis_refusal(
                tx,
                ctx,
                child,
                &org,
                kind,
                &SHARED_CATEGORIES,
                &field,
            )
            .await?;
            if let Some(e) = refusal {
                errors.push(e);
            }
        }
        out.push((org, sector));
    }
    Ok(out)
}

/// Writes (or rewrites) the KIT plan of an active course. Only where the municipality takes
/// part in KIT; every party outside it needs a basis for the course facts and the plan, and
/// the course is shared with it.
pub async fn save_plan(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    input: &PlanInput,
    expected_version: Option<i64>,
) -> ServiceResult<KitPlan> {
    store
        .write(async |tx| {
            let (course, child) = crate::courses::load(tx, ctx, course_id, Action::Update).await?;
            let mut errors = FieldErrors::default();
            if course.status != CourseStatus::Active {
                errors.push(FieldError::new(
                    "course",
                    "Only an active course can have a KIT plan.",
                    "Kun et aktivt forløb kan have en KIT-plan.",
                ));
            } else if !offers_kit(tx, ctx, &course).await? {
                errors.push(FieldError::new(
                    "course",
                    "The municipality does not take part in KIT: the secretariat records participation on the organisations page.",
                    "Kommunen deltager ikke i KIT: sekretariatet registrerer deltagelsen på siden Organisationer.",
                ));
            }
            let plan = parse_plan(input, ctx.today())
                .map_err(|e| errors.extend(e))
                .ok();
            let parties = check_parties(tx, ctx, &child, &course, input, &mut errors).await?;
            let (Some(plan), true) = (plan, errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            for (org, sector) in parties.iter().filter(|(_, s)| *s != Sector::Municipality) {
                let kind = recipient_kind(*sector);
                crate::consent::ensure_share(tx, ctx, &child, course.id, org, kind).await?;
            }
            let existing = tx.kit_plan_of_course(course.id).await?;
            let saved = KitPlan {
                id: existing.as_ref().map_or_else(Uuid::now_v7, |p| p.id),
                course_id: course.id,
                child_id: child.id,
                owner_org_id: course.org_id,
                goals: plan.goals,
                next_review_on: plan.next_review_on,
                parties: plan.parties,
                version: existing.as_ref().map_or(1, |p| p.version + 1),
                created_at: existing.as_ref().map_or(ctx.now, |p| p.created_at),
                created_by: existing.as_ref().map_or(ctx.actor.user_id, |p| p.created_by),
                updated_at: ctx.now,
                updated_by: ctx.actor.user_id,
            };
            let action = match &existing {
                None => {
                    tx.insert_kit_plan(&saved).await?;
                    AuditAction::Create
                }
                Some(old) => {
                    let expected = expected_version.unwrap_or(old.version);
                    if !tx.update_kit_plan(&saved, expected).await? {
                        return Err(ServiceError::Conflict {
                            current: old.version,
                        });
                    }
                    AuditAction::Update
                }
            };
            tx.audit(
                ctx.now,
                ctx.event(action, "kit_plan", Some(saved.id), Some(child.id), ""),
            );
            Ok(saved)
        })
        .await
}

/// The KIT plan of a course, for the municipality and every party that sees the plan.
pub async fn of_course(store: &Store, ctx: &Ctx, course_id: Uuid) -> ServiceResult<KitView> {
    store
        .read(async |tx| {
            let course = tx.course(course_id).await?.ok_or(ServiceError::NotFound)?;
            let seen = load_seen(
                tx,
                ctx,
                course.child_id,
                DataCategory::Plan,
                Some(course_id),
            )
            .await?;
            let plan = tx.kit_plan_of_course(course_id).await?;
            let (meetings, tasks) = match &plan {
                Some(p) => (tx.kit_meetings(p.id).await?, tx.kit_tasks(p.id).await?),
                None => Default::default(),
            };
            let mut org_names = HashMap::new();
            let parties = plan.iter().flat_map(|p| p.parties.iter().map(|x| x.org_id));
            let ids: Vec<Uuid> = parties
                .chain(tasks.iter().map(|t| t.task.owner_org_id))
                .collect();
            for id in ids {
                if let Entry::Vacant(e) = org_names.entry(id) {
                    let name = tx.organisation(id).await?.map(|o| o.name);
                    e.insert(name.unwrap_or_default());
                }
            }
            let plan_id = plan.as_ref().map(|p| p.id);
            let event = ctx.event(
                AuditAction::Read,
                "kit_plan",
                plan_id,
                Some(course.child_id),
                "",
            );
            tx.audit(ctx.now, event);
            let data = &seen.child.data;
            Ok(KitView {
                child_name: format!("{} {}", data.given_name, data.family_name),
                coordinates: course.org_id == ctx.actor.org_id,
                course_id,
                owner_org_id: course.org_id,
                plan,
                org_names,
                meetings,
                tasks,
            })
        })
        .await
}

/// The plan of a course its municipality works on; refused when there is none yet.
async fn coordinated_plan(tx: &mut Work<'_>, ctx: &Ctx, course_id: Uuid) -> ServiceResult<KitPlan> {
    crate::courses::load(tx, ctx, course_id, Action::Update).await?;
    tx.kit_plan_of_course(course_id).await?.ok_or_else(|| {
        FieldError::new(
            "course",
            "The course has no KIT plan yet: write the plan first.",
            "Forløbet har ingen KIT-plan endnu: skriv planen først.",
        )
        .into()
    })
}

fn check_owner(plan: &KitPlan, owner: Uuid, field: String, errors: &mut FieldErrors) {
    if !plan.parties.iter().any(|p| p.org_id == owner) {
        errors.push(FieldError::new(
            field,
            "The owner must be one of the organisations in the plan.",
            "Ejeren skal være en af planens organisationer.",
        ));
    }
}

fn new_task(
    ctx: &Ctx,
    plan: &KitPlan,
    meeting_id: Option<Uuid>,
    task: samspor_domain::kit::Task,
) -> KitTask {
    KitTask {
        id: Uuid::now_v7(),
        plan_id: plan.id,
        meeting_id,
        task,
        status: TaskStatus::Open,
        created_at: ctx.now,
        created_by: ctx.actor.user_id,
        done_at: None,
        done_by: None,
    }
}

/// Records a network meeting with its decisions and the follow-up tasks it gave out.
pub async fn add_meeting(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    input: &MeetingInput,
) -> ServiceResult<KitMeeting> {
    store
        .write(async |tx| {
            let plan = coordinated_plan(tx, ctx, course_id).await?;
            let meeting = parse_meeting(input, ctx.today())?;
            let mut errors = FieldErrors::default();
            for (i, t) in meeting.tasks.iter().enumerate() {
                check_owner(
                    &plan,
                    t.owner_org_id,
                    format!("tasks[{i}].owner_org_id"),
                    &mut errors,
                );
            }
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            let record = KitMeeting {
                id: Uuid::now_v7(),
                plan_id: plan.id,
                held_on: meeting.held_on,
                participants: meeting.participants,
                agenda: meeting.agenda,
                decisions: meeting.decisions,
                recorded_at: ctx.now,
                recorded_by: ctx.actor.user_id,
            };
            tx.insert_kit_meeting(&record).await?;
            for task in meeting.tasks {
                tx.insert_kit_task(&new_task(ctx, &plan, Some(record.id), task))
                    .await?;
            }
            let child = Some(plan.child_id);
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "kit_meeting",
                    Some(record.id),
                    child,
                    "",
                ),
            );
            Ok(record)
        })
        .await
}

/// Gives a task to one of the plan's organisations.
pub async fn add_task(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    input: &TaskInput,
) -> ServiceResult<KitTask> {
    store
        .write(async |tx| {
            let plan = coordinated_plan(tx, ctx, course_id).await?;
            let task = parse_task(input, "")?;
            let mut errors = FieldErrors::default();
            check_owner(&plan, task.owner_org_id, "owner_org_id".into(), &mut errors);
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            let record = new_task(ctx, &plan, None, task);
            tx.insert_kit_task(&record).await?;
            let child = Some(plan.child_id);
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Create, "kit_task", Some(record.id), child, ""),
            );
            Ok(record)
        })
        .await
}

/// Marks a task done (or open again): the organisation that owns it, or the coordinating
/// municipality.
pub async fn set_task_status(
    store: &Store,
    ctx: &Ctx,
    task_id: Uuid,
    status: Option<&str>,
) -> ServiceResult<KitTask> {
    store
        .write(async |tx| {
            let task = tx.kit_task(task_id).await?.ok_or(ServiceError::NotFound)?;
            let plan = tx
                .kit_plan(task.plan_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if plan.owner_org_id == ctx.actor.org_id {
                crate::courses::load(tx, ctx, plan.course_id, Action::Update).await?;
            } else {
                let owner = Resource::KitTasks {
                    owner_org: task.task.owner_org_id,
                };
                tx.authorize(&ctx.actor, Action::Update, owner)?;
                load_seen(
                    tx,
                    ctx,
                    plan.child_id,
                    DataCategory::Plan,
                    Some(plan.course_id),
                )
                .await?;
            }
            let Some(status) = status.and_then(|s| TaskStatus::parse(s.trim())) else {
                return Err(FieldError::new(
                    "status",
                    "Choose open or done.",
                    "Vælg åben eller udført.",
                )
                .into());
            };
            if !tx
                .set_kit_task_status(task_id, status, ctx.actor.user_id, ctx.now)
                .await?
            {
                return Err(FieldError::new(
                    "status",
                    "The task already has this status.",
                    "Opgaven har allerede denne status.",
                )
                .into());
            }
            let child = Some(plan.child_id);
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "kit_task",
                    Some(task_id),
                    child,
                    status.as_str(),
                ),
            );
            tx.kit_task(task_id).await?.ok_or(ServiceError::NotFound)
        })
        .await
}

/// The course, child and child's name of a plan the actor sees; `None` when it does not.
async fn plan_seen(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    plan_id: Uuid,
) -> ServiceResult<Option<(Uuid, Uuid, String)>> {
    let Some(plan) = tx.kit_plan(plan_id).await? else {
        return Ok(None);
    };
    let category = DataCategory::Plan;
    match load_seen(tx, ctx, plan.child_id, category, Some(plan.course_id)).await {
        Ok(s) => {
            let data = &s.child.data;
            let name = format!("{} {}", data.given_name, data.family_name);
            Ok(Some((plan.course_id, plan.child_id, name)))
        }
        Err(ServiceError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The open KIT tasks of the actor's organisation: those it owns and those on the plans it
/// coordinates, by deadline. A task on a course the organisation no longer sees is left out.
pub async fn open_tasks(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<TaskLine>> {
    if !ctx.actor.role.works_with_children() {
        return Ok(Vec::new());
    }
    store
        .read(async |tx| {
            let mut plans: HashMap<Uuid, Option<(Uuid, Uuid, String)>> = HashMap::new();
            let mut names = crate::organisations::Names::default();
            let mut out = Vec::new();
            for task in tx.open_kit_tasks_for(ctx.actor.org_id).await? {
                if let Entry::Vacant(e) = plans.entry(task.plan_id) {
                    e.insert(plan_seen(tx, ctx, task.plan_id).await?);
                }
                let Some(Some((course_id, child_id, child_name))) =
                    plans.get(&task.plan_id).cloned()
                else {
                    continue;
                };
                let owner_org_name = names.of(tx, task.task.owner_org_id).await?;
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Search,
                        "kit_task",
                        Some(task.id),
                        Some(child_id),
                        "",
                    ),
                );
                out.push(TaskLine {
                    owner_org_name,
                    task,
                    course_id,
                    child_name,
                });
            }
            Ok(out)
        })
        .await
}

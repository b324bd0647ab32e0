//! KIT pages: a course's plan with its meetings and tasks (`/courses/{id}/kit`, with the
//! coordinator's forms) and the organisation's open tasks (`/kit`).

use crate::AppState;
use crate::auth::CurrentUser;
use crate::courses::pages::{Refusal, day};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{Cx, Layout, render};
use crate::request::{CsrfForm, Id, Pairs};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samspor_domain::i18n::Lang;
use samspor_domain::kit::{MeetingInput, PartyInput, PlanInput, Sector, TaskInput, TaskStatus};
use samspor_domain::organisation::OrgKind;
use samspor_store::kit::{self as svc, KitView, TaskLine};
use samspor_store::service::ServiceError;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/courses/{id}/kit", get(show).post(save_plan))
        .route("/courses/{id}/kit/meetings", post(add_meeting))
        .route("/courses/{id}/kit/tasks", post(add_task))
        .route("/kit-tasks/{id}/status", post(set_status))
        .route("/kit", get(worklist))
}

/// How many follow-up task rows the meeting form offers.
const MEETING_TASK_ROWS: usize = 2;

fn uuid(p: &Pairs, name: &str) -> Option<Uuid> {
    p.first(name).and_then(|s| Uuid::parse_str(s.trim()).ok())
}

/// One sector's row of the plan form, with its values and the messages for it.
struct SectorRow {
    sector: &'static str,
    label: &'static str,
    required: bool,
    /// The municipality's organisation is the course's own and is not chosen.
    fixed_org: Option<String>,
    orgs: Vec<(String, String)>,
    org_id: String,
    contact_name: String,
    contact: String,
    responsibility: String,
    errors: Vec<(String, String)>,
}

/// One follow-up task row of the meeting form.
struct TaskRow {
    n: usize,
    title: String,
    owner: String,
    due: String,
    errors: Vec<(String, String)>,
}

/// A task as listed on the page.
struct TaskView {
    id: Uuid,
    title: String,
    owner: String,
    due: String,
    done: bool,
    overdue: bool,
    may_update: bool,
}

#[derive(Template)]
#[template(path = "kit/kit.html")]
struct KitTemplate {
    t: Tr,
    l: Layout,
    course_id: Uuid,
    child_name: String,
    coordinates: bool,
    has_plan: bool,
    version: i64,
    goals: String,
    next_review: String,
    parties: Vec<(String, String, String, String)>,
    meetings: Vec<(String, String, String, String)>,
    tasks: Vec<TaskView>,
    rows: Vec<SectorRow>,
    /// The plan form's fields.
    plan: Pairs,
    owners: Vec<(String, String)>,
    plan_r: Refusal,
    meeting: Pairs,
    meeting_tasks: Vec<TaskRow>,
    meeting_r: Refusal,
    task: Pairs,
    task_r: Refusal,
}

impl KitTemplate {
    /// A plan field as typed (or stored).
    fn row_value(&self, field: &str) -> String {
        self.plan.get(field)
    }
    fn plan_err(&self, field: &str) -> Option<&str> {
        self.plan_r.err(field, self.t.language())
    }
    fn meeting_err(&self, field: &str) -> Option<&str> {
        self.meeting_r.err(field, self.t.language())
    }
    fn task_err(&self, field: &str) -> Option<&str> {
        self.task_r.err(field, self.t.language())
    }
}

/// What the page's forms hold when shown again after a refusal.
#[derive(Default)]
struct Forms {
    plan: Option<Pairs>,
    plan_r: Refusal,
    meeting: Pairs,
    meeting_r: Refusal,
    task: Pairs,
    task_r: Refusal,
}

/// The sectors the plan form sends, in order, with the form's prefix of each.
fn included(p: &Pairs) -> Vec<Sector> {
    Sector::ALL
        .into_iter()
        .filter(|s| {
            s.required()
                || ["org_id", "contact_name", "contact", "responsibility"]
                    .iter()
                    .any(|f| !p.get(&format!("{}_{f}", s.as_str())).trim().is_empty())
        })
        .collect()
}

fn plan_input(p: &Pairs) -> PlanInput {
    PlanInput {
        goals: Some(p.get("goals")),
        next_review_on: Some(p.get("next_review_on")),
        parties: included(p)
            .into_iter()
            .map(|s| {
                let f = |name: &str| p.get(&format!("{}_{name}", s.as_str()));
                PartyInput {
                    sector: Some(s.as_str().into()),
                    org_id: uuid(p, &format!("{}_org_id", s.as_str())),
                    contact_name: Some(f("contact_name")),
                    contact: Some(f("contact")),
                    responsibility: Some(f("responsibility")),
                }
            })
            .collect(),
    }
}

/// The rows of the meeting form that hold anything, in order: (form row, task).
fn meeting_tasks(p: &Pairs) -> Vec<(usize, TaskInput)> {
    (0..MEETING_TASK_ROWS)
        .map(|n| {
            let f = |name: &str| p.get(&format!("task{n}_{name}"));
            (n, f("title"), f("owner"), f("due"))
        })
        .filter(|(_, title, owner, due)| {
            !(title.trim().is_empty() && owner.is_empty() && due.is_empty())
        })
        .map(|(n, title, owner, due)| {
            let input = TaskInput {
                title: Some(title),
                owner_org_id: Uuid::parse_str(owner.trim()).ok(),
                owner_name: None,
                due_on: Some(due),
            };
            (n, input)
        })
        .collect()
}

async fn show(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<Saved>,
) -> Result<Response, WebError> {
    let notice = q.saved.as_deref().map(|_| Tr(lang).t("kit.saved"));
    page(&state, &user, lang, &rid, id, Forms::default(), notice).await
}

#[derive(serde::Deserialize)]
struct Saved {
    saved: Option<String>,
}

/// The messages of a list row's fields, each with the anchor the summary links to.
fn errors_of(r: &Refusal, lang: Lang, prefix: &str, fields: &[&str]) -> Vec<(String, String)> {
    fields
        .iter()
        .filter_map(|f| {
            let field = format!("{prefix}{f}");
            let message = r.err(&field, lang)?.to_string();
            Some((field.replace(['[', ']', '.'], "_"), message))
        })
        .collect()
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    course_id: Uuid,
    forms: Forms,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(rid);
    let today = ctx.today();
    let view = svc::of_course(&state.store, &ctx, course_id).await?;
    let (coordinates, owner_org) = (view.coordinates, view.owner_org_id);
    let child_name = view.child_name.clone();
    let all_orgs = samspor_store::organisations::list(&state.store).await?;
    let status = Refusal::gravest([&forms.plan_r, &forms.meeting_r, &forms.task_r]);
    let plan_pairs = forms.plan.unwrap_or_else(|| stored_plan(&view));
    let sent = included(&plan_pairs);
    let rows = Sector::ALL
        .into_iter()
        .map(|s| {
            let idx = sent.iter().position(|x| *x == s);
            let f = |name: &str| plan_pairs.get(&format!("{}_{name}", s.as_str()));
            let fields = [
                "sector",
                "org_id",
                "contact_name",
                "contact",
                "responsibility",
            ];
            SectorRow {
                sector: s.as_str(),
                label: s.label(lang),
                required: s.required(),
                fixed_org: (s == Sector::Municipality).then(|| owner_org.to_string()),
                orgs: all_orgs
                    .iter()
                    .filter(|o| match s {
                        Sector::Municipality => o.id == owner_org,
                        Sector::Psychiatry => o.kind == OrgKind::Psychiatry,
                        Sector::School => matches!(o.kind, OrgKind::School | OrgKind::Ppr),
                        Sector::Gp => o.kind == OrgKind::GpPractice,
                    })
                    .map(|o| (o.id.to_string(), o.name.clone()))
                    .collect(),
                org_id: f("org_id"),
                contact_name: f("contact_name"),
                contact: f("contact"),
                responsibility: f("responsibility"),
                errors: idx
                    .map(|i| errors_of(&forms.plan_r, lang, &format!("parties[{i}]."), &fields))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let sent_tasks = meeting_tasks(&forms.meeting);
    let meeting_tasks = (0..MEETING_TASK_ROWS)
        .map(|n| {
            let idx = sent_tasks.iter().position(|(row, _)| *row == n);
            let f = |name: &str| forms.meeting.get(&format!("task{n}_{name}"));
            TaskRow {
                n,
                title: f("title"),
                owner: f("owner"),
                due: f("due"),
                errors: idx
                    .map(|i| {
                        let fields = ["title", "owner_org_id", "due_on"];
                        errors_of(&forms.meeting_r, lang, &format!("tasks[{i}]."), &fields)
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let (has_plan, version, goals, next_review, parties, meetings, tasks, owners) =
        describe(t, &ctx, &view, today);
    let path = format!("/courses/{course_id}/kit");
    Ok(render(
        status,
        &KitTemplate {
            t,
            l: Layout::new(Some(user), t, &path, "courses").with_notice(notice),
            course_id,
            child_name,
            coordinates,
            has_plan,
            version,
            goals,
            next_review,
            parties,
            meetings,
            tasks,
            rows,
            plan: plan_pairs,
            owners,
            plan_r: forms.plan_r,
            meeting: forms.meeting,
            meeting_tasks,
            meeting_r: forms.meeting_r,
            task: forms.task,
            task_r: forms.task_r,
        },
    ))
}

/// The stored plan as the form's fields.
fn stored_plan(view: &KitView) -> Pairs {
    let mut p = Pairs::default();
    if let Some(plan) = &view.plan {
        p.0.push(("goals".into(), plan.goals.clone()));
        p.0.push(("next_review_on".into(), plan.next_review_on.to_string()));
        for party in &plan.parties {
            let s = party.sector.as_str();
            p.0.push((format!("{s}_org_id"), party.org_id.to_string()));
            p.0.push((format!("{s}_contact_name"), party.contact_name.clone()));
            p.0.push((
                format!("{s}_contact"),
                party.contact.clone().unwrap_or_default(),
            ));
            p.0.push((format!("{s}_responsibility"), party.responsibility.clone()));
        }
    }
    p
}

type Described = (
    bool,
    i64,
    String,
    String,
    Vec<(String, String, String, String)>,
    Vec<(String, String, String, String)>,
    Vec<TaskView>,
    Vec<(String, String)>,
);

/// The stored plan as the page shows it: facts, parties, meetings, tasks and task owners.
fn describe(
    t: Tr,
    ctx: &samspor_store::service::Ctx,
    v: &KitView,
    today: chrono::NaiveDate,
) -> Described {
    let Some(plan) = &v.plan else {
        return (
            false,
            0,
            String::new(),
            String::new(),
            vec![],
            vec![],
            vec![],
            vec![],
        );
    };
    let name = |id: &Uuid| v.org_names.get(id).cloned().unwrap_or_default();
    let parties = plan
        .parties
        .iter()
        .map(|p| {
            let who = match &p.contact {
                Some(c) => format!("{} ({c})", p.contact_name),
                None => p.contact_name.clone(),
            };
            (
                p.sector.label(t.0).to_string(),
                name(&p.org_id),
                who,
                p.responsibility.clone(),
            )
        })
        .collect();
    let meetings = v
        .meetings
        .iter()
        .map(|m| {
            (
                day(m.held_on),
                m.participants.join(", "),
                m.agenda.clone(),
                m.decisions.clone(),
            )
        })
        .collect();
    let tasks = v
        .tasks
        .iter()
        .map(|k| {
            let owner = match &k.task.owner_name {
                Some(n) => format!("{} ({n})", name(&k.task.owner_org_id)),
                None => name(&k.task.owner_org_id),
            };
            TaskView {
                id: k.id,
                title: k.task.title.clone(),
                owner,
                due: day(k.task.due_on),
                done: k.status == TaskStatus::Done,
                overdue: k.overdue(today),
                may_update: v.coordinates || k.task.owner_org_id == ctx.actor.org_id,
            }
        })
        .collect();
    let owners = plan
        .parties
        .iter()
        .map(|p| (p.org_id.to_string(), name(&p.org_id)))
        .collect();
    (
        true,
        plan.version,
        plan.goals.clone(),
        day(plan.next_review_on),
        parties,
        meetings,
        tasks,
        owners,
    )
}

/// After a form: back to the page with a notice, or the page again with the refusal.
async fn after(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    course_id: Uuid,
    result: Result<(), ServiceError>,
    forms: impl FnOnce(Refusal) -> Forms,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/courses/{course_id}/kit?saved=1")).into_response()),
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            page(state, user, lang, rid, course_id, forms(r), None).await
        }
    }
}

async fn save_plan(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.get("version").trim().parse().ok();
    let ctx = user.ctx(&rid);
    let result = svc::save_plan(&state.store, &ctx, id, &plan_input(&p), version).await;
    after(
        &state,
        &user,
        lang,
        &rid,
        id,
        result.map(|_| ()),
        |plan_r| Forms {
            plan: Some(p),
            plan_r,
            ..Default::default()
        },
    )
    .await
}

async fn add_meeting(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let input = MeetingInput {
        held_on: Some(p.get("held_on")),
        participants: p.get("participants").lines().map(str::to_string).collect(),
        agenda: Some(p.get("agenda")),
        decisions: Some(p.get("decisions")),
        tasks: meeting_tasks(&p).into_iter().map(|(_, t)| t).collect(),
    };
    let ctx = user.ctx(&rid);
    let result = svc::add_meeting(&state.store, &ctx, id, &input).await;
    after(
        &state,
        &user,
        lang,
        &rid,
        id,
        result.map(|_| ()),
        |meeting_r| Forms {
            meeting: p,
            meeting_r,
            ..Default::default()
        },
    )
    .await
}

async fn add_task(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let input = TaskInput {
        title: Some(p.get("title")),
        owner_org_id: uuid(&p, "owner_org_id"),
        owner_name: Some(p.get("owner_name")),
        due_on: Some(p.get("due_on")),
    };
    let ctx = user.ctx(&rid);
    let result = svc::add_task(&state.store, &ctx, id, &input).await;
    after(
        &state,
        &user,
        lang,
        &rid,
        id,
        result.map(|_| ()),
        |task_r| Forms {
            task: p,
            task_r,
            ..Default::default()
        },
    )
    .await
}

async fn set_status(
    Cx(state, user, _, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let status = p.get("status");
    let back = match uuid(&p, "course_id") {
        Some(course) => format!("/courses/{course}/kit?saved=1"),
        None => "/kit".to_string(),
    };
    match svc::set_task_status(&state.store, &ctx, id, Some(&status)).await {
        Ok(_) => Ok(Redirect::to(&back).into_response()),
        // A status already set (a second click) changes nothing and needs no form again.
        Err(ServiceError::Invalid(_)) => Ok(Redirect::to(&back).into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "kit/worklist.html")]
struct WorklistTemplate {
    t: Tr,
    l: Layout,
    rows: Vec<(TaskLine, String, bool)>,
}

async fn worklist(Cx(state, user, lang, rid): Cx) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(&rid);
    let today = ctx.today();
    let rows = svc::open_tasks(&state.store, &ctx)
        .await?
        .into_iter()
        .map(|l| {
            let due = day(l.task.task.due_on);
            let overdue = l.task.overdue(today);
            (l, due, overdue)
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &WorklistTemplate {
            t,
            l: Layout::new(Some(&user), t, "/kit", "kit"),
            rows,
        },
    ))
}

/// The open KIT tasks for the front page: (course, text, overdue).
pub(crate) async fn waiting(
    state: &AppState,
    ctx: &samspor_store::service::Ctx,
    t: Tr,
) -> Result<Vec<(Uuid, String, bool)>, WebError> {
    let today = ctx.today();
    Ok(svc::open_tasks(&state.store, ctx)
        .await?
        .into_iter()
        .map(|l| {
            let text = format!(
                "{}: {} – {} – {} {}",
                l.child_name,
                l.task.task.title,
                l.owner_org_name,
                t.t("kit.due"),
                day(l.task.task.due_on)
            );
            (l.course_id, text, l.task.overdue(today))
        })
        .collect())
}

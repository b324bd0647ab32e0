//! KIT coordinated courses through the API.

use crate::api::*;
use crate::request::Id;
use samspor_domain::kit::{MeetingInput, PartyInput, PlanInput, TaskInput};
use samspor_store::kit::{self, KitView, TaskLine};
use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read_plan, save_plan))
        .routes(routes!(add_meeting))
        .routes(routes!(add_task))
        .routes(routes!(set_status))
        .routes(routes!(open_tasks))
}

const TAG: &str = "KIT coordinated courses";

#[derive(Deserialize, ToSchema)]
pub struct PartyIn {
    /// `municipality`, `psychiatry`, `school` or `gp`.
    sector: Option<String>,
    /// The organisation; for `municipality`, the course's own.
    org_id: Option<Uuid>,
    contact_name: Option<String>,
    /// Phone or e-mail.
    contact: Option<String>,
    /// What the sector does in the course.
    responsibility: Option<String>,
}

/// The shared plan: goals, next review, and one party per sector (municipality and child
/// psychiatry always).
#[derive(Deserialize, ToSchema)]
pub struct PlanIn {
    goals: Option<String>,
    /// `YYYY-MM-DD`, from today on.
    next_review_on: Option<String>,
    #[serde(default)]
    parties: Vec<PartyIn>,
    /// The version read, to refuse overwriting someone else's change.
    version: Option<i64>,
}

/// The course's KIT plan with meetings and tasks (`plan` is `null` until written), for the
/// municipality and every party a basis lets see the plan.
#[utoipa::path(get, path = "/api/v1/courses/{id}/kit-plan", tag = TAG,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn read_plan(ApiCx(state, u, rid): ApiCx, Id(id): Id) -> Result<Json<KitView>, WebError> {
    Ok(Json(kit::of_course(&state.store, &u.ctx(&rid), id).await?))
}

/// Write or rewrite the course's KIT plan: only where the municipality takes part in KIT, and
/// every party outside it needs a basis for the course facts and the plan (the course is then
/// shared with it).
#[utoipa::path(put, path = "/api/v1/courses/{id}/kit-plan", tag = TAG, request_body = PlanIn,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn save_plan(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<PlanIn>,
) -> Result<Json<samspor_store::kit::model::KitPlan>, WebError> {
    let input = PlanInput {
        goals: body.goals,
        next_review_on: body.next_review_on,
        parties: body
            .parties
            .into_iter()
            .map(|p| PartyInput {
                sector: p.sector,
                org_id: p.org_id,
                contact_name: p.contact_name,
                contact: p.contact,
                responsibility: p.responsibility,
            })
            .collect(),
    };
    let ctx = u.ctx(&rid);
    Ok(Json(
        kit::save_plan(&state.store, &ctx, id, &input, body.version).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TaskIn {
    title: Option<String>,
    /// One of the plan's organisations.
    owner_org_id: Option<Uuid>,
    owner_name: Option<String>,
    /// `YYYY-MM-DD`.
    due_on: Option<String>,
}

impl From<TaskIn> for TaskInput {
    fn from(t: TaskIn) -> TaskInput {
        TaskInput {
            title: t.title,
            owner_org_id: t.owner_org_id,
            owner_name: t.owner_name,
            due_on: t.due_on,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct MeetingIn {
    /// `YYYY-MM-DD`, not in the future.
    held_on: Option<String>,
    /// Who took part, one entry each (the family too).
    #[serde(default)]
    participants: Vec<String>,
    agenda: Option<String>,
    decisions: Option<String>,
    /// The follow-up tasks the meeting gave out.
    #[serde(default)]
    tasks: Vec<TaskIn>,
}

/// Record a network meeting with its decisions and follow-up tasks (the coordinating
/// municipality).
#[utoipa::path(post, path = "/api/v1/courses/{id}/kit-meetings", tag = TAG, request_body = MeetingIn,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_meeting(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<MeetingIn>,
) -> Result<axum::response::Response, WebError> {
    let input = MeetingInput {
        held_on: body.held_on,
        participants: body.participants,
        agenda: body.agenda,
        decisions: body.decisions,
        tasks: body.tasks.into_iter().map(Into::into).collect(),
    };
    let m = kit::add_meeting(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(created(format!("/api/v1/courses/{id}/kit-plan"), m))
}

/// Give a task to one of the plan's organisations (the coordinating municipality).
#[utoipa::path(post, path = "/api/v1/courses/{id}/kit-tasks", tag = TAG, request_body = TaskIn,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_task(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<TaskIn>,
) -> Result<axum::response::Response, WebError> {
    let t = kit::add_task(&state.store, &u.ctx(&rid), id, &body.into()).await?;
    Ok(created(format!("/api/v1/courses/{id}/kit-plan"), t))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    /// `open` or `done`.
    status: Option<String>,
}

/// Mark a task done or open again: the organisation that owns it, or the coordinating
/// municipality.
#[utoipa::path(post, path = "/api/v1/kit-tasks/{id}/status", tag = TAG, request_body = StatusIn,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn set_status(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<StatusIn>,
) -> Result<Json<samspor_store::kit::model::KitTask>, WebError> {
    let ctx = u.ctx(&rid);
    Ok(Json(
        kit::set_task_status(&state.store, &ctx, id, body.status.as_deref()).await?,
    ))
}

/// The open KIT tasks the caller's organisation owns or coordinates, by deadline.
#[utoipa::path(get, path = "/api/v1/kit-tasks", tag = TAG,
    responses((status = 200, body = serde_json::Value)))]
async fn open_tasks(ApiCx(state, u, rid): ApiCx) -> Result<Json<Vec<TaskLine>>, WebError> {
    Ok(Json(kit::open_tasks(&state.store, &u.ctx(&rid)).await?))
}

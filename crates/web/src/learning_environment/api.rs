//! Learning-environment guidance through the API.

use crate::api::*;
use crate::request::Period;
use axum::extract::Query;
use samspor_domain::learning_environment::{InstitutionInput, SessionInput};
use samspor_store::learning_environment::model::{Institution, LearningEnvSession};
use samspor_store::learning_environment::{self as svc, Counts, Overview};
use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(overview))
        .routes(routes!(add_institution))
        .routes(routes!(record_session))
        .routes(routes!(counts))
}

const TAG: &str = "learning-environment";

/// The municipality's institutions, its latest sessions (at most 100) with the children they
/// name, and what the forms offer (its schools in Samspor, its children with an active course).
#[utoipa::path(get, path = "/api/v1/learning-environment", tag = TAG,
    responses((status = 200, body = serde_json::Value), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn overview(ApiCx(state, u, rid): ApiCx) -> Result<Json<Overview>, WebError> {
    Ok(Json(svc::overview(&state.store, &u.ctx(&rid)).await?))
}

/// A school or day-care institution the municipality guides.
#[derive(Deserialize, ToSchema)]
pub struct InstitutionIn {
    /// `school` or `day_care`.
    kind: Option<String>,
    name: Option<String>,
    /// The school's organisation in Samspor (needed for sessions about named children).
    org_id: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/learning-environment/institutions", tag = TAG, request_body = InstitutionIn,
    responses((status = 201, body = serde_json::Value), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_institution(
    ApiCx(state, u, rid): ApiCx,
    ApiJson(body): ApiJson<InstitutionIn>,
) -> Result<axum::response::Response, WebError> {
    let input = InstitutionInput {
        kind: body.kind,
        name: body.name,
        org_id: body.org_id,
    };
    let made: Institution = svc::add_institution(&state.store, &u.ctx(&rid), &input).await?;
    Ok(created("/api/v1/learning-environment".into(), made))
}

/// A guidance session with an institution's staff: about a class or group (`about: group`,
/// `group_label`; no child named) or about named children of the municipality (`about:
/// children`, `child_ids`; needs a basis covering the institution's school). No CPR number in
/// any text.
#[derive(Deserialize, ToSchema)]
pub struct SessionIn {
    institution_id: Option<Uuid>,
    /// `YYYY-MM-DD`, not in the future.
    held_on: Option<String>,
    /// `group` or `children`.
    about: Option<String>,
    group_label: Option<String>,
    #[serde(default)]
    child_ids: Vec<Uuid>,
    participants: Option<String>,
    /// Codes: wellbeing, worry, inclusion, structure, conflicts, absence, transitions, parents.
    #[serde(default)]
    themes: Vec<String>,
    notes: Option<String>,
    follow_up: Option<String>,
    follow_up_on: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/learning-environment/sessions", tag = TAG, request_body = SessionIn,
    responses((status = 201, body = serde_json::Value), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn record_session(
    ApiCx(state, u, rid): ApiCx,
    ApiJson(b): ApiJson<SessionIn>,
) -> Result<axum::response::Response, WebError> {
    let input = SessionInput {
        institution_id: b.institution_id,
        held_on: b.held_on,
        about: b.about,
        group_label: b.group_label,
        child_ids: b.child_ids,
        participants: b.participants,
        themes: b.themes,
        notes: b.notes,
        follow_up: b.follow_up,
        follow_up_on: b.follow_up_on,
    };
    let made: LearningEnvSession = svc::record_session(&state.store, &u.ctx(&rid), &input).await?;
    Ok(created("/api/v1/learning-environment".into(), made))
}

/// What the indicators count of the municipality's guidance from `from` to `to` (both days
/// included): sessions, about groups and about named children, distinct children and
/// institutions, sessions per theme and with a follow-up.
#[utoipa::path(get, path = "/api/v1/learning-environment/counts", tag = TAG, params(Period),
    responses((status = 200, body = serde_json::Value), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn counts(
    ApiCx(state, u, rid): ApiCx,
    Query(p): Query<Period>,
) -> Result<Json<Counts>, WebError> {
    let (from, to) = p.days()?;
    Ok(Json(
        svc::counts(&state.store, &u.ctx(&rid), from, to).await?,
    ))
}

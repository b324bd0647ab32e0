//! The JSON API under /api/v1, and its OpenAPI 3.1 description at /api/openapi.json.

mod children;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{FieldProblem, Problem, WebError};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use samspor_store::service::organisations;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/v1/me", get(me))
        .route("/v1/organisations", get(list_organisations))
        .merge(children::router())
        .fallback(|| async { WebError::NotFound })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Samspor API",
        description = "Cross-sector work on children and young people in psychological distress. \
            Authenticate with `Authorization: Bearer <token>` (create one with `samspor token create`). \
            Errors are RFC 9457 problem documents; invalid input lists each field in `errors`.",
        version = "1"
    ),
    paths(me, list_organisations, children::create, children::search, children::read, children::update, children::access_log),
    components(schemas(Problem, FieldProblem, Me, OrganisationOut)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as JSON text.
pub fn openapi_document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

async fn openapi_json() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_document(),
    )
}

/// The caller.
#[derive(Serialize, ToSchema)]
pub struct Me {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    organisation: OrganisationOut,
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationOut {
    id: Uuid,
    /// Municipality code (`0101`), region code (`DK-84`) or unit code (`U000001`).
    code: String,
    kind: String,
    name: String,
    region_code: Option<String>,
    municipality_code: Option<String>,
    sor_code: Option<String>,
    ean_code: Option<String>,
}

impl From<&samspor_store::Organisation> for OrganisationOut {
    fn from(o: &samspor_store::Organisation) -> Self {
        OrganisationOut {
            id: o.id,
            code: o.code.clone(),
            kind: o.kind.as_str().into(),
            name: o.name.clone(),
            region_code: o.region_code.clone(),
            municipality_code: o.municipality_code.clone(),
            sor_code: o.sor_code.clone(),
            ean_code: o.ean_code.clone(),
        }
    }
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn me(ApiUser(u): ApiUser) -> Json<Me> {
    Json(Me {
        id: u.user.id,
        email: u.user.email.clone(),
        name: u.user.name.clone(),
        role: u.user.role.as_str().into(),
        organisation: (&u.org).into(),
    })
}

/// Regions, municipalities and units.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<OrganisationOut>), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn list_organisations(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
) -> Result<Json<Vec<OrganisationOut>>, WebError> {
    let orgs = organisations::list(&*state.store).await?;
    Ok(Json(orgs.iter().map(Into::into).collect()))
}

//! The JSON API under /api/v1, and its OpenAPI 3.1 description at /api/openapi.json. Each
//! feature declares its own routes (`<feature>/api.rs`); this module joins them and holds what
//! every API handler shares.

pub(crate) use crate::AppState;
pub(crate) use crate::auth::ApiUser;
pub(crate) use crate::error::{FieldProblem, Problem, WebError};
pub(crate) use crate::request::{ApiJson, RequestId};
pub(crate) use axum::extract::State;
pub(crate) use axum::routing::get;
pub(crate) use axum::{Json, Router};
use samspor_store::organisations;
pub(crate) use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
pub(crate) use utoipa::{Modify, OpenApi, ToSchema};
pub(crate) use utoipa_axum::{router::OpenApiRouter, routes};
pub(crate) use uuid::Uuid;

/// 201 Created with the new record and where to find it.
pub(crate) fn created(location: String, body: impl Serialize) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        Json(body),
    )
        .into_response()
}

/// What nearly every API handler starts from: the application, the authenticated caller
/// (bearer token, or the session cookie on GET) and the request id for the audit log.
pub(crate) struct ApiCx(pub AppState, pub crate::auth::CurrentUser, pub String);

impl axum::extract::FromRequestParts<AppState> for ApiCx {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, WebError> {
        let ApiUser(user) = ApiUser::from_request_parts(parts, state).await?;
        let RequestId(rid) = RequestId::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|never| match never {});
        Ok(ApiCx(state.clone(), user, rid))
    }
}

/// Every API route with its documentation: a route is declared once, by its handler's
/// `#[utoipa::path]`, and serves both the router and the OpenAPI document.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(list_organisations, create_unit))
        .merge(crate::children::api::router())
        .merge(crate::consent::api::router())
        .merge(crate::referrals::api::router())
        .merge(crate::advice::api::router())
        .merge(crate::kit::api::router())
        .merge(crate::medcom::api::router())
        .merge(crate::learning_environment::api::router())
        .merge(crate::messages::api::router())
        .merge(crate::courses::api::router())
        .merge(crate::export::api::router())
        .merge(crate::courses::groups::api::router())
        .merge(crate::courses::treatment::api::router())
        .merge(crate::questionnaires::api::router())
}

/// The API under `/api`; anything else there is a problem document, never a page.
pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router
        .route("/api/openapi.json", get(openapi_json))
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { WebError::NotFound }),
        )
        .layer(axum::middleware::from_fn(crate::request::refuse_nul))
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
    components(schemas(Problem, FieldProblem, Me, OrganisationOut, OrganisationListItem, MembershipOut, UnitIn)),
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
    let (_, doc) = routes().split_for_parts();
    doc.to_pretty_json().unwrap_or_default()
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
    /// The region it belongs to today (memberships are effective-dated: from 1 January 2027
    /// the municipalities of DK-84 and DK-85 belong to Region Østdanmark).
    region_code: Option<String>,
    municipality_code: Option<String>,
    sor_code: Option<String>,
    ean_code: Option<String>,
}

/// An organisation with whom it belongs to, by period.
#[derive(Serialize, ToSchema)]
pub struct OrganisationListItem {
    #[serde(flatten)]
    organisation: OrganisationOut,
    memberships: Vec<MembershipOut>,
}

/// That an organisation belongs to another from one day to another (both included).
#[derive(Serialize, ToSchema)]
pub struct MembershipOut {
    /// The code of the region, municipality or unit it belongs to.
    parent_code: String,
    valid_from: chrono::NaiveDate,
    /// The last day; absent while it lasts.
    valid_until: Option<chrono::NaiveDate>,
    /// Where the fact comes from: `reference`, a law, or `unit created`.
    source: String,
}

impl From<&samspor_store::Organisation> for OrganisationOut {
    fn from(o: &samspor_store::Organisation) -> Self {
        OrganisationOut {
            id: o.id,
            code: o.code.clone(),
            kind: o.kind.as_str().into(),
            name: o.name.clone(),
            region_code: o.region_code.as_deref().map(|founding| {
                let today = samspor_store::courses::local(chrono::Utc::now()).date();
                samspor_domain::geo::changes::successor_on(founding, today)
                    .map_or_else(|| founding.to_string(), |r| r.code.to_string())
            }),
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
    responses((status = 200, body = Vec<OrganisationListItem>), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn list_organisations(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
) -> Result<Json<Vec<OrganisationListItem>>, WebError> {
    let h = organisations::hierarchy(&state.store).await?;
    let code = |id| h.org(id).map(|o| o.code.clone()).unwrap_or_default();
    Ok(Json(
        h.orgs
            .iter()
            .map(|o| OrganisationListItem {
                organisation: o.into(),
                memberships: h
                    .memberships_of(o.id)
                    .map(|m| MembershipOut {
                        parent_code: code(m.parent_id),
                        valid_from: m.valid_from,
                        valid_until: m.valid_until,
                        source: m.source.clone(),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// A unit to create: a PPR team, psychiatry clinic, GP practice, hospital department or school.
#[derive(serde::Deserialize, ToSchema)]
pub struct UnitIn {
    /// `ppr`, `psychiatry`, `gp_practice`, `hospital_department`, `school` or `secretariat`.
    kind: String,
    name: String,
    /// The code of the municipality or region it belongs to, e.g. `0101` or `DK-84`.
    parent: String,
    /// SOR code (at least 11 digits), if it has one.
    sor_code: Option<String>,
    /// EAN/GLN location number (13 digits), if it has one.
    ean_code: Option<String>,
}

/// Create a unit; it gets the next free code (`U` + 6 digits).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = UnitIn,
    responses(
        (status = 201, body = OrganisationOut),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_unit(
    ApiCx(state, u, rid): ApiCx,
    ApiJson(body): ApiJson<UnitIn>,
) -> Result<(axum::http::StatusCode, Json<OrganisationOut>), WebError> {
    let org = organisations::create_unit(
        &state.store,
        &u.ctx(&rid),
        organisations::UnitInput {
            kind: &body.kind,
            name: &body.name,
            parent_code: &body.parent,
            sor_code: body.sor_code.as_deref(),
            ean_code: body.ean_code.as_deref(),
        },
    )
    .await?;
    Ok((axum::http::StatusCode::CREATED, Json((&org).into())))
}

//! Children through the API.

use crate::api::*;
use crate::request::ApiJson;
use crate::request::Id;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::child::{ChildInput, GuardianInput};
use samspor_store::audit;
use samspor_store::children;
use samspor_store::{Child, ChildQuery};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search, create))
        .routes(routes!(read, update))
        .routes(routes!(access_log))
}

#[derive(Deserialize, ToSchema)]
pub struct GuardianIn {
    name: Option<String>,
    /// `mother`, `father`, `parent`, `foster_parent` or `other`.
    relation: Option<String>,
    /// Holds custody (forældremyndighed).
    custody: Option<bool>,
    phone: Option<String>,
    email: Option<String>,
}

/// A child to register. On update, absent fields keep their value and an empty
/// string clears an optional one; `guardians`, when given, replaces the list.
#[derive(Deserialize, ToSchema)]
pub struct ChildIn {
    /// 10 digits, with or without hyphen (DDMMYY-SSSS). eCPR replacement numbers are accepted.
    cpr: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    address: Option<String>,
    school: Option<String>,
    guardians: Option<Vec<GuardianIn>>,
    /// On update: the version you read; a newer version on the server gives 409.
    version: Option<i64>,
}

impl ChildIn {
    fn input(self) -> (ChildInput, Option<i64>) {
        (
            ChildInput {
                cpr: self.cpr,
                given_name: self.given_name,
                family_name: self.family_name,
                address: self.address,
                school: self.school,
                guardians: self.guardians.map(|g| {
                    g.into_iter()
                        .map(|g| GuardianInput {
                            name: g.name,
                            relation: g.relation,
                            custody: g.custody,
                            phone: g.phone,
                            email: g.email,
                        })
                        .collect()
                }),
            },
            self.version,
        )
    }
}

#[derive(Serialize, ToSchema)]
pub struct GuardianOut {
    name: String,
    relation: String,
    custody: bool,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChildOut {
    id: Uuid,
    cpr: String,
    given_name: String,
    family_name: String,
    birth_date: NaiveDate,
    /// `female`, `male` or `unknown` (derived from the CPR number).
    sex: String,
    address: Option<String>,
    school: Option<String>,
    guardians: Vec<GuardianOut>,
    organisation_id: Uuid,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Child> for ChildOut {
    fn from(c: Child) -> Self {
        ChildOut {
            id: c.id,
            cpr: c.data.cpr.as_str().into(),
            birth_date: c.data.birth_date(),
            sex: c.data.sex().as_str().into(),
            given_name: c.data.given_name,
            family_name: c.data.family_name,
            address: c.data.address,
            school: c.data.school,
            guardians: c
                .data
                .guardians
                .into_iter()
                .map(|g| GuardianOut {
                    name: g.name,
                    relation: g.relation.as_str().into(),
                    custody: g.custody,
                    phone: g.phone,
                    email: g.email,
                })
                .collect(),
            organisation_id: c.org_id,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChildListItem {
    id: Uuid,
    given_name: String,
    family_name: String,
    birth_date: NaiveDate,
}

/// Register a child in the caller's organisation.
#[utoipa::path(post, path = "/api/v1/children", tag = "children", request_body = ChildIn,
    responses(
        (status = 201, body = ChildOut, headers(("location" = String, description = "The new child's URL"))),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed JSON"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Already registered: see `existing`"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn create(
    ApiCx(state, u, rid): ApiCx,
    ApiJson(body): ApiJson<ChildIn>,
) -> Result<Response, WebError> {
    let (input, _) = body.input();
    let child = children::create(&state.store, &u.ctx(&rid), &input).await?;
    let location = format!("/api/v1/children/{}", child.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(ChildOut::from(child)),
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Part of a name, or a CPR number (whole or first digits).
    q: Option<String>,
    /// At most this many (1–500, default 100).
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Find children of the caller's organisation by name or CPR number.
#[utoipa::path(get, path = "/api/v1/children", tag = "children", params(SearchParams),
    responses((status = 200, body = Vec<ChildListItem>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn search(
    ApiCx(state, u, rid): ApiCx,
    Query(p): Query<SearchParams>,
) -> Result<Json<Vec<ChildListItem>>, WebError> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) || p.offset.is_some_and(|o| o < 0) {
        return Err(WebError::Invalid(
            samspor_domain::validation::FieldError::new(
                "limit",
                "limit must be 1 to 500 and offset 0 or more.",
                "limit skal være 1 til 500 og offset 0 eller mere.",
            )
            .into(),
        ));
    }
    let found = children::search(
        &state.store,
        &u.ctx(&rid),
        &ChildQuery {
            text: p.q,
            limit,
            offset: p.offset.unwrap_or(0),
        },
    )
    .await?;
    Ok(Json(
        found
            .into_iter()
            .map(|c| ChildListItem {
                id: c.id,
                given_name: c.given_name,
                family_name: c.family_name,
                birth_date: c.birth_date,
            })
            .collect(),
    ))
}

/// One child.
#[utoipa::path(get, path = "/api/v1/children/{id}", tag = "children",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ChildOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn read(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
) -> Result<Json<ChildOut>, WebError> {
    let child = children::read(&state.store, &u.ctx(&rid), id).await?;
    Ok(Json(child.into()))
}

/// Correct a child's record; the earlier version is kept in its history.
#[utoipa::path(patch, path = "/api/v1/children/{id}", tag = "children", request_body = ChildIn,
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ChildOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Changed by someone else, or CPR already registered"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn update(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<ChildIn>,
) -> Result<Json<ChildOut>, WebError> {
    let (input, version) = body.input();
    let child = children::update(&state.store, &u.ctx(&rid), id, &input, version).await?;
    Ok(Json(child.into()))
}

#[derive(Serialize, ToSchema)]
pub struct AccessEntry {
    seq: i64,
    at: DateTime<Utc>,
    user_id: Option<Uuid>,
    user_name: Option<String>,
    organisation: Option<String>,
    /// read, search, create, update, export, …
    action: String,
    object_type: String,
    purpose: String,
    /// For another organisation's access: the lawful basis it was given on
    /// (`basis=consent:<id> (sundhedsloven § 41, stk. 1)`).
    basis: Option<String>,
}

/// Who read or changed this child's data, newest first.
#[utoipa::path(get, path = "/api/v1/children/{id}/access-log", tag = "children",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<AccessEntry>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn access_log(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
) -> Result<Json<Vec<AccessEntry>>, WebError> {
    let lines = audit::child_access_log(&state.store, &u.ctx(&rid), id, 1000).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|l| AccessEntry {
                seq: l.entry.seq,
                at: l.entry.at,
                user_id: l.entry.event.user_id,
                user_name: l.user_name,
                organisation: l.org_name,
                action: l.entry.event.action.as_str().into(),
                object_type: l.entry.event.object_type,
                purpose: l.entry.event.purpose,
                basis: l
                    .entry
                    .event
                    .detail
                    .find("basis=")
                    .map(|at| l.entry.event.detail[at..].to_string()),
            })
            .collect(),
    ))
}

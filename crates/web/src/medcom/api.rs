//! The child's GP practice and MedCom messages through the API.

use crate::api::*;
use crate::request::Id;
use samspor_domain::medcom::{GpPractice, GpPracticeInput};
use samspor_store::medcom::model::MedcomMessage;
use samspor_store::medcom::{self, MessageLine, RoutingInput};
use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read_practice, set_practice))
        .routes(routes!(set_routing))
        .routes(routes!(inbox))
        .routes(routes!(outbox))
        .routes(routes!(read_message))
        .routes(routes!(send_again))
}

const TAG: &str = "medcom";

/// The child's GP practice: MedCom routes on the SOR code and the EAN location number.
#[derive(Deserialize, ToSchema)]
pub struct GpPracticeIn {
    name: Option<String>,
    /// Six digits.
    ydernummer: Option<String>,
    sor_code: Option<String>,
    /// 13 digits with a GS1 check digit.
    ean: Option<String>,
}

/// The child's GP practice, or `null` when none is recorded.
#[utoipa::path(get, path = "/api/v1/children/{id}/gp-practice", tag = TAG,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn read_practice(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
) -> Result<Json<Option<GpPractice>>, WebError> {
    Ok(Json(
        medcom::gp_practice(&state.store, &u.ctx(&rid), id).await?,
    ))
}

/// Record the child's GP practice. GP information that waited for it is queued now.
#[utoipa::path(put, path = "/api/v1/children/{id}/gp-practice", tag = TAG, request_body = GpPracticeIn,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn set_practice(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<GpPracticeIn>,
) -> Result<Json<GpPractice>, WebError> {
    let input = GpPracticeInput {
        name: body.name,
        ydernummer: body.ydernummer,
        sor_code: body.sor_code,
        ean: body.ean,
    };
    Ok(Json(
        medcom::set_gp_practice(&state.store, &u.ctx(&rid), id, &input).await?,
    ))
}

/// How an organisation signs and routes its MedCom messages.
#[derive(Deserialize, ToSchema)]
pub struct RoutingIn {
    sor_code: Option<String>,
    ean: Option<String>,
    /// The telephone signed under every message (as in the SOR register).
    phone: Option<String>,
}

/// Set an organisation's SOR code, EAN location number and telephone for MedCom: the
/// secretariat for any organisation, an administrator for their own.
#[utoipa::path(put, path = "/api/v1/organisations/{code}/medcom", tag = TAG, request_body = RoutingIn,
    params(("code" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn set_routing(
    ApiCx(state, u, rid): ApiCx,
    axum::extract::Path(code): axum::extract::Path<String>,
    ApiJson(body): ApiJson<RoutingIn>,
) -> Result<axum::http::StatusCode, WebError> {
    let input = RoutingInput {
        sor_code: body.sor_code,
        ean: body.ean,
        phone: body.phone,
    };
    medcom::set_routing(&state.store, &u.ctx(&rid), &code, &input).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The MedCom messages delivered to the caller's organisation (a GP practice's inbox).
#[utoipa::path(get, path = "/api/v1/medcom/inbox", tag = TAG,
    responses((status = 200, body = serde_json::Value)))]
async fn inbox(ApiCx(state, u, rid): ApiCx) -> Result<Json<Vec<MessageLine>>, WebError> {
    Ok(Json(medcom::inbox(&state.store, &u.ctx(&rid)).await?))
}

/// The MedCom messages the caller's organisation sent, with where each is.
#[utoipa::path(get, path = "/api/v1/medcom/outbox", tag = TAG,
    responses((status = 200, body = serde_json::Value)))]
async fn outbox(ApiCx(state, u, rid): ApiCx) -> Result<Json<Vec<MessageLine>>, WebError> {
    Ok(Json(medcom::outbox(&state.store, &u.ctx(&rid)).await?))
}

/// One MedCom message; reading it in the receiving practice marks it read.
#[utoipa::path(get, path = "/api/v1/medcom/messages/{id}", tag = TAG,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn read_message(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
) -> Result<Json<MessageLine>, WebError> {
    Ok(Json(medcom::message(&state.store, &u.ctx(&rid), id).await?))
}

/// Send a failed message again (coordinators and administrators of the sender).
#[utoipa::path(post, path = "/api/v1/medcom/messages/{id}/send-again", tag = TAG,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn send_again(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
) -> Result<Json<MedcomMessage>, WebError> {
    Ok(Json(
        medcom::send_again(&state.store, &u.ctx(&rid), id).await?,
    ))
}

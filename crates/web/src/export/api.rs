//! The KL Gateway LTT delivery through the API.

use crate::api::*;
use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use samspor_domain::validation::{FieldError, FieldErrors};
use samspor_store::export::{self, Caller, ExportRequest};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(kl_ltt))
}

/// The period of a delivery.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KlQuery {
    /// Changes after this RFC 3339 time are reported, e.g. `2026-11-20T00:00:00+01:00`; not in
    /// the future. Give the `until` of your previous delivery to get everything once.
    since: Option<String>,
    /// Changes up to this RFC 3339 time (default: now).
    until: Option<String>,
}

/// The KL Gateway LTT report of your municipality: a `KLGatewayLTTIncrementalDelivery` with one
/// `KLGatewayLTTDeliveryReport` per child whose KL data changed after `since` (the Citizen with
/// CPR number and SOR code, and for each changed course its CarePlan, the encounters and the
/// referrals). Every report is checked against the KL profiles first; a report that does not
/// conform, or an organisation without a SOR code, refuses the delivery with 422 naming the
/// organisation and record ids. Each delivery is recorded (see `/admin/kl-deliveries`) and
/// audited per child. Only the administrator of a municipality organisation may ask.
#[utoipa::path(get, path = "/api/v1/exports/kl-ltt", tag = "exports", params(KlQuery),
    responses(
        (status = 200, content_type = "application/fhir+json", body = Object,
            description = "The delivery (FHIR R4 Bundle, profile klgateway-ltt-incremental-delivery)"),
        (status = 403, body = Problem, content_type = "application/problem+json",
            description = "Only a municipality's administrator takes deliveries"),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "`since` or `until` missing, malformed or in the future, or the records cannot be reported"),
    ))]
pub(crate) async fn kl_ltt(
    ApiCx(state, u, rid): ApiCx,
    Query(q): Query<KlQuery>,
) -> Result<Response, WebError> {
    let ctx = u.ctx(&rid);
    let mut errors = FieldErrors::default();
    let since = match q.since.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::required("since"));
            None
        }
        Some(s) => export::parse_since(s, ctx.now)
            .map_err(|e| errors.push(e))
            .ok(),
    };
    let until = match q.until.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(ctx.now),
        Some(s) => export::parse_until(s, ctx.now)
            .map_err(|e| errors.push(e))
            .ok(),
    };
    let (Some(since), Some(until), true) = (since, until, errors.is_empty()) else {
        return Err(WebError::Invalid(errors));
    };
    let delivery = export::kl_ltt(
        &state.store,
        Caller::Staff(&ctx),
        ExportRequest {
            since,
            until,
            org: None,
        },
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/fhir+json".to_string()),
            (
                header::HeaderName::from_static("x-samspor-delivery-id"),
                delivery.record.id.to_string(),
            ),
        ],
        delivery.json,
    )
        .into_response())
}

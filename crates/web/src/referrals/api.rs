//! Referrals to child psychiatry through the API.

use crate::api::*;
use crate::request::Id;
use crate::request::Period;
use axum::extract::Query;
use axum::http::StatusCode;
use samspor_domain::child::ChildInput;
use samspor_domain::course::visitation::WayInput;
use samspor_domain::medcom::GpPracticeInput;
use samspor_domain::referral::counts::ReferralCounts;
use samspor_domain::referral::gp::GpReferralInput;
use samspor_domain::referral::{AnswerInput, ReferralInput};
use samspor_store::referrals::{self, GpReferralRegistration, ReferralView, SendInput};
use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send))
        .routes(routes!(list))
        .routes(routes!(read))
        .routes(routes!(answer))
        .routes(routes!(act_on_return))
        .routes(routes!(register_from_gp))
        .routes(routes!(counts))
}

const TAG: &str = "referrals to child psychiatry";

/// A referral to a child-psychiatry unit, sent from a course whose visitation decided to refer.
#[derive(Deserialize, ToSchema)]
pub struct ReferralIn {
    /// The child-psychiatry unit (an organisation of kind `psychiatry`).
    to_org_id: Option<Uuid>,
    /// Why child psychiatry is asked.
    reason: Option<String>,
    /// What has been tried, in the municipality and elsewhere.
    tried: Option<String>,
    /// The child's own view, or how the child was asked.
    child_view: Option<String>,
    family_view: Option<String>,
}

/// Send the course's referral to child psychiatry: refused unless a consent or statutory basis
/// covers the course facts and the scores for that unit; shares the course with it.
#[utoipa::path(post, path = "/api/v1/courses/{id}/psychiatry-referral", tag = TAG, request_body = ReferralIn,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn send(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<ReferralIn>,
) -> Result<axum::response::Response, WebError> {
    let input = SendInput {
        to_org_id: body.to_org_id,
        text: ReferralInput {
            reason: body.reason,
            tried: body.tried,
            child_view: body.child_view,
            family_view: body.family_view,
        },
    };
    let r = referrals::send(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(created(format!("/api/v1/psychiatry-referrals/{}", r.id), r))
}

/// The caller's referrals: a child-psychiatry unit's intake queue (oldest deadline first), or
/// the referrals a municipality sent, with their status.
#[utoipa::path(get, path = "/api/v1/psychiatry-referrals", tag = TAG,
    responses((status = 200, body = serde_json::Value)))]
async fn list(ApiCx(state, u, rid): ApiCx) -> Result<Json<Vec<ReferralView>>, WebError> {
    Ok(Json(referrals::list(&state.store, &u.ctx(&rid)).await?))
}

/// One referral, for the municipality that sent it or the unit that received it.
#[utoipa::path(get, path = "/api/v1/psychiatry-referrals/{id}", tag = TAG,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn read(ApiCx(state, u, rid): ApiCx, Id(id): Id) -> Result<Json<ReferralView>, WebError> {
    Ok(Json(referrals::read(&state.store, &u.ctx(&rid), id).await?))
}

/// Child psychiatry's answer to a referral.
#[derive(Deserialize, ToSchema)]
pub struct AnswerIn {
    /// `accept` or `return`.
    answer: Option<String>,
    /// For `accept`: what happens next, if said.
    note: Option<String>,
    /// For `return` (required then): where the family is guided (`other`, `other_offer_home`,
    /// `other_municipality`, `gp` or `civil_society`) and the advice to the municipality.
    way: Option<WayIn>,
}

#[derive(Deserialize, ToSchema)]
pub struct WayIn {
    destination: Option<String>,
    note: Option<String>,
}

/// Accept a referral, or return it naming the way forward: never a bare no.
#[utoipa::path(post, path = "/api/v1/psychiatry-referrals/{id}/answer", tag = TAG, request_body = AnswerIn,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn answer(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<AnswerIn>,
) -> Result<Json<samspor_store::ReferralToPsychiatry>, WebError> {
    let input = AnswerInput {
        answer: body.answer,
        note: body.note,
        way: body
            .way
            .map(|w| WayInput {
                destination: w.destination,
                note: w.note,
            })
            .unwrap_or_default(),
    };
    Ok(Json(
        referrals::answer(&state.store, &u.ctx(&rid), id, &input).await?,
    ))
}

/// The municipality has acted on a returned referral; it leaves the task list.
#[utoipa::path(post, path = "/api/v1/psychiatry-referrals/{id}/acted", tag = TAG,
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn act_on_return(ApiCx(state, u, rid): ApiCx, Id(id): Id) -> Result<StatusCode, WebError> {
    referrals::act_on_return(&state.store, &u.ctx(&rid), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A GP's referral that reached the unit through the referral service, as the unit registers it.
#[derive(Deserialize, ToSchema)]
pub struct GpReferralIn {
    /// The child's CPR number: a child already in the unit's records is found by it.
    cpr: Option<String>,
    /// For a child new to the unit.
    given_name: Option<String>,
    family_name: Option<String>,
    /// The referring practice: name, ydernummer (6 digits), SOR code and EAN location number
    /// (the answer goes there as a MedCom message).
    practice_name: Option<String>,
    practice_ydernummer: Option<String>,
    practice_sor_code: Option<String>,
    practice_ean: Option<String>,
    /// The referral's number in the referral service.
    reference: Option<String>,
    /// The day it arrived, `YYYY-MM-DD`: the answer deadline counts from it.
    received_on: Option<String>,
    reason: Option<String>,
    tried: Option<String>,
    child_view: Option<String>,
    family_view: Option<String>,
}

impl From<GpReferralIn> for GpReferralRegistration {
    fn from(b: GpReferralIn) -> Self {
        GpReferralRegistration {
            child: ChildInput {
                cpr: b.cpr,
                given_name: b.given_name,
                family_name: b.family_name,
                ..Default::default()
            },
            referral: GpReferralInput {
                practice: GpPracticeInput {
                    name: b.practice_name,
                    ydernummer: b.practice_ydernummer,
                    sor_code: b.practice_sor_code,
                    ean: b.practice_ean,
                },
                reference: b.reference,
                received_on: b.received_on,
                text: ReferralInput {
                    reason: b.reason,
                    tried: b.tried,
                    child_view: b.child_view,
                    family_view: b.family_view,
                },
            },
        }
    }
}

/// Register a GP's referral to the caller's child-psychiatry unit: it joins the intake queue
/// with the region's deadline from the day it arrived; the answer goes to the practice.
#[utoipa::path(post, path = "/api/v1/psychiatry-referrals/from-gp", tag = TAG, request_body = GpReferralIn,
    responses((status = 201, body = serde_json::Value), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn register_from_gp(
    ApiCx(state, u, rid): ApiCx,
    ApiJson(body): ApiJson<GpReferralIn>,
) -> Result<axum::response::Response, WebError> {
    let r = referrals::register_from_gp(&state.store, &u.ctx(&rid), &body.into()).await?;
    Ok(created(format!("/api/v1/psychiatry-referrals/{}", r.id), r))
}

/// What the indicators count of the caller's organisation's referrals that arrived from `from`
/// to `to`: received (from GPs), accepted, returned by destination, waiting and overdue,
/// answered late, the median days to an answer.
#[utoipa::path(get, path = "/api/v1/psychiatry-referrals/counts", tag = TAG, params(Period),
    responses((status = 200, body = serde_json::Value), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn counts(
    ApiCx(state, u, rid): ApiCx,
    Query(p): Query<Period>,
) -> Result<Json<ReferralCounts>, WebError> {
    let (from, to) = p.days()?;
    Ok(Json(
        referrals::counts(&state.store, &u.ctx(&rid), from, to).await?,
    ))
}

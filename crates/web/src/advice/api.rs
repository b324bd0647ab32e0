//! Advice requests to child psychiatry through the API.

use crate::api::*;
use crate::request::Id;
use samspor_domain::advice::QuestionInput;
use samspor_store::advice::{self, AdviceView, AskInput};
use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ask))
        .routes(routes!(list))
        .routes(routes!(read))
        .routes(routes!(answer))
}

const TAG: &str = "advice requests";

/// A question to a child-psychiatry unit: about a course (`course_id`), or anonymous (`age`
/// and `sex`, and no CPR number in the text).
#[derive(Deserialize, ToSchema)]
pub struct QuestionIn {
    /// The child-psychiatry unit asked (an organisation of kind `psychiatry`).
    to_org_id: Option<Uuid>,
    /// The course the question is about; leave out for an anonymous question.
    course_id: Option<Uuid>,
    /// For an anonymous question: the child's age in years, 0 to 17.
    age: Option<u8>,
    /// For an anonymous question: `female`, `male` or `unknown`.
    sex: Option<String>,
    question: Option<String>,
}

/// Ask child psychiatry for advice; the answer is due within the partnership's working days.
#[utoipa::path(post, path = "/api/v1/advice-requests", tag = TAG, request_body = QuestionIn,
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn ask(
    ApiCx(state, u, rid): ApiCx,
    ApiJson(body): ApiJson<QuestionIn>,
) -> Result<axum::response::Response, WebError> {
    let input = AskInput {
        to_org_id: body.to_org_id,
        question: QuestionInput {
            course_id: body.course_id,
            age: body.age.map(|a| a.to_string()),
            sex: body.sex,
            question: body.question,
        },
    };
    let r = advice::ask(&state.store, &u.ctx(&rid), &input).await?;
    Ok(created(format!("/api/v1/advice-requests/{}", r.id), r))
}

/// The caller's advice requests: a child-psychiatry unit's queue (open ones by deadline, then
/// the last 90 days' answers), or what the caller's organisation asked.
#[utoipa::path(get, path = "/api/v1/advice-requests", tag = TAG,
    responses((status = 200, body = serde_json::Value)))]
async fn list(ApiCx(state, u, rid): ApiCx) -> Result<Json<Vec<AdviceView>>, WebError> {
    Ok(Json(advice::list(&state.store, &u.ctx(&rid)).await?))
}

/// One advice request, for the organisation that asked or the unit asked.
#[utoipa::path(get, path = "/api/v1/advice-requests/{id}", tag = TAG,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn read(ApiCx(state, u, rid): ApiCx, Id(id): Id) -> Result<Json<AdviceView>, WebError> {
    Ok(Json(advice::read(&state.store, &u.ctx(&rid), id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerIn {
    answer: Option<String>,
}

/// Child psychiatry's answer to an advice request.
#[utoipa::path(post, path = "/api/v1/advice-requests/{id}/answer", tag = TAG, request_body = AnswerIn,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn answer(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<AnswerIn>,
) -> Result<Json<samspor_store::AdviceRequest>, WebError> {
    Ok(Json(
        advice::answer(&state.store, &u.ctx(&rid), id, body.answer.as_deref()).await?,
    ))
}

//! Course messages through the API.

use crate::api::*;
use crate::request::Id;
use samspor_domain::message::MessageInput;
use samspor_store::messages::{self, CourseMessages, Unread};
use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read, send))
        .routes(routes!(unread))
}

const TAG: &str = "messages";

/// A message to another organisation that works on the course.
#[derive(Deserialize, ToSchema)]
pub struct MessageIn {
    to_org_id: Option<Uuid>,
    /// For a reply: a message of the thread answered.
    reply_to: Option<Uuid>,
    /// A new thread's subject (a reply takes the thread's).
    subject: Option<String>,
    body: Option<String>,
}

/// The course's messages to and from the caller's organisation, by thread, and whom it may
/// write to now. Reading marks the messages to the caller's organisation as read.
#[utoipa::path(get, path = "/api/v1/courses/{id}/messages", tag = TAG,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn read(ApiCx(state, u, rid): ApiCx, Id(id): Id) -> Result<Json<CourseMessages>, WebError> {
    Ok(Json(
        messages::of_course(&state.store, &u.ctx(&rid), id).await?,
    ))
}

/// Send a message on the course: only to an organisation the course is shared with on a basis
/// now (or to its owner).
#[utoipa::path(post, path = "/api/v1/courses/{id}/messages", tag = TAG, request_body = MessageIn,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn send(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<MessageIn>,
) -> Result<axum::response::Response, WebError> {
    let input = MessageInput {
        to_org_id: body.to_org_id,
        reply_to: body.reply_to,
        subject: body.subject,
        body: body.body,
    };
    let m = messages::send(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(created(format!("/api/v1/courses/{id}/messages"), m))
}

/// The courses with messages the caller's organisation has not read.
#[utoipa::path(get, path = "/api/v1/messages/unread", tag = TAG,
    responses((status = 200, body = serde_json::Value)))]
async fn unread(ApiCx(state, u, rid): ApiCx) -> Result<Json<Vec<Unread>>, WebError> {
    Ok(Json(messages::unread(&state.store, &u.ctx(&rid)).await?))
}

//! Questionnaires through the API: instruments, links, responses.

use crate::api::*;
use crate::pages::link_url;
use crate::request::ApiJson;
use crate::request::Id;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use samspor_domain::i18n::Lang;
use samspor_domain::instrument::Answers;
use samspor_store::questionnaires::{self as q, InvitationInput, PaperInput, RespondentChoice};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(instruments))
        .routes(routes!(invite))
        .routes(routes!(responses, enter))
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentOut {
    id: String,
    version: String,
    title_da: String,
    title_en: String,
    /// `parent`, `child` or `teacher`.
    respondent: String,
    age_min: u32,
    age_max: u32,
    follow_up: bool,
    questions: usize,
}

/// The questionnaires this server scores.
#[utoipa::path(get, path = "/api/v1/instruments", tag = "questionnaires",
    responses((status = 200, body = Vec<InstrumentOut>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn instruments(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
) -> Json<Vec<InstrumentOut>> {
    Json(
        state
            .catalogue
            .all()
            .iter()
            .map(|i| {
                let (age_min, age_max) = i.age_range();
                InstrumentOut {
                    id: i.id().into(),
                    version: i.version().into(),
                    title_da: i.title(Lang::Da).into(),
                    title_en: i.title(Lang::En).into(),
                    respondent: i.respondent().as_str().into(),
                    age_min,
                    age_max,
                    follow_up: i.is_follow_up(),
                    questions: i.questions().count(),
                }
            })
            .collect(),
    )
}

/// Who should answer: a guardian of the record (`guardian`, by position), the child, or a teacher.
#[derive(Deserialize, ToSchema)]
pub struct RespondentIn {
    /// `guardian`, `child` or `teacher`.
    kind: String,
    /// For `guardian`: the position in the child's guardian list (0 = first).
    guardian: Option<usize>,
    /// For `teacher`: name and optional e-mail.
    name: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct InvitationIn {
    instrument: String,
    respondent: RespondentIn,
    /// 1–60 days; default 14.
    expires_in_days: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationOut {
    id: Uuid,
    /// The one-time link for the respondent. It is returned only here.
    url: String,
    expires_at: DateTime<Utc>,
    /// How Samspor sends the link to the respondent: `email` or `sms`, queued now; null when it
    /// does not (no address, or no transport for it) and the link must be passed on by hand.
    delivery: Option<&'static str>,
}

/// Create a one-time questionnaire link for a respondent.
#[utoipa::path(post, path = "/api/v1/children/{id}/invitations", tag = "questionnaires", request_body = InvitationIn,
    params(("id" = Uuid, Path)),
    responses(
        (status = 201, body = InvitationOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn invite(
    ApiCx(state, u, rid): ApiCx,
    Id(child_id): Id,
    ApiJson(body): ApiJson<InvitationIn>,
) -> Result<(StatusCode, Json<InvitationOut>), WebError> {
    let respondent = match body.respondent.kind.as_str() {
        "guardian" => RespondentChoice::Guardian(body.respondent.guardian.unwrap_or(usize::MAX)),
        "child" => RespondentChoice::Child,
        "teacher" => RespondentChoice::Teacher {
            name: body.respondent.name.unwrap_or_default(),
            email: body.respondent.email,
        },
        _ => {
            return Err(WebError::Invalid(
                samspor_domain::validation::FieldError::new(
                    "respondent.kind",
                    "Use guardian, child or teacher.",
                    "Brug guardian, child eller teacher.",
                )
                .into(),
            ));
        }
    };
    let created = q::invite(
        &state.store,
        &state.catalogue,
        state.sending(),
        &u.ctx(&rid),
        child_id,
        InvitationInput {
            instrument_id: body.instrument,
            respondent,
            expires_in_days: body.expires_in_days,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationOut {
            id: created.invitation.id,
            url: link_url(&state, &created.token),
            expires_at: created.invitation.expires_at,
            delivery: created.queued.map(|c| c.as_str()),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ResponseIn {
    instrument: String,
    /// Who filled in the paper form.
    respondent_name: String,
    /// When it was answered; default now.
    answered_at: Option<DateTime<Utc>>,
    /// linkId → the printed answer value, or null when not answered.
    #[schema(value_type = Object)]
    answers: Answers,
}

#[derive(Serialize, ToSchema)]
pub struct ResponseOut {
    id: Uuid,
    instrument: String,
    instrument_version: String,
    respondent: String,
    respondent_name: String,
    /// `link` or `paper`.
    source: String,
    answered_at: DateTime<Utc>,
    /// Scale name → `{score, band, band_verified}`, and any critical items.
    #[schema(value_type = Object)]
    scores: serde_json::Value,
}

impl From<samspor_store::ResponseRecord> for ResponseOut {
    fn from(r: samspor_store::ResponseRecord) -> Self {
        ResponseOut {
            id: r.id,
            instrument: r.instrument_id,
            instrument_version: r.instrument_version,
            respondent: r.respondent,
            respondent_name: r.respondent_name,
            source: r.source,
            answered_at: r.answered_at,
            scores: r.scores,
        }
    }
}

/// Enter a questionnaire answered on paper; it is scored at once.
#[utoipa::path(post, path = "/api/v1/children/{id}/responses", tag = "questionnaires", request_body = ResponseIn,
    params(("id" = Uuid, Path)),
    responses(
        (status = 201, body = ResponseOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn enter(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<ResponseIn>,
) -> Result<(StatusCode, Json<ResponseOut>), WebError> {
    let record = q::enter_paper(
        &state.store,
        &state.catalogue,
        &u.ctx(&rid),
        id,
        PaperInput {
            instrument_id: body.instrument,
            respondent_name: body.respondent_name,
            answered_at: body.answered_at,
            answers: body.answers,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// The child's scored responses, oldest first.
#[utoipa::path(get, path = "/api/v1/children/{id}/responses", tag = "questionnaires",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ResponseOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn responses(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
) -> Result<Json<Vec<ResponseOut>>, WebError> {
    let (_, responses) = q::overview(&state.store, &u.ctx(&rid), id).await?;
    Ok(Json(responses.into_iter().map(Into::into).collect()))
}

//! The one error type of the web layer and its one mapping to HTTP.
//!
//! Every error becomes an RFC 9457 problem document. Page routes pass through a
//! middleware that turns such responses into an HTML error page in the reader's
//! language (see `pages::html_errors`), so both kinds of client are served by this
//! single mapping.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use samspor_domain::i18n::Lang;
use samspor_domain::validation::FieldErrors;
use samspor_store::service::ServiceError;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("not logged in")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("duplicate child")]
    DuplicateChild { existing_id: Uuid },
    #[error("version conflict")]
    Conflict { current: i64 },
    /// Two requests tried to record the same one thing at once; the other one won.
    #[error("already recorded")]
    AlreadyRecorded,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("form expired")]
    CsrfFailed,
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Forbidden => WebError::Forbidden,
            ServiceError::Invalid(f) => WebError::Invalid(f),
            ServiceError::DuplicateChild { existing_id } => {
                WebError::DuplicateChild { existing_id }
            }
            ServiceError::Conflict { current } => WebError::Conflict { current },
            // Nothing of the request was kept (a read's audit entry included): try again.
            ServiceError::Store(e @ samspor_store::StoreError::CommitFailed(_)) => {
                WebError::Unavailable(e.to_string())
            }
            ServiceError::RaceLost => WebError::Conflict { current: 0 },
            // A unique key caught what the checks before it could not see: a twin request.
            ServiceError::Store(samspor_store::StoreError::Unique(_)) => WebError::AlreadyRecorded,
            ServiceError::Store(e) => WebError::Internal(e.to_string()),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The input field, e.g. `cpr` or `guardians[0].email`.
    pub field: String,
    pub message: String,
}

/// RFC 9457 problem details, with the fields that were wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// For a duplicate: the record that already exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing: Option<String>,
}

/// What an HTML page needs to show an error, attached to the response.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub title_en: &'static str,
    pub title_da: &'static str,
    pub detail_en: String,
    pub detail_da: String,
}

impl ErrorPage {
    pub fn title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Da => self.title_da,
            Lang::En => self.title_en,
        }
    }
    pub fn detail(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.detail_da,
            Lang::En => &self.detail_en,
        }
    }
}

impl WebError {
    fn parts(
        &self,
    ) -> (
        StatusCode,
        &'static str,
        &'static str,
        &'static str,
        String,
        String,
    ) {
        use WebError::*;
        match self {
            NotFound => (
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                "Ikke fundet",
                "There is nothing at this address, or you do not have access to it.".into(),
                "Der er intet på denne adresse, eller du har ikke adgang til det.".into(),
            ),
            Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Not logged in",
                "Ikke logget ind",
                "Log in, or send a valid bearer token in the Authorization header.".into(),
                "Log ind, eller send et gyldigt token i Authorization-headeren.".into(),
            ),
            Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                "Ikke tilladt",
                "Your role does not allow this.".into(),
                "Din rolle giver ikke adgang til dette.".into(),
            ),
            // The fields are named in the detail too, so an error page (a form that could
            // not be shown again) says what to fix.
            Invalid(errors) => {
                let list = |lang| {
                    errors
                        .0
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message(lang)))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    "Invalid input",
                    "Ugyldige oplysninger",
                    format!("Some fields are not valid; see errors. {}", list(Lang::En)),
                    format!("Nogle felter er ikke gyldige. {}", list(Lang::Da)),
                )
            }
            DuplicateChild { .. } => (
                StatusCode::CONFLICT,
                "duplicate-child",
                "Already registered",
                "Allerede registreret",
                "A child with this CPR number is already registered in your organisation; see existing.".into(),
                "Et barn med dette CPR-nummer er allerede registreret i din organisation.".into(),
            ),
            AlreadyRecorded => (
                StatusCode::CONFLICT,
                "already-recorded",
                "Already recorded",
                "Allerede registreret",
                "The same thing was recorded by another request at the same moment. Reload to see it.".into(),
                "Det samme blev registreret af en anden forespørgsel i samme øjeblik. Hent siden igen for at se det.".into(),
            ),
            Conflict { current } => (
                StatusCode::CONFLICT,
                "version-conflict",
                "Changed by someone else",
                "Ændret af en anden",
                format!("The record was changed by someone else (now version {current}). Reload it, then make your change again."),
                format!("Oplysningerne er ændret af en anden (nu version {current}). Hent dem igen, og gentag din ændring."),
            ),
            BadRequest(msg) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Bad request",
                "Ugyldig forespørgsel",
                msg.clone(),
                msg.clone(),
            ),
            MalformedJson(msg) => (
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "Malformed JSON",
                "Ugyldig JSON",
                format!("The body is not valid JSON: {msg}"),
                format!("Indholdet er ikke gyldig JSON: {msg}"),
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "Ikke-understøttet indholdstype",
                "Send the body as JSON with Content-Type: application/json.".into(),
                "Send indholdet som JSON med Content-Type: application/json.".into(),
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Too large",
                "For stor",
                format!("The body may be at most {} bytes.", crate::MAX_BODY_BYTES),
                format!("Indholdet må højst fylde {} bytes.", crate::MAX_BODY_BYTES),
            ),
            CsrfFailed => (
                StatusCode::FORBIDDEN,
                "form-expired",
                "The form has expired",
                "Formularen er udløbet",
                "Go back, reload the page and send the form again.".into(),
                "Gå tilbage, genindlæs siden og send formularen igen.".into(),
            ),
            Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Unavailable",
                "Utilgængelig",
                "The database cannot be reached right now. Try again shortly.".into(),
                "Databasen kan ikke nås lige nu. Prøv igen om lidt.".into(),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong",
                "Der skete en fejl",
                "The request was not completed and nothing was saved. Try again; if it keeps failing, contact support.".into(),
                "Handlingen blev ikke gennemført, og intet blev gemt. Prøv igen, og kontakt support, hvis det bliver ved.".into(),
            ),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(msg) | WebError::Unavailable(msg) = &self {
            // The message comes from the store and never holds personal data.
            tracing::error!(error = %msg, "request failed");
        }
        let (status, slug, title_en, title_da, detail_en, detail_da) = self.parts();
        let errors = match &self {
            WebError::Invalid(f) => {
                f.0.iter()
                    .map(|e| FieldProblem {
                        field: e.field.clone(),
                        message: e.message_en.clone(),
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let existing = match &self {
            WebError::DuplicateChild { existing_id } => {
                Some(format!("/api/v1/children/{existing_id}"))
            }
            _ => None,
        };
        let problem = Problem {
            type_: format!("https://samspor.dk/problems/{slug}"),
            title: title_en.into(),
            status: status.as_u16(),
            detail: Some(detail_en.clone()),
            errors,
            existing,
        };
        let mut res = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            Json(problem),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        res.extensions_mut().insert(ErrorPage {
            status,
            title_en,
            title_da,
            detail_en,
            detail_da,
        });
        res
    }
}

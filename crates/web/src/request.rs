//! Small request helpers: the request id, JSON bodies with field-level errors.

use crate::error::WebError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The id tower-http gave this request; it ties the audit entry to the log line.
pub struct RequestId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestId(
            parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_string(),
        ))
    }
}

/// A JSON body whose every failure is a problem document that says what to fix.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(WebError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                WebError::PayloadTooLarge
            } else {
                WebError::BadRequest(e.body_text())
            }
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                if inner.is_data() && path != "." {
                    Err(WebError::Invalid(
                        samspor_domain::validation::FieldError::new(
                            path,
                            format!("Wrong type of value: {inner}"),
                            format!("Forkert type værdi: {inner}"),
                        )
                        .into(),
                    ))
                } else {
                    Err(WebError::MalformedJson(inner.to_string()))
                }
            }
        }
    }
}

/// A record id from the path. Anything that is not a UUID names no record: 404, as for an id
/// that does not exist.
pub fn parse_id(id: &str) -> Result<uuid::Uuid, WebError> {
    uuid::Uuid::parse_str(id).map_err(|_| WebError::NotFound)
}

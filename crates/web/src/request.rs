//! Request extractors: the request id, record ids from the path, JSON bodies with field-level
//! errors, and CSRF-checked forms.

use crate::error::WebError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
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

/// The record id of a route with one path parameter (`/children/{id}`), parsed by `parse_id`.
pub struct Id(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::NotFound)?;
        parse_id(&id).map(Id)
    }
}

/// A record id and the parameter after it (`/courses/{id}/planned-sessions/{number}`,
/// `/courses/{id}/encounters/{encounter}`). A second part that does not parse names no record
/// either: 404.
pub struct IdAnd<T>(pub uuid::Uuid, pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for IdAnd<T> {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let Path((id, rest)) = Path::<(String, T)>::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::NotFound)?;
        Ok(IdAnd(parse_id(&id)?, rest))
    }
}

/// The fields of a submitted form in the order sent; a name may repeat (check boxes).
#[derive(Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// The first value of `name`, or "" when the form has none.
    pub fn get(&self, name: &str) -> String {
        self.first(name).unwrap_or_default().to_string()
    }

    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The record version the form was read at; a form without one is not ours.
    pub fn version(&self) -> Result<i64, WebError> {
        self.get("version")
            .trim()
            .parse()
            .map_err(|_| WebError::BadRequest("The form lacks the record version.".into()))
    }
}

/// A form posted by a logged-in person from one of our pages: its `csrf` field matched the
/// session's token before the handler runs, so a handler never sees a forged submission.
/// `T` is any form type (`Pairs` when names repeat).
pub struct CsrfForm<T = Pairs>(pub T);

impl<T: DeserializeOwned> FromRequest<crate::AppState> for CsrfForm<T> {
    type Rejection = axum::response::Response;

    async fn from_request(
        req: Request,
        state: &crate::AppState,
    ) -> Result<Self, axum::response::Response> {
        use axum::response::IntoResponse;
        let (mut parts, body) = req.into_parts();
        let crate::auth::PageUser(user) =
            crate::auth::PageUser::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let pairs: Pairs = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| WebError::BadRequest(e.to_string()).into_response())?;
        user.check_csrf(pairs.first("csrf").unwrap_or(""))
            .map_err(IntoResponse::into_response)?;
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| WebError::BadRequest(e.to_string()).into_response())
    }
}

/// A period of whole days in a query (`?from=YYYY-MM-DD&to=YYYY-MM-DD`), both days included.
#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct Period {
    /// First day, `YYYY-MM-DD`.
    from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    to: Option<String>,
}

impl Period {
    /// Both days, or a 422 naming each one missing or malformed.
    pub fn days(&self) -> Result<(chrono::NaiveDate, chrono::NaiveDate), WebError> {
        use samspor_domain::validation::{FieldError, FieldErrors, optional_day};
        let mut errors = FieldErrors::default();
        let from = optional_day(&mut errors, "from", self.from.as_deref());
        let to = optional_day(&mut errors, "to", self.to.as_deref());
        for (field, day) in [("from", from), ("to", to)] {
            if day.is_none() && errors.get(field).is_none() {
                errors.push(FieldError::required(field));
            }
        }
        match (from, to) {
            (Some(from), Some(to)) if errors.is_empty() => Ok((from, to)),
            _ => Err(WebError::Invalid(errors)),
        }
    }
}

/// Refuses a request that carries NUL (U+0000) in a query parameter, a form field or a JSON
/// string, naming the field, before any handler runs: no text may hold it (PostgreSQL cannot
/// store it), and this is the one place every route passes. The other control characters are
/// refused by the free-text fields themselves, so a form can be shown again.
pub async fn refuse_nul(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let query_fault = req
        .uri()
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pair_with_nul(&pairs));
    if let Some(field) = query_fault {
        return nul_in(&field).into_response();
    }
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let form = kind == "application/x-www-form-urlencoded";
    let json = kind == "application/json" || kind.ends_with("+json");
    if !form && !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return WebError::PayloadTooLarge.into_response();
    };
    let fault = if form {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pair_with_nul(&pairs))
    } else if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        // NUL reaches a JSON document only escaped; find the field to name it.
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| json_path_with_nul(&v, String::new()))
    } else {
        None
    };
    match fault {
        Some(field) => nul_in(&field).into_response(),
        None => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
    }
}

fn pair_with_nul(pairs: &[(String, String)]) -> Option<String> {
    pairs
        .iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', ""))
}

fn json_path_with_nul(v: &serde_json::Value, at: String) -> Option<String> {
    let field = |at: &str| {
        if at.is_empty() {
            ".".to_string()
        } else {
            at.to_string()
        }
    };
    match v {
        serde_json::Value::String(s) if s.contains('\0') => Some(field(&at)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| json_path_with_nul(item, format!("{at}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, item)| {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            if k.contains('\0') {
                Some(path.replace('\0', ""))
            } else {
                json_path_with_nul(item, path)
            }
        }),
        _ => None,
    }
}

fn nul_in(field: &str) -> WebError {
    WebError::Invalid(samspor_domain::validation::unstorable(field).into())
}

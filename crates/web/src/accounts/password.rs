//! Choosing a password through a one-time link (an invitation or a reset). The link is the
//! credential, so the page needs no login; it is used up when the password is saved.

use crate::AppState;
use crate::accounts::admin::{SummaryLine, summary};
use crate::error::WebError;
use crate::i18n::{Tr, UiLang};
use crate::pages::{Layout, render};
use crate::request::RequestId;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use samspor_domain::i18n::Lang;
use samspor_domain::validation::FieldErrors;
use samspor_store::accounts::administration as admin;
use samspor_store::service::ServiceError;

pub fn router() -> Router<AppState> {
    Router::new().route("/password/{token}", get(form).post(save))
}

#[derive(Template)]
#[template(path = "accounts/choose_password.html")]
struct FormTemplate {
    t: Tr,
    l: Layout,
    /// The address the form posts to (the link itself).
    action: String,
    name: String,
    email: String,
    errors: Vec<SummaryLine>,
    /// "form", "done" (the password is saved) or "gone" (the link is used, expired or unknown).
    stage: &'static str,
}

impl FormTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The answer to a link that is used, expired or was never issued: the same for each, so the
/// page tells nothing about whether an account exists.
fn gone(lang: Lang) -> Response {
    page(
        lang,
        "",
        String::new(),
        String::new(),
        &FieldErrors::default(),
        "gone",
    )
}

fn page(
    lang: Lang,
    token: &str,
    name: String,
    email: String,
    errors: &FieldErrors,
    stage: &'static str,
) -> Response {
    let t = Tr(lang);
    let status = if stage == "gone" {
        StatusCode::GONE
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &FormTemplate {
            t,
            l: Layout::new(None, t, "/password", "login"),
            action: format!("/password/{token}"),
            name,
            email,
            errors: summary(errors, lang),
            stage,
        },
    )
}

async fn form(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let Some(user) = admin::password_link_holder(&state.store, &token).await? else {
        return Ok(gone(lang));
    };
    Ok(page(
        lang,
        &token,
        user.name,
        user.email,
        &FieldErrors::default(),
        "form",
    ))
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeated: String,
}

async fn save(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    RequestId(request_id): RequestId,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    match admin::choose_password(&state.store, &token, &f.password, &f.repeated, &request_id).await
    {
        Ok(user) => Ok(page(
            lang,
            &token,
            user.name,
            user.email,
            &FieldErrors::default(),
            "done",
        )),
        Err(ServiceError::Invalid(errors)) => {
            let Some(user) = admin::password_link_holder(&state.store, &token).await? else {
                return Ok(gone(lang));
            };
            Ok(page(lang, &token, user.name, user.email, &errors, "form"))
        }
        Err(ServiceError::NotFound) => Ok(gone(lang)),
        Err(e) => Err(e.into()),
    }
}

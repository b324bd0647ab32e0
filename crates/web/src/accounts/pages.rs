//! Logging in and out.

use crate::AppState;
use crate::auth::{
    LOGIN_CSRF_COOKIE, RETURN_COOKIE, SESSION_COOKIE, login_csrf_cookie, removal, returning_to,
    session_cookie,
};
use crate::error::WebError;
use crate::i18n::{Tr, UiLang};
use crate::pages::Cx;
use crate::pages::{Layout, render};
use crate::request::CsrfForm;
use crate::request::RequestId;
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use samspor_store::accounts;
use samspor_store::secret::{constant_time_eq, random_token};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginTemplate {
    t: Tr,
    l: Layout,
    csrf: String,
    email: String,
    failed: bool,
}

fn login_form(state: &AppState, jar: CookieJar, t: Tr, email: String, failed: bool) -> Response {
    // Logging in changes state too, so the form carries a token bound to a cookie.
    let csrf = random_token();
    let status = if failed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let page = render(
        status,
        &LoginTemplate {
            t,
            l: Layout::new(None, t, "/login", "login"),
            csrf: csrf.clone(),
            email,
            failed,
        },
    );
    (jar.add(login_csrf_cookie(state, csrf)), page).into_response()
}

async fn login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    UiLang(lang): UiLang,
) -> Response {
    login_form(&state, jar, Tr(lang), String::new(), false)
}

#[derive(serde::Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    UiLang(lang): UiLang,
    RequestId(request_id): RequestId,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let cookie_ok = jar
        .get(LOGIN_CSRF_COOKIE)
        .is_some_and(|c| !form.csrf.is_empty() && constant_time_eq(c.value(), &form.csrf));
    if !cookie_ok {
        return Err(WebError::CsrfFailed);
    }
    let outcome = accounts::login(
        &state.store,
        &form.email,
        &form.password,
        &request_id,
        state.sessions,
    )
    .await?;
    match outcome {
        Ok(logged_in) => {
            let to = returning_to(&jar).unwrap_or_else(|| "/".to_string());
            let jar = jar
                .remove(removal(LOGIN_CSRF_COOKIE, "/login"))
                .remove(removal(RETURN_COOKIE, "/login"))
                .add(session_cookie(&state, logged_in.token));
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(_) => Ok(login_form(
            &state,
            jar,
            Tr(lang),
            form.email.trim().to_string(),
            true,
        )),
    }
}

async fn logout(
    Cx(state, user, ..): Cx,
    jar: CookieJar,
    RequestId(request_id): RequestId,
    CsrfForm(_): CsrfForm,
) -> Result<Response, WebError> {
    if let Some(token) = &user.session_token {
        accounts::logout(&state.store, token, &user.user, &request_id).await?;
    }
    Ok((
        jar.remove(removal(SESSION_COOKIE, "/")),
        Redirect::to("/login"),
    )
        .into_response())
}

//! Who is asking: session cookies for the web UI, bearer tokens for API clients.

use crate::AppState;
use crate::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use samspor_domain::access::Actor;
use samspor_store::accounts;
use samspor_store::service::Ctx;
use samspor_store::{Organisation, SessionRecord, User};

pub const SESSION_COOKIE: &str = "samspor_session";
pub const LOGIN_CSRF_COOKIE: &str = "samspor_csrf";
/// The page asked for before the login, to go on to after it.
pub const RETURN_COOKIE: &str = "samspor_return";
/// Long enough to look up a forgotten password, short enough that the next person at a shared
/// computer is not sent to someone else's page.
const RETURN_MINUTES: i64 = 10;
/// A longer address is not remembered: the cookie must stay within what browsers keep.
const RETURN_MAX_BYTES: usize = 1500;

/// A logged-in person and what they may act as.
#[derive(Clone)]
pub struct CurrentUser {
    pub user: User,
    pub actor: Actor,
    pub org: Organisation,
    /// Present for browser sessions (holds the CSRF token), absent for bearer tokens.
    pub session: Option<SessionRecord>,
    pub session_token: Option<String>,
}

impl CurrentUser {
    pub fn ctx(&self, request_id: &str) -> Ctx {
        Ctx::new(self.actor.clone(), request_id)
    }

    pub fn csrf_token(&self) -> &str {
        self.session
            .as_ref()
            .map(|s| s.csrf_token.as_str())
            .unwrap_or("")
    }

    /// Checks a submitted form's CSRF field against the session.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        match &self.session {
            Some(s) if samspor_store::secret::constant_time_eq(&s.csrf_token, submitted) => Ok(()),
            _ => Err(WebError::CsrfFailed),
        }
    }
}

async fn from_session(state: &AppState, token: &str) -> Result<Option<CurrentUser>, WebError> {
    let Some(m) = accounts::session_user(&state.store, token, state.sessions).await? else {
        return Ok(None);
    };
    Ok(Some(CurrentUser {
        user: m.user,
        actor: m.actor,
        org: m.org,
        session: m.session,
        session_token: Some(token.to_string()),
    }))
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// A page that needs a login: without one, the browser is sent to the login page.
pub struct PageUser(pub CurrentUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // A handler and its `CsrfForm` both ask; the session is read once per request.
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(PageUser(user.clone()));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(c) = jar.get(SESSION_COOKIE)
            && let Some(user) = from_session(state, c.value())
                .await
                .map_err(IntoResponse::into_response)?
        {
            parts.extensions.insert(user.clone());
            return Ok(PageUser(user));
        }
        let login = Redirect::to("/login");
        match return_cookie(state, parts) {
            Some(c) => Err((CookieJar::new().add(c), login).into_response()),
            None => Err(login.into_response()),
        }
    }
}

/// Remembers a page asked for without a login. The address goes into a cookie that only the
/// login form receives, not into the login URL, because a query may hold a searched name or
/// CPR number. Only a GET is remembered: a form sent without a session cannot be replayed.
fn return_cookie(state: &AppState, parts: &Parts) -> Option<Cookie<'static>> {
    if parts.method != Method::GET {
        return None;
    }
    let target = parts.uri.path_and_query()?.as_str();
    if target == "/" || target.len() > RETURN_MAX_BYTES || return_target(target).is_none() {
        return None;
    }
    // Hex, because a path and query may hold characters a cookie value may not.
    let value = hex::encode(target);
    // Parsed from text because the builder's Max-Age wants a `time` type this crate does
    // not otherwise depend on; hex digits always parse.
    let mut c = Cookie::parse(format!(
        "{RETURN_COOKIE}={value}; Max-Age={}",
        RETURN_MINUTES * 60
    ))
    .ok()?;
    c.set_path("/login");
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_secure(state.settings.secure_cookies);
    Some(c)
}

/// Where to go after a login, from the return cookie's value: a path on this site other than
/// the login and logout pages themselves, or nothing.
fn return_target(target: &str) -> Option<String> {
    let safe = crate::pages::safe_back(Some(target));
    let path = safe.split(['?', '#']).next().unwrap_or_default();
    let own = |p: &str| path == p || path.starts_with(&format!("{p}/"));
    // Only visible ASCII: anything else cannot stand in a Location header.
    let printable = target.bytes().all(|b| b.is_ascii_graphic());
    if safe != target || !printable || own("/login") || own("/logout") {
        return None;
    }
    Some(safe)
}

/// The return cookie's value as the page it names, if it names one we may go to.
pub fn returning_to(jar: &CookieJar) -> Option<String> {
    let raw = hex::decode(jar.get(RETURN_COOKIE)?.value()).ok()?;
    return_target(std::str::from_utf8(&raw).ok()?)
}

/// An API call: a bearer token, or for reading only, the browser session.
/// Changes through the API need a token, so a cookie can never be used for a
/// cross-site write.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if let Some(token) = bearer(parts) {
            let m = accounts::user_by_api_token(&state.store, token)
                .await?
                .ok_or(WebError::Unauthorized)?;
            return Ok(ApiUser(CurrentUser {
                user: m.user,
                actor: m.actor,
                org: m.org,
                session: None,
                session_token: None,
            }));
        }
        if matches!(parts.method, Method::GET | Method::HEAD) {
            let jar = CookieJar::from_headers(&parts.headers);
            if let Some(c) = jar.get(SESSION_COOKIE)
                && let Some(user) = from_session(state, c.value()).await?
            {
                return Ok(ApiUser(user));
            }
        }
        Err(WebError::Unauthorized)
    }
}

pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .build()
}

pub fn login_csrf_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((LOGIN_CSRF_COOKIE, token))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.secure_cookies)
        .build()
}

pub fn removal(name: &'static str, path: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build((name, "")).path(path).build();
    c.make_removal();
    c
}

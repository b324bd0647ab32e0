//! The administrator's staff accounts: the list with the invite form, one account with its
//! role, status, password reset and API tokens. The service asks the access policy and audits;
//! these handlers turn forms into calls and answers into pages.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{Cx, Layout, local_time, render};
use crate::request::{CsrfForm, Id};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samspor_domain::i18n::Lang;
use samspor_domain::notification::Channel;
use samspor_domain::role::Role;
use samspor_domain::validation::FieldErrors;
use samspor_store::accounts::administration::{
    self as admin, InviteInput, IssuedLink, StaffMember,
};
use samspor_store::service::ServiceError;
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(invite))
        .route("/admin/users/{id}", get(show))
        .route("/admin/users/{id}/role", post(change_role))
        .route("/admin/users/{id}/deactivate", post(deactivate))
        .route("/admin/users/{id}/reactivate", post(reactivate))
        .route("/admin/users/{id}/reset-password", post(reset_password))
        .route("/admin/tokens/{id}/revoke", post(revoke_token))
}

/// One error of a form, for the summary at its top: the field it links to and the message.
pub struct SummaryLine {
    pub field: String,
    pub message: String,
}

pub(crate) fn summary(errors: &FieldErrors, lang: Lang) -> Vec<SummaryLine> {
    errors
        .0
        .iter()
        .map(|e| SummaryLine {
            field: e.field.clone(),
            message: e.message(lang).to_string(),
        })
        .collect()
}

pub struct UserRow {
    id: Uuid,
    name: String,
    email: String,
    org: String,
    role: &'static str,
    status: &'static str,
    tokens: usize,
}

fn status_of(t: Tr, m: &StaffMember) -> &'static str {
    if !m.user.active {
        t.t("users.inactive")
    } else if m.open_link.is_some() {
        t.t("users.invited")
    } else {
        t.t("users.active")
    }
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct ListTemplate {
    t: Tr,
    l: Layout,
    rows: Vec<UserRow>,
    orgs: Vec<(Uuid, String)>,
    roles: Vec<(&'static str, &'static str)>,
    form: HashMap<String, String>,
    errors: Vec<SummaryLine>,
}

impl ListTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn value(&self, field: &str) -> &str {
        self.form.get(field).map(String::as_str).unwrap_or_default()
    }
}

/// The roles an administrator may give somewhere, in the order of `Role::ALL`.
fn grantable_roles(t: Tr) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .into_iter()
        .filter(|r| !matches!(r, Role::Secretariat | Role::Analyst))
        .map(|r| (r.as_str(), r.label(t.0)))
        .collect()
}

async fn list_page(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    lang: Lang,
    rid: &str,
    form: HashMap<String, String>,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(rid);
    let staff = admin::staff(&state.store, &ctx).await?;
    let orgs = admin::kept_organisations(&state.store, &ctx).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &ListTemplate {
            t,
            l: Layout::new(Some(user), t, "/admin/users", "users"),
            rows: staff
                .iter()
                .map(|m| UserRow {
                    id: m.user.id,
                    name: m.user.name.clone(),
                    email: m.user.email.clone(),
                    org: m.org.name.clone(),
                    role: m.user.role.label(lang),
                    status: status_of(t, m),
                    tokens: m.tokens.len(),
                })
                .collect(),
            orgs: orgs.into_iter().map(|o| (o.id, o.name)).collect(),
            roles: grantable_roles(t),
            errors: summary(&errors, lang),
            form,
        },
    ))
}

async fn list(Cx(state, user, lang, rid): Cx) -> Result<Response, WebError> {
    list_page(
        &state,
        &user,
        lang,
        &rid,
        HashMap::new(),
        FieldErrors::default(),
    )
    .await
}

async fn invite(
    Cx(state, user, lang, rid): Cx,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = InviteInput {
        email: get("email"),
        name: get("name"),
        role: get("role"),
        org_id: f.get("org").and_then(|s| s.parse().ok()),
    };
    match admin::invite(&state.store, &user.ctx(&rid), state.sending(), input).await {
        Ok(issued) => Ok(issued_page(&user, lang, issued, "users.invited_title")),
        Err(ServiceError::Invalid(errors)) => list_page(&state, &user, lang, &rid, f, errors).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "accounts/link_issued.html")]
struct IssuedTemplate {
    t: Tr,
    l: Layout,
    title: &'static str,
    user_id: Uuid,
    name: String,
    link: String,
    expires: String,
    queued: Option<&'static str>,
}

/// The page after an invitation or a reset: whether the link went by e-mail, or the link to
/// pass on, shown this once.
fn issued_page(
    user: &crate::auth::CurrentUser,
    lang: Lang,
    issued: IssuedLink,
    title: &str,
) -> Response {
    let t = Tr(lang);
    render(
        StatusCode::CREATED,
        &IssuedTemplate {
            t,
            l: Layout::new(Some(user), t, "/admin/users", "users"),
            title: t.t(title),
            user_id: issued.user.id,
            name: issued.user.name.clone(),
            link: issued.link,
            expires: local_time(issued.expires_at, false),
            queued: issued.queued.map(|c| match c {
                Channel::Sms => t.t("q.queued_sms"),
                _ => t.t("users.queued_email"),
            }),
        },
    )
}

pub struct TokenRow {
    id: Uuid,
    label: String,
    created: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "accounts/user.html")]
struct UserTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    name: String,
    email: String,
    org: String,
    role: &'static str,
    role_value: &'static str,
    status: &'static str,
    active: bool,
    is_self: bool,
    open_link: Option<String>,
    roles: Vec<(&'static str, &'static str)>,
    tokens: Vec<TokenRow>,
    errors: Vec<SummaryLine>,
}

impl UserTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn user_page(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let m = admin::staff_member(&state.store, &user.ctx(rid), id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let org_kind = m.org.kind;
    Ok(render(
        status,
        &UserTemplate {
            t,
            l: Layout::new(Some(user), t, &format!("/admin/users/{id}"), "users"),
            id,
            name: m.user.name.clone(),
            email: m.user.email.clone(),
            org: m.org.name.clone(),
            role: m.user.role.label(lang),
            role_value: m.user.role.as_str(),
            status: status_of(t, &m),
            active: m.user.active,
            is_self: m.user.id == user.user.id,
            open_link: m
                .open_link
                .as_ref()
                .map(|l| local_time(l.expires_at, false)),
            roles: Role::ALL
                .into_iter()
                .filter(|r| r.grantable_by_admin(org_kind))
                .map(|r| (r.as_str(), r.label(lang)))
                .collect(),
            tokens: m
                .tokens
                .iter()
                .map(|k| TokenRow {
                    id: k.id,
                    label: k.label.clone(),
                    created: local_time(k.created_at, false),
                    expires: k
                        .expires_at
                        .map(|e| local_time(e, false))
                        .unwrap_or_else(|| "–".into()),
                })
                .collect(),
            errors: summary(&errors, lang),
        },
    ))
}

async fn show(Cx(state, user, lang, rid): Cx, Id(id): Id) -> Result<Response, WebError> {
    user_page(&state, &user, lang, &rid, id, FieldErrors::default()).await
}

/// After a change: back to the account, or the account with the form's errors.
async fn after(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    outcome: Result<(), ServiceError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(ServiceError::Invalid(errors)) => user_page(state, user, lang, rid, id, errors).await,
        Err(e) => Err(e.into()),
    }
}

async fn change_role(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let role = f.get("role").map(String::as_str).unwrap_or_default();
    let outcome = admin::change_role(&state.store, &user.ctx(&rid), id, role).await;
    after(&state, &user, lang, &rid, id, outcome).await
}

async fn deactivate(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(_f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let outcome = admin::set_active(&state.store, &user.ctx(&rid), id, false).await;
    after(&state, &user, lang, &rid, id, outcome).await
}

async fn reactivate(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(_f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let outcome = admin::set_active(&state.store, &user.ctx(&rid), id, true).await;
    after(&state, &user, lang, &rid, id, outcome).await
}

async fn reset_password(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(_f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    match admin::reset_password(&state.store, &user.ctx(&rid), state.sending(), id).await {
        Ok(issued) => Ok(issued_page(&user, lang, issued, "users.reset_title")),
        Err(ServiceError::Invalid(errors)) => {
            user_page(&state, &user, lang, &rid, id, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    Cx(state, user, _, rid): Cx,
    Id(id): Id,
    CsrfForm(_f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let owner = admin::revoke_token(&state.store, &user.ctx(&rid), id).await?;
    Ok(Redirect::to(&format!("/admin/users/{owner}")).into_response())
}

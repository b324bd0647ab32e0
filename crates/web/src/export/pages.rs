//! The municipality administrator's KL deliveries: the list, downloading one again, and the
//! organisation's SOR code every report names.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, local_time, render};
use crate::request::CsrfForm;
use crate::request::Id;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use samspor_domain::i18n::Lang;
use samspor_domain::validation::FieldErrors;
use samspor_store::export;
use samspor_store::service::ServiceError;
use samspor_store::{DeliverySource, KlDelivery};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/kl-deliveries", get(list))
        .route(
            "/admin/kl-deliveries/sor-code",
            axum::routing::post(save_sor_code),
        )
        .route("/admin/kl-deliveries/{id}/download", get(download))
}

struct DeliveryRow {
    id: String,
    made: String,
    since: String,
    until: String,
    reports: i64,
    by: String,
}

#[derive(Template)]
#[template(path = "export/export_deliveries.html")]
struct DeliveriesTemplate {
    t: Tr,
    l: Layout,
    org_name: String,
    org_code: String,
    sor_code: String,
    sor_error: Option<String>,
    rows: Vec<DeliveryRow>,
}

#[derive(serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

fn row(t: Tr, d: &KlDelivery) -> DeliveryRow {
    DeliveryRow {
        id: d.id.to_string(),
        made: local_time(d.created_at, false),
        since: if d.since.timestamp() <= 0 {
            t.t("klx.from_start").to_string()
        } else {
            local_time(d.since, false)
        },
        until: local_time(d.until, false),
        reports: d.reports,
        by: match (d.source, &d.created_by_name) {
            (DeliverySource::Job, _) => t.t("klx.by_job").to_string(),
            (DeliverySource::Cli, _) => t.t("klx.by_cli").to_string(),
            (DeliverySource::Api, Some(name)) => name.clone(),
            (DeliverySource::Api, None) => "–".into(),
        },
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    sor_input: Option<(String, FieldErrors)>,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let mut ctx = user.ctx(rid);
    ctx.purpose = export::PURPOSE.into();
    let (org, list) = export::deliveries(&state.store, &ctx).await?;
    let (sor_code, sor_error, status) = match sor_input {
        Some((typed, errors)) => (
            typed,
            errors.get("sor_code").map(|e| e.message(lang).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (
            org.sor_code.clone().unwrap_or_default(),
            None,
            StatusCode::OK,
        ),
    };
    Ok(render(
        status,
        &DeliveriesTemplate {
            t,
            l: Layout::new(Some(user), t, "/admin/kl-deliveries", "kl-deliveries")
                .with_notice(notice),
            org_name: org.name.clone(),
            org_code: org.code.clone(),
            sor_code,
            sor_error,
            rows: list.iter().map(|d| row(t, d)).collect(),
        },
    ))
}

async fn list(
    Cx(state, user, lang, rid): Cx,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let notice = q.saved.is_some().then(|| Tr(lang).t("klx.sor_saved"));
    page(&state, &user, lang, &rid, None, notice).await
}

async fn save_sor_code(
    Cx(state, user, lang, rid): Cx,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let typed = form.get("sor_code").cloned().unwrap_or_default();
    let mut ctx = user.ctx(&rid);
    ctx.purpose = "administration".into();
    // Only the page's own organisation: the administrator sees its deliveries here.
    let code = user.org.code.clone();
    match export::set_sor_code(&state.store, &ctx, &code, &typed).await {
        Ok(_) => Ok(Redirect::to("/admin/kl-deliveries?saved=sor").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            page(&state, &user, lang, &rid, Some((typed, errors)), None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn download(Cx(state, user, _, rid): Cx, Id(id): Id) -> Result<Response, WebError> {
    let mut ctx = user.ctx(&rid);
    ctx.purpose = export::PURPOSE.into();
    let delivery = export::download(&state.store, &ctx, id).await?;
    // The file is named by organisation and period end only: nothing personal in it.
    let name = format!(
        "kl-ltt-{}-{}.json",
        user.org.code,
        delivery
            .record
            .until
            .with_timezone(&chrono_tz::Europe::Copenhagen)
            .format("%Y%m%dT%H%M%S")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/fhir+json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        delivery.json,
    )
        .into_response())
}

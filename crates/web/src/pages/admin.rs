//! The administrator's audit log, and organisations with their participation.

use super::children::{AuditRow, audit_row};
use super::{Layout, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::WebError;
use crate::i18n::{Tr, UiLang};
use crate::request::RequestId;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{NaiveDate, TimeZone, Utc};
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::AuditAction;
use samspor_domain::geo;
use samspor_domain::organisation::Programme;
use samspor_store::AuditFilter;
use samspor_store::service::{audit, organisations};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(audit_log))
        .route("/organisations", get(organisation_list))
        .route(
            "/organisations/{code}/participation",
            get(participation_form).post(save_participation),
        )
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditTemplate {
    t: Tr,
    l: Layout,
    actions: Vec<(&'static str, &'static str)>,
    action: String,
    from: String,
    to: String,
    lines: Vec<AuditRow>,
}

#[derive(serde::Deserialize, Default)]
struct AuditQuery {
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn parse_date(s: Option<&str>) -> Option<NaiveDate> {
    s.filter(|s| !s.is_empty())
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

async fn audit_log(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let from = parse_date(q.from.as_deref());
    let to = parse_date(q.to.as_deref());
    let action = q.action.as_deref().and_then(AuditAction::parse);
    let day = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
    let filter = AuditFilter {
        action,
        from: from.map(day),
        to: to.and_then(|d| d.succ_opt()).map(day),
        newest_first: true,
        limit: 500,
        ..Default::default()
    };
    let mut ctx = user.ctx(&rid);
    ctx.purpose = "audit".into();
    let lines = audit::org_log(&*state.store, &ctx, filter).await?;
    let t = Tr(lang);
    Ok(render(
        StatusCode::OK,
        &AuditTemplate {
            t,
            l: Layout::new(Some(&user), t, "/admin/audit", "audit"),
            actions: AuditAction::ALL
                .iter()
                .map(|a| (a.as_str(), t.t(&format!("action.{}", a.as_str()))))
                .collect(),
            action: action.map(|a| a.as_str().to_string()).unwrap_or_default(),
            from: from.map(|d| d.to_string()).unwrap_or_default(),
            to: to.map(|d| d.to_string()).unwrap_or_default(),
            lines: lines.iter().map(|l| audit_row(t, l)).collect(),
        },
    ))
}

struct MunicipalityRow {
    code: &'static str,
    name: &'static str,
    participation: String,
    editable: bool,
}

struct RegionRow {
    code: &'static str,
    name: &'static str,
    municipalities: Vec<MunicipalityRow>,
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct OrganisationsTemplate {
    t: Tr,
    l: Layout,
    regions: Vec<RegionRow>,
}

async fn organisation_list(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let all = organisations::participation(&*state.store, None).await?;
    let mut by_code: HashMap<&str, Vec<String>> = HashMap::new();
    for p in &all {
        by_code
            .entry(p.municipality_code.as_str())
            .or_default()
            .push(format!(
                "{} ({})",
                p.programme.label(lang),
                p.since.format("%d.%m.%Y")
            ));
    }
    let regions = geo::regions()
        .iter()
        .map(|r| RegionRow {
            code: r.code,
            name: r.name,
            municipalities: geo::municipalities()
                .iter()
                .filter(|m| m.region == r.code)
                .map(|m| MunicipalityRow {
                    code: m.code,
                    name: m.name,
                    participation: by_code
                        .get(m.code)
                        .map(|v| v.join("; "))
                        .unwrap_or_else(|| "–".into()),
                    editable: authorize(
                        &user.actor,
                        Action::Update,
                        Resource::Participation {
                            municipality_code: m.code,
                        },
                    )
                    .is_allowed(),
                })
                .collect(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &OrganisationsTemplate {
            t,
            l: Layout::new(Some(&user), t, "/organisations", "organisations"),
            regions,
        },
    ))
}

struct ParticipationRow {
    key: &'static str,
    label: &'static str,
    since: String,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "participation.html")]
struct ParticipationTemplate {
    t: Tr,
    l: Layout,
    code: String,
    name: &'static str,
    rows: Vec<ParticipationRow>,
    has_errors: bool,
}

fn municipality(code: &str) -> Result<geo::MunicipalityCode, WebError> {
    geo::MunicipalityCode::parse(code).map_err(|_| WebError::NotFound)
}

fn check_edit(user: &crate::auth::CurrentUser, code: &str) -> Result<(), WebError> {
    match authorize(
        &user.actor,
        Action::Update,
        Resource::Participation {
            municipality_code: code,
        },
    ) {
        samspor_domain::access::Decision::Allow => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

async fn participation_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let m = municipality(&code)?;
    check_edit(&user, m.as_str())?;
    let current = organisations::participation(&*state.store, Some(m.as_str())).await?;
    let t = Tr(lang);
    let rows = Programme::ALL
        .iter()
        .map(|p| ParticipationRow {
            key: p.as_str(),
            label: p.label(lang),
            since: current
                .iter()
                .find(|c| c.programme == *p)
                .map(|c| c.since.to_string())
                .unwrap_or_default(),
            error: None,
        })
        .collect();
    let path = format!("/organisations/{}/participation", m.as_str());
    Ok(render(
        StatusCode::OK,
        &ParticipationTemplate {
            t,
            l: Layout::new(Some(&user), t, &path, "organisations"),
            code: m.as_str().to_string(),
            name: m.name(),
            rows,
            has_errors: false,
        },
    ))
}

async fn save_participation(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let m = municipality(&code)?;
    user.check_csrf(form.get("csrf").map(String::as_str).unwrap_or(""))?;
    check_edit(&user, m.as_str())?;
    let t = Tr(lang);
    let mut rows = Vec::new();
    let mut parsed = Vec::new();
    for p in Programme::ALL {
        let raw = form
            .get(p.as_str())
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let value = if raw.is_empty() {
            Ok(None)
        } else {
            NaiveDate::parse_from_str(&raw, "%Y-%m-%d").map(Some)
        };
        let error = value.is_err().then_some(if t.is_da() {
            "Skriv datoen som åååå-mm-dd, eller lad feltet stå tomt."
        } else {
            "Write the date as yyyy-mm-dd, or leave the field empty."
        });
        if let Ok(v) = value {
            parsed.push((p, v));
        }
        rows.push(ParticipationRow {
            key: p.as_str(),
            label: p.label(lang),
            since: raw,
            error,
        });
    }
    if rows.iter().any(|r| r.error.is_some()) {
        let path = format!("/organisations/{}/participation", m.as_str());
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ParticipationTemplate {
                t,
                l: Layout::new(Some(&user), t, &path, "organisations"),
                code: m.as_str().to_string(),
                name: m.name(),
                rows,
                has_errors: true,
            },
        ));
    }
    organisations::set_participation_all(&*state.store, &user.ctx(&rid), m.as_str(), &parsed)
        .await?;
    Ok(Redirect::to("/organisations").into_response())
}

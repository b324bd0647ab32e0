//! The administrator's audit log: who read or changed what in the organisation, filtered by
//! action and period.

use crate::AppState;
use crate::children::pages::{AuditRow, audit_row};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{NaiveDate, TimeZone, Utc};
use samspor_domain::audit::AuditAction;
use samspor_store::AuditFilter;
use samspor_store::audit;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(audit_log))
}

#[derive(Template)]
#[template(path = "audit/audit.html")]
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
    Cx(state, user, lang, rid): Cx,
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
    let lines = audit::org_log(&state.store, &ctx, filter).await?;
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

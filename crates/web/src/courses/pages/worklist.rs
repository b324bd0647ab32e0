//! The deadline worklist, and the home page's intake queue drawn from the same rows.

use super::views::{WorkRow, work_row};
use super::{date_error, parse_date};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, render};
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::kl::Theme;
use samspor_store::courses::{self as svc, WorklistFilter};
use samspor_store::service::ServiceError;

/// The home page's intake queue: active courses still waiting for their visitation decision,
/// nearest deadline first.
pub async fn intake_queue(
    state: &AppState,
    user: &CurrentUser,
    rid: &str,
    t: Tr,
) -> Result<Vec<WorkRow>, WebError> {
    let filter = WorklistFilter {
        status: Some(CourseStatus::Active),
        undecided: true,
        ..Default::default()
    };
    match svc::worklist(&state.store, &user.ctx(rid), &filter).await {
        Ok(items) => Ok(items.iter().map(|i| work_row(t, i)).collect()),
        // A role that may not search the register simply has no queue on its front page.
        Err(ServiceError::Forbidden) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- worklist page

#[derive(serde::Deserialize, Default)]
pub(crate) struct WorklistQuery {
    status: Option<String>,
    theme: Option<String>,
    due_by: Option<String>,
    undecided: Option<String>,
}

#[derive(Template)]
#[template(path = "courses/worklist.html")]
struct WorklistTemplate {
    t: Tr,
    l: Layout,
    rows: Vec<WorkRow>,
    statuses: Vec<(&'static str, &'static str)>,
    themes: Vec<(&'static str, &'static str)>,
    status: String,
    theme: String,
    due_by: String,
    undecided: bool,
    due_error: Option<String>,
    filtered: bool,
}

pub(crate) async fn worklist(
    Cx(state, user, lang, rid): Cx,
    Query(q): Query<WorklistQuery>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    // Without a choice the worklist shows what still needs work: the active courses.
    let status = q.status.unwrap_or_else(|| "active".into());
    let theme = q.theme.unwrap_or_default();
    let due_by = q.due_by.unwrap_or_default();
    let undecided = q.undecided.is_some_and(|v| !v.is_empty());
    let due = parse_date(&due_by);
    let due_error = (!due_by.trim().is_empty() && due.is_none())
        .then(|| date_error("due_by").message(lang).to_string());
    let filter = WorklistFilter {
        status: CourseStatus::parse(&status),
        theme: Theme::parse(&theme),
        due_by: due,
        undecided,
    };
    let items = svc::worklist(&state.store, &user.ctx(&rid), &filter).await?;
    let mut statuses = vec![("all", t.t("worklist.all_statuses"))];
    statuses.extend(CourseStatus::ALL.map(|s| (s.as_str(), s.label(lang))));
    Ok(render(
        StatusCode::OK,
        &WorklistTemplate {
            t,
            l: Layout::new(Some(&user), t, "/courses", "courses"),
            rows: items.iter().map(|i| work_row(t, i)).collect(),
            statuses,
            themes: Theme::ALL.map(|x| (x.as_str(), x.label(lang))).to_vec(),
            filtered: status != "active" || !theme.is_empty() || due.is_some() || undecided,
            status,
            theme,
            due_by,
            undecided,
            due_error,
        },
    ))
}

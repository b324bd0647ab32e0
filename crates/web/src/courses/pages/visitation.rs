//! Visitation meetings, where several courses are decided in one sitting.

use super::form::Refusal;
use super::views::{SavedQuery, WorkRow, outcome_label, saved_notice, work_row};
use super::{date_error, day, parse_date};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, local_time, render};
use crate::request::CsrfForm;
use crate::request::Id;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::i18n::Lang;
use samspor_store::courses::{self as svc, WorklistFilter};
use std::collections::HashMap;
use uuid::Uuid;

struct MeetingRow {
    id: Uuid,
    held_on: String,
    participants: String,
}

#[derive(Template)]
#[template(path = "courses/visitation.html")]
struct MeetingsTemplate {
    t: Tr,
    l: Layout,
    meetings: Vec<MeetingRow>,
    held_on: String,
    participants: String,
    r: Refusal,
}

impl MeetingsTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.0)
    }
}

async fn meetings_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    held_on: String,
    participants: String,
    r: Refusal,
) -> Result<Response, WebError> {
    let list = svc::meetings(&state.store, &user.ctx(rid)).await?;
    let t = Tr(lang);
    Ok(render(
        r.status(),
        &MeetingsTemplate {
            t,
            l: Layout::new(Some(user), t, "/visitation", "visitation"),
            meetings: list
                .into_iter()
                .map(|m| MeetingRow {
                    id: m.id,
                    held_on: day(m.held_on),
                    participants: m.participants,
                })
                .collect(),
            held_on,
            participants,
            r,
        },
    ))
}

pub(crate) async fn meetings(Cx(state, user, lang, rid): Cx) -> Result<Response, WebError> {
    let today = svc::local(chrono::Utc::now()).date();
    meetings_page(
        &state,
        &user,
        lang,
        &rid,
        today.format("%Y-%m-%d").to_string(),
        String::new(),
        Refusal::default(),
    )
    .await
}

pub(crate) async fn create_meeting(
    Cx(state, user, lang, rid): Cx,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let held_on = p.get("held_on");
    let participants = p.get("participants");
    let date = parse_date(&held_on);
    let unreadable = !held_on.trim().is_empty() && date.is_none();
    match svc::create_meeting(
        &state.store,
        &user.ctx(&rid),
        date,
        Some(participants.as_str()),
    )
    .await
    {
        Ok(m) => Ok(Redirect::to(&format!("/visitation/{}", m.id)).into_response()),
        Err(e) => {
            let mut r = Refusal::from_error(e, lang)?;
            if unreadable {
                r.errors.0.retain(|e| e.field != "held_on");
                r.errors.push(date_error("held_on"));
            }
            meetings_page(&state, &user, lang, &rid, held_on, participants, r).await
        }
    }
}

struct MeetingDecisionRow {
    course_id: Uuid,
    child_name: String,
    outcome: &'static str,
    detail: String,
    time: String,
}

#[derive(Template)]
#[template(path = "courses/visitation_meeting.html")]
struct MeetingTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    held_on: String,
    participants: String,
    waiting: Vec<WorkRow>,
    decided: Vec<MeetingDecisionRow>,
}

pub(crate) async fn meeting(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let (m, decisions) = svc::meeting(&state.store, &ctx, id).await?;
    // One worklist read gives both the courses still to handle and the names of those decided.
    let all = svc::worklist(&state.store, &ctx, &WorklistFilter::default()).await?;
    let names: HashMap<Uuid, &str> = all
        .iter()
        .map(|i| (i.summary.course.id, i.summary.child_name.as_str()))
        .collect();
    let t = Tr(lang);
    let decided = decisions
        .iter()
        .map(|d| MeetingDecisionRow {
            course_id: d.course_id,
            child_name: names.get(&d.course_id).copied().unwrap_or("–").to_string(),
            outcome: outcome_label(t, d.outcome),
            detail: match (&d.track, &d.way) {
                (Some(track), _) => track.label(lang).to_string(),
                (None, Some(way)) => way.destination.label(lang).to_string(),
                (None, None) => String::new(),
            },
            time: local_time(d.decided_at, false),
        })
        .collect();
    let waiting = all
        .iter()
        .filter(|i| i.summary.course.status == CourseStatus::Active && !i.summary.decided)
        .map(|i| work_row(t, i))
        .collect();
    Ok(render(
        StatusCode::OK,
        &MeetingTemplate {
            t,
            l: Layout::new(Some(&user), t, &format!("/visitation/{id}"), "visitation")
                .with_notice(saved_notice(t, q.saved.as_deref())),
            id,
            held_on: day(m.held_on),
            participants: m.participants,
            waiting,
            decided,
        },
    ))
}

//! Course measurement pages: the track plan's schedule on a course, the links waiting to be
//! handed over, and the change between the start and the end of the course.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, local_time, render};
use crate::request::CsrfForm;
use crate::request::Id;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samspor_domain::course::plan::MeasurePoint;
use samspor_domain::i18n::Lang;
use samspor_domain::instrument::{ChangeDirection, Respondent};
use samspor_store::courses::measurements::{self as svc, LineState, MeasurementsView};
use samspor_store::questionnaires::DEFAULT_LINK_DAYS;
use samspor_store::service::ServiceError;
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/courses/{id}/measurements", get(show))
        .route("/courses/{id}/measurements/send", post(send_now))
}

/// A point of the plan in words: start, after session n, end.
pub fn point_label(t: Tr, point: MeasurePoint) -> String {
    match point {
        MeasurePoint::Start => t.t("meas.point_start").to_string(),
        MeasurePoint::Session(n) => format!("{} {n}", t.t("meas.point_session")),
        MeasurePoint::End => t.t("meas.point_end").to_string(),
    }
}

pub fn state_label(t: Tr, state: LineState) -> &'static str {
    t.t(&format!("meas.state_{}", state.as_str()))
}

pub fn instrument_title(state: &AppState, lang: Lang, id: &str) -> String {
    state
        .catalogue
        .get(id)
        .map(|i| i.title(lang).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// A decimal as the reader writes it: comma in Danish.
fn decimal(lang: Lang, v: f64) -> String {
    let s = format!("{v:.2}");
    match lang {
        Lang::Da => s.replace('.', ","),
        Lang::En => s,
    }
}

pub struct LineView {
    instrument: String,
    respondent: &'static str,
    point: String,
    provisional: bool,
    due: String,
    state: &'static str,
    state_class: &'static str,
    sent: String,
    answered: String,
}

pub struct LinkView {
    id: String,
    instrument: String,
    respondent: String,
    point: String,
    url: String,
    expires: String,
    delivery: String,
    invitation_id: Option<uuid::Uuid>,
    can_mark_sent: bool,
}

pub struct ScaleChangeView {
    scale: String,
    start: i64,
    end: i64,
    change: String,
    rci: String,
    verdict: &'static str,
    class: &'static str,
    provisional: bool,
}

pub struct ChangeView {
    heading: String,
    dates: String,
    scales: Vec<ScaleChangeView>,
}

#[derive(Template)]
#[template(path = "courses/measurements/measurements_course.html")]
struct PageTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    child_id: Uuid,
    child_name: String,
    track: &'static str,
    status: &'static str,
    notice: Option<String>,
    lines: Vec<LineView>,
    links: Vec<LinkView>,
    can_send: bool,
    changes: Vec<ChangeView>,
}

#[derive(Template)]
#[template(path = "courses/measurements/measurements_no_track.html")]
struct NoTrackTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    message: String,
}

fn line_views(state: &AppState, t: Tr, v: &MeasurementsView) -> Vec<LineView> {
    let lang = t.0;
    v.lines
        .iter()
        .map(|l| LineView {
            instrument: instrument_title(state, lang, &l.instrument_id),
            respondent: l.respondent.label(lang),
            point: point_label(t, l.point),
            provisional: !l.verified,
            due: l
                .due_at
                .map(|d| d.format("%d.%m.%Y %H:%M").to_string())
                .unwrap_or_else(|| "–".into()),
            state: state_label(t, l.state),
            state_class: match l.state {
                LineState::Answered => "band band-close_to_average",
                LineState::Due | LineState::Sent => "band band-slightly_raised",
                LineState::Expired | LineState::Revoked => "band band-very_high",
                LineState::Planned | LineState::NotSuitable => "",
            },
            sent: l
                .sent
                .as_ref()
                .map(|m| local_time(m.sent_at, false))
                .unwrap_or_else(|| "–".into()),
            answered: l
                .sent
                .as_ref()
                .filter(|m| m.response_id.is_some())
                .and_then(|m| m.closed_at)
                .map(|at| local_time(at, false))
                .unwrap_or_else(|| "–".into()),
        })
        .collect()
}

fn link_views(state: &AppState, t: Tr, v: &MeasurementsView) -> Vec<LinkView> {
    v.outbox()
        .enumerate()
        .map(|(i, (l, token))| {
            let sent_at = l.sent.as_ref().map(|m| m.sent_at).unwrap_or_default();
            LinkView {
                id: format!("link-{}", i + 1),
                instrument: instrument_title(state, t.0, &l.instrument_id),
                respondent: respondent_for(t, l.respondent),
                point: point_label(t, l.point),
                url: crate::pages::link_url(state, token),
                expires: local_time(sent_at + chrono::Duration::days(DEFAULT_LINK_DAYS), false),
                delivery: crate::questionnaires::pages::delivery_label(
                    t,
                    l.sent
                        .as_ref()
                        .and_then(|m| v.deliveries.get(&m.invitation_id)),
                ),
                invitation_id: l.sent.as_ref().map(|m| m.invitation_id),
                can_mark_sent: !l
                    .sent
                    .as_ref()
                    .and_then(|m| v.deliveries.get(&m.invitation_id))
                    .is_some_and(|d| d.state.is_sent()),
            }
        })
        .collect()
}

fn respondent_for(t: Tr, r: Respondent) -> String {
    r.label(t.0).to_string()
}

fn change_views(state: &AppState, t: Tr, v: &MeasurementsView) -> Vec<ChangeView> {
    let lang = t.0;
    v.changes
        .iter()
        .map(|c| {
            let instrument = state.catalogue.get(&c.instrument_id);
            ChangeView {
                heading: format!(
                    "{} ({})",
                    instrument_title(state, lang, &c.instrument_id),
                    c.respondent.label(lang)
                ),
                dates: format!(
                    "{} → {}",
                    local_time(c.start_answered_at, false),
                    local_time(c.end_answered_at, false)
                ),
                scales: c
                    .scales
                    .iter()
                    .map(|s| {
                        let (verdict, class) = match s.reliable.map(|r| r.direction) {
                            Some(ChangeDirection::Improved) => {
                                (t.t("q.rc_improved"), "band band-close_to_average")
                            }
                            Some(ChangeDirection::Worsened) => {
                                (t.t("q.rc_worsened"), "band band-very_high")
                            }
                            Some(ChangeDirection::NoReliableChange) => (t.t("q.rc_none"), ""),
                            None => (t.t("meas.no_norms"), ""),
                        };
                        ScaleChangeView {
                            scale: instrument
                                .and_then(|i| i.scale(&s.scale))
                                .map(|x| x.title(lang).to_string())
                                .unwrap_or_else(|| s.scale.replace('_', " ")),
                            start: s.start,
                            end: s.end,
                            change: format!("{:+}", s.change),
                            rci: s
                                .reliable
                                .map(|r| decimal(lang, r.rci))
                                .unwrap_or_else(|| "–".into()),
                            verdict,
                            class,
                            provisional: s.reliable.is_some_and(|r| !r.verified),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    sent: Option<usize>,
}

async fn show(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let path = format!("/courses/{id}/measurements");
    let ctx = user.ctx(&rid);
    let v = match svc::measurements(&state.store, state.rules(), &ctx, id).await {
        Ok(v) => v,
        // A course without a track has no schedule: say so plainly instead of an empty page.
        Err(ServiceError::Invalid(errors)) => {
            let message = errors
                .0
                .first()
                .map(|e| e.message(lang).to_string())
                .unwrap_or_default();
            return Ok(render(
                StatusCode::OK,
                &NoTrackTemplate {
                    t,
                    l: Layout::new(Some(&user), t, &path, "courses"),
                    id,
                    message,
                },
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let notice = q.sent.map(|n| match (n, lang) {
        (0, _) => t.t("meas.sent_none").to_string(),
        (1, Lang::Da) => "Der er oprettet 1 link. Se under links, om det er sendt.".to_string(),
        (1, Lang::En) => "1 link was created. See under links whether it was sent.".to_string(),
        (n, Lang::Da) => format!("Der er oprettet {n} links. Se under links, om de er sendt."),
        (n, Lang::En) => format!("{n} links were created. See under links whether they were sent."),
    });
    let template = PageTemplate {
        t,
        l: Layout::new(Some(&user), t, &path, "courses"),
        id,
        child_id: v.course.child_id,
        child_name: v.child_name.clone(),
        track: v.track.label(lang),
        status: v.course.status.label(lang),
        notice,
        lines: line_views(&state, t, &v),
        links: link_views(&state, t, &v),
        can_send: v.has_due(),
        changes: change_views(&state, t, &v),
    };
    Ok(render(StatusCode::OK, &template))
}

/// "Send forfaldne målinger nu": the job's logic for this one course. Needs no version: it
/// changes nothing the course page shows, and sending twice sends nothing new.
async fn send_now(
    Cx(state, user, _, rid): Cx,
    Id(id): Id,
    CsrfForm(_f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let sent = svc::send_due_for_course(
        &state.store,
        state.rules(),
        state.sending(),
        &user.ctx(&rid),
        id,
    )
    .await?;
    Ok(Redirect::to(&format!("/courses/{id}/measurements?sent={sent}")).into_response())
}

//! Staff side of questionnaires: sending links, typing in paper forms, results, alerts.

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
use axum::routing::{get, post};
use samspor_domain::i18n::Lang;
use samspor_domain::instrument::{Answers, Catalogue, Instrument};
use samspor_domain::notification::Channel;
use samspor_domain::validation::{FieldError, FieldErrors};
use samspor_store::children;
use samspor_store::notifications::Delivery;
use samspor_store::questionnaires::{self as q, InvitationInput, PaperInput, RespondentChoice};
use samspor_store::service::ServiceError;
use samspor_store::{Child, Invitation, ResponseRecord};
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/children/{id}/questionnaires", get(overview))
        .route("/children/{id}/invitations", post(invite))
        .route("/invitations/{id}/revoke", post(revoke))
        .route("/invitations/{id}/mark-sent", post(mark_sent))
        .route("/static/links.js", get(links_script))
        .route("/children/{id}/paper", get(paper_form).post(paper_save))
        .route("/alerts/{id}/acknowledge", post(acknowledge))
}

fn full_name(c: &Child) -> String {
    format!("{} {}", c.data.given_name, c.data.family_name)
}

/// Instruments that fit the child's age, as (id, title) for a select.
fn fitting(catalogue: &Catalogue, child: &Child, lang: Lang) -> Vec<(String, String)> {
    let age = child
        .data
        .cpr
        .age_on(samspor_store::courses::local(chrono::Utc::now()).date());
    catalogue
        .all()
        .iter()
        .filter(|i| {
            let (min, max) = i.age_range();
            (min..=max).contains(&age)
        })
        .map(|i| {
            (
                i.id().to_string(),
                format!("{} ({})", i.title(lang), i.respondent().label(lang)),
            )
        })
        .collect()
}

pub struct ScaleView {
    name: String,
    score: Option<i64>,
    band: Option<String>,
    band_label: String,
    verified: bool,
}

pub struct ResponseView {
    title: String,
    date: String,
    respondent: String,
    source: &'static str,
    scales: Vec<ScaleView>,
    /// "Incomplete: n of m questions unanswered", when questions were left out.
    incomplete: Option<String>,
}

pub struct InvitationView {
    id: Uuid,
    instrument: String,
    respondent: String,
    state: &'static str,
    expires: String,
    revocable: bool,
    delivery: String,
    can_mark_sent: bool,
}

/// A band's words: the instrument's own label, else the shared ones (SDQ bands).
fn band_label(t: Tr, instrument: Option<&Instrument>, band: &str) -> String {
    if let Some(label) = instrument.and_then(|i| i.band_label(band, t.0)) {
        return label.to_string();
    }
    let key = format!("band.{band}");
    if crate::i18n::TEXTS.iter().any(|(k, _, _)| *k == key) {
        t.t(&key).to_string()
    } else {
        band.replace('_', " ")
    }
}

fn response_view(t: Tr, catalogue: &Catalogue, r: &ResponseRecord) -> ResponseView {
    let instrument = catalogue.get(&r.instrument_id);
    let scale_view = |name: &str, s: &serde_json::Value| {
        let band = s["band"].as_str().map(str::to_string);
        ScaleView {
            name: instrument
                .and_then(|i| i.scale(name))
                .map(|sc| sc.title(t.0).to_string())
                .unwrap_or_else(|| name.replace('_', " ")),
            score: s["score"].as_i64(),
            band_label: band
                .as_deref()
                .map(|b| band_label(t, instrument, b))
                .unwrap_or_default(),
            band,
            verified: s["band_verified"].as_bool().unwrap_or(false),
        }
    };
    let stored = &r.scores["scales"];
    // In the instrument's own order when it is known, else as stored.
    let scales = match instrument {
        Some(i) => i
            .scales()
            .iter()
            .filter(|sc| stored.get(&sc.name).is_some())
            .map(|sc| scale_view(&sc.name, &stored[sc.name.as_str()]))
            .collect(),
        None => stored
            .as_object()
            .map(|m| m.iter().map(|(name, s)| scale_view(name, s)).collect())
            .unwrap_or_default(),
    };
    ResponseView {
        title: instrument
            .map(|i| i.title(t.0).to_string())
            .unwrap_or_else(|| r.instrument_id.clone()),
        date: local_time(r.answered_at, false),
        respondent: r.respondent_name.clone(),
        source: if r.source == "paper" {
            t.t("q.source_paper")
        } else {
            t.t("q.source_link")
        },
        scales,
        incomplete: instrument.and_then(|i| {
            let answers: samspor_domain::instrument::Answers =
                serde_json::from_value(r.answers.clone()).ok()?;
            let missing = i.unanswered(&answers).len();
            (missing > 0).then(|| {
                format!(
                    "{}: {missing} {} {} {}",
                    t.t("q.incomplete"),
                    t.t("respond.of"),
                    i.questions().count(),
                    t.t("q.incomplete_unanswered")
                )
            })
        }),
    }
}

/// How a link's delivery stands, in the reader's words: never "sent" unless it was.
pub fn delivery_label(t: Tr, d: Option<&Delivery>) -> String {
    use samspor_domain::notification::State;
    let Some(d) = d else {
        return t.t("q.delivery_none").to_string();
    };
    let channel = t.t(&format!("q.channel_{}", d.channel.as_str()));
    match d.state {
        State::Queued if d.attempts == 0 => format!("{} ({channel})", t.t("q.delivery_queued")),
        State::Queued => format!(
            "{} ({channel}, {} {})",
            t.t("q.delivery_retrying"),
            d.attempts,
            t.t("q.delivery_attempts")
        ),
        State::Sent => format!(
            "{} ({channel}) {}",
            t.t("q.delivery_sent"),
            local_time(d.at, false)
        ),
        State::MarkedSent => format!("{} {}", t.t("q.delivery_by_hand"), local_time(d.at, false)),
        State::Failed => format!("{} ({channel})", t.t("q.delivery_failed")),
        State::Bounced => format!("{} ({channel})", t.t("q.delivery_bounced")),
    }
}

fn invitation_view(
    t: Tr,
    catalogue: &Catalogue,
    (i, delivery): &(Invitation, Option<Delivery>),
) -> InvitationView {
    let now = chrono::Utc::now();
    let state = i.state(now);
    InvitationView {
        id: i.id,
        instrument: catalogue
            .get(&i.instrument_id)
            .map(|x| x.title(t.0).to_string())
            .unwrap_or_else(|| i.instrument_id.clone()),
        respondent: i.respondent_name.clone(),
        state: t.t(&format!("q.state_{state}")),
        expires: local_time(i.expires_at, false),
        revocable: i.is_open(now),
        delivery: delivery_label(t, delivery.as_ref()),
        can_mark_sent: i.is_open(now) && !delivery.is_some_and(|d| d.state.is_sent()),
    }
}

/// One scale of one questionnaire over time.
pub struct ChartView {
    heading: String,
    svg: String,
    rows: Vec<(String, i64, &'static str)>,
}

/// The latest scores of one questionnaire family, one column per respondent.
pub struct CompareView {
    heading: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

/// Follow-up versions share scales with their base questionnaire.
fn base_id(id: &str) -> &str {
    id.strip_suffix("-followup").unwrap_or(id)
}

fn family(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}

fn score_of(r: &ResponseRecord, scale: &str) -> Option<i64> {
    r.scores["scales"][scale]["score"].as_i64()
}

fn charts(t: Tr, catalogue: &Catalogue, responses: &[ResponseRecord]) -> Vec<ChartView> {
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for r in responses {
        let key = (base_id(&r.instrument_id), r.respondent.as_str());
        if !groups.contains(&key) {
            groups.push(key);
        }
    }
    let mut out = Vec::new();
    for (base, respondent) in groups {
        let Some(instrument) = catalogue.get(base) else {
            continue;
        };
        let series: Vec<&ResponseRecord> = responses
            .iter()
            .filter(|r| base_id(&r.instrument_id) == base && r.respondent == respondent)
            .collect();
        for scale in instrument.scales() {
            let points: Vec<(&ResponseRecord, i64)> = series
                .iter()
                .filter_map(|r| score_of(r, &scale.name).map(|v| (*r, v)))
                .collect();
            let Some(&(_, first)) = points.first() else {
                continue;
            };
            let mut rows = Vec::new();
            let chart_points: Vec<crate::chart::Point> = points
                .iter()
                .enumerate()
                .map(|(i, (r, v))| {
                    use samspor_domain::instrument::{ChangeDirection, reliable_change};
                    let change = (i > 0)
                        .then(|| reliable_change(instrument, &scale.name, first, *v))
                        .flatten();
                    let reliable = change.and_then(|c| match c.direction {
                        ChangeDirection::Improved => Some(true),
                        ChangeDirection::Worsened => Some(false),
                        ChangeDirection::NoReliableChange => None,
                    });
                    let note = match (i, reliable) {
                        (0, _) => t.t("q.baseline"),
                        (_, Some(true)) => t.t("q.rc_improved"),
                        (_, Some(false)) => t.t("q.rc_worsened"),
                        (_, None) if change.is_some() => t.t("q.rc_none"),
                        _ => "–",
                    };
                    let label = r.answered_at.format("%d.%m.%y").to_string();
                    rows.push((label.clone(), *v, note));
                    crate::chart::Point {
                        label,
                        score: *v,
                        reliable,
                    }
                })
                .collect();
            let heading = format!(
                "{} – {} ({})",
                instrument.title(t.0),
                scale.title(t.0),
                instrument.respondent().label(t.0)
            );
            let desc = rows
                .iter()
                .map(|(d, v, n)| format!("{d}: {v} {n}"))
                .collect::<Vec<_>>()
                .join("; ");
            let id = format!("chart-{}", out.len() + 1);
            out.push(ChartView {
                svg: crate::chart::line_chart(
                    &id,
                    &heading,
                    &desc,
                    scale.min,
                    scale.max,
                    &chart_points,
                ),
                heading,
                rows,
            });
        }
    }
    out
}

fn comparisons(t: Tr, catalogue: &Catalogue, responses: &[ResponseRecord]) -> Vec<CompareView> {
    let mut families: Vec<&str> = Vec::new();
    for r in responses {
        let f = family(&r.instrument_id);
        if !families.contains(&f) {
            families.push(f);
        }
    }
    let mut out = Vec::new();
    for f in families {
        // The newest response of each respondent kind in this family.
        let mut latest: Vec<&ResponseRecord> = Vec::new();
        for r in responses
            .iter()
            .rev()
            .filter(|r| family(&r.instrument_id) == f)
        {
            if !latest.iter().any(|l| l.respondent == r.respondent) {
                latest.push(r);
            }
        }
        if latest.len() < 2 {
            continue;
        }
        latest.sort_by(|a, b| a.respondent.cmp(&b.respondent));
        let Some(instrument) = catalogue.get(base_id(&latest[0].instrument_id)) else {
            continue;
        };
        let columns = latest
            .iter()
            .map(|r| {
                let who = samspor_domain::instrument::Respondent::parse(&r.respondent)
                    .map(|x| x.label(t.0))
                    .unwrap_or("?");
                format!("{who} ({})", local_time(r.answered_at, false))
            })
            .collect();
        let rows = instrument
            .scales()
            .iter()
            .map(|scale| {
                let cells = latest
                    .iter()
                    .map(|r| {
                        let s = &r.scores["scales"][scale.name.as_str()];
                        match (s["score"].as_i64(), s["band"].as_str()) {
                            (Some(v), Some(b)) => {
                                format!("{v} – {}", band_label(t, Some(instrument), b))
                            }
                            (Some(v), None) => v.to_string(),
                            _ => "–".into(),
                        }
                    })
                    .collect();
                (scale.title(t.0).to_string(), cells)
            })
            .collect();
        out.push(CompareView {
            heading: format!("{} – {}", instrument.title(t.0), t.t("q.compare")),
            columns,
            rows,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "questionnaires/questionnaires.html")]
struct OverviewTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    name: String,
    responses: Vec<ResponseView>,
    charts: Vec<ChartView>,
    compare: Vec<CompareView>,
    invitations: Vec<InvitationView>,
    instruments: Vec<(String, String)>,
    respondents: Vec<(String, String)>,
    form_instrument: String,
    form_respondent: String,
    form_teacher: String,
    errors: FieldErrors,
    has_errors: bool,
}

impl OverviewTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(|e| e.message(self.t.0))
    }
}

struct SendForm {
    instrument: String,
    respondent: String,
    teacher: String,
}

async fn overview_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    child_id: Uuid,
    form: SendForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(rid);
    let child = children::read(&state.store, &ctx, child_id).await?;
    let (invitations, responses) = q::overview(&state.store, &ctx, child_id).await?;
    let mut respondents: Vec<(String, String)> = child
        .data
        .guardians
        .iter()
        .enumerate()
        .map(|(i, g)| {
            (
                format!("guardian:{i}"),
                format!("{} ({})", g.name, g.relation.label(lang)),
            )
        })
        .collect();
    respondents.push((
        "child".into(),
        format!("{} ({})", child.data.given_name, t.t("q.self_report")),
    ));
    respondents.push(("teacher".into(), t.t("q.teacher").to_string()));
    let has_errors = !errors.is_empty();
    Ok(render(
        if has_errors {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &OverviewTemplate {
            t,
            l: Layout::new(
                Some(user),
                t,
                &format!("/children/{child_id}/questionnaires"),
                "children",
            ),
            child_id,
            name: full_name(&child),
            responses: responses
                .iter()
                .rev()
                .map(|r| response_view(t, &state.catalogue, r))
                .collect(),
            charts: charts(t, &state.catalogue, &responses),
            compare: comparisons(t, &state.catalogue, &responses),
            invitations: invitations
                .iter()
                .map(|i| invitation_view(t, &state.catalogue, i))
                .collect(),
            instruments: fitting(&state.catalogue, &child, lang),
            respondents,
            form_instrument: form.instrument,
            form_respondent: form.respondent,
            form_teacher: form.teacher,
            errors,
            has_errors,
        },
    ))
}

async fn overview(Cx(state, user, lang, rid): Cx, Id(id): Id) -> Result<Response, WebError> {
    let form = SendForm {
        instrument: String::new(),
        respondent: String::new(),
        teacher: String::new(),
    };
    overview_page(&state, &user, lang, &rid, id, form, FieldErrors::default()).await
}

/// "guardian:N", "child" or "teacher" from the send form.
fn respondent_choice(value: &str, teacher: &str) -> Result<RespondentChoice, FieldError> {
    match value.split_once(':') {
        Some(("guardian", n)) => n.parse().map(RespondentChoice::Guardian).map_err(|_| {
            FieldError::new(
                "respondent",
                "Choose who should answer.",
                "Vælg, hvem der skal svare.",
            )
        }),
        _ if value == "child" => Ok(RespondentChoice::Child),
        _ if value == "teacher" => Ok(RespondentChoice::Teacher {
            name: teacher.to_string(),
            email: None,
        }),
        _ => Err(FieldError::new(
            "respondent",
            "Choose who should answer.",
            "Vælg, hvem der skal svare.",
        )),
    }
}

#[derive(Template)]
#[template(path = "questionnaires/invitation_created.html")]
struct CreatedTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    invitation_id: Uuid,
    url: String,
    expires: String,
    /// How the link is on its way; `None`: staff pass it on (copy, print, mark as sent).
    queued: Option<&'static str>,
    respondent: String,
    /// The link as a QR code (SVG) for the printed letter.
    qr: String,
}

/// A QR code of a link, as an SVG to place in a page.
fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build(),
        // A link always fits in a QR code; should one not, the letter still shows the address.
        Err(_) => String::new(),
    }
}

/// The address respondents open: always on Samspor's configured public address, never on a
/// host a request named (a forged `Host` header must not put a link to another site in a letter).
pub fn link_url(state: &AppState, token: &str) -> String {
    state.sending().questionnaire_link(token)
}

async fn invite(
    Cx(state, user, lang, rid): Cx,
    Id(child_id): Id,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let form = SendForm {
        instrument: get("instrument"),
        respondent: get("respondent"),
        teacher: get("respondent_name"),
    };
    let choice = match respondent_choice(&form.respondent, &form.teacher) {
        Ok(c) => c,
        Err(e) => {
            // The form comes back with its message only to those who may send it.
            children::read_to_change(&state.store, &user.ctx(&rid), child_id).await?;
            return overview_page(&state, &user, lang, &rid, child_id, form, e.into()).await;
        }
    };
    let input = InvitationInput {
        instrument_id: form.instrument.clone(),
        respondent: choice,
        expires_in_days: None,
    };
    match q::invite(
        &state.store,
        &state.catalogue,
        state.sending(),
        &user.ctx(&rid),
        child_id,
        input,
    )
    .await
    {
        Ok(created) => {
            let t = Tr(lang);
            let url = link_url(&state, &created.token);
            Ok(render(
                StatusCode::CREATED,
                &CreatedTemplate {
                    t,
                    l: Layout::new(
                        Some(&user),
                        t,
                        &format!("/children/{child_id}/questionnaires"),
                        "children",
                    ),
                    child_id,
                    invitation_id: created.invitation.id,
                    qr: qr_svg(&url),
                    url,
                    expires: local_time(created.invitation.expires_at, false),
                    queued: created.queued.map(|c| match c {
                        Channel::Sms => t.t("q.queued_sms"),
                        _ => t.t("q.queued_email"),
                    }),
                    respondent: created.invitation.respondent_name.clone(),
                },
            ))
        }
        Err(ServiceError::Invalid(errors)) => {
            overview_page(&state, &user, lang, &rid, child_id, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Staff passed a link on themselves: the page stops saying it was not sent.
async fn mark_sent(
    Cx(state, user, _, rid): Cx,
    Id(id): Id,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let child_id = q::mark_sent_by_hand(&state.store, &ctx, id).await?;
    let back = match f.get("back") {
        Some(b) => crate::pages::safe_back(Some(b)),
        None => format!("/children/{child_id}/questionnaires"),
    };
    Ok(Redirect::to(&back).into_response())
}

async fn links_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/links.js"),
    )
        .into_response()
}

async fn revoke(
    Cx(state, user, _, rid): Cx,
    Id(id): Id,
    CsrfForm(_f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    q::revoke(&state.store, &ctx, id).await?;
    let child_id = q::invitation_child(&state.store, &ctx, id).await?;
    Ok(Redirect::to(&format!("/children/{child_id}/questionnaires")).into_response())
}

pub struct PaperQuestion {
    link_id: String,
    label: String,
    /// (label, value, checked)
    options: Vec<(String, i64, bool)>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "questionnaires/paper_form.html")]
struct PaperTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    name: String,
    instruments: Vec<(String, String)>,
    instrument_id: String,
    respondent_name: String,
    questions: Vec<PaperQuestion>,
    errors: FieldErrors,
    has_errors: bool,
}

impl PaperTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(|e| e.message(self.t.0))
    }
}

fn paper_questions(
    t: Tr,
    instrument: Option<&Instrument>,
    answers: &Answers,
    errors: &FieldErrors,
) -> Vec<PaperQuestion> {
    instrument
        .map(|i| {
            i.questions()
                .map(|q| PaperQuestion {
                    link_id: q.link_id.clone(),
                    // Staff see the scoring note beside the question; respondents never do.
                    label: match q.staff_note(t.0) {
                        Some(note) => format!("{} ({note})", q.label(t.0)),
                        None => q.label(t.0).to_string(),
                    },
                    options: q
                        .options
                        .iter()
                        .map(|o| {
                            (
                                format!("{} – {}", o.value, o.label(t.0)),
                                o.value,
                                answers.value(&q.link_id) == Some(o.value),
                            )
                        })
                        .collect(),
                    error: errors.get(&q.link_id).map(|e| e.message(t.0).to_string()),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(serde::Deserialize)]
struct PaperQuery {
    instrument: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn paper_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    child_id: Uuid,
    instrument_id: Option<String>,
    respondent_name: String,
    answers: &Answers,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let child = children::read_to_change(&state.store, &user.ctx(rid), child_id).await?;
    let instruments = fitting(&state.catalogue, &child, lang);
    let instrument_id = instrument_id
        .filter(|i| !i.is_empty())
        .or_else(|| instruments.first().map(|(id, _)| id.clone()))
        .unwrap_or_default();
    let questions = paper_questions(t, state.catalogue.get(&instrument_id), answers, &errors);
    let has_errors = !errors.is_empty();
    Ok(render(
        if has_errors {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &PaperTemplate {
            t,
            l: Layout::new(
                Some(user),
                t,
                &format!("/children/{child_id}/paper"),
                "children",
            ),
            child_id,
            name: full_name(&child),
            instruments,
            instrument_id,
            respondent_name,
            questions,
            errors,
            has_errors,
        },
    ))
}

async fn paper_form(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(pq): Query<PaperQuery>,
) -> Result<Response, WebError> {
    paper_page(
        &state,
        &user,
        lang,
        &rid,
        id,
        pq.instrument,
        String::new(),
        &Answers::default(),
        FieldErrors::default(),
    )
    .await
}

async fn paper_save(
    Cx(state, user, lang, rid): Cx,
    Id(child_id): Id,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let instrument_id = f.get("instrument").cloned().unwrap_or_default();
    let respondent_name = f.get("respondent_name").cloned().unwrap_or_default();
    // A paper form holds every question; those left blank are saved as unanswered.
    let (mut answers, errors) = crate::questionnaires::respond::answers_from_form(
        f.iter()
            .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "instrument" | "respondent_name")),
    );
    if let Some(instrument) = state.catalogue.get(&instrument_id) {
        for question in instrument.questions() {
            answers.entry(question.link_id.clone()).or_insert(None);
        }
    }
    let result = if errors.is_empty() {
        q::enter_paper(
            &state.store,
            &state.catalogue,
            &user.ctx(&rid),
            child_id,
            PaperInput {
                instrument_id: instrument_id.clone(),
                respondent_name: respondent_name.clone(),
                answered_at: None,
                answers: answers.clone(),
            },
        )
        .await
        .map(|_| ())
    } else {
        Err(ServiceError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/children/{child_id}/questionnaires")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            paper_page(
                &state,
                &user,
                lang,
                &rid,
                child_id,
                Some(instrument_id),
                respondent_name,
                &answers,
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn acknowledge(
    Cx(state, user, _, rid): Cx,
    Id(id): Id,
    CsrfForm(_f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    q::acknowledge_alert(&state.store, &user.ctx(&rid), id).await?;
    Ok(Redirect::to("/").into_response())
}

//! Advice pages: the list (`/advice`: a unit's queue, or what an organisation asked), the ask
//! form (`/advice/new`, anonymous, or `?course=` for a child's course) and one request with
//! the unit's answer form.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::courses::pages::{Refusal, day};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{Cx, Layout, local_time, render};
use crate::request::{CsrfForm, Id, Pairs};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samspor_domain::advice::{QuestionInput, Subject};
use samspor_domain::cpr::Sex;
use samspor_domain::i18n::Lang;
use samspor_domain::organisation::OrgKind;
use samspor_store::advice::{self as svc, AdviceView, AskInput};
use samspor_store::service::Ctx;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/advice", get(list))
        .route("/advice/new", get(ask_form).post(ask))
        .route("/advice/{id}", get(show))
        .route("/advice/{id}/answer", post(answer))
}

fn sex_label(t: Tr, sex: Sex) -> &'static str {
    t.t(match sex {
        Sex::Female => "adv.female",
        Sex::Male => "adv.male",
        Sex::Unknown => "adv.unknown",
    })
}

/// "Anna Jensen, 9 år" or "Anonymt: pige, 9 år".
fn subject_label(t: Tr, v: &AdviceView) -> String {
    let years = t.t("ref.years");
    match (&v.request.subject, &v.child_name, v.child_age) {
        (Subject::Anonymous { age, sex }, _, _) => format!(
            "{}: {}, {age} {years}",
            t.t("adv.anonymous"),
            sex_label(t, *sex).to_lowercase()
        ),
        (Subject::Identified { .. }, Some(name), Some(age)) => format!("{name}, {age} {years}"),
        (Subject::Identified { .. }, _, _) => String::new(),
    }
}

fn status_label(t: Tr, v: &AdviceView, today: chrono::NaiveDate) -> String {
    match (&v.request.answer, v.working_days_taken) {
        (Some(_), Some(days)) => format!(
            "{} – {} {days} {}",
            t.t("adv.answered"),
            t.t("adv.answered_in"),
            t.t("adv.working_days")
        ),
        _ if v.request.overdue(today) => format!("{} – {}", t.t("adv.open"), t.t("adv.overdue")),
        _ => t.t("adv.open").to_string(),
    }
}

/// The first words of a question, for a list.
fn excerpt(text: &str) -> String {
    const WORDS: usize = 12;
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= WORDS {
        words.join(" ")
    } else {
        format!("{} …", words[..WORDS].join(" "))
    }
}

struct Row {
    id: Uuid,
    asked: String,
    subject: String,
    question: String,
    other_party: String,
    due: String,
    status: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "advice/list.html")]
struct ListTemplate {
    t: Tr,
    l: Layout,
    received: bool,
    rows: Vec<Row>,
}

async fn list(Cx(state, user, lang, rid): Cx) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(&rid);
    let today = ctx.today();
    let rows = svc::list(&state.store, &ctx)
        .await?
        .iter()
        .map(|v| Row {
            id: v.request.id,
            asked: day(v.request.asked_on),
            subject: subject_label(t, v),
            question: excerpt(&v.request.question),
            other_party: if v.received {
                v.from_name.clone()
            } else {
                v.to_name.clone()
            },
            due: day(v.request.due_on),
            status: status_label(t, v, today),
            overdue: v.request.overdue(today),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListTemplate {
            t,
            l: Layout::new(Some(&user), t, "/advice", "advice"),
            received: user.user.role == samspor_domain::role::Role::Psychiatry,
            rows,
        },
    ))
}

#[derive(Template)]
#[template(path = "advice/ask.html")]
struct AskTemplate {
    t: Tr,
    l: Layout,
    units: Vec<(String, String)>,
    /// For a question about a course: the course and the child's name.
    course: Option<(Uuid, String)>,
    sexes: Vec<(&'static str, &'static str)>,
    to_org_id: String,
    age: String,
    sex: String,
    question: String,
    r: Refusal,
}

impl AskTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.language())
    }
}

#[derive(serde::Deserialize)]
struct AskQuery {
    course: Option<Uuid>,
}

async fn ask_form(
    Cx(state, user, lang, rid): Cx,
    Query(q): Query<AskQuery>,
) -> Result<Response, WebError> {
    let mut p = Pairs::default();
    if let Some(c) = q.course {
        p.0.push(("course_id".into(), c.to_string()));
    }
    ask_page(
        &state,
        &user,
        lang,
        &rid,
        &p,
        Refusal::invalid(Default::default()),
    )
    .await
}

async fn ask_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    p: &Pairs,
    r: Refusal,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(rid);
    let course = match course_of(p) {
        Some(id) => {
            let v = samspor_store::courses::course_to_work_on(&state.store, &ctx, id).await?;
            Some((id, v.child_name))
        }
        None => None,
    };
    let units = samspor_store::organisations::list(&state.store)
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::Psychiatry)
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let sexes = [Sex::Female, Sex::Male, Sex::Unknown]
        .into_iter()
        .map(|s| (s.as_str(), sex_label(t, s)))
        .collect();
    Ok(render(
        r.status(),
        &AskTemplate {
            t,
            l: Layout::new(Some(user), t, "/advice/new", "advice"),
            units,
            course,
            sexes,
            to_org_id: p.get("to_org_id"),
            age: p.get("age"),
            sex: p.get("sex"),
            question: p.get("question"),
            r,
        },
    ))
}

fn course_of(p: &Pairs) -> Option<Uuid> {
    p.first("course_id")
        .and_then(|s| Uuid::parse_str(s.trim()).ok())
}

async fn ask(Cx(state, user, lang, rid): Cx, CsrfForm(p): CsrfForm) -> Result<Response, WebError> {
    let course_id = course_of(&p);
    let input = AskInput {
        to_org_id: p
            .first("to_org_id")
            .and_then(|s| Uuid::parse_str(s.trim()).ok()),
        question: QuestionInput {
            course_id,
            age: course_id.is_none().then(|| p.get("age")),
            sex: course_id.is_none().then(|| p.get("sex")),
            question: Some(p.get("question")),
        },
    };
    match svc::ask(&state.store, &user.ctx(&rid), &input).await {
        Ok(r) => Ok(Redirect::to(&format!("/advice/{}?saved=asked", r.id)).into_response()),
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            ask_page(&state, &user, lang, &rid, &p, r).await
        }
    }
}

#[derive(Template)]
#[template(path = "advice/show.html")]
struct ShowTemplate {
    t: Tr,
    l: Layout,
    v: AdviceView,
    subject: String,
    /// Where the child's course is, for an identified question.
    course_link: Option<String>,
    asked: String,
    due: String,
    status: String,
    answered: Option<String>,
    can_answer: bool,
    answer: String,
    r: Refusal,
}

impl ShowTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.language())
    }
}

#[derive(serde::Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn show(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<Saved>,
) -> Result<Response, WebError> {
    let notice = q.saved.as_deref().map(|_| Tr(lang).t("adv.saved"));
    let none = Refusal::invalid(Default::default());
    show_page(&state, &user, lang, &user.ctx(&rid), id, "", none, notice).await
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    ctx: &Ctx,
    id: Uuid,
    answer: &str,
    r: Refusal,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let v = svc::read(&state.store, ctx, id).await?;
    let path = format!("/advice/{id}");
    Ok(render(
        r.status(),
        &ShowTemplate {
            t,
            l: Layout::new(Some(user), t, &path, "advice").with_notice(notice),
            subject: subject_label(t, &v),
            course_link: v.request.course_id().map(|c| format!("/courses/{c}")),
            asked: local_time(v.request.asked_at, false),
            due: day(v.request.due_on),
            status: status_label(t, &v, ctx.today()),
            answered: v
                .request
                .answer
                .as_ref()
                .map(|a| local_time(a.answered_at, false)),
            can_answer: v.received && v.request.answer.is_none(),
            answer: answer.to_string(),
            v,
            r,
        },
    ))
}

async fn answer(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let given = p.get("answer");
    match svc::answer(&state.store, &ctx, id, Some(&given)).await {
        Ok(_) => Ok(Redirect::to(&format!("/advice/{id}?saved=answer")).into_response()),
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            show_page(&state, &user, lang, &ctx, id, &given, r, None).await
        }
    }
}

/// The advice asked about a course, for the course page: (request, question, answer or status).
pub(crate) async fn course_lines(
    state: &AppState,
    ctx: &Ctx,
    t: Tr,
    course_id: Uuid,
) -> Result<Vec<(Uuid, String, String)>, WebError> {
    let today = ctx.today();
    Ok(svc::of_course(&state.store, ctx, course_id)
        .await?
        .iter()
        .map(|v| {
            let answer = match &v.request.answer {
                Some(a) => a.text.clone(),
                None => status_label(t, v, today),
            };
            (v.request.id, v.request.question.clone(), answer)
        })
        .collect())
}

/// The advice that waits on the reader's organisation, for the front page: a unit's open
/// questions, or the answers the asking organisation has not read: (request, text, overdue).
pub(crate) async fn waiting(
    state: &AppState,
    ctx: &Ctx,
    t: Tr,
) -> Result<Vec<(Uuid, String, bool)>, WebError> {
    let today = ctx.today();
    Ok(svc::list(&state.store, ctx)
        .await?
        .iter()
        .filter(|v| {
            if v.received {
                v.request.answer.is_none()
            } else {
                v.request.answer.is_some() && v.request.answer_read_at.is_none()
            }
        })
        .map(|v| {
            let text = if v.received {
                format!(
                    "{} – {} – {} {}",
                    subject_label(t, v),
                    v.from_name,
                    t.t("adv.due"),
                    day(v.request.due_on)
                )
            } else {
                format!(
                    "{} – {} ({})",
                    subject_label(t, v),
                    v.to_name,
                    t.t("adv.new_answer")
                )
            };
            (v.request.id, text, v.request.overdue(today))
        })
        .collect())
}

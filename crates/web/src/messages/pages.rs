//! A course's messages page (`/courses/{id}/messages`): the threads with a reply form each, and
//! a form for a new message to an organisation that works on the course.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::courses::pages::Refusal;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{Cx, Layout, local_time, render};
use crate::request::{CsrfForm, Id, Pairs};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use samspor_domain::i18n::Lang;
use samspor_domain::message::MessageInput;
use samspor_store::messages::{self as svc, CourseMessages};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/courses/{id}/messages", get(show).post(send))
}

struct Line {
    from: String,
    to: String,
    when: String,
    body: String,
    new: bool,
}

struct ThreadView {
    id: Uuid,
    subject: String,
    lines: Vec<Line>,
    /// Whom a reply goes to, while that organisation still works on the course.
    reply_to_org: Option<Uuid>,
}

#[derive(Template)]
#[template(path = "messages/messages.html")]
struct MessagesTemplate {
    t: Tr,
    l: Layout,
    course_id: Uuid,
    child_name: String,
    recipients: Vec<(String, String)>,
    threads: Vec<ThreadView>,
    form: Pairs,
    r: Refusal,
}

impl MessagesTemplate {
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
    page(
        &state,
        &user,
        lang,
        &rid,
        id,
        Pairs::default(),
        none,
        notice,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    course_id: Uuid,
    form: Pairs,
    r: Refusal,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let v: CourseMessages = svc::of_course(&state.store, &user.ctx(rid), course_id).await?;
    let me = user.user.org_id;
    let threads = v
        .threads
        .iter()
        .map(|th| {
            let first = &th.messages[0].message;
            let other = if first.from_org_id == me {
                first.to_org_id
            } else {
                first.from_org_id
            };
            ThreadView {
                id: th.id,
                subject: th.subject.clone(),
                lines: th
                    .messages
                    .iter()
                    .map(|m| Line {
                        from: m.from_name.clone(),
                        to: m.to_name.clone(),
                        when: local_time(m.message.sent_at, false),
                        body: m.message.body.clone(),
                        new: m.new,
                    })
                    .collect(),
                reply_to_org: v
                    .recipients
                    .iter()
                    .any(|(id, _)| *id == other)
                    .then_some(other),
            }
        })
        .collect();
    let path = format!("/courses/{course_id}/messages");
    Ok(render(
        r.status(),
        &MessagesTemplate {
            t,
            l: Layout::new(Some(user), t, &path, "courses").with_notice(notice),
            course_id,
            child_name: v.child_name.clone(),
            recipients: v
                .recipients
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone()))
                .collect(),
            threads,
            form,
            r,
        },
    ))
}

async fn send(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let uuid = |name: &str| p.first(name).and_then(|s| Uuid::parse_str(s.trim()).ok());
    let input = MessageInput {
        to_org_id: uuid("to_org_id"),
        reply_to: uuid("reply_to"),
        subject: Some(p.get("subject")),
        body: Some(p.get("body")),
    };
    match svc::send(&state.store, &user.ctx(&rid), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{id}/messages?saved=1")).into_response()),
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            page(&state, &user, lang, &rid, id, p, r, None).await
        }
    }
}

/// The courses with unread messages, for the front page: (course, text).
pub(crate) async fn unread(
    state: &AppState,
    ctx: &samspor_store::service::Ctx,
    t: Tr,
) -> Result<Vec<(Uuid, String)>, WebError> {
    Ok(svc::unread(&state.store, ctx)
        .await?
        .into_iter()
        .map(|u| {
            (
                u.course_id,
                format!("{}: {} {}", u.child_name, u.count, t.t("msg.unread_count")),
            )
        })
        .collect())
}

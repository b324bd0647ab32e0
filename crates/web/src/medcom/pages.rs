//! MedCom pages: the child's GP practice (`/children/{id}/gp-practice`), the organisation's
//! inbox and sent messages (`/medcom`), one message (`/medcom/{id}`) and sending a failed one
//! again.

use crate::AppState;
use crate::courses::pages::Refusal;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{Cx, Layout, local_time, render};
use crate::request::{CsrfForm, Id, Pairs};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samspor_domain::medcom::GpPracticeInput;
use samspor_store::medcom::model::DeliveryState;
use samspor_store::medcom::{self as svc, MessageLine};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/children/{id}/gp-practice",
            get(practice).post(save_practice),
        )
        .route("/medcom", get(overview))
        .route("/medcom/{id}", get(message))
        .route("/medcom/{id}/send-again", post(send_again))
}

#[derive(Template)]
#[template(path = "medcom/gp_practice.html")]
struct PracticeTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    form: Pairs,
    r: Refusal,
}

impl PracticeTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.language())
    }
}

async fn practice(Cx(state, user, lang, rid): Cx, Id(id): Id) -> Result<Response, WebError> {
    let t = Tr(lang);
    let current = svc::gp_practice(&state.store, &user.ctx(&rid), id).await?;
    let form = Pairs(match current {
        Some(p) => vec![
            ("name".into(), p.name),
            ("ydernummer".into(), p.ydernummer),
            ("sor_code".into(), p.sor_code),
            ("ean".into(), p.ean),
        ],
        None => Vec::new(),
    });
    let path = format!("/children/{id}/gp-practice");
    let r = Refusal::invalid(Default::default());
    Ok(render(
        r.status(),
        &PracticeTemplate {
            t,
            l: Layout::new(Some(&user), t, &path, "children"),
            child_id: id,
            form,
            r,
        },
    ))
}

async fn save_practice(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let input = GpPracticeInput {
        name: Some(p.get("name")),
        ydernummer: Some(p.get("ydernummer")),
        sor_code: Some(p.get("sor_code")),
        ean: Some(p.get("ean")),
    };
    match svc::set_gp_practice(&state.store, &user.ctx(&rid), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}?saved=gp_practice")).into_response()),
        Err(e) => {
            let t = Tr(lang);
            let r = Refusal::from_error(e, lang)?;
            let path = format!("/children/{id}/gp-practice");
            Ok(render(
                r.status(),
                &PracticeTemplate {
                    t,
                    l: Layout::new(Some(&user), t, &path, "children"),
                    child_id: id,
                    form: p,
                    r,
                },
            ))
        }
    }
}

struct Row {
    id: Uuid,
    when: String,
    child: String,
    party: String,
    topic: String,
    state: &'static str,
    failed: bool,
    new: bool,
}

fn state_label(t: Tr, s: DeliveryState) -> &'static str {
    t.t(match s {
        DeliveryState::ToBeSent => "mc.to_be_sent",
        DeliveryState::Sent => "mc.sent",
        DeliveryState::Acknowledged => "mc.acknowledged",
        DeliveryState::Failed => "mc.failed",
    })
}

fn row(t: Tr, m: &MessageLine, party: String) -> Row {
    Row {
        id: m.message.id,
        when: local_time(m.message.created_at, false),
        child: m.child_name.clone(),
        party,
        topic: m.message.topic.clone(),
        state: state_label(t, m.message.state),
        failed: m.message.state == DeliveryState::Failed,
        new: m.message.read_at.is_none(),
    }
}

#[derive(Template)]
#[template(path = "medcom/medcom.html")]
struct OverviewTemplate {
    t: Tr,
    l: Layout,
    inbox: Vec<Row>,
    outbox: Vec<Row>,
}

async fn overview(Cx(state, user, lang, rid): Cx) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(&rid);
    let inbox = svc::inbox(&state.store, &ctx).await?;
    let outbox = svc::outbox(&state.store, &ctx).await?;
    Ok(render(
        axum::http::StatusCode::OK,
        &OverviewTemplate {
            t,
            l: Layout::new(Some(&user), t, "/medcom", "medcom"),
            inbox: inbox
                .iter()
                .map(|m| row(t, m, m.sender_name.clone()))
                .collect(),
            outbox: outbox
                .iter()
                .map(|m| row(t, m, m.message.receiver_name.clone()))
                .collect(),
        },
    ))
}

#[derive(Template)]
#[template(path = "medcom/message.html")]
struct MessageTemplate {
    t: Tr,
    l: Layout,
    m: MessageLine,
    state: &'static str,
    when: String,
    may_send_again: bool,
}

#[derive(serde::Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn message(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<Saved>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let m = svc::message(&state.store, &user.ctx(&rid), id).await?;
    let notice = q.saved.as_deref().map(|_| t.t("mc.sent_again"));
    let role = user.user.role;
    let may_send_again = m.message.state == DeliveryState::Failed
        && m.message.sender_org_id == user.user.org_id
        && matches!(
            role,
            samspor_domain::role::Role::Admin | samspor_domain::role::Role::Coordinator
        );
    let path = format!("/medcom/{id}");
    Ok(render(
        axum::http::StatusCode::OK,
        &MessageTemplate {
            t,
            l: Layout::new(Some(&user), t, &path, "medcom").with_notice(notice),
            state: state_label(t, m.message.state),
            when: local_time(m.message.created_at, false),
            may_send_again,
            m,
        },
    ))
}

async fn send_again(
    Cx(state, user, _lang, rid): Cx,
    Id(id): Id,
    CsrfForm(_): CsrfForm,
) -> Result<Response, WebError> {
    svc::send_again(&state.store, &user.ctx(&rid), id).await?;
    Ok(Redirect::to(&format!("/medcom/{id}?saved=1")).into_response())
}

/// The front page's MedCom lines: new messages in the inbox, and sent ones that failed.
pub(crate) async fn waiting(
    state: &AppState,
    ctx: &samspor_store::service::Ctx,
) -> Result<(i64, Vec<(Uuid, String)>), WebError> {
    let unread = svc::unread(&state.store, ctx).await?;
    let failed = if ctx.actor.role.works_with_children()
        || ctx.actor.role == samspor_domain::role::Role::Admin
    {
        svc::outbox(&state.store, ctx)
            .await?
            .into_iter()
            .filter(|m| m.message.state == DeliveryState::Failed)
            .map(|m| {
                (
                    m.message.id,
                    format!("{}: {}", m.child_name, m.message.topic),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok((unread, failed))
}

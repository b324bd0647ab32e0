//! Referral pages: the send form of a course (`/courses/{id}/psychiatry-referral`), the list
//! (`/psychiatry-referrals`: a unit's intake queue or a municipality's sent referrals) and one
//! referral with its answer form or the municipality's "handled" button.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::courses::pages::{Refusal, day};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{Cx, Layout, render};
use crate::request::{CsrfForm, Id, Pairs};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samspor_domain::child::ChildInput;
use samspor_domain::course::kl::ReferralDestination;
use samspor_domain::course::visitation::WayInput;
use samspor_domain::i18n::Lang;
use samspor_domain::medcom::GpPracticeInput;
use samspor_domain::organisation::OrgKind;
use samspor_domain::referral::counts::ReferralCounts;
use samspor_domain::referral::gp::GpReferralInput;
use samspor_domain::referral::{AnswerInput, ReferralInput, ReferralStatus};
use samspor_domain::role::Role;
use samspor_store::medcom::model::DeliveryState;
use samspor_store::referrals::model::Referrer;
use samspor_store::referrals::{self as svc, GpReferralRegistration, ReferralView, SendInput};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/courses/{id}/psychiatry-referral",
            get(send_form).post(send),
        )
        .route("/psychiatry-referrals", get(list))
        .route(
            "/psychiatry-referrals/from-gp",
            get(register_form).post(register),
        )
        .route("/psychiatry-referrals/{id}", get(show))
        .route("/psychiatry-referrals/{id}/answer", post(answer))
        .route("/psychiatry-referrals/{id}/acted", post(acted))
}

fn text(p: &Pairs, name: &str) -> Option<String> {
    p.first(name).map(str::to_string)
}

fn status_label(t: Tr, r: &ReferralView, today: chrono::NaiveDate) -> String {
    let s = match r.referral.status {
        ReferralStatus::Sent if r.overdue(today) => "ref.status_overdue",
        ReferralStatus::Sent => "ref.status_sent",
        ReferralStatus::Accepted => "ref.status_accepted",
        ReferralStatus::Returned if r.referral.is_from_gp() => "ref.status_returned_gp",
        ReferralStatus::Returned if r.referral.acted_at.is_none() => "ref.status_returned_open",
        ReferralStatus::Returned => "ref.status_returned",
    };
    t.t(s).to_string()
}

#[derive(Template)]
#[template(path = "referrals/send.html")]
struct SendTemplate {
    t: Tr,
    l: Layout,
    units: Vec<(String, String)>,
    p: SendPage,
}

impl SendTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.p.r.err(field, self.t.language())
    }
}

async fn send_form(Cx(state, user, lang, rid): Cx, Id(id): Id) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let course = samspor_store::courses::course_to_work_on(&state.store, &ctx, id).await?;
    // Without a letter waiting the page says so (and sending would be refused, naming it).
    let draft = course
        .psychiatry_referrals
        .iter()
        .find(|d| d.status == "to_be_sent");
    let prefill = |key: &str| {
        draft
            .and_then(|d| d.content[key].as_str())
            .unwrap_or("")
            .to_string()
    };
    let mut page = SendPage::new(id, &Pairs::default(), Refusal::invalid(Default::default()));
    page.waiting = draft.is_some();
    (page.reason, page.tried) = (prefill("reason"), prefill("tried"));
    send_page(&state, &user, lang, page).await
}

/// The send form as it is to be shown: typed (or prefilled) values and any refusal.
struct SendPage {
    course_id: Uuid,
    waiting: bool,
    to_org_id: String,
    reason: String,
    tried: String,
    child_view: String,
    family_view: String,
    r: Refusal,
}

impl SendPage {
    fn new(course_id: Uuid, p: &Pairs, r: Refusal) -> SendPage {
        SendPage {
            course_id,
            waiting: true,
            to_org_id: text(p, "to_org_id").unwrap_or_default(),
            reason: text(p, "reason").unwrap_or_default(),
            tried: text(p, "tried").unwrap_or_default(),
            child_view: text(p, "child_view").unwrap_or_default(),
            family_view: text(p, "family_view").unwrap_or_default(),
            r,
        }
    }
}

async fn send_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    page: SendPage,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let units = samspor_store::organisations::list(&state.store)
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::Psychiatry)
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let path = format!("/courses/{}/psychiatry-referral", page.course_id);
    Ok(render(
        page.r.status(),
        &SendTemplate {
            t,
            l: Layout::new(Some(user), t, &path, "courses"),
            units,
            p: page,
        },
    ))
}

async fn send(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let input = SendInput {
        to_org_id: p
            .first("to_org_id")
            .and_then(|s| Uuid::parse_str(s.trim()).ok()),
        text: ReferralInput {
            reason: text(&p, "reason"),
            tried: text(&p, "tried"),
            child_view: text(&p, "child_view"),
            family_view: text(&p, "family_view"),
        },
    };
    match svc::send(&state.store, &user.ctx(&rid), id, &input).await {
        Ok(r) => {
            Ok(Redirect::to(&format!("/psychiatry-referrals/{}?saved=sent", r.id)).into_response())
        }
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            send_page(&state, &user, lang, SendPage::new(id, &p, r)).await
        }
    }
}

#[derive(Template)]
#[template(path = "referrals/register.html")]
struct RegisterTemplate {
    t: Tr,
    l: Layout,
    p: Pairs,
    r: Refusal,
}

impl RegisterTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.language())
    }

    fn v(&self, field: &str) -> &str {
        self.p.first(field).unwrap_or("")
    }
}

fn register_page(user: &CurrentUser, lang: Lang, p: Pairs, r: Refusal) -> Response {
    let t = Tr(lang);
    render(
        r.status(),
        &RegisterTemplate {
            t,
            l: Layout::new(Some(user), t, "/psychiatry-referrals/from-gp", "referrals"),
            p,
            r,
        },
    )
}

async fn register_form(Cx(_, user, lang, _): Cx) -> Result<Response, WebError> {
    if user.user.role != Role::Psychiatry {
        return Err(WebError::NotFound);
    }
    Ok(register_page(
        &user,
        lang,
        Pairs::default(),
        Refusal::invalid(Default::default()),
    ))
}

async fn register(
    Cx(state, user, lang, rid): Cx,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let input = GpReferralRegistration {
        child: ChildInput {
            cpr: text(&p, "cpr"),
            given_name: text(&p, "given_name"),
            family_name: text(&p, "family_name"),
            ..Default::default()
        },
        referral: GpReferralInput {
            practice: GpPracticeInput {
                name: text(&p, "practice_name"),
                ydernummer: text(&p, "practice_ydernummer"),
                sor_code: text(&p, "practice_sor_code"),
                ean: text(&p, "practice_ean"),
            },
            reference: text(&p, "reference"),
            received_on: text(&p, "received_on"),
            text: ReferralInput {
                reason: text(&p, "reason"),
                tried: text(&p, "tried"),
                child_view: text(&p, "child_view"),
                family_view: text(&p, "family_view"),
            },
        },
    };
    match svc::register_from_gp(&state.store, &user.ctx(&rid), &input).await {
        Ok(r) => Ok(
            Redirect::to(&format!("/psychiatry-referrals/{}?saved=registered", r.id))
                .into_response(),
        ),
        Err(e) => Ok(register_page(&user, lang, p, Refusal::from_error(e, lang)?)),
    }
}

struct Row {
    id: Uuid,
    child: String,
    age: u32,
    other_party: String,
    received: String,
    due: String,
    status: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "referrals/list.html")]
struct ListTemplate {
    t: Tr,
    l: Layout,
    received: bool,
    gp: bool,
    rows: Vec<Row>,
    /// The last twelve months as the indicators count them, with the returns by destination.
    counts: ReferralCounts,
    returned_to: Vec<(&'static str, usize)>,
}

async fn list(Cx(state, user, lang, rid): Cx) -> Result<Response, WebError> {
    let t = Tr(lang);
    let today = user.ctx(&rid).today();
    let all = svc::list(&state.store, &user.ctx(&rid)).await?;
    let received = user.user.role == Role::Psychiatry;
    let gp = user.user.role == Role::Gp;
    let counts = svc::counts(
        &state.store,
        &user.ctx(&rid),
        today - chrono::Months::new(12),
        today,
    )
    .await?;
    let returned_to = counts
        .returned_to
        .iter()
        .map(|(d, n)| (d.label(lang), *n))
        .collect();
    let rows = all
        .iter()
        .map(|r| Row {
            id: r.referral.id,
            child: r.child_name.clone(),
            age: r.age,
            other_party: if r.received {
                r.from_name.clone()
            } else {
                r.to_name.clone()
            },
            received: day(r.referral.received_on),
            due: day(r.referral.due_on),
            status: status_label(t, r, today),
            overdue: r.overdue(today),
        })
        .collect();
    Ok(render(
        axum::http::StatusCode::OK,
        &ListTemplate {
            t,
            l: Layout::new(Some(&user), t, "/psychiatry-referrals", "referrals"),
            received,
            gp,
            rows,
            counts,
            returned_to,
        },
    ))
}

#[derive(Template)]
#[template(path = "referrals/show.html")]
struct ShowTemplate {
    t: Tr,
    l: Layout,
    v: ReferralView,
    status: String,
    received: String,
    due: String,
    /// The attached scores, one line each (empty when the basis does not cover scores).
    scores: Vec<String>,
    return_way: Option<(String, String)>,
    can_answer: bool,
    can_act: bool,
    /// For an answered GP's referral: how the answer's MedCom message stands.
    answer_message: Option<&'static str>,
    destinations: Vec<(&'static str, &'static str)>,
    answer: String,
    destination: String,
    way_note: String,
    note: String,
    r: Refusal,
}

impl ShowTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.language())
    }

    fn gp_reference(&self) -> Option<&str> {
        match &self.v.referral.referrer {
            Referrer::Gp { gp_reference, .. } => gp_reference.as_deref(),
            Referrer::Municipality { .. } => None,
        }
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
    let notice = q.saved.as_deref().map(|_| Tr(lang).t("ref.saved"));
    show_page(
        &state,
        &user,
        lang,
        &rid,
        id,
        &Pairs::default(),
        Refusal::invalid(Default::default()),
        notice,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    p: &Pairs,
    r: Refusal,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(rid);
    let v = svc::read(&state.store, &ctx, id).await?;
    let scores = v
        .referral
        .scores
        .as_array()
        .map(|list| {
            list.iter()
                .map(|s| {
                    format!(
                        "{} ({}): {}",
                        s["instrument"].as_str().unwrap_or(""),
                        s["answered_at"]
                            .as_str()
                            .unwrap_or("")
                            .get(..10)
                            .unwrap_or(""),
                        s["scores"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let return_way = v
        .referral
        .return_way
        .as_ref()
        .map(|w| (w.destination.label(lang).to_string(), w.note.clone()));
    let can_answer = v.received && v.referral.status == ReferralStatus::Sent;
    let can_act = !v.received
        && v.referral.status == ReferralStatus::Returned
        && v.referral.acted_at.is_none();
    let answer_message = (v.referral.is_from_gp() && v.referral.status != ReferralStatus::Sent)
        .then(|| match v.answer_message {
            None => t.t("ref.gp_answer_not_sent"),
            Some(DeliveryState::ToBeSent) => t.t("ref.gp_answer_queued"),
            Some(DeliveryState::Sent) => t.t("ref.gp_answer_sent"),
            Some(DeliveryState::Acknowledged) => t.t("ref.gp_answer_received"),
            Some(DeliveryState::Failed) => t.t("ref.gp_answer_failed"),
        });
    let path = format!("/psychiatry-referrals/{id}");
    Ok(render(
        r.status(),
        &ShowTemplate {
            t,
            l: Layout::new(Some(user), t, &path, "referrals").with_notice(notice),
            status: status_label(t, &v, ctx.today()),
            received: day(v.referral.received_on),
            due: day(v.referral.due_on),
            scores,
            return_way,
            can_answer,
            can_act,
            answer_message,
            destinations: ReferralDestination::ALL
                .into_iter()
                .filter(|d| *d != ReferralDestination::Psychiatry)
                .map(|d| (d.as_str(), d.label(lang)))
                .collect(),
            answer: text(p, "answer").unwrap_or_default(),
            destination: text(p, "way_destination").unwrap_or_default(),
            way_note: text(p, "way_note").unwrap_or_default(),
            note: text(p, "note").unwrap_or_default(),
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
    let input = AnswerInput {
        answer: text(&p, "answer"),
        note: text(&p, "note"),
        way: WayInput {
            destination: text(&p, "way_destination"),
            note: text(&p, "way_note"),
        },
    };
    match svc::answer(&state.store, &user.ctx(&rid), id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/psychiatry-referrals/{id}?saved=answer")).into_response())
        }
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            show_page(&state, &user, lang, &rid, id, &p, r, None).await
        }
    }
}

async fn acted(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    match svc::act_on_return(&state.store, &user.ctx(&rid), id).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/psychiatry-referrals/{id}?saved=acted")).into_response())
        }
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            show_page(&state, &user, lang, &rid, id, &p, r, None).await
        }
    }
}

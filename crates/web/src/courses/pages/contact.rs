//! Registering a new contact for a child, which opens its course.

use super::form::{Refusal, some_text};
use super::views::{ScreeningView, screening_view};
use super::{datetime_error, now_input, parse_local_datetime};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, render};
use crate::request::CsrfForm;
use crate::request::Id;
use crate::request::Pairs;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDateTime;
use samspor_domain::course::contact::{Consent, ContactInput, Source};
use samspor_domain::course::kl::Theme;
use samspor_domain::i18n::Lang;
use samspor_store::children;
use samspor_store::courses::{self as svc, NewContact};
use samspor_store::questionnaires;
use uuid::Uuid;

/// The contact form's values as typed, so a refused form comes back as it was sent.
#[derive(Default)]
struct ContactForm {
    source: String,
    received_at: String,
    reason: String,
    duration: String,
    tried: String,
    consent: String,
    referrer_name: String,
    referrer_contact: String,
    family_contact: String,
    psychiatry_reason: String,
    psychiatry_recommendation: String,
    themes: Vec<String>,
    screening_response_id: String,
}

impl ContactForm {
    fn blank() -> ContactForm {
        ContactForm {
            received_at: now_input(),
            consent: Consent::Unknown.as_str().into(),
            ..Default::default()
        }
    }

    fn from_pairs(p: &Pairs) -> ContactForm {
        ContactForm {
            source: p.get("source"),
            received_at: p.get("received_at"),
            reason: p.get("reason"),
            duration: p.get("duration"),
            tried: p.get("tried"),
            consent: p.get("consent"),
            referrer_name: p.get("referrer_name"),
            referrer_contact: p.get("referrer_contact"),
            family_contact: p.get("family_contact"),
            psychiatry_reason: p.get("psychiatry_reason"),
            psychiatry_recommendation: p.get("psychiatry_recommendation"),
            themes: p.all("themes"),
            screening_response_id: p.get("screening_response_id"),
        }
    }

    fn has_theme(&self, value: &str) -> bool {
        self.themes.iter().any(|t| t == value)
    }

    fn screening_chosen(&self, id: &Uuid) -> bool {
        Uuid::parse_str(self.screening_response_id.trim()).ok() == Some(*id)
    }

    fn to_input(&self, child_id: Uuid, received_at: Option<NaiveDateTime>) -> NewContact {
        NewContact {
            child_id,
            received_at,
            contact: ContactInput {
                source: some_text(&self.source),
                reason: some_text(&self.reason),
                duration: some_text(&self.duration),
                tried: some_text(&self.tried),
                consent: some_text(&self.consent),
                referrer_name: some_text(&self.referrer_name),
                referrer_contact: some_text(&self.referrer_contact),
                family_contact: some_text(&self.family_contact),
                psychiatry_reason: some_text(&self.psychiatry_reason),
                psychiatry_recommendation: some_text(&self.psychiatry_recommendation),
            },
            themes: self.themes.clone(),
            // Text that is no id names none of the child's responses; the nil id lets the
            // service refuse it on the field, together with the form's other problems.
            screening_response_id: some_text(&self.screening_response_id)
                .map(|s| Uuid::parse_str(s.trim()).unwrap_or(Uuid::nil())),
        }
    }
}

#[derive(Template)]
#[template(path = "courses/contact_form.html")]
struct ContactTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    name: String,
    f: ContactForm,
    r: Refusal,
    sources: Vec<(&'static str, &'static str)>,
    consents: Vec<(&'static str, &'static str)>,
    themes: Vec<(&'static str, &'static str)>,
    screenings: Vec<ScreeningView>,
}

impl ContactTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.0)
    }
}

async fn contact_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    child_id: Uuid,
    f: ContactForm,
    r: Refusal,
) -> Result<Response, WebError> {
    let ctx = user.ctx(rid);
    let child = children::read_to_change(&state.store, &ctx, child_id).await?;
    // Only the child's own responses are offered, as the service attaches no other.
    let (_, responses) = questionnaires::overview(&state.store, &ctx, child_id).await?;
    let t = Tr(lang);
    let status = r.status();
    Ok(render(
        status,
        &ContactTemplate {
            t,
            l: Layout::new(
                Some(user),
                t,
                &format!("/children/{child_id}/courses/new"),
                "courses",
            ),
            child_id,
            name: format!("{} {}", child.data.given_name, child.data.family_name),
            f,
            r,
            sources: Source::ALL.map(|s| (s.as_str(), s.label(lang))).to_vec(),
            consents: Consent::ALL.map(|c| (c.as_str(), c.label(lang))).to_vec(),
            themes: Theme::ALL.map(|x| (x.as_str(), x.label(lang))).to_vec(),
            screenings: responses
                .iter()
                .map(|r| screening_view(&state.catalogue, lang, r))
                .collect(),
        },
    ))
}

pub(crate) async fn new_contact(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
) -> Result<Response, WebError> {
    contact_page(
        &state,
        &user,
        lang,
        &rid,
        id,
        ContactForm::blank(),
        Refusal::default(),
    )
    .await
}

pub(crate) async fn create_contact(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let f = ContactForm::from_pairs(&p);
    let received_at = parse_local_datetime(&f.received_at);
    let unreadable = !f.received_at.trim().is_empty() && received_at.is_none();
    // An unreadable time still goes to the service (as missing), so every other problem of
    // the form is reported in the same round; validation refuses it before anything is written.
    match svc::create_contact(&state.store, &user.ctx(&rid), &f.to_input(id, received_at)).await {
        Ok(course) => Ok(Redirect::to(&format!("/courses/{}", course.id)).into_response()),
        Err(e) => {
            let mut r = Refusal::from_error(e, lang)?;
            if unreadable {
                r.errors.0.retain(|e| e.field != "received_at");
                r.errors.push(datetime_error("received_at"));
            }
            contact_page(&state, &user, lang, &rid, id, f, r).await
        }
    }
}

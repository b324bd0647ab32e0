//! The municipality's learning-environment page (`/learning-environment`): a guidance session
//! form, the latest sessions, the institutions and a form for a new one.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::courses::pages::Refusal;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{Cx, Layout, render};
use crate::request::{CsrfForm, Pairs};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samspor_domain::i18n::Lang;
use samspor_domain::learning_environment::{
    About, InstitutionInput, InstitutionKind, SessionInput, Subject, Theme,
};
use samspor_store::learning_environment as svc;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/learning-environment", get(show))
        .route("/learning-environment/institutions", post(add_institution))
        .route("/learning-environment/sessions", post(record_session))
}

struct SessionView {
    held_on: String,
    institution: String,
    about: String,
    participants: String,
    themes: String,
    notes: String,
    follow_up: String,
}

struct InstitutionView {
    name: String,
    kind: &'static str,
    school: String,
}

#[derive(Template)]
#[template(path = "learning_environment/learning_environment.html")]
struct PageTemplate {
    t: Tr,
    l: Layout,
    sessions: Vec<SessionView>,
    institutions: Vec<InstitutionView>,
    /// For the forms: (value, label).
    institution_choices: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    abouts: Vec<(&'static str, &'static str)>,
    themes: Vec<(&'static str, &'static str)>,
    schools: Vec<(String, String)>,
    children: Vec<(String, String)>,
    form: Pairs,
    r: Refusal,
}

impl PageTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.language())
    }

    fn chosen(&self, name: &str, value: &str) -> bool {
        self.form.all(name).iter().any(|v| v == value)
    }
}

#[derive(serde::Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn show(
    Cx(state, user, lang, rid): Cx,
    Query(q): Query<Saved>,
) -> Result<Response, WebError> {
    let notice = q.saved.as_deref().map(|_| Tr(lang).t("le.saved"));
    page(
        &state,
        &user,
        lang,
        &rid,
        Pairs::default(),
        Refusal::default(),
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
    form: Pairs,
    r: Refusal,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let v = svc::overview(&state.store, &user.ctx(rid)).await?;
    let school_name = |id: Option<Uuid>| {
        id.and_then(|id| v.schools.iter().find(|(s, _)| *s == id))
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| "–".into())
    };
    let sessions = v
        .sessions
        .iter()
        .map(|s| SessionView {
            held_on: s.session.held_on.format("%d-%m-%Y").to_string(),
            institution: s.institution_name.clone(),
            about: match &s.session.subject {
                Subject::Group { group_label } => group_label.clone(),
                Subject::Children { .. } => s
                    .children
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            participants: s.session.participants.clone(),
            themes: s
                .session
                .themes
                .iter()
                .map(|th| th.label(lang))
                .collect::<Vec<_>>()
                .join(", "),
            notes: s.session.notes.clone(),
            follow_up: match (&s.session.follow_up, s.session.follow_up_on) {
                (Some(text), Some(on)) => format!("{text} ({})", on.format("%d-%m-%Y")),
                (Some(text), None) => text.clone(),
                (None, Some(on)) => on.format("%d-%m-%Y").to_string(),
                (None, None) => "–".into(),
            },
        })
        .collect();
    let institutions = v
        .institutions
        .iter()
        .map(|i| InstitutionView {
            name: i.name.clone(),
            kind: i.kind.label(lang),
            school: school_name(i.linked_org_id),
        })
        .collect();
    let pairs = |list: &[(Uuid, String)]| {
        list.iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect::<Vec<_>>()
    };
    Ok(render(
        r.status(),
        &PageTemplate {
            t,
            l: Layout::new(
                Some(user),
                t,
                "/learning-environment",
                "learning_environment",
            )
            .with_notice(notice),
            sessions,
            institutions,
            institution_choices: v
                .institutions
                .iter()
                .map(|i| (i.id.to_string(), i.name.clone()))
                .collect(),
            kinds: InstitutionKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label(lang)))
                .collect(),
            abouts: About::ALL
                .iter()
                .map(|a| (a.as_str(), a.label(lang)))
                .collect(),
            themes: Theme::ALL
                .iter()
                .map(|th| (th.as_str(), th.label(lang)))
                .collect(),
            schools: pairs(&v.schools),
            children: pairs(&v.children),
            form,
            r,
        },
    ))
}

fn uuid(p: &Pairs, name: &str) -> Option<Uuid> {
    p.first(name).and_then(|s| Uuid::parse_str(s.trim()).ok())
}

async fn add_institution(
    Cx(state, user, lang, rid): Cx,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let input = InstitutionInput {
        kind: p.first("kind").map(str::to_string),
        name: p.first("name").map(str::to_string),
        org_id: uuid(&p, "org_id"),
    };
    match svc::add_institution(&state.store, &user.ctx(&rid), &input).await {
        Ok(_) => Ok(Redirect::to("/learning-environment?saved=1").into_response()),
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            page(&state, &user, lang, &rid, p, r, None).await
        }
    }
}

async fn record_session(
    Cx(state, user, lang, rid): Cx,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let text = |name: &str| p.first(name).map(str::to_string);
    let input = SessionInput {
        institution_id: uuid(&p, "institution_id"),
        held_on: text("held_on"),
        about: text("about"),
        group_label: text("group_label").filter(|s| !s.trim().is_empty()),
        // A group session's form may still carry ticked children; only "children" sends them.
        child_ids: if p.get("about") == About::Children.as_str() {
            p.all("child_ids")
                .iter()
                .filter_map(|s| Uuid::parse_str(s.trim()).ok())
                .collect()
        } else {
            Vec::new()
        },
        participants: text("participants"),
        themes: p.all("themes"),
        notes: text("notes"),
        follow_up: text("follow_up"),
        follow_up_on: text("follow_up_on"),
    };
    match svc::record_session(&state.store, &user.ctx(&rid), &input).await {
        Ok(_) => Ok(Redirect::to("/learning-environment?saved=1").into_response()),
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            page(&state, &user, lang, &rid, p, r, None).await
        }
    }
}

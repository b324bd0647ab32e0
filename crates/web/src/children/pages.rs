//! Children: list and search, register, view, correct, access log, history.

use crate::AppState;
use crate::auth::PageUser;
use crate::error::WebError;
use crate::i18n::{Tr, UiLang};
use crate::pages::Cx;
use crate::pages::{Layout, render};
use crate::request::Id;
use crate::request::{CsrfForm, Pairs};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use samspor_domain::child::{ChildData, ChildInput, GuardianInput, Relation};
use samspor_domain::cpr::Sex;
use samspor_domain::i18n::Lang;
use samspor_domain::validation::FieldErrors;
use samspor_store::audit;
use samspor_store::audit::AuditLine;
use samspor_store::children;
use samspor_store::service::ServiceError;
use samspor_store::{ChildQuery, ChildSummary};
use std::collections::HashMap;
use uuid::Uuid;

/// Guardian slots shown on the form; more can be added through the API.
const GUARDIAN_SLOTS: usize = 2;
const PAGE_SIZE: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/children", get(list).post(create))
        .route("/children/new", get(new_form))
        .route("/children/{id}", get(show))
        .route("/children/{id}/edit", get(edit_form).post(update))
        .route("/children/{id}/access-log", get(access_log))
        .route("/children/{id}/history", get(history))
}

#[derive(Template)]
#[template(path = "children/children.html")]
struct ListTemplate {
    t: Tr,
    l: Layout,
    q: String,
    children: Vec<ChildSummary>,
}

#[derive(serde::Deserialize)]
struct ListQuery {
    q: Option<String>,
}

async fn list(
    Cx(state, user, lang, rid): Cx,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let q = query.q.unwrap_or_default();
    let found = children::search(
        &state.store,
        &user.ctx(&rid),
        &ChildQuery {
            text: Some(q.clone()),
            limit: PAGE_SIZE,
            offset: 0,
        },
    )
    .await?;
    let t = Tr(lang);
    Ok(render(
        StatusCode::OK,
        &ListTemplate {
            t,
            l: Layout::new(Some(&user), t, "/children", "children"),
            q,
            children: found,
        },
    ))
}

/// One guardian's fields as typed into the form.
#[derive(Default, Clone)]
pub struct GuardianForm {
    index: usize,
    name: String,
    relation: String,
    custody: bool,
    phone: String,
    email: String,
}

impl GuardianForm {
    /// The form control's name and id.
    pub fn key(&self, part: &str) -> String {
        format!("g{}-{part}", self.index)
    }
    /// The field name the domain uses in its errors.
    pub fn field(&self, part: &str) -> String {
        format!("guardians[{}].{part}", self.index)
    }
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty() && self.phone.trim().is_empty() && self.email.trim().is_empty()
    }
}

/// The child form's values as typed, so a refused form comes back as it was sent.
#[derive(Default)]
pub struct ChildForm {
    cpr: String,
    given_name: String,
    family_name: String,
    address: String,
    school: String,
    guardians: Vec<GuardianForm>,
}

impl ChildForm {
    fn from_pairs(pairs: &[(String, String)]) -> (ChildForm, Option<i64>) {
        let map: HashMap<&str, &str> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let get = |k: &str| map.get(k).copied().unwrap_or("").to_string();
        let guardians = (0..GUARDIAN_SLOTS)
            .map(|i| GuardianForm {
                index: i,
                name: get(&format!("g{i}-name")),
                relation: get(&format!("g{i}-relation")),
                custody: map.contains_key(format!("g{i}-custody").as_str()),
                phone: get(&format!("g{i}-phone")),
                email: get(&format!("g{i}-email")),
            })
            .collect();
        let form = ChildForm {
            cpr: get("cpr"),
            given_name: get("given_name"),
            family_name: get("family_name"),
            address: get("address"),
            school: get("school"),
            guardians,
        };
        (form, get("version").parse().ok())
    }

    fn from_data(d: &ChildData) -> ChildForm {
        let mut guardians: Vec<GuardianForm> = d
            .guardians
            .iter()
            .enumerate()
            .map(|(i, g)| GuardianForm {
                index: i,
                name: g.name.clone(),
                relation: g.relation.as_str().into(),
                custody: g.custody,
                phone: g.phone.clone().unwrap_or_default(),
                email: g.email.clone().unwrap_or_default(),
            })
            .collect();
        pad_guardians(&mut guardians);
        ChildForm {
            cpr: d.cpr.formatted(),
            given_name: d.given_name.clone(),
            family_name: d.family_name.clone(),
            address: d.address.clone().unwrap_or_default(),
            school: d.school.clone().unwrap_or_default(),
            guardians,
        }
    }

    fn blank() -> ChildForm {
        let mut f = ChildForm::default();
        pad_guardians(&mut f.guardians);
        f
    }

    fn to_input(&self) -> ChildInput {
        ChildInput {
            cpr: Some(self.cpr.clone()),
            given_name: Some(self.given_name.clone()),
            family_name: Some(self.family_name.clone()),
            address: Some(self.address.clone()),
            school: Some(self.school.clone()),
            guardians: Some(
                self.guardians
                    .iter()
                    .filter(|g| !g.is_blank())
                    .map(|g| GuardianInput {
                        name: Some(g.name.clone()),
                        relation: Some(g.relation.clone()),
                        custody: Some(g.custody),
                        phone: Some(g.phone.clone()),
                        email: Some(g.email.clone()),
                    })
                    .collect(),
            ),
        }
    }
}

fn pad_guardians(g: &mut Vec<GuardianForm>) {
    while g.len() < GUARDIAN_SLOTS {
        g.push(GuardianForm {
            index: g.len(),
            relation: Relation::Mother.as_str().into(),
            ..Default::default()
        });
    }
}

#[derive(Template)]
#[template(path = "children/child_form.html")]
struct FormTemplate {
    t: Tr,
    l: Layout,
    heading: &'static str,
    submit: &'static str,
    action: String,
    version: i64,
    f: ChildForm,
    errors: FieldErrors,
    has_errors: bool,
    duplicate_of: Option<Uuid>,
    conflict: Option<String>,
    relations: Vec<(&'static str, &'static str)>,
}

impl FormTemplate {
    fn err(&self, field: impl AsRef<str>) -> Option<&str> {
        let lang = self.t.0;
        self.errors.get(field.as_ref()).map(|e| e.message(lang))
    }

    fn new(t: Tr, l: Layout, f: ChildForm, action: String, version: i64, editing: bool) -> Self {
        FormTemplate {
            t,
            l,
            heading: t.t(if editing {
                "child.edit_title"
            } else {
                "child.new_title"
            }),
            submit: t.t(if editing {
                "child.save"
            } else {
                "child.create"
            }),
            action,
            version,
            f,
            errors: FieldErrors::default(),
            has_errors: false,
            duplicate_of: None,
            conflict: None,
            relations: Relation::ALL
                .iter()
                .map(|r| (r.as_str(), r.label(t.0)))
                .collect(),
        }
    }

    /// Shows a refused form again with the reason; returns the page.
    fn refused(mut self, err: ServiceError) -> Result<Response, WebError> {
        match err {
            ServiceError::Invalid(errors) => {
                self.errors = errors;
                self.has_errors = true;
            }
            ServiceError::DuplicateChild { existing_id } => {
                self.duplicate_of = Some(existing_id);
                self.errors
                    .push(samspor_domain::validation::FieldError::new(
                        "cpr",
                        "A child with this CPR number is already registered in your organisation.",
                        "Et barn med dette CPR-nummer er allerede registreret i din organisation.",
                    ));
                self.has_errors = true;
            }
            ServiceError::Conflict { current } => {
                self.conflict = Some(match self.t.0 {
                    Lang::Da => format!(
                        "Oplysningerne er ændret af en anden, mens du redigerede (nu version {current}). Dine ændringer er ikke gemt: åbn siden igen, og gentag dem."
                    ),
                    Lang::En => format!(
                        "The record was changed by someone else while you edited it (now version {current}). Your changes were not saved: open the page again and repeat them."
                    ),
                });
            }
            other => return Err(other.into()),
        }
        let status = if self.conflict.is_some() || self.duplicate_of.is_some() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        Ok(render(status, &self))
    }
}

async fn new_form(PageUser(user): PageUser, UiLang(lang): UiLang) -> Response {
    let t = Tr(lang);
    let l = Layout::new(Some(&user), t, "/children/new", "children");
    render(
        StatusCode::OK,
        &FormTemplate::new(t, l, ChildForm::blank(), "/children".into(), 0, false),
    )
}

async fn create(
    Cx(state, user, lang, rid): Cx,
    CsrfForm(Pairs(pairs)): CsrfForm,
) -> Result<Response, WebError> {
    let (form, _) = ChildForm::from_pairs(&pairs);
    let input = form.to_input();
    match children::create(&state.store, &user.ctx(&rid), &input).await {
        Ok(child) => {
            Ok(Redirect::to(&format!("/children/{}?saved=created", child.id)).into_response())
        }
        Err(e) => {
            let t = Tr(lang);
            let l = Layout::new(Some(&user), t, "/children/new", "children");
            FormTemplate::new(t, l, form, "/children".into(), 0, false).refused(e)
        }
    }
}

#[derive(Template)]
#[template(path = "children/child.html")]
struct ShowTemplate {
    t: Tr,
    l: Layout,
    c: samspor_store::Child,
    age: u32,
    sex: &'static str,
    /// The child's GP practice, for the organisation that keeps the record.
    gp_practice: Option<Option<samspor_domain::medcom::GpPractice>>,
}

#[derive(serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn show(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let child = children::read(&state.store, &ctx, id).await?;
    let t = Tr(lang);
    let notice = match q.saved.as_deref() {
        Some("created") => Some(t.t("child.created")),
        Some("updated") => Some(t.t("child.saved")),
        Some("gp_practice") => Some(t.t("mc.gp_saved")),
        _ => None,
    };
    let gp_practice = if child.org_id == user.user.org_id {
        Some(samspor_store::medcom::gp_practice(&state.store, &ctx, id).await?)
    } else {
        None
    };
    let sex = match child.data.sex() {
        Sex::Female => t.t("child.sex_female"),
        Sex::Male => t.t("child.sex_male"),
        Sex::Unknown => t.t("child.sex_unknown"),
    };
    Ok(render(
        StatusCode::OK,
        &ShowTemplate {
            t,
            l: Layout::new(Some(&user), t, &format!("/children/{id}"), "children")
                .with_notice(notice),
            age: child.data.cpr.age_on(ctx.today()),
            sex,
            gp_practice,
            c: child,
        },
    ))
}

async fn edit_form(Cx(state, user, lang, rid): Cx, Id(id): Id) -> Result<Response, WebError> {
    let child = children::read_to_change(&state.store, &user.ctx(&rid), id).await?;
    let t = Tr(lang);
    let path = format!("/children/{id}/edit");
    let l = Layout::new(Some(&user), t, &path, "children");
    Ok(render(
        StatusCode::OK,
        &FormTemplate::new(
            t,
            l,
            ChildForm::from_data(&child.data),
            path.clone(),
            child.version,
            true,
        ),
    ))
}

async fn update(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(Pairs(pairs)): CsrfForm,
) -> Result<Response, WebError> {
    let (form, version) = ChildForm::from_pairs(&pairs);
    let input = form.to_input();
    match children::update(&state.store, &user.ctx(&rid), id, &input, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}?saved=updated")).into_response()),
        Err(e) => {
            let t = Tr(lang);
            let path = format!("/children/{id}/edit");
            let l = Layout::new(Some(&user), t, &path, "children");
            FormTemplate::new(t, l, form, path.clone(), version.unwrap_or(0), true).refused(e)
        }
    }
}

/// An audit entry as a row for people to read.
pub struct AuditRow {
    pub seq: i64,
    pub time: String,
    pub who: String,
    pub org: String,
    pub action: &'static str,
    pub object: String,
    pub purpose: &'static str,
}

pub fn audit_row(t: Tr, l: &AuditLine) -> AuditRow {
    let e = &l.entry;
    AuditRow {
        seq: e.seq,
        time: crate::pages::local_time(e.at, true),
        who: l.user_name.clone().unwrap_or_else(|| "–".into()),
        org: l.org_name.clone().unwrap_or_else(|| "–".into()),
        action: t.t(&format!("action.{}", e.event.action.as_str())),
        object: e.event.object_type.clone(),
        purpose: purpose_label(t.0, &e.event.purpose),
    }
}

pub(crate) fn purpose_label(lang: Lang, purpose: &str) -> &'static str {
    match (purpose, lang) {
        ("treatment", Lang::Da) => "Behandling",
        ("treatment", Lang::En) => "Treatment",
        ("authentication", Lang::Da) => "Log ind",
        ("authentication", Lang::En) => "Authentication",
        ("access_request", Lang::Da) => "Aktindsigt",
        ("access_request", Lang::En) => "Access request",
        ("demo", _) => "Demo",
        (_, Lang::Da) => "Andet",
        (_, Lang::En) => "Other",
    }
}

#[derive(Template)]
#[template(path = "children/access_log.html")]
struct AccessLogTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    name: String,
    lines: Vec<AuditRow>,
}

async fn access_log(Cx(state, user, lang, rid): Cx, Id(id): Id) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let lines = audit::child_access_log(&state.store, &ctx, id, 500).await?;
    let child = children::read(&state.store, &ctx, id).await?;
    let t = Tr(lang);
    Ok(render(
        StatusCode::OK,
        &AccessLogTemplate {
            t,
            l: Layout::new(
                Some(&user),
                t,
                &format!("/children/{id}/access-log"),
                "children",
            ),
            child_id: id,
            name: format!("{} {}", child.data.given_name, child.data.family_name),
            lines: lines.iter().map(|l| audit_row(t, l)).collect(),
        },
    ))
}

struct HistoryRow {
    version: i64,
    time: String,
    who: String,
    fields: String,
    /// "Field: old value" for each changed field.
    previous: Vec<String>,
}

/// A record field's name as the form labels it.
fn field_label(t: Tr, field: &str) -> &'static str {
    match field {
        "cpr" => t.t("child.cpr"),
        "given_name" => t.t("child.given_name"),
        "family_name" => t.t("child.family_name"),
        "address" => t.t("child.address"),
        "school" => t.t("child.school"),
        _ => t.t("child.guardians"),
    }
}

/// An earlier value for people to read: text as it was, guardians by name, empty as "–".
fn previous_value(t: Tr, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "–".into(),
        serde_json::Value::String(s) if s.is_empty() => "–".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) if items.is_empty() => t.t("child.none").into(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|g| g["name"].as_str().unwrap_or("?").to_string())
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "children/history.html")]
struct HistoryTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    name: String,
    entries: Vec<HistoryRow>,
}

async fn history(Cx(state, user, lang, rid): Cx, Id(id): Id) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let child = children::read(&state.store, &ctx, id).await?;
    let entries = children::history(&state.store, &ctx, id).await?;
    let t = Tr(lang);
    Ok(render(
        StatusCode::OK,
        &HistoryTemplate {
            t,
            l: Layout::new(
                Some(&user),
                t,
                &format!("/children/{id}/history"),
                "children",
            ),
            child_id: id,
            name: format!("{} {}", child.data.given_name, child.data.family_name),
            entries: entries
                .into_iter()
                .map(|e| HistoryRow {
                    version: e.version,
                    time: crate::pages::local_time(e.changed_at, false),
                    who: e.changed_by_name,
                    fields: e
                        .changed_fields
                        .iter()
                        .map(|f| field_label(t, f))
                        .collect::<Vec<_>>()
                        .join(", "),
                    previous: e
                        .changed_fields
                        .iter()
                        .map(|f| {
                            format!(
                                "{}: {}",
                                field_label(t, f),
                                previous_value(t, &e.previous[f.as_str()])
                            )
                        })
                        .collect(),
                })
                .collect(),
        },
    ))
}

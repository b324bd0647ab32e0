//! Organisations with their units and their participation in the programmes.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, render};
use crate::request::CsrfForm;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::geo::{self, changes};
use samspor_domain::organisation::{OrgKind, Programme};
use samspor_domain::role::Role;
use samspor_domain::validation::FieldErrors;
use samspor_store::organisations;
use samspor_store::service::ServiceError;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(organisation_list))
        .route("/organisations/units", axum::routing::post(create_unit))
        .route(
            "/organisations/{code}/participation",
            get(participation_form).post(save_participation),
        )
}

struct MunicipalityRow {
    code: &'static str,
    name: &'static str,
    participation: String,
    editable: bool,
}

struct RegionRow {
    code: &'static str,
    name: &'static str,
    /// When it began or ends, and whether its code is provisional.
    period: String,
    provisional: bool,
    municipalities: Vec<MunicipalityRow>,
}

struct UnitRow {
    code: String,
    name: String,
    kind: &'static str,
    parent: String,
    sor: String,
    ean: String,
}

/// The new-unit form as typed.
#[derive(Default)]
struct UnitForm {
    kind: String,
    name: String,
    parent: String,
    sor_code: String,
    ean_code: String,
}

#[derive(Template)]
#[template(path = "organisations/organisations.html")]
struct OrganisationsTemplate {
    t: Tr,
    l: Layout,
    regions: Vec<RegionRow>,
    units: Vec<UnitRow>,
    can_add_unit: bool,
    kinds: Vec<(&'static str, &'static str)>,
    form: UnitForm,
    errors: FieldErrors,
    has_errors: bool,
}

impl OrganisationsTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(|e| e.message(self.t.0))
    }
}

async fn organisation_list(
    Cx(state, user, lang, _): Cx,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let form = UnitForm {
        parent: user.org.code.clone(),
        ..Default::default()
    };
    let notice = match q.saved.as_deref() {
        Some("unit") => Some(Tr(lang).t("orgs.unit_saved")),
        Some(_) => Some(Tr(lang).t("orgs.saved")),
        None => None,
    };
    organisations_page(&state, &user, lang, form, FieldErrors::default(), notice).await
}

#[derive(serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn organisations_page(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    lang: samspor_domain::i18n::Lang,
    form: UnitForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let orgs = organisations::list(&state.store).await?;
    let code_of: HashMap<uuid::Uuid, &str> = orgs.iter().map(|o| (o.id, o.code.as_str())).collect();
    let units = orgs
        .iter()
        .filter(|o| !matches!(o.kind, OrgKind::Region | OrgKind::Municipality))
        .map(|o| UnitRow {
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.label(lang),
            parent: o
                .parent_id
                .and_then(|p| code_of.get(&p))
                .map(|c| c.to_string())
                .unwrap_or_default(),
            sor: o.sor_code.clone().unwrap_or_default(),
            ean: o.ean_code.clone().unwrap_or_default(),
        })
        .collect();
    let can_add_unit = matches!(user.user.role, Role::Admin | Role::Secretariat);
    let all = organisations::participation(&state.store, None).await?;
    let mut by_code: HashMap<&str, Vec<String>> = HashMap::new();
    for p in &all {
        by_code
            .entry(p.municipality_code.as_str())
            .or_default()
            .push(format!(
                "{} ({})",
                p.programme.label(lang),
                p.since.format("%d.%m.%Y")
            ));
    }
    let today = samspor_store::courses::local(chrono::Utc::now()).date();
    let regions = changes::all_regions()
        .into_iter()
        .filter(|r| r.holds(today))
        .map(|r| RegionRow {
            code: r.code,
            name: r.name,
            period: region_period_text(t, &r),
            provisional: r.provisional,
            municipalities: geo::municipalities()
                .iter()
                .filter(|m| {
                    geo::MunicipalityCode::parse(m.code)
                        .is_ok_and(|c| changes::region_on(c, today).code == r.code)
                })
                .map(|m| MunicipalityRow {
                    code: m.code,
                    name: m.name,
                    participation: by_code
                        .get(m.code)
                        .map(|v| v.join("; "))
                        .unwrap_or_else(|| "–".into()),
                    editable: authorize(
                        &user.actor,
                        Action::Update,
                        Resource::Participation {
                            municipality_code: m.code,
                        },
                    )
                    .is_allowed(),
                })
                .collect(),
        })
        .collect();
    let has_errors = !errors.is_empty();
    Ok(render(
        if has_errors {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &OrganisationsTemplate {
            t,
            l: Layout::new(Some(user), t, "/organisations", "organisations").with_notice(notice),
            regions,
            units,
            can_add_unit,
            kinds: OrgKind::ALL
                .iter()
                .filter(|k| !matches!(k, OrgKind::Region | OrgKind::Municipality))
                .map(|k| (k.as_str(), k.label(lang)))
                .collect(),
            form,
            errors,
            has_errors,
        },
    ))
}

/// "Until 31.12.2026; after that …" for a region a change will end, "From …" for one a change
/// formed; empty for a region that simply is.
fn region_period_text(t: Tr, r: &changes::RegionPeriod) -> String {
    let date = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    match (r.from, r.until) {
        (_, Some(until)) => {
            let next = until
                .succ_opt()
                .and_then(|d| changes::successor_on(r.code, d))
                .map(|n| n.name)
                .unwrap_or_default();
            t.t("orgs.region_ends")
                .replace("{until}", &date(until))
                .replace("{next}", next)
        }
        (Some(from), None) => t.t("orgs.region_since").replace("{from}", &date(from)),
        (None, None) => String::new(),
    }
}

async fn create_unit(
    Cx(state, user, lang, rid): Cx,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let form = UnitForm {
        kind: get("kind"),
        name: get("name"),
        parent: get("parent"),
        sor_code: get("sor_code"),
        ean_code: get("ean_code"),
    };
    let result = organisations::create_unit(
        &state.store,
        &user.ctx(&rid),
        organisations::UnitInput {
            kind: &form.kind,
            name: &form.name,
            parent_code: &form.parent,
            sor_code: Some(&form.sor_code),
            ean_code: Some(&form.ean_code),
        },
    )
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/organisations?saved=unit#units").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            organisations_page(&state, &user, lang, form, errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

struct ParticipationRow {
    key: &'static str,
    label: &'static str,
    since: String,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "organisations/participation.html")]
struct ParticipationTemplate {
    t: Tr,
    l: Layout,
    code: String,
    name: &'static str,
    rows: Vec<ParticipationRow>,
    has_errors: bool,
}

fn municipality(code: &str) -> Result<geo::MunicipalityCode, WebError> {
    geo::MunicipalityCode::parse(code).map_err(|_| WebError::NotFound)
}

fn check_edit(user: &crate::auth::CurrentUser, code: &str) -> Result<(), WebError> {
    match authorize(
        &user.actor,
        Action::Update,
        Resource::Participation {
            municipality_code: code,
        },
    ) {
        samspor_domain::access::Decision::Allow => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

async fn participation_form(
    Cx(state, user, lang, _): Cx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let m = municipality(&code)?;
    check_edit(&user, m.as_str())?;
    let current = organisations::participation(&state.store, Some(m.as_str())).await?;
    let t = Tr(lang);
    let rows = Programme::ALL
        .iter()
        .map(|p| ParticipationRow {
            key: p.as_str(),
            label: p.label(lang),
            since: current
                .iter()
                .find(|c| c.programme == *p)
                .map(|c| c.since.to_string())
                .unwrap_or_default(),
            error: None,
        })
        .collect();
    let path = format!("/organisations/{}/participation", m.as_str());
    Ok(render(
        StatusCode::OK,
        &ParticipationTemplate {
            t,
            l: Layout::new(Some(&user), t, &path, "organisations"),
            code: m.as_str().to_string(),
            name: m.name(),
            rows,
            has_errors: false,
        },
    ))
}

async fn save_participation(
    Cx(state, user, lang, rid): Cx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let m = municipality(&code)?;
    check_edit(&user, m.as_str())?;
    let t = Tr(lang);
    let mut rows = Vec::new();
    let mut parsed = Vec::new();
    for p in Programme::ALL {
        let raw = form
            .get(p.as_str())
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let value = if raw.is_empty() {
            Ok(None)
        } else {
            NaiveDate::parse_from_str(&raw, "%Y-%m-%d").map(Some)
        };
        let error = value.is_err().then_some(if t.is_da() {
            "Skriv datoen som åååå-mm-dd, eller lad feltet stå tomt."
        } else {
            "Write the date as yyyy-mm-dd, or leave the field empty."
        });
        if let Ok(v) = value {
            parsed.push((p, v));
        }
        rows.push(ParticipationRow {
            key: p.as_str(),
            label: p.label(lang),
            since: raw,
            error,
        });
    }
    if rows.iter().any(|r| r.error.is_some()) {
        let path = format!("/organisations/{}/participation", m.as_str());
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ParticipationTemplate {
                t,
                l: Layout::new(Some(&user), t, &path, "organisations"),
                code: m.as_str().to_string(),
                name: m.name(),
                rows,
                has_errors: true,
            },
        ));
    }
    organisations::set_participation_all(&state.store, &user.ctx(&rid), m.as_str(), &parsed)
        .await?;
    Ok(Redirect::to("/organisations?saved=participation").into_response())
}

//! The lawful-basis page of a child (`/children/{id}/lawful-basis`): consents with their state,
//! statutory bases, objections, shares, notifications, emergency accesses and custody checks,
//! each with the form that records it. A refused form comes back with its input and a message
//! beside each field.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::courses::pages::{Refusal, day};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{Cx, Layout, local_time, render};
use crate::request::{CsrfForm, Id, IdAnd, Pairs};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samspor_domain::i18n::Lang;
use samspor_domain::lawful_basis::access_log::ExtractInput;
use samspor_domain::lawful_basis::{
    ConsentForm, ConsentInput, ConsentState, DataCategory, Ground, Person, Recipient,
    RecipientKind, ReviewInput, StatutoryInput,
};
use samspor_store::consent::model::LawfulBasisView;
use samspor_store::consent::{
    self as svc, CustodyCheckInput, GiverInput, NotificationInput, ObjectionInput, ShareInput,
};
use samspor_store::service::{Ctx, ServiceError};
use samspor_store::{CourseRecord, Organisation};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/children/{id}/lawful-basis", get(show))
        .route("/children/{id}/lawful-basis/{action}", post(act))
}

/// (form value, label) choices.
type Choices = Vec<(String, String)>;

#[derive(Template)]
#[template(path = "consent/lawful_basis.html")]
struct PageTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    child_name: String,
    age: u32,
    consents: Vec<ConsentRow>,
    statutory: Vec<LineRow>,
    objections: Vec<LineRow>,
    shares: Vec<LineRow>,
    notifications: Vec<LineRow>,
    emergencies: Vec<LineRow>,
    /// Emergency accesses awaiting the owner's review.
    open_reviews: Choices,
    extracts: Vec<String>,
    formats: Choices,
    custody_checks: Vec<String>,
    recipients: Choices,
    categories: Choices,
    persons: Choices,
    grounds: Choices,
    forms: Choices,
    courses: Choices,
    /// The form that was refused, its input and why.
    which: &'static str,
    input: Pairs,
    r: Refusal,
}

impl PageTemplate {
    fn err(&self, form: &str, field: &str) -> Option<&str> {
        (self.which == form)
            .then(|| self.r.err(field, self.t.language()))
            .flatten()
    }

    fn value(&self, form: &str, field: &str) -> String {
        if self.which == form {
            self.input.get(field)
        } else {
            String::new()
        }
    }

    fn checked(&self, form: &str, field: &str, value: &str) -> bool {
        self.which == form && self.input.all(field).iter().any(|v| v == value)
    }
}

struct ConsentRow {
    id: Uuid,
    version: i64,
    recipients: String,
    categories: String,
    givers: String,
    given_on: String,
    state: String,
    active: bool,
    open: bool,
}

/// One line of a list, with the action that ends it, if any.
struct LineRow {
    id: Uuid,
    text: String,
    end: Option<&'static str>,
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
    let notice = q.saved.is_some().then(|| Tr(lang).t("lb.saved"));
    page(
        &state,
        &user,
        lang,
        &rid,
        id,
        "",
        Pairs::default(),
        Refusal::default(),
        notice,
    )
    .await
}

/// Records what one form of the page says, then shows the page again.
async fn act(
    Cx(state, user, lang, rid): Cx,
    IdAnd(id, action): IdAnd<String>,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let Some(which) = FORMS.iter().copied().find(|f| *f == action) else {
        return Err(WebError::NotFound);
    };
    if which == "extract" {
        return extract(&state, &user, lang, &rid, id, p).await;
    }
    match record(&state, &ctx, id, which, &p).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/children/{id}/lawful-basis?saved={which}")).into_response())
        }
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            page(&state, &user, lang, &rid, id, which, p, r, None).await
        }
    }
}

const FORMS: [&str; 13] = [
    "consent",
    "giver",
    "withdraw",
    "statutory",
    "end-statutory",
    "objection",
    "withdraw-objection",
    "share",
    "end-share",
    "notification",
    "custody",
    "review",
    "extract",
];

fn text(p: &Pairs, name: &str) -> Option<String> {
    p.first(name).map(str::to_string)
}

fn uuid(p: &Pairs, name: &str) -> Option<Uuid> {
    p.first(name).and_then(|s| Uuid::parse_str(s.trim()).ok())
}

/// The recipient a form names: an organisation, of the kind its own kind is.
async fn recipient(state: &AppState, p: &Pairs) -> Result<Vec<Recipient>, ServiceError> {
    let Some(org_id) = uuid(p, "recipients") else {
        return Ok(Vec::new());
    };
    let orgs = samspor_store::organisations::list(&state.store).await?;
    Ok(orgs
        .iter()
        .find(|o| o.id == org_id)
        .and_then(|o| RecipientKind::of(o.kind))
        .map(|kind| vec![Recipient { org_id, kind }])
        .unwrap_or_default())
}

async fn record(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    which: &str,
    p: &Pairs,
) -> Result<(), ServiceError> {
    let s = &state.store;
    let giver = GiverInput {
        giver: text(p, "giver"),
        version: p.first("version").and_then(|v| v.parse().ok()),
    };
    let target = uuid(p, "target").ok_or(ServiceError::NotFound);
    match which {
        "consent" => {
            let input = ConsentInput {
                recipients: recipient(state, p).await?,
                categories: p.all("categories"),
                purpose_text: text(p, "purpose_text"),
                form: text(p, "form"),
                oral_reason: text(p, "oral_reason"),
                given_on: text(p, "given_on"),
                valid_to: text(p, "valid_to"),
                givers: p.all("givers"),
                capacity_reason: text(p, "capacity_reason"),
            };
            svc::record_consent(s, ctx, id, &input).await.map(drop)
        }
        "giver" => svc::add_giver(s, ctx, id, target?, &giver).await.map(drop),
        "withdraw" => svc::withdraw_consent(s, ctx, id, target?, &giver)
            .await
            .map(drop),
        "statutory" => {
            let input = StatutoryInput {
                ground: text(p, "ground"),
                recipients: recipient(state, p).await?,
                categories: p.all("categories"),
                reason: text(p, "reason"),
                from: text(p, "from"),
                to: text(p, "to"),
            };
            svc::record_statutory(s, ctx, id, &input).await.map(drop)
        }
        "end-statutory" => svc::end_statutory(s, ctx, id, target?).await,
        "objection" => {
            let input = ObjectionInput {
                by: text(p, "by"),
                recipients: Vec::new(),
                note: text(p, "note"),
            };
            svc::record_objection(s, ctx, id, &input).await.map(drop)
        }
        "withdraw-objection" => svc::withdraw_objection(s, ctx, id, target?).await,
        "share" => {
            let input = ShareInput {
                course_id: uuid(p, "course_id"),
                recipient_org_id: uuid(p, "recipient_org_id"),
            };
            svc::share_course(s, ctx, id, &input).await.map(drop)
        }
        "end-share" => svc::end_share(s, ctx, id, target?).await,
        "notification" => {
            let input = NotificationInput {
                made_on: text(p, "made_on"),
                summary: text(p, "summary"),
                withheld_until: text(p, "withheld_until"),
                withheld_reason: text(p, "withheld_reason"),
            };
            svc::record_notification(s, ctx, id, &input).await.map(drop)
        }
        "review" => {
            let input = ReviewInput {
                note: text(p, "note"),
                withheld_until: text(p, "withheld_until"),
                withheld_reason: text(p, "withheld_reason"),
            };
            svc::review_emergency(s, ctx, id, target?, &input)
                .await
                .map(drop)
        }
        _ => {
            let input = CustodyCheckInput {
                checked_on: text(p, "checked_on"),
                source: text(p, "source"),
            };
            svc::record_custody_check(s, ctx, id, &input).await
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    which: &'static str,
    input: Pairs,
    r: Refusal,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(rid);
    let v = svc::lawful_basis(&state.store, &ctx, id).await?;
    let child = samspor_store::children::read(&state.store, &ctx, id).await?;
    let courses = samspor_store::courses::courses_of_child(&state.store, &ctx, id).await?;
    let orgs = samspor_store::organisations::list(&state.store).await?;
    let names = Names {
        orgs: &orgs,
        v: &v,
        lang,
    };
    let status = if which.is_empty() {
        StatusCode::OK
    } else {
        r.status()
    };
    let template = PageTemplate {
        t,
        l: Layout::new(
            Some(user),
            t,
            &format!("/children/{id}/lawful-basis"),
            "children",
        )
        .with_notice(notice),
        id,
        child_name: format!("{} {}", child.data.given_name, child.data.family_name),
        age: child.data.cpr.age_on(ctx.today()),
        consents: v
            .consents
            .iter()
            .map(|c| consent_row(t, &names, c))
            .collect(),
        statutory: v
            .statutory
            .iter()
            .map(|b| statutory_row(t, &names, b))
            .collect(),
        objections: v
            .objections
            .iter()
            .map(|o| objection_row(t, &names, o))
            .collect(),
        shares: v.shares.iter().map(|s| share_row(t, &courses, s)).collect(),
        notifications: v
            .notifications
            .iter()
            .map(|n| notification_row(t, n))
            .collect(),
        emergencies: v
            .emergencies
            .iter()
            .map(|e| emergency_row(t, &names, e))
            .collect(),
        open_reviews: v
            .emergencies
            .iter()
            .filter(|e| !v.reviews.iter().any(|r| r.emergency_id == e.id))
            .map(|e| {
                (
                    e.id.to_string(),
                    format!("{} – {}", local_time(e.at, false), names.org(e.org_id)),
                )
            })
            .collect(),
        extracts: v
            .extracts
            .iter()
            .map(|x| {
                let staff = if x.staff_names_decision.is_some() {
                    format!(" ({})", t.t("lb.with_staff_names"))
                } else {
                    String::new()
                };
                format!(
                    "{} – {}{staff}",
                    local_time(x.made_at, false),
                    names.person(t, &x.requested_by)
                )
            })
            .collect(),
        formats: vec![
            ("page".into(), t.t("lb.format_page").into()),
            ("csv".into(), t.t("lb.format_csv").into()),
        ],
        custody_checks: v
            .custody_checks
            .iter()
            .map(|c| {
                format!(
                    "{} {} {} ({})",
                    t.t("lb.checked"),
                    day(c.checked_on),
                    c.checked_by_name,
                    c.source
                )
            })
            .collect(),
        recipients: recipient_choices(&orgs, user.actor.org_id, lang),
        categories: DataCategory::ALL
            .iter()
            .map(|c| (c.as_str().to_string(), c.label(lang).to_string()))
            .collect(),
        persons: names.persons(t),
        grounds: Ground::ALL
            .iter()
            .map(|g| (g.as_str().to_string(), g.label(lang).to_string()))
            .collect(),
        forms: ConsentForm::ALL
            .iter()
            .map(|f| (f.as_str().to_string(), f.label(lang).to_string()))
            .collect(),
        courses: courses
            .iter()
            .map(|c| {
                (
                    c.id.to_string(),
                    format!("{} {}", t.t("lb.course_from"), day(c.started_on)),
                )
            })
            .collect(),
        which,
        input,
        r,
    };
    Ok(render(status, &template))
}

fn emergency_row(
    t: Tr,
    names: &Names<'_>,
    e: &samspor_domain::lawful_basis::EmergencyAccess,
) -> LineRow {
    let review = match names.v.reviews.iter().find(|r| r.emergency_id == e.id) {
        Some(r) => {
            let withheld = match &r.review.withheld {
                Some((until, why)) => {
                    format!("; {} {} ({why})", t.t("lb.withheld_until"), day(*until))
                }
                None => String::new(),
            };
            format!(
                "{} {}: {}{withheld}",
                t.t("lb.reviewed"),
                local_time(r.review.reviewed_at, false),
                r.review.note
            )
        }
        None => t.t("lb.awaiting_review").into(),
    };
    LineRow {
        id: e.id,
        text: format!(
            "{} – {}: {} ({review})",
            local_time(e.at, false),
            names.org(e.org_id),
            e.reason
        ),
        end: None,
    }
}

/// Makes the family's extract: a page to print or a CSV file; a refusal shows the lawful-basis
/// page again with the form's input and the message.
async fn extract(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    p: Pairs,
) -> Result<Response, WebError> {
    let ctx = user.ctx(rid);
    let input = ExtractInput {
        requested_by: text(&p, "requested_by"),
        staff_names_decision: text(&p, "staff_names_decision"),
    };
    let x = match svc::family_extract(&state.store, &ctx, id, &input).await {
        Ok(x) => x,
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            return page(state, user, lang, rid, id, "extract", p, r, None).await;
        }
    };
    let t = Tr(lang);
    if p.first("format") == Some("csv") {
        return super::extract::csv(t, &x);
    }
    let l = Layout::new(
        Some(user),
        t,
        &format!("/children/{id}/lawful-basis"),
        "children",
    );
    Ok(super::extract::page(t, l, &x))
}

/// Names of organisations and people on the page.
struct Names<'a> {
    orgs: &'a [Organisation],
    v: &'a LawfulBasisView,
    lang: Lang,
}

impl Names<'_> {
    fn org(&self, id: Uuid) -> String {
        self.orgs
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| "–".into())
    }

    fn person(&self, t: Tr, p: &Person) -> String {
        match p {
            Person::Child => t.t("lb.the_child").to_string(),
            Person::Guardian { id } => self
                .v
                .guardians
                .iter()
                .find(|g| g.id == *id)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| "–".into()),
        }
    }

    fn persons(&self, t: Tr) -> Choices {
        std::iter::once(("child".to_string(), t.t("lb.the_child").to_string()))
            .chain(self.v.guardians.iter().map(|g| {
                let custody = if g.custody {
                    t.t("lb.custody")
                } else {
                    t.t("lb.no_custody")
                };
                (g.id.to_string(), format!("{} ({custody})", g.name))
            }))
            .collect()
    }

    fn categories(&self, list: &[DataCategory]) -> String {
        list.iter()
            .map(|c| c.label(self.lang))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn state_text(t: Tr, names: &Names<'_>, state: &ConsentState) -> String {
    match state {
        ConsentState::Active { until: Some(d) } => {
            format!("{} {}", t.t("lb.active_until"), day(*d))
        }
        ConsentState::Active { until: None } => t.t("lb.active").into(),
        ConsentState::NotYetValid => t.t("lb.not_yet").into(),
        ConsentState::Expired { on } => format!("{} {}", t.t("lb.expired"), day(*on)),
        ConsentState::Withdrawn => t.t("lb.withdrawn").into(),
        ConsentState::AwaitingCustodyHolders { missing } if missing.is_empty() => {
            t.t("lb.no_custody_holder").into()
        }
        ConsentState::AwaitingCustodyHolders { missing } => format!(
            "{} {}",
            t.t("lb.missing"),
            missing
                .iter()
                .map(|id| names.person(t, &Person::Guardian { id: *id }))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ConsentState::NeedsYoungPerson => t.t("lb.needs_young_person").into(),
    }
}

fn consent_row(
    t: Tr,
    names: &Names<'_>,
    c: &samspor_store::consent::model::ConsentLine,
) -> ConsentRow {
    let k = &c.consent;
    ConsentRow {
        id: k.id,
        version: c.version,
        recipients: k
            .recipients
            .iter()
            .map(|r| names.org(r.org_id))
            .collect::<Vec<_>>()
            .join(", "),
        categories: names.categories(&k.categories),
        givers: k
            .givers
            .iter()
            .map(|(p, _)| names.person(t, p))
            .collect::<Vec<_>>()
            .join(", "),
        given_on: day(k.given_on),
        state: state_text(t, names, &c.state),
        active: c.state.is_active(),
        open: k.withdrawn.is_none(),
    }
}

fn statutory_row(
    t: Tr,
    names: &Names<'_>,
    b: &samspor_domain::lawful_basis::StatutoryBasis,
) -> LineRow {
    let to = b.to.map(day).unwrap_or_default();
    LineRow {
        id: b.id,
        text: format!(
            "{} → {} ({}), {} {}–{}: {}{}",
            b.ground.label(names.lang),
            b.recipients
                .iter()
                .map(|r| names.org(r.org_id))
                .collect::<Vec<_>>()
                .join(", "),
            names.categories(&b.categories),
            t.t("lb.from"),
            day(b.from),
            to,
            b.reason,
            if b.ended_at.is_some() {
                format!(" – {}", t.t("lb.ended"))
            } else {
                String::new()
            },
        ),
        end: b.ended_at.is_none().then_some("end-statutory"),
    }
}

fn objection_row(t: Tr, names: &Names<'_>, o: &samspor_domain::lawful_basis::Objection) -> LineRow {
    LineRow {
        id: o.id,
        text: format!(
            "{} – {}: {}{}",
            local_time(o.recorded_at, false),
            names.person(t, &o.by),
            o.note,
            if o.withdrawn_at.is_some() {
                format!(" – {}", t.t("lb.withdrawn"))
            } else {
                String::new()
            },
        ),
        end: o.withdrawn_at.is_none().then_some("withdraw-objection"),
    }
}

fn share_row(t: Tr, courses: &[CourseRecord], s: &samspor_store::consent::model::Share) -> LineRow {
    let course = courses
        .iter()
        .find(|c| c.id == s.course_id)
        .map(|c| day(c.started_on))
        .unwrap_or_default();
    LineRow {
        id: s.id,
        text: format!(
            "{} ({}) – {} {course}, {} {}{}",
            s.recipient_name,
            s.recipient_kind.label(t.language()),
            t.t("lb.course_from"),
            t.t("lb.shared"),
            local_time(s.shared_at, false),
            s.ended_at
                .map(|e| format!(", {} {}", t.t("lb.ended"), local_time(e, false)))
                .unwrap_or_default(),
        ),
        end: s.ended_at.is_none().then_some("end-share"),
    }
}

fn notification_row(t: Tr, n: &samspor_domain::lawful_basis::Notification) -> LineRow {
    let withheld = n
        .withheld
        .as_ref()
        .map(|(until, why)| format!(" – {} {}: {why}", t.t("lb.withheld_until"), day(*until)))
        .unwrap_or_default();
    LineRow {
        id: n.id,
        text: format!("{}: {}{withheld}", day(n.made_on), n.summary),
        end: None,
    }
}

/// Organisations a share or basis can name: units first, then the other municipalities.
fn recipient_choices(orgs: &[Organisation], own: Uuid, lang: Lang) -> Choices {
    let mut list: Vec<&Organisation> = orgs
        .iter()
        .filter(|o| o.id != own && RecipientKind::of(o.kind).is_some())
        .collect();
    list.sort_by_key(|o| {
        (
            o.kind == samspor_domain::organisation::OrgKind::Municipality,
            o.name.clone(),
        )
    });
    list.into_iter()
        .map(|o| {
            (
                o.id.to_string(),
                format!("{} ({})", o.name, o.kind.label(lang)),
            )
        })
        .collect()
}

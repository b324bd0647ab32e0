//! The public self-referral form (`/henvendelse/{code}`) and the staff queue it lands in
//! (`/intake`).
//!
//! Families write without an account, so the form guards itself: a cookie-bound CSRF token
//! stops other sites from making their visitors' browsers post (which would spread a flood
//! over many addresses), and a per-address limit stops one sender from filling a
//! municipality's queue. What the family wrote never goes into a URL, a log line or the
//! receipt: the receipt travels in a short-lived cookie, not in the address.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::{Tr, UiLang};
use crate::pages::Cx;
use crate::pages::{Layout, local_time, render};
use crate::request::CsrfForm;
use crate::request::Id;
use crate::request::RequestId;
use askama::Template;
use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use governor::clock::Clock;
use samspor_domain::course::contact::{
    SHORT_MAX, SelfReferralInput, TEXT_MAX, Writer, validate_self_referral,
};
use samspor_domain::i18n::Lang;
use samspor_domain::validation::FieldErrors;
use samspor_store::SelfReferralRecord;
use samspor_store::courses::local;
use samspor_store::intake;
use samspor_store::secret::{constant_time_eq, random_token};
use samspor_store::service::ServiceError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/henvendelse/{code}", get(form_page).post(submit))
        .route("/henvendelse/{code}/kvittering", get(receipt_page))
        .route("/intake", get(queue))
        .route("/intake/{id}/register", post(register))
        .route("/intake/{id}/dismiss", post(dismiss))
        .route("/intake/{id}/restore", post(restore))
}

/// Whether the user works the intake queue: only municipalities have a public form, so staff
/// elsewhere would always find it empty.
pub fn sees_intake(user: &crate::auth::CurrentUser) -> bool {
    user.org.kind == samspor_domain::organisation::OrgKind::Municipality
        && user.user.role.works_with_children()
}

const FORM_CSRF_COOKIE: &str = "samspor_form_csrf";
const RECEIPT_COOKIE: &str = "samspor_receipt";
/// Long enough to write the number down, short enough that the next person at a shared
/// computer does not learn that someone in the family asked for help.
const RECEIPT_MINUTES: i64 = 15;
/// Characters of the worry shown in the queue before "Hele henvendelsen".
const EXCERPT_CHARS: usize = 160;
/// Addresses the limiter remembers before it forgets those whose quota has refilled.
const LIMITER_PRUNE_AT: usize = 10_000;

/// The address a public submission is counted against.
struct ClientAddr(IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(limit_key(client_ip(
            peer,
            &parts.headers,
            // Only a proxy we run may say who the client is; anyone else could claim any
            // address.
            state.settings.trust_forwarded_for,
        ))))
    }
}

/// Without a peer address (the in-process router of the tests) every request shares one
/// fixed address, so the limit still holds rather than being skipped.
fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trust_forwarded: bool) -> IpAddr {
    if trust_forwarded {
        // Our proxy appends the address it saw; everything left of it came from the
        // client and may be forged, so only the last entry counts.
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|s| s.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// A home or a phone is handed a whole IPv6 /64; counting single addresses would let one
/// sender rotate through them freely.
fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// Pages holding what a family wrote (or setting a cookie) must not stay in a shared
/// computer's cache or a proxy's.
fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn form_csrf_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((FORM_CSRF_COOKIE, token))
        .path("/henvendelse")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.secure_cookies)
        .build()
}

fn receipt_cookie(state: &AppState, code: &str, receipt: String) -> Cookie<'static> {
    // Parsed from text because the builder's Max-Age wants a `time` type this crate does
    // not otherwise depend on; a receipt is plain letters and digits, so parsing succeeds.
    let mut c = Cookie::parse(format!(
        "{RECEIPT_COOKIE}={receipt}; Max-Age={}",
        RECEIPT_MINUTES * 60
    ))
    .unwrap_or_else(|_| Cookie::new(RECEIPT_COOKIE, receipt));
    c.set_path(format!("/henvendelse/{code}/kvittering"));
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_secure(state.settings.secure_cookies);
    c
}

/// The receipt cookie is echoed into a page, so only something shaped like our receipts
/// (`H-XXXX-XXXX`) is shown; anything else a browser sends is ignored.
fn is_receipt(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && s.starts_with("H-")
        && b[6] == b'-'
        && b.iter()
            .enumerate()
            .filter(|(i, _)| ![0, 1, 6].contains(i))
            .all(|(_, c)| c.is_ascii_uppercase() || c.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------
// The public form

/// The form as the family filled it in, kept as typed so it can be shown again.
#[derive(Debug, Default, serde::Deserialize)]
struct PublicForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    writer: String,
    #[serde(default)]
    child_given_name: String,
    #[serde(default)]
    child_family_name: String,
    #[serde(default)]
    child_cpr: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    worry: String,
    #[serde(default)]
    duration: String,
    #[serde(default)]
    tried: String,
}

impl PublicForm {
    fn input(&self) -> SelfReferralInput {
        let s = |v: &str| Some(v.to_string());
        SelfReferralInput {
            writer: s(&self.writer),
            child_given_name: s(&self.child_given_name),
            child_family_name: s(&self.child_family_name),
            child_cpr: s(&self.child_cpr),
            contact_name: s(&self.contact_name),
            phone: s(&self.phone),
            email: s(&self.email),
            worry: s(&self.worry),
            duration: s(&self.duration),
            tried: s(&self.tried),
        }
    }
}

pub struct FieldProblem {
    /// The id of the input the summary links to.
    anchor: String,
    /// The field's label, so "required" five times over still says which five.
    label: &'static str,
    message: String,
}

/// The label key of each field of the public form.
fn field_label(field: &str) -> &'static str {
    match field {
        "writer" => "selfref.writer",
        "child_given_name" => "selfref.child_given_name",
        "child_family_name" => "selfref.child_family_name",
        "child_cpr" => "selfref.child_cpr",
        "contact_name" => "selfref.contact_name",
        "phone" => "selfref.phone",
        "email" => "selfref.email",
        "worry" => "selfref.worry",
        "duration" => "selfref.duration",
        _ => "selfref.tried",
    }
}

#[derive(Template)]
#[template(path = "intake/self_referral.html")]
struct FormTemplate {
    t: Tr,
    code: String,
    municipality: String,
    csrf: String,
    f: PublicForm,
    errors: FieldErrors,
    problems: Vec<FieldProblem>,
    /// Set when the address has sent too much: why nothing was sent and how long to wait.
    limited: Option<String>,
    text_max: usize,
    short_max: usize,
}

impl FormTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(|e| e.message(self.t.0))
    }

    /// `aria-describedby` for a field: its error first, then its hint.
    fn described(&self, field: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if self.errors.get(field).is_some() {
            ids.push(format!("{field}-error"));
        }
        if hint {
            ids.push(format!("{field}-hint"));
        }
        ids.join(" ")
    }
}

#[derive(Template)]
#[template(path = "intake/self_referral_message.html")]
struct MessageTemplate {
    t: Tr,
    heading: &'static str,
    text: &'static str,
    /// Where "Til formularen" leads; none when the municipality is unknown.
    form_path: Option<String>,
}

#[derive(Template)]
#[template(path = "intake/self_referral_receipt.html")]
struct ReceiptTemplate {
    t: Tr,
    code: String,
    municipality: String,
    receipt: String,
}

fn message(
    t: Tr,
    status: StatusCode,
    heading: &'static str,
    text: &'static str,
    form_path: Option<String>,
) -> Response {
    no_store(render(
        status,
        &MessageTemplate {
            t,
            heading,
            text,
            form_path,
        },
    ))
}

/// The same friendly page for any code that is not a municipality's.
fn unknown_municipality(t: Tr) -> Response {
    message(
        t,
        StatusCode::NOT_FOUND,
        t.t("selfref.unknown_title"),
        t.t("selfref.unknown_text"),
        None,
    )
}

/// The municipality a public page belongs to, or the page to show instead.
async fn municipality(
    state: &AppState,
    t: Tr,
    code: &str,
) -> Result<Result<samspor_store::Organisation, Response>, WebError> {
    match intake::municipality(&state.store, code).await {
        Ok(org) => Ok(Ok(org)),
        Err(ServiceError::NotFound) => Ok(Err(unknown_municipality(t))),
        Err(e) => Err(e.into()),
    }
}

/// Renders the form with a fresh CSRF token bound to a cookie, like the login form.
#[allow(clippy::too_many_arguments)]
fn show_form(
    state: &AppState,
    jar: CookieJar,
    t: Tr,
    org: &samspor_store::Organisation,
    status: StatusCode,
    f: PublicForm,
    errors: FieldErrors,
    limited: Option<String>,
) -> Response {
    let csrf = random_token();
    let problems = errors
        .0
        .iter()
        .map(|e| FieldProblem {
            anchor: if e.field == "writer" {
                "writer-parent".into()
            } else {
                e.field.clone()
            },
            label: t.t(field_label(&e.field)),
            message: e.message(t.0).to_string(),
        })
        .collect();
    let page = render(
        status,
        &FormTemplate {
            t,
            code: org.municipality_code.clone().unwrap_or_default(),
            municipality: org.name.clone(),
            csrf: csrf.clone(),
            f: PublicForm {
                csrf: String::new(),
                ..f
            },
            errors,
            problems,
            limited,
            text_max: TEXT_MAX,
            short_max: SHORT_MAX,
        },
    );
    no_store((jar.add(form_csrf_cookie(state, csrf)), page).into_response())
}

async fn form_page(
    State(state): State<AppState>,
    jar: CookieJar,
    UiLang(lang): UiLang,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let org = match municipality(&state, t, &code).await? {
        Ok(org) => org,
        Err(page) => return Ok(page),
    };
    Ok(show_form(
        &state,
        jar,
        t,
        &org,
        StatusCode::OK,
        PublicForm::default(),
        FieldErrors::default(),
        None,
    ))
}

fn limited_text(lang: Lang, minutes: u64) -> String {
    match (lang, minutes) {
        (Lang::Da, 1) => "Der er sendt mange henvendelser fra din internetforbindelse på kort tid, så vi har ikke modtaget denne. Vent et minut, og send den igen – det, du har skrevet, står stadig nedenfor. Du kan også ringe til kommunen.".into(),
        (Lang::Da, m) => format!(
            "Der er sendt mange henvendelser fra din internetforbindelse på kort tid, så vi har ikke modtaget denne. Vent {m} minutter, og send den igen – det, du har skrevet, står stadig nedenfor. Du kan også ringe til kommunen."
        ),
        (Lang::En, 1) => "Many requests have been sent from your internet connection in a short time, so this one has not been received. Wait a minute and send it again – what you wrote is still below. You can also call the municipality.".into(),
        (Lang::En, m) => format!(
            "Many requests have been sent from your internet connection in a short time, so this one has not been received. Wait {m} minutes and send it again – what you wrote is still below. You can also call the municipality."
        ),
    }
}

async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    ClientAddr(addr): ClientAddr,
    Path(code): Path<String>,
    Form(form): Form<PublicForm>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let org = match municipality(&state, t, &code).await? {
        Ok(org) => org,
        Err(page) => return Ok(page),
    };
    let form_path = format!("/henvendelse/{code}");
    let csrf_ok = jar
        .get(FORM_CSRF_COOKIE)
        .is_some_and(|c| !form.csrf.is_empty() && constant_time_eq(c.value(), &form.csrf));
    if !csrf_ok {
        // Not shown again with the values: the post may come from another site, and its
        // words must not appear as if the visitor had written them.
        return Ok(message(
            t,
            StatusCode::FORBIDDEN,
            t.t("selfref.expired_title"),
            t.t("selfref.expired_text"),
            Some(form_path),
        ));
    }
    let input = form.input();
    // Checked before the limit, so only complete requests count against it: a parent
    // correcting a CPR number must not be locked out by their own mistakes.
    if let Err(errors) = validate_self_referral(&input, local(chrono::Utc::now()).date()) {
        return Ok(show_form(
            &state,
            jar,
            t,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            errors,
            None,
        ));
    }
    let limiter = &state.public_form_limiter;
    if limiter.len() > LIMITER_PRUNE_AT {
        limiter.retain_recent();
    }
    if let Err(not_until) = limiter.check_key(&addr) {
        let wait = not_until.wait_time_from(limiter.clock().now());
        let minutes = wait.as_secs().div_ceil(60).max(1);
        // No address and nothing from the form: an IP address is personal data too.
        tracing::warn!(municipality = %code, "public form over its per-address limit");
        let mut res = show_form(
            &state,
            jar,
            t,
            &org,
            StatusCode::TOO_MANY_REQUESTS,
            form,
            FieldErrors::default(),
            Some(limited_text(lang, minutes)),
        );
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(wait.as_secs().max(1)),
        );
        return Ok(res);
    }
    match intake::submit_self_referral(&state.store, &code, &input, chrono::Utc::now(), &rid).await
    {
        Ok(receipt) => {
            let jar = jar.add(receipt_cookie(&state, &code, receipt));
            Ok((jar, Redirect::to(&format!("{form_path}/kvittering"))).into_response())
        }
        // Only if the date turned between our check and the service's.
        Err(ServiceError::Invalid(errors)) => Ok(show_form(
            &state,
            jar,
            t,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            errors,
            None,
        )),
        Err(ServiceError::NotFound) => Ok(unknown_municipality(t)),
        Err(e) => Err(e.into()),
    }
}

async fn receipt_page(
    State(state): State<AppState>,
    jar: CookieJar,
    UiLang(lang): UiLang,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let org = match municipality(&state, t, &code).await? {
        Ok(org) => org,
        Err(page) => return Ok(page),
    };
    let Some(receipt) = jar
        .get(RECEIPT_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|r| is_receipt(r))
    else {
        return Ok(message(
            t,
            StatusCode::OK,
            t.t("selfref.no_receipt_title"),
            t.t("selfref.no_receipt_text"),
            Some(format!("/henvendelse/{code}")),
        ));
    };
    Ok(no_store(render(
        StatusCode::OK,
        &ReceiptTemplate {
            t,
            code,
            municipality: org.name,
            receipt,
        },
    )))
}

// ---------------------------------------------------------------------------------------
// The staff queue

pub struct QueueItem {
    id: Uuid,
    received: String,
    receipt: String,
    writer: &'static str,
    child_name: String,
    age: u32,
    excerpt: String,
    worry: String,
    duration: Option<String>,
    tried: Option<String>,
    contact_name: String,
    phone: Option<String>,
    email: Option<String>,
    /// The child is already registered here: (child, what the organisation knows of them).
    known: Option<(Uuid, String)>,
}

impl QueueItem {
    fn new(t: Tr, sr: SelfReferralRecord, today: chrono::NaiveDate) -> QueueItem {
        let c = sr.content;
        let excerpt = if c.worry.chars().count() > EXCERPT_CHARS {
            let cut: String = c.worry.chars().take(EXCERPT_CHARS).collect();
            format!("{}…", cut.trim_end())
        } else {
            c.worry.clone()
        };
        QueueItem {
            id: sr.id,
            received: local_time(sr.received_at, false),
            receipt: sr.receipt,
            writer: match c.writer {
                Writer::Parent => t.t("intake.writer_parent"),
                Writer::YoungPerson => t.t("intake.writer_young_person"),
            },
            child_name: format!("{} {}", c.child_given_name, c.child_family_name),
            age: c.child_cpr.age_on(today),
            excerpt,
            worry: c.worry,
            duration: c.duration,
            tried: c.tried,
            contact_name: c.contact_name,
            phone: c.phone,
            email: c.email,
            known: None,
        }
    }
}

#[derive(Template)]
#[template(path = "intake/intake.html")]
struct QueueTemplate {
    t: Tr,
    l: Layout,
    items: Vec<QueueItem>,
    /// Why the last action was refused, shown above the list.
    problem: Option<String>,
    /// The address of the municipality's public form, for its website.
    public_path: Option<String>,
    /// Set aside in the last 30 days: (id, received, receipt, why, when set aside).
    dismissed: Vec<DismissedItem>,
}

pub struct DismissedItem {
    id: uuid::Uuid,
    child_name: String,
    received: String,
    reason: String,
    dismissed: String,
}

#[derive(serde::Deserialize)]
struct QueueQuery {
    done: Option<String>,
}

/// What the organisation already knows of the child a request names.
fn known_text(t: Tr, k: &intake::KnownChild) -> String {
    let mut s = t.t("intake.known").to_string();
    if k.open_course.is_some() {
        s.push(' ');
        s.push_str(t.t("intake.known_open"));
    } else if k.courses > 0 {
        s.push_str(&format!(" {} {}", t.t("intake.known_courses"), k.courses));
    }
    s
}

async fn queue_page(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    lang: Lang,
    rid: &str,
    status: StatusCode,
    notice: Option<&'static str>,
    problem: Option<String>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(rid);
    let today = local(ctx.now).date();
    let referrals = intake::new_self_referrals(&state.store, &ctx).await?;
    let known = intake::known_children(&state.store, &ctx, &referrals).await?;
    let items = referrals
        .into_iter()
        .map(|sr| {
            let k = known.get(&sr.id).map(|k| (k.child_id, known_text(t, k)));
            QueueItem {
                known: k,
                ..QueueItem::new(t, sr, today)
            }
        })
        .collect();
    let dismissed = intake::dismissed_self_referrals(&state.store, &ctx)
        .await?
        .into_iter()
        .map(|sr| DismissedItem {
            id: sr.id,
            child_name: format!(
                "{} {}",
                sr.content.child_given_name, sr.content.child_family_name
            ),
            received: crate::pages::local_time(sr.received_at, false),
            reason: sr.dismiss_reason.unwrap_or_default(),
            dismissed: sr
                .handled_at
                .map(|at| crate::pages::local_time(at, false))
                .unwrap_or_default(),
        })
        .collect();
    Ok(no_store(render(
        status,
        &QueueTemplate {
            t,
            l: Layout::new(Some(user), t, "/intake", "intake").with_notice(notice),
            items,
            problem,
            dismissed,
            public_path: user
                .actor
                .municipality_code
                .as_ref()
                .map(|c| format!("/henvendelse/{c}")),
        },
    )))
}

async fn queue(
    Cx(state, user, lang, rid): Cx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let notice = match q.done.as_deref() {
        Some("dismissed") => Some(Tr(lang).t("intake.dismissed")),
        Some("restored") => Some(Tr(lang).t("intake.restored")),
        _ => None,
    };
    queue_page(&state, &user, lang, &rid, StatusCode::OK, notice, None).await
}

/// A refused register or dismiss: the queue again, with what went wrong above it.
async fn refused(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    lang: Lang,
    rid: &str,
    e: ServiceError,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let (status, problem) = match e {
        // Someone else got there first (the service reports it on the field
        // `self_referral`, or as a conflict when both clicked at the same moment).
        ServiceError::Conflict { .. } => (
            StatusCode::CONFLICT,
            t.t("intake.already_handled").to_string(),
        ),
        ServiceError::Invalid(errors) if errors.get("self_referral").is_some() => (
            StatusCode::CONFLICT,
            t.t("intake.already_handled").to_string(),
        ),
        // E.g. the child turned 18 while the request waited: say so rather than fail.
        ServiceError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .0
                .iter()
                .map(|e| e.message(lang))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => return Err(other.into()),
    };
    queue_page(state, user, lang, rid, status, None, Some(problem)).await
}

async fn register(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(_): CsrfForm,
) -> Result<Response, WebError> {
    match intake::register_self_referral(&state.store, &user.ctx(&rid), id).await {
        Ok(course) => Ok(Redirect::to(&format!("/courses/{}", course.id)).into_response()),
        Err(e) => refused(&state, &user, lang, &rid, e).await,
    }
}

async fn dismiss(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(f): CsrfForm,
) -> Result<Response, WebError> {
    let reason = f.get("reason");
    match intake::dismiss_self_referral(&state.store, &user.ctx(&rid), id, &reason).await {
        Ok(()) => Ok(Redirect::to("/intake?done=dismissed").into_response()),
        Err(e) => refused(&state, &user, lang, &rid, e).await,
    }
}

async fn restore(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(_): CsrfForm,
) -> Result<Response, WebError> {
    match intake::restore_self_referral(&state.store, &user.ctx(&rid), id).await {
        Ok(()) => Ok(Redirect::to("/intake?done=restored").into_response()),
        Err(e) => refused(&state, &user, lang, &rid, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_ignored_unless_trusted() {
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let peer = Some(proxy);
        let h = headers(&["203.0.113.5"]);
        assert_eq!(client_ip(peer, &h, false), proxy);
        assert_eq!(client_ip(None, &h, false), IpAddr::V4(Ipv4Addr::LOCALHOST));
    }

    #[test]
    fn a_trusted_proxy_counts_the_address_it_saw_not_what_the_client_claims() {
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let peer = Some(proxy);
        let h = headers(&["1.2.3.4, 203.0.113.5"]);
        assert_eq!(
            client_ip(peer, &h, true),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
        let two = headers(&["1.2.3.4", "198.51.100.7"]);
        assert_eq!(
            client_ip(peer, &two, true),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // A garbled header falls back to the proxy itself, which then shares one quota.
        assert_eq!(client_ip(peer, &headers(&["nonsense"]), true), proxy);
    }

    #[test]
    fn ipv6_is_counted_per_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limit_key(a), limit_key(b));
        assert_ne!(limit_key(a), limit_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(limit_key(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn only_receipt_shaped_cookies_are_shown() {
        assert!(is_receipt("H-AB2C-9XYZ"));
        assert!(!is_receipt("H-AB2C-9XY<"));
        assert!(!is_receipt("<script>abc"));
        assert!(!is_receipt("H-AB2C9XYZ"));
        assert!(!is_receipt(""));
    }
}

//! The server-rendered web UI. Works without JavaScript; Danish by default.

pub use crate::questionnaires::pages::link_url;

use crate::AppState;
use crate::auth::{CurrentUser, PageUser};
use crate::error::{ErrorPage, WebError};
use crate::i18n::{LANG_COOKIE, Tr, lang_of};
use askama::Template;
use axum::Router;
use axum::extract::{Query, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use samspor_domain::i18n::Lang;
use samspor_domain::role::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/lang", get(switch_lang))
        .route("/static/style.css", get(stylesheet))
        .route("/static/favicon.svg", get(favicon))
        .merge(crate::accounts::pages::router())
        .merge(crate::accounts::admin::router())
        .merge(crate::accounts::password::router())
        .merge(crate::children::pages::router())
        .merge(crate::consent::pages::router())
        .merge(crate::referrals::pages::router())
        .merge(crate::advice::pages::router())
        .merge(crate::kit::pages::router())
        .merge(crate::medcom::pages::router())
        .merge(crate::learning_environment::pages::router())
        .merge(crate::messages::pages::router())
        .merge(crate::courses::pages::router())
        .merge(crate::courses::measurements::pages::router())
        .merge(crate::export::pages::router())
        .merge(crate::courses::groups::pages::router())
        .merge(crate::courses::treatment::pages::router())
        .merge(crate::intake::pages::router())
        .merge(crate::organisations::pages::router())
        .merge(crate::audit::pages::router())
        .merge(crate::questionnaires::pages::router())
        .merge(crate::questionnaires::respond::router())
        .layer(axum::middleware::from_fn(crate::request::refuse_nul))
        .layer(axum::middleware::from_fn(html_errors))
}

/// What a page handler knows of its request: the server, who is logged in, the language the
/// page is shown in and the request id that ties audit entries to the log line. Without a
/// login the browser is sent to the login page.
/// Handlers take it apart in the parameter list: `Cx(state, user, lang, rid): Cx`.
pub struct Cx(
    pub AppState,
    pub CurrentUser,
    pub Lang,
    /// The request id.
    pub String,
);

impl axum::extract::FromRequestParts<AppState> for Cx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        let PageUser(user) = PageUser::from_request_parts(parts, state).await?;
        let crate::request::RequestId(rid) =
            crate::request::RequestId::from_request_parts(parts, state)
                .await
                .unwrap_or_else(|never| match never {});
        Ok(Cx(state.clone(), user, lang_of(&parts.headers), rid))
    }
}

/// What the page frame shows about the logged-in person.
pub struct UserInfo {
    pub name: String,
    pub org_name: String,
    pub role_label: &'static str,
    pub works_with_children: bool,
    pub is_admin: bool,
    pub is_analyst: bool,
    pub can_edit_participation: bool,
    /// Municipal staff who give learning-environment guidance.
    pub guides_learning_environment: bool,
    /// Municipal staff who register what families send through the public form.
    pub sees_intake: bool,
}

/// The page frame: who is logged in, where we are, the CSRF token for forms.
pub struct Layout {
    pub user: Option<UserInfo>,
    pub csrf: String,
    pub path: String,
    pub section: &'static str,
    pub notice: Option<&'static str>,
}

impl Layout {
    pub fn new(user: Option<&CurrentUser>, t: Tr, path: &str, section: &'static str) -> Layout {
        Layout {
            user: user.map(|u| UserInfo {
                name: u.user.name.clone(),
                org_name: u.org.name.clone(),
                role_label: u.user.role.label(t.0),
                works_with_children: u.user.role.works_with_children(),
                is_admin: u.user.role == Role::Admin,
                is_analyst: u.user.role == Role::Analyst,
                can_edit_participation: matches!(u.user.role, Role::Admin | Role::Secretariat),
                guides_learning_environment: u.org.kind
                    == samspor_domain::organisation::OrgKind::Municipality
                    && matches!(
                        u.user.role,
                        Role::Coordinator | Role::Therapist | Role::KitCoordinator
                    ),
                sees_intake: crate::intake::pages::sees_intake(u),
            }),
            csrf: user.map(|u| u.csrf_token().to_string()).unwrap_or_default(),
            path: path.to_string(),
            section,
            notice: None,
        }
    }

    pub fn with_notice(mut self, notice: Option<&'static str>) -> Self {
        self.notice = notice;
        self
    }
}

/// A moment as Danish staff read it: local time in Denmark.
pub fn local_time(t: chrono::DateTime<chrono::Utc>, with_seconds: bool) -> String {
    let local = t.with_timezone(&chrono_tz::Europe::Copenhagen);
    let format = if with_seconds {
        "%d.%m.%Y %H:%M:%S"
    } else {
        "%d.%m.%Y %H:%M"
    };
    local.format(format).to_string()
}

/// Renders a template as HTML with a status.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => WebError::Internal(format!("template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    t: Tr,
    l: Layout,
    title: &'static str,
    detail: String,
}

/// Turns problem responses from page routes into HTML error pages in the reader's language.
async fn html_errors(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let Some(page) = res.extensions().get::<ErrorPage>().cloned() else {
        return res;
    };
    let t = Tr(lang);
    let body = ErrorTemplate {
        t,
        l: Layout::new(None, t, &path, ""),
        title: page.title(lang),
        detail: page.detail(lang).to_string(),
    };
    let mut html = render(page.status, &body);
    if let Some(v) = res.headers().get(header::WWW_AUTHENTICATE) {
        html.headers_mut()
            .insert(header::WWW_AUTHENTICATE, v.clone());
    }
    html
}

pub async fn not_found(req: Request) -> Response {
    let lang = lang_of(req.headers());
    let err = WebError::NotFound.into_response();
    if req.uri().path().starts_with("/api/") {
        return err;
    }
    let t = Tr(lang);
    render(
        StatusCode::NOT_FOUND,
        &ErrorTemplate {
            t,
            l: Layout::new(None, t, req.uri().path(), ""),
            title: if lang == Lang::Da {
                "Ikke fundet"
            } else {
                "Not found"
            },
            detail: if lang == Lang::Da {
                "Der er intet på denne adresse, eller du har ikke adgang til det.".into()
            } else {
                "There is nothing at this address, or you do not have access to it.".into()
            },
        },
    )
}

pub struct AlertView {
    id: uuid::Uuid,
    child_id: uuid::Uuid,
    child_name: String,
    message: String,
    time: String,
    escalated: bool,
}

/// One of the therapist's active courses on the front page.
pub struct MyCourseRow {
    id: uuid::Uuid,
    child_name: String,
    track: &'static str,
    held: i64,
    planned: i64,
    next: Option<String>,
}

/// A session booked today.
pub struct TodayRow {
    course_id: uuid::Uuid,
    child_name: String,
    time: String,
    session: String,
}

/// A follow-up talk due within a week (or overdue).
pub struct FollowUpRow {
    course_id: uuid::Uuid,
    child_name: String,
    due: String,
    overdue: bool,
}

/// A questionnaire of one of the therapist's courses that is due, sent and unanswered, or
/// expired unanswered.
pub struct MeasurementDueRow {
    pub course_id: uuid::Uuid,
    pub child_name: String,
    pub what: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    t: Tr,
    l: Layout,
    alerts: Vec<AlertView>,
    /// The therapist's part: their courses, today's sessions, follow-up talks, measurements.
    therapist: bool,
    my_courses: Vec<MyCourseRow>,
    today: Vec<TodayRow>,
    follow_ups: Vec<FollowUpRow>,
    /// The measurements outstanding on the therapist's courses.
    measurements_due: Vec<MeasurementDueRow>,
    /// Courses waiting for their visitation decision, nearest deadline first.
    queue: Vec<crate::courses::pages::WorkRow>,
    /// How many of them breach a waiting goal within days or already have.
    queue_attention: usize,
    /// Emergency accesses to the organisation's children awaiting review: (child, text).
    reviews: Vec<(uuid::Uuid, String)>,
    /// Children turning 15 soon whose parents' consent then needs confirming: (child, text).
    turning_15: Vec<(uuid::Uuid, String)>,
    /// Courses other organisations share with the user's: (course, child, owner and since).
    shared: Vec<(uuid::Uuid, String, String)>,
    /// Referrals that wait on the user's organisation: a unit's unanswered ones, a
    /// municipality's returned ones not yet handled: (referral, text, overdue).
    referrals: Vec<(uuid::Uuid, String, bool)>,
    /// Advice that waits on the user's organisation: a unit's open questions, or answers not
    /// yet read: (request, text, overdue).
    advice: Vec<(uuid::Uuid, String, bool)>,
    /// MedCom messages in the organisation's inbox not read yet.
    medcom_unread: i64,
    /// MedCom messages the organisation sent that did not get through.
    medcom_failed: Vec<(uuid::Uuid, String)>,
    /// Whether the advice waiting is a unit's queue (else new answers).
    advice_queue: bool,
    /// Open KIT tasks the organisation owns or coordinates: (course, text, overdue).
    kit_tasks: Vec<(uuid::Uuid, String, bool)>,
    /// Courses with unread messages: (course, text).
    unread: Vec<(uuid::Uuid, String)>,
    /// Self-referrals waiting in the intake queue, for those who register them.
    new_requests: Option<i64>,
}

/// The referrals that wait on the actor's organisation, for the front page.
async fn referrals_waiting(
    state: &AppState,
    ctx: &samspor_store::service::Ctx,
    t: Tr,
) -> Result<Vec<(uuid::Uuid, String, bool)>, WebError> {
    use samspor_domain::referral::ReferralStatus;
    let today = ctx.today();
    Ok(samspor_store::referrals::list(&state.store, ctx)
        .await?
        .into_iter()
        .filter(|r| match r.referral.status {
            ReferralStatus::Sent => r.received,
            // A practice is told of a return in its MedCom inbox; it has nothing to mark.
            ReferralStatus::Returned => {
                !r.received && !r.referral.is_from_gp() && r.referral.acted_at.is_none()
            }
            ReferralStatus::Accepted => false,
        })
        .map(|r| {
            let text = if r.received {
                format!(
                    "{} ({} {}) – {} – {} {}",
                    r.child_name,
                    r.age,
                    t.t("ref.years"),
                    r.from_name,
                    t.t("ref.due"),
                    r.referral.due_on.format("%d.%m.%Y")
                )
            } else {
                format!(
                    "{} – {} {}",
                    r.child_name,
                    t.t("ref.returned_by"),
                    r.to_name
                )
            };
            (r.referral.id, text, r.overdue(today))
        })
        .collect())
}

async fn home(Cx(state, user, lang, rid): Cx) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(&rid);
    let alerts = samspor_store::questionnaires::open_alerts(&state.store, &ctx)
        .await?
        .into_iter()
        .map(|a| alert_view(lang, a))
        .collect();
    let therapist = user.user.role.works_with_children();
    let today = samspor_store::courses::local(chrono::Utc::now()).date();
    let (queue, front) = if therapist {
        (
            crate::courses::pages::intake_queue(&state, &user, &rid, t).await?,
            samspor_store::courses::treatment::front_page(&state.store, &ctx, today).await?,
        )
    } else {
        Default::default()
    };
    let basis = samspor_store::consent::basis_worklist(&state.store, &ctx).await?;
    let shared = samspor_store::consent::shared_courses(&state.store, &ctx)
        .await?
        .into_iter()
        .map(|c| {
            let from = format!(
                "{} – {} {}",
                c.owner_name,
                t.t("basis.shared_since"),
                c.started_on.format("%d.%m.%Y")
            );
            (c.course_id, c.child_name, from)
        })
        .collect();
    let referrals = referrals_waiting(&state, &ctx, t).await?;
    let advice = crate::advice::pages::waiting(&state, &ctx, t).await?;
    let kit_tasks = crate::kit::pages::waiting(&state, &ctx, t).await?;
    let unread = crate::messages::pages::unread(&state, &ctx, t).await?;
    let (medcom_unread, medcom_failed) = crate::medcom::pages::waiting(&state, &ctx).await?;
    let new_requests = if crate::intake::pages::sees_intake(&user) {
        Some(samspor_store::intake::new_self_referral_count(&state.store, &ctx).await?)
    } else {
        None
    };
    let mine: std::collections::HashSet<uuid::Uuid> =
        front.courses.iter().map(|c| c.course_id).collect();
    let measurements_due = if mine.is_empty() {
        Vec::new()
    } else {
        samspor_store::courses::measurements::due_on_courses(
            &state.store,
            state.rules(),
            &ctx,
            today,
            &mine,
        )
        .await?
        .into_iter()
        .map(|m| measurement_due_row(&state, t, m))
        .collect()
    };
    Ok(render(
        StatusCode::OK,
        &HomeTemplate {
            t,
            l: Layout::new(Some(&user), t, "/", "home"),
            alerts,
            therapist,
            my_courses: front
                .courses
                .iter()
                .map(|c| my_course_row(lang, c))
                .collect(),
            today: front.today.iter().map(|b| today_row(lang, b)).collect(),
            follow_ups: front
                .follow_ups
                .iter()
                .map(|f| FollowUpRow {
                    course_id: f.course_id,
                    child_name: f.child_name.clone(),
                    due: f.due_on.format("%d.%m.%Y").to_string(),
                    overdue: f.due_on < today,
                })
                .collect(),
            measurements_due,
            queue_attention: queue.iter().filter(|r| r.flag.is_some()).count(),
            queue,
            shared,
            referrals,
            advice,
            kit_tasks,
            unread,
            medcom_unread,
            medcom_failed,
            new_requests,
            advice_queue: user.user.role == samspor_domain::role::Role::Psychiatry,
            reviews: basis
                .reviews
                .iter()
                .map(|r| {
                    let text = format!(
                        "{}: {} {} {}",
                        r.child_name,
                        r.org_name,
                        t.t("basis.opened"),
                        crate::pages::local_time(r.at, false)
                    );
                    (r.child_id, text)
                })
                .collect(),
            turning_15: basis
                .turning_15
                .iter()
                .map(|c| {
                    let text = format!(
                        "{}: {} {} ({} {})",
                        c.child_name,
                        t.t("basis.turns_15"),
                        c.turns_15.format("%d.%m.%Y"),
                        c.consents,
                        t.t("basis.consents_to_confirm")
                    );
                    (c.child_id, text)
                })
                .collect(),
        },
    ))
}

fn in_lang<'a>(lang: Lang, da: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Da => da,
        Lang::En => en,
    }
}

fn alert_view(lang: Lang, a: samspor_store::questionnaires::AlertLine) -> AlertView {
    AlertView {
        id: a.alert.id,
        child_id: a.alert.child_id,
        child_name: a.child_name,
        message: in_lang(lang, &a.alert.message_da, &a.alert.message_en).to_string(),
        time: local_time(a.alert.created_at, false),
        escalated: a.alert.escalated_at.is_some(),
    }
}

fn my_course_row(
    lang: Lang,
    c: &samspor_store::courses::treatment::model::TherapistCourse,
) -> MyCourseRow {
    MyCourseRow {
        id: c.course_id,
        child_name: c.child_name.clone(),
        track: c.track.map_or("–", |p| p.label(lang)),
        held: c.sessions_held,
        planned: c.sessions_planned,
        next: c.next_number.map(|n| {
            let name = in_lang(
                lang,
                c.next_title_da.as_deref().unwrap_or_default(),
                c.next_title_en.as_deref().unwrap_or_default(),
            );
            match c.next_at {
                Some(at) => format!("{n}. {name} – {}", at.format("%d.%m.%Y %H:%M")),
                None => format!("{n}. {name}"),
            }
        }),
    }
}

fn today_row(lang: Lang, b: &samspor_store::courses::treatment::model::BookedSession) -> TodayRow {
    TodayRow {
        course_id: b.course_id,
        child_name: b.child_name.clone(),
        time: b.planned_at.format("%H:%M").to_string(),
        session: format!("{}. {}", b.number, in_lang(lang, &b.title_da, &b.title_en)),
    }
}

fn measurement_due_row(
    state: &AppState,
    t: Tr,
    m: samspor_store::courses::measurements::DueMeasurement,
) -> MeasurementDueRow {
    use crate::courses::measurements::pages::{instrument_title, point_label, state_label};
    MeasurementDueRow {
        course_id: m.course_id,
        child_name: m.child_name,
        what: format!(
            "{} ({}, {}) – {}",
            instrument_title(state, t.0, &m.instrument_id),
            m.respondent.label(t.0),
            point_label(t, m.point),
            state_label(t, m.status)
        ),
        due: m.since.format("%d.%m.%Y").to_string(),
    }
}

#[derive(serde::Deserialize)]
struct LangQuery {
    to: String,
    back: Option<String>,
}

/// Only paths on this site are followed back to, never another host.
/// A path on this site to go back to, checked after the query was decoded: anything else
/// (another host, a scheme, a backslash, or a control or space character that a browser would
/// drop and so turn `/\t/host` into `//host`) goes to the front page.
pub fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(b)
            if b.starts_with('/')
                && !b.starts_with("//")
                && !b
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            b.to_string()
        }
        _ => "/".to_string(),
    }
}

async fn switch_lang(jar: CookieJar, Query(q): Query<LangQuery>) -> Response {
    let Some(lang) = Lang::parse(&q.to) else {
        return WebError::BadRequest("Unknown language: use da or en.".into()).into_response();
    };
    let cookie = Cookie::build((LANG_COOKIE, lang.as_str()))
        .path("/")
        .same_site(SameSite::Lax)
        .permanent()
        .build();
    (jar.add(cookie), Redirect::to(&safe_back(q.back.as_deref()))).into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
        .into_response()
}

/// Two linked rings: the sectors working together. Public and cached like the stylesheet.
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/favicon.svg"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_shown_in_danish_local_time() {
        use chrono::TimeZone;
        let winter = chrono::Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = chrono::Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(super::local_time(winter, false), "15.01.2026 13:00");
        assert_eq!(super::local_time(summer, true), "15.07.2026 14:00:00");
    }

    #[test]
    fn back_links_stay_on_this_site() {
        assert_eq!(super::safe_back(Some("/children")), "/children");
        assert_eq!(super::safe_back(Some("//evil.example")), "/");
        assert_eq!(super::safe_back(Some("https://evil.example")), "/");
        assert_eq!(super::safe_back(Some("/\\evil")), "/");
        for sneaky in [
            "/\t/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/ /evil.example",
            "/\u{85}/x",
        ] {
            assert_eq!(super::safe_back(Some(sneaky)), "/", "{sneaky:?}");
        }
        assert_eq!(
            super::safe_back(Some("/children?q=a%20b")),
            "/children?q=a%20b"
        );
        assert_eq!(super::safe_back(None), "/");
    }
}

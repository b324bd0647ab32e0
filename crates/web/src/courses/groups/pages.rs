//! Group course pages (`/groups`, `/groups/{id}`) and the learning-environment guidance page
//! of a course (`/courses/{id}/guidance`).
//!
//! The session form has one row per active member (attended, and whether the child took part
//! or only the caregivers); saving it writes a KL Behandling in each attending member's course.
//! Refused forms are shown again with the input kept and each message beside its field.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::courses::pages::{
    Refusal, day, moment, now_input, parse_date, parse_local_datetime, some_text,
};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, render};
use crate::request::CsrfForm;
use crate::request::Id;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::encounter::Participants;
use samspor_domain::course::plan::Plan;
use samspor_domain::course::tracks::find;
use samspor_domain::i18n::Lang;
use samspor_domain::organisation::Programme;
use samspor_domain::validation::{FieldError, FieldErrors};
use samspor_store::courses::groups::{
    self as svc, AttendanceInput, GroupView, NewGroup, NewGuidance, NewSession, is_group_track,
};
use samspor_store::courses::local;
use samspor_store::service::ServiceError;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list).post(create))
        .route("/groups/{id}", get(show))
        .route("/groups/{id}/members", post(add_member))
        .route("/groups/{id}/sessions", post(record_session))
        .route(
            "/courses/{id}/guidance",
            get(guidance_page).post(add_guidance),
        )
}

fn today_input() -> String {
    local(chrono::Utc::now())
        .date()
        .format("%Y-%m-%d")
        .to_string()
}

/// A date field that was filled in but could not be read: its own message, not "required".
fn unreadable_date(errors: &mut FieldErrors, field: &str, typed: &str, read: bool) {
    if !typed.trim().is_empty() && !read {
        errors.0.retain(|e| e.field != field);
        errors.push(FieldError::new(
            field,
            "Give a date, e.g. 20.11.2026.",
            "Angiv en dato, fx 20.11.2026.",
        ));
    }
}

fn track_label(t: Tr, p: Programme) -> &'static str {
    p.label(t.0)
}

fn status_label(t: Tr, s: CourseStatus) -> &'static str {
    match s {
        CourseStatus::Active => t.t("group.status_active"),
        CourseStatus::Completed => t.t("group.status_completed"),
        CourseStatus::EnteredInError => t.t("group.status_error"),
    }
}

/// The values of a line's participants radio buttons.
const PARTICIPANTS_CODES: [&str; 2] = ["child_present", "caregivers_only"];

fn participants_label(t: Tr, p: Participants) -> &'static str {
    match p {
        Participants::ChildPresent => t.t("group.participants_child"),
        Participants::CaregiversOnly => t.t("group.participants_caregivers"),
    }
}

// ---------------------------------------------------------------------------------------
// The group list

struct GroupRow {
    id: Uuid,
    name: String,
    track: &'static str,
    starts_on: String,
    leader: String,
    members: i64,
    sessions: i64,
}

/// The create form as typed.
#[derive(Default)]
struct GroupForm {
    name: String,
    track: String,
    starts_on: String,
    leader_id: String,
}

#[derive(Template)]
#[template(path = "courses/groups/groups.html")]
struct ListTemplate {
    t: Tr,
    l: Layout,
    groups: Vec<GroupRow>,
    /// (id, label) of the tracks run as parent groups.
    tracks: Vec<(&'static str, &'static str)>,
    leaders: Vec<(Uuid, String)>,
    f: GroupForm,
    r: Refusal,
}

impl ListTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.0)
    }
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    f: GroupForm,
    r: Refusal,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let ctx = user.ctx(rid);
    let groups = svc::groups(&state.store, &ctx)
        .await?
        .into_iter()
        .map(|s| GroupRow {
            id: s.group.id,
            name: s.group.name,
            track: track_label(t, s.group.track),
            starts_on: day(s.group.starts_on),
            leader: s.group.leader_name.unwrap_or_default(),
            members: s.members,
            sessions: s.sessions,
        })
        .collect();
    let tracks = state
        .tracks
        .iter()
        .filter(|tr| is_group_track(&state.tracks, tr.id))
        .map(|tr| (tr.id.as_str(), track_label(t, tr.id)))
        .collect();
    let leaders = svc::leaders(&state.store, &ctx).await?;
    Ok(render(
        r.status(),
        &ListTemplate {
            t,
            l: Layout::new(Some(user), t, "/groups", "groups"),
            groups,
            tracks,
            leaders,
            f,
            r,
        },
    ))
}

async fn list(Cx(state, user, lang, rid): Cx) -> Result<Response, WebError> {
    let f = GroupForm {
        starts_on: today_input(),
        leader_id: user.user.id.to_string(),
        ..Default::default()
    };
    list_page(&state, &user, lang, &rid, f, Refusal::default()).await
}

async fn create(
    Cx(state, user, lang, rid): Cx,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let f = GroupForm {
        name: p.get("name"),
        track: p.get("track"),
        starts_on: p.get("starts_on"),
        leader_id: p.get("leader_id"),
    };
    let starts_on = parse_date(&f.starts_on);
    let input = NewGroup {
        name: Some(f.name.clone()),
        track: some_text(&f.track),
        starts_on,
        leader_id: Uuid::parse_str(f.leader_id.trim()).ok(),
    };
    match svc::create_group(&state.store, &user.ctx(&rid), &state.tracks, &input).await {
        Ok(g) => Ok(Redirect::to(&format!("/groups/{}", g.id)).into_response()),
        Err(e) => {
            let mut r = Refusal::from_error(e, lang)?;
            unreadable_date(
                &mut r.errors,
                "starts_on",
                &f.starts_on,
                starts_on.is_some(),
            );
            list_page(&state, &user, lang, &rid, f, r).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// One group

struct MemberRow {
    course_id: Uuid,
    child_name: String,
    status: &'static str,
}

struct EligibleRow {
    course_id: Uuid,
    child_name: String,
}

/// One line of the session form: one active member.
struct AttendRow {
    /// The line's number in the form, so its fields and messages have their own names.
    index: usize,
    course_id: Uuid,
    child_name: String,
    attended: bool,
    participants: String,
}

struct AttendView {
    child_name: String,
    /// Who took part, or "absent".
    what: &'static str,
}

struct SessionRow {
    at: String,
    module: String,
    note: String,
    attended: usize,
    attendance: Vec<AttendView>,
}

/// One attendance line as submitted. The participants choice is kept as sent even on a line
/// whose "attended" box was unticked, so ticking it again after a refusal needs no new choice.
struct TypedRow {
    course_id: Uuid,
    attended: bool,
    participants: String,
}

/// The session form as typed, besides the attendance rows.
#[derive(Default)]
struct SessionForm {
    at: String,
    module: String,
    note: String,
}

#[derive(Template)]
#[template(path = "courses/groups/group.html")]
struct GroupTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    name: String,
    track: &'static str,
    starts_on: String,
    leader: String,
    members: Vec<MemberRow>,
    eligible: Vec<EligibleRow>,
    sessions: Vec<SessionRow>,
    /// (number, title) of the track plan's sessions.
    modules: Vec<(u32, String)>,
    rows: Vec<AttendRow>,
    s: SessionForm,
    /// Refusal of the session form.
    r: Refusal,
    /// Refusal of the add-member form.
    m: Refusal,
}

impl GroupTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.0)
    }

    fn row_err(&self, index: &usize, field: &str) -> Option<&str> {
        self.r
            .err(&format!("attendance[{index}].{field}"), self.t.0)
    }

    fn member_err(&self) -> Option<&str> {
        self.m.err("course_id", self.t.0)
    }
}

#[derive(serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

/// Renders the group page; `rows` are the session form's lines as typed, or `None` for blank.
#[allow(clippy::too_many_arguments)]
async fn group_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    s: SessionForm,
    typed: Option<Vec<TypedRow>>,
    r: Refusal,
    m: Refusal,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let v = svc::group(&state.store, &user.ctx(rid), id).await?;
    let plan = find(&state.tracks, v.group.track).map(|tr| &tr.plan);
    let modules = module_choices(plan, lang);
    let sessions = session_rows(t, &v, &modules);
    let rows = attend_rows(&v, typed.as_deref());
    let status = if !m.errors.is_empty() {
        m.status()
    } else {
        r.status()
    };
    Ok(render(
        status,
        &GroupTemplate {
            t,
            l: Layout::new(Some(user), t, &format!("/groups/{id}"), "groups").with_notice(notice),
            id,
            name: v.group.name.clone(),
            track: track_label(t, v.group.track),
            starts_on: day(v.group.starts_on),
            leader: v.group.leader_name.clone().unwrap_or_default(),
            members: v
                .members
                .iter()
                .map(|m| MemberRow {
                    course_id: m.course_id,
                    child_name: m.child_name.clone(),
                    status: status_label(t, m.course_status),
                })
                .collect(),
            eligible: v
                .eligible
                .iter()
                .map(|e| EligibleRow {
                    course_id: e.course.id,
                    child_name: e.child_name.clone(),
                })
                .collect(),
            sessions,
            modules,
            rows,
            s,
            r,
            m,
        },
    ))
}

/// The track's sessions as (number, "n. title") choices.
fn module_choices(plan: Option<&Plan>, lang: Lang) -> Vec<(u32, String)> {
    plan.map(|p| {
        p.sessions
            .iter()
            .map(|ps| {
                let title = match lang {
                    Lang::Da => &ps.title_da,
                    Lang::En => &ps.title_en,
                };
                (ps.number, format!("{}. {title}", ps.number))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The group's sessions, newest first, each with who attended and how.
fn session_rows(t: Tr, v: &GroupView, modules: &[(u32, String)]) -> Vec<SessionRow> {
    let name_of = |course: Uuid| {
        v.members
            .iter()
            .find(|m| m.course_id == course)
            .map(|m| m.child_name.clone())
            .unwrap_or_default()
    };
    v.sessions
        .iter()
        .rev()
        .map(|sv| SessionRow {
            at: moment(sv.session.at),
            module: sv
                .session
                .module
                .and_then(|n| modules.iter().find(|(m, _)| *m == n))
                .map(|(_, title)| title.clone())
                .unwrap_or_default(),
            note: sv.session.note.clone(),
            attended: sv.attendance.iter().filter(|a| a.attended).count(),
            attendance: sv
                .attendance
                .iter()
                .map(|a| AttendView {
                    child_name: name_of(a.course_id),
                    what: match a.participants.filter(|_| a.attended) {
                        Some(p) => participants_label(t, p),
                        None => t.t("group.absent"),
                    },
                })
                .collect(),
        })
        .collect()
}

/// One attendance line per active member, keeping what was typed into a refused form.
fn attend_rows(v: &GroupView, typed: Option<&[TypedRow]>) -> Vec<AttendRow> {
    // A closed course can take no more sessions, so only active members get a line.
    v.members
        .iter()
        .filter(|m| m.course_status == CourseStatus::Active)
        .enumerate()
        .map(|(index, m)| {
            let typed_row = typed.and_then(|rows| rows.iter().find(|a| a.course_id == m.course_id));
            AttendRow {
                index,
                course_id: m.course_id,
                child_name: m.child_name.clone(),
                attended: typed_row.is_none_or(|a| a.attended),
                participants: match typed_row {
                    Some(a) if PARTICIPANTS_CODES.contains(&a.participants.as_str()) => {
                        a.participants.clone()
                    }
                    // An attending line sent without a choice is shown without one, beside its
                    // message; any other line keeps the default.
                    Some(a) if a.attended => String::new(),
                    _ => "caregivers_only".to_string(),
                },
            }
        })
        .collect()
}

async fn show(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let notice = match q.saved.as_deref() {
        Some("member") => Some(t.t("group.saved_member")),
        Some("session") => Some(t.t("group.saved_session")),
        _ => None,
    };
    let s = SessionForm {
        at: now_input(),
        ..Default::default()
    };
    group_page(
        &state,
        &user,
        lang,
        &rid,
        id,
        s,
        None,
        Refusal::default(),
        Refusal::default(),
        notice,
    )
    .await
}

async fn add_member(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let course_id = Uuid::parse_str(p.get("course_id").trim()).ok();
    match svc::add_member(&state.store, &user.ctx(&rid), id, course_id).await {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{id}?saved=member")).into_response()),
        Err(e) => {
            let m = Refusal::from_error(e, lang)?;
            let s = SessionForm {
                at: now_input(),
                ..Default::default()
            };
            group_page(
                &state,
                &user,
                lang,
                &rid,
                id,
                s,
                None,
                Refusal::default(),
                m,
                None,
            )
            .await
        }
    }
}

async fn record_session(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let s = SessionForm {
        at: p.get("at"),
        module: p.get("module"),
        note: p.get("note"),
    };
    let mut errors = FieldErrors::default();
    let at = parse_local_datetime(&s.at);
    if !s.at.trim().is_empty() && at.is_none() {
        errors.push(FieldError::new(
            "at",
            "Give date and time, e.g. 20.11.2026 17:00.",
            "Angiv dato og klokkeslæt, fx 20.11.2026 17:00.",
        ));
    }
    let module = match s.module.trim() {
        "" => None,
        m => m.parse().ok().or_else(|| {
            errors.push(FieldError::new(
                "module",
                "Unknown session.",
                "Ukendt session.",
            ));
            None
        }),
    };
    // Lines are numbered 0..n in the form; a line names its course in a hidden field.
    let mut attendance = Vec::new();
    let mut typed = Vec::new();
    for index in 0.. {
        let course = p.get(&format!("attendance[{index}].course_id"));
        if course.is_empty() {
            break;
        }
        let Ok(course_id) = Uuid::parse_str(course.trim()) else {
            return Err(WebError::BadRequest(
                "The form names an unknown course.".into(),
            ));
        };
        let attended = p.get(&format!("attendance[{index}].attended")) == "1";
        let chosen = p.get(&format!("attendance[{index}].participants"));
        // The participants choice only means something for a member who came.
        let participants = match chosen.as_str() {
            "child_present" if attended => Some(Participants::ChildPresent),
            "caregivers_only" if attended => Some(Participants::CaregiversOnly),
            _ => None,
        };
        typed.push(TypedRow {
            course_id,
            attended,
            participants: chosen,
        });
        attendance.push(AttendanceInput {
            course_id,
            attended,
            participants,
        });
    }
    let result = if errors.is_empty() {
        svc::record_session(
            &state.store,
            &user.ctx(&rid),
            id,
            &state.tracks,
            &NewSession {
                at,
                module,
                note: some_text(&s.note),
                attendance,
            },
        )
        .await
        .map(|_| ())
    } else {
        Err(ServiceError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{id}?saved=session")).into_response()),
        Err(e) => {
            let r = Refusal::from_error(e, lang)?;
            group_page(
                &state,
                &user,
                lang,
                &rid,
                id,
                s,
                Some(typed),
                r,
                Refusal::default(),
                None,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Learning-environment guidance

struct GuidanceRow {
    held_on: String,
    school: String,
    participants: String,
    topic: String,
    agreed_actions: String,
    by: String,
}

#[derive(Default)]
struct GuidanceForm {
    school_org_id: String,
    school_name: String,
    held_on: String,
    participants: String,
    topic: String,
    agreed_actions: String,
}

#[derive(Template)]
#[template(path = "courses/groups/guidance.html")]
struct GuidanceTemplate {
    t: Tr,
    l: Layout,
    course_id: Uuid,
    child_name: String,
    active: bool,
    sessions: Vec<GuidanceRow>,
    schools: Vec<(Uuid, String)>,
    f: GuidanceForm,
    r: Refusal,
}

impl GuidanceTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.0)
    }
}

#[allow(clippy::too_many_arguments)]
async fn guidance_render(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    course_id: Uuid,
    f: GuidanceForm,
    r: Refusal,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let v = svc::guidance(&state.store, &user.ctx(rid), course_id).await?;
    let school_name = |id: Option<Uuid>, name: &Option<String>| match id {
        Some(id) => v
            .schools
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        None => name.clone().unwrap_or_default(),
    };
    let sessions = v
        .sessions
        .iter()
        .map(|g| GuidanceRow {
            held_on: day(g.held_on),
            school: school_name(g.school_org_id, &g.school_name),
            participants: g.participants.clone(),
            topic: g.topic.clone(),
            agreed_actions: g.agreed_actions.clone(),
            by: g.created_by_name.clone().unwrap_or_default(),
        })
        .collect();
    Ok(render(
        r.status(),
        &GuidanceTemplate {
            t,
            l: Layout::new(
                Some(user),
                t,
                &format!("/courses/{course_id}/guidance"),
                "courses",
            )
            .with_notice(notice),
            course_id,
            child_name: v.child_name.clone(),
            active: v.course.status == CourseStatus::Active,
            sessions,
            schools: v.schools.iter().map(|s| (s.id, s.name.clone())).collect(),
            f,
            r,
        },
    ))
}

async fn guidance_page(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let notice = (q.saved.as_deref() == Some("guidance")).then(|| t.t("guidance.saved"));
    let f = GuidanceForm {
        held_on: today_input(),
        ..Default::default()
    };
    guidance_render(&state, &user, lang, &rid, id, f, Refusal::default(), notice).await
}

async fn add_guidance(
    Cx(state, user, lang, rid): Cx,
    Id(course_id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let f = GuidanceForm {
        school_org_id: p.get("school_org_id"),
        school_name: p.get("school_name"),
        held_on: p.get("held_on"),
        participants: p.get("participants"),
        topic: p.get("topic"),
        agreed_actions: p.get("agreed_actions"),
    };
    let held_on = parse_date(&f.held_on);
    let input = NewGuidance {
        school_org_id: Uuid::parse_str(f.school_org_id.trim()).ok(),
        school_name: some_text(&f.school_name),
        held_on,
        participants: some_text(&f.participants),
        topic: some_text(&f.topic),
        agreed_actions: some_text(&f.agreed_actions),
    };
    match svc::add_guidance(&state.store, &user.ctx(&rid), course_id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/courses/{course_id}/guidance?saved=guidance")).into_response(),
        ),
        Err(e) => {
            let mut r = Refusal::from_error(e, lang)?;
            unreadable_date(&mut r.errors, "held_on", &f.held_on, held_on.is_some());
            guidance_render(&state, &user, lang, &rid, course_id, f, r, None).await
        }
    }
}

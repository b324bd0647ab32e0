//! The visitation decision form, with the decision support beside it.

use super::decision_support::{ChecklistView, IndicatedView, SignView, support_views};
use super::form::{Refusal, some_text};
use crate::pages::Cx;
use crate::request::CsrfForm;
use crate::request::Pairs;

use super::views::outcome_label;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{Layout, render};
use crate::request::Id;
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::kl::ReferralDestination;
use samspor_domain::course::support::CriterionRef;
use samspor_domain::course::visitation::{DecisionInput, Outcome, WayInput};
use samspor_domain::i18n::Lang;
use samspor_domain::organisation::Programme;
use samspor_store::courses::{self as svc, NewDecision};
use uuid::Uuid;

/// The decision form as typed.
#[derive(Default, Clone)]
struct DecisionForm {
    outcome: String,
    track: String,
    way_destination: String,
    way_note: String,
    reason_despite_signs: String,
    ticks: Vec<String>,
    meeting_id: String,
}

impl DecisionForm {
    fn from_pairs(p: &Pairs) -> DecisionForm {
        DecisionForm {
            outcome: p.get("outcome"),
            track: p.get("track"),
            way_destination: p.get("way_destination"),
            way_note: p.get("way_note"),
            reason_despite_signs: p.get("reason_despite_signs"),
            ticks: p.all("tick"),
            meeting_id: p.get("meeting_id"),
        }
    }

    /// Ticked checklist criteria, sent as `track:criterion`; unknown ones are ignored, since
    /// they can only come from a checklist that no longer exists.
    fn ticked(&self) -> Vec<CriterionRef> {
        self.ticks
            .iter()
            .filter_map(|v| {
                let (track, criterion) = v.split_once(':')?;
                Some(CriterionRef {
                    track: Programme::parse(track)?,
                    criterion: criterion.to_string(),
                })
            })
            .collect()
    }

    fn meeting(&self) -> Result<Option<Uuid>, WebError> {
        match self.meeting_id.trim() {
            "" => Ok(None),
            s => Uuid::parse_str(s)
                .map(Some)
                .map_err(|_| WebError::BadRequest("Unknown visitation meeting.".into())),
        }
    }

    fn input(&self) -> DecisionInput {
        DecisionInput {
            outcome: some_text(&self.outcome),
            track: some_text(&self.track),
            way: Some(WayInput {
                destination: some_text(&self.way_destination),
                note: some_text(&self.way_note),
            }),
            reason_despite_signs: some_text(&self.reason_despite_signs),
        }
    }
}

#[derive(Template)]
#[template(path = "courses/visitation_decision.html")]
struct DecisionTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    child_name: String,
    version: i64,
    can_decide: bool,
    f: DecisionForm,
    r: Refusal,
    outcomes: Vec<(&'static str, &'static str)>,
    tracks: Vec<(&'static str, String)>,
    destinations: Vec<(&'static str, &'static str)>,
    signs: Vec<SignView>,
    indicated: Vec<IndicatedView>,
    checklists: Vec<ChecklistView>,
}

impl DecisionTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.0)
    }
    /// The way's own messages: the missing way as a whole, or one of its parts.
    fn way_err(&self) -> Option<&str> {
        self.err("way")
    }
    fn show_reason(&self) -> bool {
        !self.signs.is_empty()
            || self.err("reason_despite_signs").is_some()
            || !self.f.reason_despite_signs.trim().is_empty()
    }
}

/// The decision form as it is to be shown: typed values, refusal, and a notice.
#[derive(Default)]
struct DecisionState {
    f: DecisionForm,
    r: Refusal,
    notice: Option<&'static str>,
}

async fn decision_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    s: DecisionState,
) -> Result<Response, WebError> {
    let DecisionState { f, r, notice } = s;
    let ctx = user.ctx(rid);
    let v = svc::course(&state.store, &ctx, id).await?;
    let support = svc::support(&state.store, &ctx, id, state.rules(), &f.ticked()).await?;
    let t = Tr(lang);
    let (signs, indicated, checklists) = support_views(lang, &support);
    // Only tracks the municipality takes part in can be chosen; the rest stay visible in the
    // support so staff see why a suggested track is not on offer.
    let tracks = support
        .checklists
        .iter()
        .filter(|c| c.offered)
        .map(|c| {
            let fits = if c.age.ok {
                ""
            } else {
                t.t("decision.age_not_ok")
            };
            let label = format!(
                "{} ({}–{} {}){}{}",
                c.track.label(lang),
                c.age.min,
                c.age.max,
                t.t("child.years"),
                if fits.is_empty() { "" } else { " – " },
                fits
            );
            (c.track.as_str(), label)
        })
        .collect();
    let status = r.status();
    Ok(render(
        status,
        &DecisionTemplate {
            t,
            l: Layout::new(
                Some(user),
                t,
                &decision_path(id, &f.meeting_id),
                "visitation",
            )
            .with_notice(notice),
            id,
            child_name: v.child_name,
            version: v.course.version,
            can_decide: v.course.status == CourseStatus::Active && v.course.track.is_none(),
            f,
            r,
            outcomes: Outcome::ALL
                .map(|o| (o.as_str(), outcome_label(t, o)))
                .to_vec(),
            tracks,
            destinations: ReferralDestination::ALL
                .map(|d| (d.as_str(), d.label(lang)))
                .to_vec(),
            signs,
            indicated,
            checklists,
        },
    ))
}

#[derive(serde::Deserialize)]
pub(crate) struct MeetingQuery {
    meeting_id: Option<String>,
}

pub(crate) async fn decision_form(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<MeetingQuery>,
) -> Result<Response, WebError> {
    let f = DecisionForm {
        meeting_id: q
            .meeting_id
            .filter(|m| Uuid::parse_str(m).is_ok())
            .unwrap_or_default(),
        ..Default::default()
    };
    let s = DecisionState {
        f,
        ..Default::default()
    };
    decision_page(&state, &user, lang, &rid, id, s).await
}

pub(crate) async fn decide(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let f = DecisionForm::from_pairs(&p);
    let meeting_id = f.meeting()?;
    // Without JavaScript, re-checking the ticked criteria is a round trip that decides nothing.
    if p.get("action") == "check" {
        let s = DecisionState {
            f,
            r: Refusal::default(),
            notice: Some(Tr(lang).t("decision.rechecked")),
        };
        return decision_page(&state, &user, lang, &rid, id, s).await;
    }
    let new = NewDecision {
        input: f.input(),
        meeting_id,
        expected_version: Some(version),
        ticked: f.ticked(),
    };
    match svc::decide(&state.store, &user.ctx(&rid), id, &new, state.rules()).await {
        Ok(_) => {
            let to = match meeting_id {
                Some(m) => format!("/visitation/{m}?saved=decision"),
                None => format!("/courses/{id}?saved=decision"),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let s = DecisionState {
                f,
                r: Refusal::from_error(e, lang)?,
                notice: None,
            };
            decision_page(&state, &user, lang, &rid, id, s).await
        }
    }
}

/// The page's own address, keeping the meeting it was opened from so that switching
/// language does not lose it. Only a well-formed id is kept: the path is echoed into a link.
fn decision_path(id: Uuid, meeting_id: &str) -> String {
    match Uuid::parse_str(meeting_id.trim()) {
        Ok(m) => format!("/courses/{id}/decision?meeting_id={m}"),
        Err(_) => format!("/courses/{id}/decision"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_name_a_track_and_a_criterion() {
        let f = DecisionForm {
            ticks: vec![
                "worry_sadness:psychosis".into(),
                "nonsense".into(),
                "no_track:x".into(),
            ],
            ..Default::default()
        };
        assert_eq!(
            f.ticked(),
            vec![CriterionRef {
                track: Programme::WorrySadness,
                criterion: "psychosis".into()
            }]
        );
    }
}

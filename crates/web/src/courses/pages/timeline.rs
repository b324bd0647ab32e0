//! The course's history as one list in time order: encounters, decisions and referrals.

use super::encounter::{delivery_label, participants_label};
use super::moment;
use super::views::outcome_label;
use crate::i18n::Tr;
use chrono::NaiveDateTime;
use samspor_domain::course::careplan::CourseStatus;
use samspor_store::EncounterStatus;
use samspor_store::courses::{self as svc, CourseView};

/// One line of the course's timeline.
pub(crate) struct TimelineEntry {
    sort: (NaiveDateTime, u8),
    pub(crate) when: String,
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    pub(crate) details: Vec<String>,
    pub(crate) struck: bool,
    pub(crate) link: Option<(String, &'static str)>,
}

pub(crate) fn timeline(t: Tr, v: &CourseView) -> Vec<TimelineEntry> {
    let lang = t.0;
    let mut out = Vec::new();
    for e in &v.encounters {
        let mut details = Vec::new();
        if let Some(tr) = e.encounter.treatment {
            details.push(format!(
                "{}, {}",
                delivery_label(t, tr.delivery),
                participants_label(t, tr.participants)
            ));
        }
        if let Some(name) = &e.staff_name {
            details.push(format!("{}: {name}", t.t("course.by")));
        }
        let struck = e.status == EncounterStatus::EnteredInError;
        if struck {
            details.push(CourseStatus::EnteredInError.label(lang).to_string());
        }
        out.push(TimelineEntry {
            sort: (e.encounter.at, 0),
            when: moment(e.encounter.at),
            kind: "encounter",
            title: e.encounter.kind.label(lang).to_string(),
            details,
            struck,
            link: None,
        });
    }
    for d in &v.decisions {
        let at = svc::local(d.decided_at);
        let mut details = Vec::new();
        if let Some(track) = d.track {
            details.push(format!("{}: {}", t.t("decision.track"), track.label(lang)));
        }
        if let Some(way) = &d.way {
            details.push(format!(
                "{}: {} – {}",
                t.t("decision.way"),
                way.destination.label(lang),
                way.note
            ));
        }
        if let Some(reason) = &d.reason_despite_signs {
            details.push(format!(
                "{}: {reason}",
                t.t("decision.reason_despite_signs")
            ));
        }
        if let Some(name) = &d.decided_by_name {
            details.push(format!("{}: {name}", t.t("course.by")));
        }
        out.push(TimelineEntry {
            sort: (at, 1),
            when: moment(at),
            kind: "decision",
            title: format!(
                "{}: {}",
                t.t("course.decision"),
                outcome_label(t, d.outcome)
            ),
            details,
            struck: false,
            link: d
                .meeting_id
                .map(|m| (format!("/visitation/{m}"), t.t("visit.meeting"))),
        });
    }
    for r in &v.referrals {
        let at = svc::local(r.at);
        out.push(TimelineEntry {
            sort: (at, 2),
            when: moment(at),
            kind: "referral",
            title: format!(
                "{}: {}",
                t.t("course.kl_referral"),
                r.destination.label(lang)
            ),
            details: vec![r.note.clone()],
            struck: false,
            link: None,
        });
    }
    for p in &v.psychiatry_referrals {
        let at = svc::local(p.created_at);
        let status = match p.status.as_str() {
            "to_be_sent" => t.t("course.psychiatry_to_be_sent"),
            _ => t.t("course.psychiatry_sent"),
        };
        out.push(TimelineEntry {
            sort: (at, 3),
            when: moment(at),
            kind: "psychiatry",
            title: t.t("course.psychiatry_referral").to_string(),
            details: vec![status.to_string()],
            struck: false,
            link: Some(if p.status == "to_be_sent" {
                (
                    format!("/courses/{}/psychiatry-referral", p.course_id),
                    t.t("course.psychiatry_send"),
                )
            } else {
                (
                    "/psychiatry-referrals".to_string(),
                    t.t("course.psychiatry_follow"),
                )
            }),
        });
    }
    out.sort_by_key(|e| e.sort);
    out
}

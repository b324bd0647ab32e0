//! When the measurements of a track plan fall due, worked out from what happened on the course.
//!
//! A course's schedule is never stored as dates: the track decision and the encounters held are
//! the facts, and the due moments follow from them. So a session registered late, or an
//! encounter marked entered-in-error, moves the schedule without anything to keep in step.

use super::plan::{MeasurePoint, Measurement, Plan};
use chrono::NaiveDateTime;

/// What the schedule looks at, in Danish wall-clock time (as encounters are recorded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseFacts {
    /// When the track was decided; nothing is due before that.
    pub track_decided_at: Option<NaiveDateTime>,
    /// The Behandling encounters held, in any order.
    pub treatments: Vec<NaiveDateTime>,
    /// The Afsluttende samtale encounters held, in any order.
    pub closing_talks: Vec<NaiveDateTime>,
}

/// One measurement of the plan with the moment it fell due, if it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled<'a> {
    pub measurement: &'a Measurement,
    pub due_at: Option<NaiveDateTime>,
}

/// When a point of the plan falls due on the course:
/// - start: when the track is decided (before the first treatment session);
/// - session n: when the n-th Behandling has been held;
/// - end: when an Afsluttende samtale is held or the Behandlinger held reach the plan's session
///   count, whichever comes first.
///
/// Never before the track decision: a session registered with an earlier time still makes its
/// measurement due at the decision, so due moments follow the order of the plan.
pub fn due_at(plan: &Plan, point: MeasurePoint, facts: &CourseFacts) -> Option<NaiveDateTime> {
    let decided = facts.track_decided_at?;
    let mut treatments = facts.treatments.clone();
    treatments.sort();
    let nth = |n: usize| n.checked_sub(1).and_then(|i| treatments.get(i)).copied();
    let at = match point {
        MeasurePoint::Start => Some(decided),
        MeasurePoint::Session(n) => nth(n as usize),
        MeasurePoint::End => {
            let all_sessions = nth(plan.sessions.len());
            let talk = facts.closing_talks.iter().min().copied();
            match (all_sessions, talk) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
    };
    at.map(|t| t.max(decided))
}

/// Every measurement of the plan with its due moment, in the plan's order.
pub fn schedule<'a>(plan: &'a Plan, facts: &CourseFacts) -> Vec<Scheduled<'a>> {
    plan.measurements
        .iter()
        .map(|m| Scheduled {
            measurement: m,
            due_at: due_at(plan, m.at, facts),
        })
        .collect()
}

/// How a point is stored and shown in addresses: `start`, `session:N` or `end`.
pub fn point_code(point: MeasurePoint) -> String {
    match point {
        MeasurePoint::Start => "start".into(),
        MeasurePoint::Session(n) => format!("session:{n}"),
        MeasurePoint::End => "end".into(),
    }
}

/// Reads a stored point; anything but `start`, `session:N` (N ≥ 1) or `end` is `None`.
pub fn parse_point(s: &str) -> Option<MeasurePoint> {
    match s {
        "start" => Some(MeasurePoint::Start),
        "end" => Some(MeasurePoint::End),
        _ => {
            let n: u32 = s.strip_prefix("session:")?.parse().ok()?;
            (n >= 1 && !s.contains('+')).then_some(MeasurePoint::Session(n))
        }
    }
}

/// The order of points on a course, for sorting the schedule: start, sessions, end.
pub fn point_rank(point: MeasurePoint) -> u64 {
    match point {
        MeasurePoint::Start => 0,
        MeasurePoint::Session(n) => u64::from(n),
        MeasurePoint::End => u64::from(u32::MAX) + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::plan::{FollowUp, Format, Participants, PlannedSession};
    use crate::instrument::Respondent;
    use chrono::{Duration, NaiveDate};
    use proptest::prelude::*;

    fn plan(sessions: u32) -> Plan {
        let m = |at| Measurement {
            instrument: "smfq-child".into(),
            respondent: Respondent::Child,
            at,
            verified: false,
        };
        Plan {
            format: vec![Format::Individual],
            format_verified: false,
            sessions: (1..=sessions)
                .map(|number| PlannedSession {
                    number,
                    title_da: format!("Session {number}"),
                    title_en: format!("Session {number}"),
                    participants: Participants::Child,
                    verified: false,
                })
                .collect(),
            session_count_verified: false,
            measurements: vec![
                m(MeasurePoint::Start),
                m(MeasurePoint::Session(2)),
                m(MeasurePoint::End),
            ],
            follow_up: FollowUp {
                months_after_end: 3,
                verified: false,
            },
        }
    }

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    #[test]
    fn the_plan_falls_due_as_the_course_goes() {
        let p = plan(3);
        let mut facts = CourseFacts::default();
        assert!(schedule(&p, &facts).iter().all(|s| s.due_at.is_none()));
        facts.track_decided_at = Some(at(2, 10));
        let due = |f: &CourseFacts| schedule(&p, f).iter().map(|s| s.due_at).collect::<Vec<_>>();
        assert_eq!(due(&facts), vec![Some(at(2, 10)), None, None]);
        facts.treatments = vec![at(9, 10), at(5, 10)];
        // The second session held is the later one, whatever order they were registered in.
        assert_eq!(due(&facts), vec![Some(at(2, 10)), Some(at(9, 10)), None]);
        facts.treatments.push(at(12, 10));
        assert_eq!(
            due(&facts)[2],
            Some(at(12, 10)),
            "all planned sessions held"
        );
        facts.treatments.pop();
        facts.closing_talks = vec![at(11, 9)];
        assert_eq!(
            due(&facts)[2],
            Some(at(11, 9)),
            "the closing talk ends it early"
        );
    }

    #[test]
    fn points_are_stored_as_text_and_read_back() {
        for p in [
            MeasurePoint::Start,
            MeasurePoint::Session(1),
            MeasurePoint::Session(12),
            MeasurePoint::End,
        ] {
            assert_eq!(parse_point(&point_code(p)), Some(p));
        }
        for bad in [
            "",
            "session:",
            "session:0",
            "session:+1",
            "session:x",
            "Start",
        ] {
            assert_eq!(parse_point(bad), None, "{bad}");
        }
    }

    fn facts() -> impl Strategy<Value = CourseFacts> {
        let time = (0i64..60 * 24).prop_map(|h| at(1, 0) + Duration::hours(h));
        (
            proptest::option::of(time.clone()),
            proptest::collection::vec(time.clone(), 0..10),
            proptest::collection::vec(time, 0..3),
        )
            .prop_map(|(d, t, c)| CourseFacts {
                track_decided_at: d,
                treatments: t,
                closing_talks: c,
            })
    }

    proptest! {
        #[test]
        fn due_moments_follow_the_plan(sessions in 1u32..8, f in facts()) {
            let p = plan(sessions);
            let start = due_at(&p, MeasurePoint::Start, &f);
            // Nothing is due before the track is decided, and then the start is.
            prop_assert_eq!(start, f.track_decided_at);
            let Some(start) = start else {
                for n in 1..=sessions {
                    prop_assert!(due_at(&p, MeasurePoint::Session(n), &f).is_none());
                }
                prop_assert!(due_at(&p, MeasurePoint::End, &f).is_none());
                return Ok(());
            };
            let mut last = start;
            for n in 1..=sessions {
                let due = due_at(&p, MeasurePoint::Session(n), &f);
                // Session n is due exactly when n sessions have been held ...
                prop_assert_eq!(due.is_some(), f.treatments.len() >= n as usize);
                // ... and never before an earlier point.
                if let Some(d) = due {
                    prop_assert!(d >= last);
                    last = d;
                }
            }
            let end = due_at(&p, MeasurePoint::End, &f);
            prop_assert_eq!(
                end.is_some(),
                f.treatments.len() >= sessions as usize || !f.closing_talks.is_empty()
            );
            if let Some(end) = end {
                prop_assert!(end >= start);
                // Once all planned sessions are held, the end is due no later than the last.
                if let Some(all) = due_at(&p, MeasurePoint::Session(sessions), &f) {
                    prop_assert!(end <= all);
                }
            }
        }
    }
}

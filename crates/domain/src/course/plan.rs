//! The treatment plan of a STIME track as data: the `plan` object of `tracks/*.json`.
//!
//! Format, planned sessions with module titles, the measurement schedule and the follow-up
//! talk. DOMAIN.md §1.4 says session counts are manual-specific configuration and §2.3 that
//! STIME's instruments are not confirmed, so most of this is provisional and every part says
//! whether it has been verified.

use super::tracks::{Reader, Track, TrackError};
use crate::instrument::{Catalogue, Respondent};
use serde::Serialize;
use serde_json::Value;

/// How a track is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Individual,
    Family,
    ParentGroup,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Individual, Format::Family, Format::ParentGroup];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Individual => "individual",
            Format::Family => "family",
            Format::ParentGroup => "parent_group",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Who takes part in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Participants {
    Child,
    Parents,
    ChildAndParents,
}

impl Participants {
    pub const ALL: [Participants; 3] = [
        Participants::Child,
        Participants::Parents,
        Participants::ChildAndParents,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Participants::Child => "child",
            Participants::Parents => "parents",
            Participants::ChildAndParents => "child_and_parents",
        }
    }

    pub fn parse(s: &str) -> Option<Participants> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether the parents take part (a parent session or a joint one).
    pub fn includes_parents(self) -> bool {
        self != Participants::Child
    }
}

/// One planned session (module) of the manual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedSession {
    /// 1-based; the sessions of a plan are numbered 1..n in order.
    pub number: u32,
    pub title_da: String,
    pub title_en: String,
    pub participants: Participants,
    pub verified: bool,
}

/// When a questionnaire is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasurePoint {
    /// Before the first session.
    Start,
    /// At the planned session with this number.
    Session(u32),
    /// At or after the last session.
    End,
}

/// One entry of the measurement schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measurement {
    /// Instrument id as in `instruments/*.json`.
    pub instrument: String,
    pub respondent: Respondent,
    pub at: MeasurePoint,
    pub verified: bool,
}

/// The follow-up talk after the course (DOMAIN.md §1.4: 4.4 ongoing follow-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub months_after_end: u32,
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// One or more formats, without repeats.
    pub format: Vec<Format>,
    pub format_verified: bool,
    pub sessions: Vec<PlannedSession>,
    /// Whether the number of sessions is confirmed (titles have their own flag).
    pub session_count_verified: bool,
    pub measurements: Vec<Measurement>,
    pub follow_up: FollowUp,
}

impl Plan {
    /// The sessions the parents take part in.
    pub fn parent_sessions(&self) -> impl Iterator<Item = &PlannedSession> {
        self.sessions
            .iter()
            .filter(|s| s.participants.includes_parents())
    }

    /// The questionnaires due at a point of the course.
    pub fn due_at(&self, at: MeasurePoint) -> impl Iterator<Item = &Measurement> {
        self.measurements.iter().filter(move |m| m.at == at)
    }
}

/// Longest follow-up interval accepted; beyond it the talk is not a follow-up of the course.
pub const MAX_FOLLOW_UP_MONTHS: u32 = 24;

fn code<T>(
    r: &Reader<'_>,
    field: &str,
    value: &Value,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<T, TrackError> {
    match value.as_str() {
        Some(s) => parse(s).ok_or_else(|| {
            r.err(
                field,
                format!("unknown code {s:?}; expected one of {expected}"),
            )
        }),
        None => Err(r.err(field, format!("must be one of {expected}"))),
    }
}

fn formats(r: &Reader<'_>) -> Result<Vec<Format>, TrackError> {
    const EXPECTED: &str = "individual, family, parent_group";
    let value = r.get("format")?;
    let mut out = Vec::new();
    match value {
        Value::Array(list) => {
            if list.is_empty() {
                return Err(r.err("format", "must name at least one format"));
            }
            for (i, v) in list.iter().enumerate() {
                let field = format!("format[{i}]");
                let f = code(r, &field, v, Format::parse, EXPECTED)?;
                if out.contains(&f) {
                    return Err(r.err(&field, format!("{:?} given twice", f.as_str())));
                }
                out.push(f);
            }
        }
        v => out.push(code(r, "format", v, Format::parse, EXPECTED)?),
    }
    Ok(out)
}

fn sessions(r: &Reader<'_>) -> Result<Vec<PlannedSession>, TrackError> {
    let list = r.array("sessions")?;
    if list.is_empty() {
        return Err(r.err("sessions", "must list at least one session"));
    }
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let s = r.element("sessions", i, v)?;
        s.only(&["number", "title_da", "title_en", "participants", "verified"])?;
        let number = s.uint("number")?;
        let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if number != expected {
            return Err(s.err(
                "number",
                format!(
                    "sessions must be numbered 1..n in order; expected {expected}, found {number}"
                ),
            ));
        }
        out.push(PlannedSession {
            number,
            title_da: s.text("title_da")?,
            title_en: s.text("title_en")?,
            participants: code(
                &s,
                "participants",
                s.get("participants")?,
                Participants::parse,
                "child, parents, child_and_parents",
            )?,
            verified: s.bool("verified")?,
        });
    }
    Ok(out)
}

fn measure_point(r: &Reader<'_>, sessions: usize) -> Result<MeasurePoint, TrackError> {
    let value = r.get("at_session")?;
    let at = match value {
        Value::String(s) if s == "start" => MeasurePoint::Start,
        Value::String(s) if s == "end" => MeasurePoint::End,
        v => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => MeasurePoint::Session(n),
            None => {
                return Err(r.err(
                    "at_session",
                    "must be a session number, \"start\" or \"end\"",
                ));
            }
        },
    };
    if let MeasurePoint::Session(n) = at
        && (n == 0 || n as usize > sessions)
    {
        return Err(r.err(
            "at_session",
            format!("no session {n}; the plan has sessions 1 to {sessions}"),
        ));
    }
    Ok(at)
}

fn measurements(r: &Reader<'_>, sessions: usize) -> Result<Vec<Measurement>, TrackError> {
    let mut out: Vec<Measurement> = Vec::new();
    for (i, v) in r.array("measurements")?.iter().enumerate() {
        let m = r.element("measurements", i, v)?;
        m.only(&["instrument", "respondent", "at_session", "verified"])?;
        let instrument = m.text("instrument")?;
        let respondent = code(
            &m,
            "respondent",
            m.get("respondent")?,
            Respondent::parse,
            "parent, child, teacher",
        )?;
        let at = measure_point(&m, sessions)?;
        if out.iter().any(|o| o.instrument == instrument && o.at == at) {
            return Err(m.err(
                "at_session",
                format!("{instrument:?} is already scheduled there"),
            ));
        }
        out.push(Measurement {
            instrument,
            respondent,
            at,
            verified: m.bool("verified")?,
        });
    }
    Ok(out)
}

/// Parses the `plan` object of a track file (`r` reads the whole file).
pub(super) fn parse_plan(track: &Reader<'_>) -> Result<Plan, TrackError> {
    let r = track.child("plan")?;
    r.only(&[
        "format",
        "format_verified",
        "sessions",
        "session_count_verified",
        "measurements",
        "follow_up",
    ])?;
    let format = formats(&r)?;
    let sessions = sessions(&r)?;
    let measurements = measurements(&r, sessions.len())?;
    let f = r.child("follow_up")?;
    f.only(&["months_after_end", "verified"])?;
    let months_after_end = f.uint("months_after_end")?;
    if !(1..=MAX_FOLLOW_UP_MONTHS).contains(&months_after_end) {
        return Err(f.err(
            "months_after_end",
            format!("must be 1 to {MAX_FOLLOW_UP_MONTHS}"),
        ));
    }
    Ok(Plan {
        format,
        format_verified: r.bool("format_verified")?,
        sessions,
        session_count_verified: r.bool("session_count_verified")?,
        measurements,
        follow_up: FollowUp {
            months_after_end,
            verified: f.bool("verified")?,
        },
    })
}

/// Checks every scheduled measurement against the instruments: the instrument exists, is
/// filled in by the respondent the schedule names, fits some of the track's ages, and a
/// follow-up version is not given before the course has started. Like `check_indications`,
/// this catches track and instrument files drifting apart.
pub fn check_plans(tracks: &[Track], catalogue: &Catalogue) -> Result<(), TrackError> {
    for t in tracks {
        for (i, m) in t.plan.measurements.iter().enumerate() {
            let err = |field: &str, message: String| TrackError {
                file: format!("{}.json", t.id.as_str()),
                field: format!("plan.measurements[{i}].{field}"),
                message,
            };
            let Some(instrument) = catalogue.get(&m.instrument) else {
                return Err(err(
                    "instrument",
                    format!("unknown instrument {:?}", m.instrument),
                ));
            };
            if instrument.respondent() != m.respondent {
                return Err(err(
                    "respondent",
                    format!(
                        "{:?} is filled in by {}, not {}",
                        m.instrument,
                        instrument.respondent().as_str(),
                        m.respondent.as_str()
                    ),
                ));
            }
            let (min, max) = instrument.age_range();
            if min > t.ages.max || max < t.ages.min {
                return Err(err(
                    "instrument",
                    format!(
                        "{:?} is for ages {min}-{max}, outside the track's {}-{}",
                        m.instrument, t.ages.min, t.ages.max
                    ),
                ));
            }
            if instrument.is_follow_up() && m.at == MeasurePoint::Start {
                return Err(err(
                    "at_session",
                    format!("{:?} is a follow-up version; not at start", m.instrument),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::tracks::{SHIPPED, find, parse_track, shipped};
    use crate::organisation::Programme;
    use proptest::prelude::*;

    fn file(i: usize) -> (&'static str, Value) {
        (SHIPPED[i].0, serde_json::from_str(SHIPPED[i].1).unwrap())
    }

    fn field_of(name: &str, v: &Value) -> (String, String) {
        let e = parse_track(name, &v.to_string()).unwrap_err();
        (e.file, e.field)
    }

    #[test]
    fn shipped_plans_parse_and_pass_the_check() {
        let tracks = shipped().unwrap();
        let catalogue = Catalogue::shipped();
        check_plans(&tracks, &catalogue).unwrap();
        for t in &tracks {
            let p = &t.plan;
            assert!(!p.sessions.is_empty(), "{}", t.id.as_str());
            assert!(!p.measurements.is_empty(), "{}", t.id.as_str());
            // STIME's instruments are not confirmed (DOMAIN.md §2.3).
            assert!(p.measurements.iter().all(|m| !m.verified));
            assert!(p.due_at(MeasurePoint::Start).next().is_some());
            assert!(p.due_at(MeasurePoint::End).next().is_some());
            assert_eq!(p.follow_up.months_after_end, 3);
            for (i, s) in p.sessions.iter().enumerate() {
                assert_eq!(s.number as usize, i + 1);
            }
            for m in &p.measurements {
                let i = catalogue.get(&m.instrument).unwrap();
                assert_eq!(i.respondent(), m.respondent);
            }
        }
        let body = &find(&tracks, Programme::BodyFood).unwrap().plan;
        assert_eq!(body.sessions.len(), 6);
        assert!(body.session_count_verified);
        assert_eq!(body.format, vec![Format::Family]);
        let restless = &find(&tracks, Programme::Restlessness).unwrap().plan;
        assert_eq!(restless.format, vec![Format::ParentGroup]);
        assert!(restless.format_verified && !restless.session_count_verified);
        assert_eq!(
            restless.parent_sessions().count(),
            restless.sessions.len(),
            "a parent group course has only parent sessions"
        );
        let worry = &find(&tracks, Programme::WorrySadness).unwrap().plan;
        assert_eq!(worry.format, vec![Format::Individual, Format::Family]);
        let ocd = &find(&tracks, Programme::RepeatedThoughts).unwrap().plan;
        assert!(!ocd.format_verified && !ocd.session_count_verified);
        assert!(ocd.sessions.iter().all(|s| !s.verified));
    }

    #[test]
    fn broken_plans_are_refused_naming_file_and_field() {
        let (name, base) = file(1);
        assert_eq!(name, "worry_sadness.json");
        type Edit = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(&str, Edit, &str)> = vec![
            (
                "missing plan",
                Box::new(|v| {
                    v.as_object_mut().unwrap().remove("plan");
                }),
                "plan",
            ),
            (
                "unknown key",
                Box::new(|v| v["plan"]["sesions"] = 1.into()),
                "plan.sesions",
            ),
            (
                "format code",
                Box::new(|v| v["plan"]["format"] = "group".into()),
                "plan.format",
            ),
            (
                "format list",
                Box::new(|v| v["plan"]["format"][1] = "individual".into()),
                "plan.format[1]",
            ),
            (
                "empty format",
                Box::new(|v| v["plan"]["format"] = serde_json::json!([])),
                "plan.format",
            ),
            (
                "no sessions",
                Box::new(|v| v["plan"]["sessions"] = serde_json::json!([])),
                "plan.sessions",
            ),
            (
                "numbering",
                Box::new(|v| v["plan"]["sessions"][2]["number"] = 4.into()),
                "plan.sessions[2].number",
            ),
            (
                "order",
                Box::new(|v| {
                    let s = v["plan"]["sessions"].as_array_mut().unwrap();
                    s.swap(0, 1);
                }),
                "plan.sessions[0].number",
            ),
            (
                "participants",
                Box::new(|v| v["plan"]["sessions"][1]["participants"] = "family".into()),
                "plan.sessions[1].participants",
            ),
            (
                "blank title",
                Box::new(|v| v["plan"]["sessions"][0]["title_en"] = " ".into()),
                "plan.sessions[0].title_en",
            ),
            (
                "respondent",
                Box::new(|v| v["plan"]["measurements"][0]["respondent"] = "mother".into()),
                "plan.measurements[0].respondent",
            ),
            (
                "at_session 0",
                Box::new(|v| v["plan"]["measurements"][0]["at_session"] = 0.into()),
                "plan.measurements[0].at_session",
            ),
            (
                "at_session beyond",
                Box::new(|v| v["plan"]["measurements"][0]["at_session"] = 99.into()),
                "plan.measurements[0].at_session",
            ),
            (
                "at_session word",
                Box::new(|v| v["plan"]["measurements"][0]["at_session"] = "middle".into()),
                "plan.measurements[0].at_session",
            ),
            (
                "twice",
                Box::new(|v| {
                    let first = v["plan"]["measurements"][0].clone();
                    v["plan"]["measurements"]
                        .as_array_mut()
                        .unwrap()
                        .push(first);
                }),
                "plan.measurements[6].at_session",
            ),
            (
                "verified",
                Box::new(|v| {
                    v["plan"]["measurements"][1]
                        .as_object_mut()
                        .unwrap()
                        .remove("verified");
                }),
                "plan.measurements[1].verified",
            ),
            (
                "follow-up 0",
                Box::new(|v| v["plan"]["follow_up"]["months_after_end"] = 0.into()),
                "plan.follow_up.months_after_end",
            ),
            (
                "follow-up missing",
                Box::new(|v| {
                    v["plan"].as_object_mut().unwrap().remove("follow_up");
                }),
                "plan.follow_up",
            ),
        ];
        for (what, change, field) in cases {
            let mut v = base.clone();
            change(&mut v);
            assert_eq!(
                field_of(name, &v),
                (name.to_string(), field.to_string()),
                "{what}"
            );
        }
    }

    #[test]
    fn check_refuses_unknown_instrument_wrong_respondent_and_ages() {
        let catalogue = Catalogue::shipped();
        let run = |edit: &dyn Fn(&mut Plan)| {
            let mut t = shipped().unwrap();
            let worry = t
                .iter_mut()
                .find(|t| t.id == Programme::WorrySadness)
                .unwrap();
            edit(&mut worry.plan);
            check_plans(&t, &catalogue).unwrap_err()
        };
        let e = run(&|p| p.measurements[1].instrument = "x".into());
        assert_eq!(e.file, "worry_sadness.json");
        assert_eq!(e.field, "plan.measurements[1].instrument");
        assert_eq!(
            e.to_string(),
            "worry_sadness.json: plan.measurements[1].instrument: unknown instrument \"x\""
        );
        let e = run(&|p| p.measurements[0].respondent = Respondent::Teacher);
        assert_eq!(e.field, "plan.measurements[0].respondent");
        let e = run(&|p| {
            p.measurements[0].instrument = "sdq-parent-4-17-followup".into();
            p.measurements[0].at = MeasurePoint::Start;
        });
        assert_eq!(e.field, "plan.measurements[0].at_session");

        // Ages: PHQ-A (11-17) does not fit the restlessness track (3-10).
        let mut t = shipped().unwrap();
        let restless = t
            .iter_mut()
            .find(|t| t.id == Programme::Restlessness)
            .unwrap();
        restless.plan.measurements[0].instrument = "phq-a".into();
        restless.plan.measurements[0].respondent = Respondent::Child;
        let e = check_plans(&t, &catalogue).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.field.as_str()),
            ("restlessness.json", "plan.measurements[0].instrument")
        );
    }

    proptest! {
        /// Any list of session numbers other than 1..n is refused at the first wrong one.
        #[test]
        fn session_numbers_must_be_one_to_n(numbers in proptest::collection::vec(0u32..8, 1..7)) {
            let (name, mut v) = file(2);
            let sessions: Vec<Value> = numbers
                .iter()
                .map(|n| serde_json::json!({
                    "number": n, "title_da": "x", "title_en": "x",
                    "participants": "child_and_parents", "verified": false
                }))
                .collect();
            v["plan"]["sessions"] = Value::Array(sessions);
            v["plan"]["measurements"] = serde_json::json!([]);
            let first_wrong = numbers.iter().enumerate().position(|(i, n)| *n as usize != i + 1);
            let result = parse_track(name, &v.to_string());
            match first_wrong {
                None => prop_assert_eq!(result.unwrap().plan.sessions.len(), numbers.len()),
                Some(i) => {
                    let e = result.unwrap_err();
                    prop_assert_eq!(e.field, format!("plan.sessions[{i}].number"));
                }
            }
        }

        /// Format and participants codes: exactly the known ones parse.
        #[test]
        fn codes_parse_only_when_known(s in "[a-z_]{0,20}") {
            prop_assert_eq!(Format::parse(&s).is_some(), ["individual", "family", "parent_group"].contains(&s.as_str()));
            prop_assert_eq!(Participants::parse(&s).is_some(), ["child", "parents", "child_and_parents"].contains(&s.as_str()));
        }

        /// `at_session` accepts exactly 1..=n, "start" and "end".
        #[test]
        fn at_session_range(n in 0u64..20) {
            let (name, mut v) = file(2);
            v["plan"]["measurements"][0]["at_session"] = n.into();
            let count = v["plan"]["sessions"].as_array().unwrap().len() as u64;
            let ok = parse_track(name, &v.to_string()).is_ok();
            prop_assert_eq!(ok, (1..=count).contains(&n));
        }
    }
}

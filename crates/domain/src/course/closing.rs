//! Treatment and closing rules of a course in a STIME track: who took part in a session, why a
//! course was closed, that no planned session is left open at closing, and when the follow-up
//! talk is due.

use super::encounter::Participants;
use crate::geo::MunicipalityCode;
use crate::i18n::Lang;
use crate::validation::{FieldError, FieldErrors, optional_text, required_text};
use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

/// Longest free text of a session, closing or follow-up field.
pub const MAX_TEXT: usize = 10_000;

/// Why a course in a track was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosingReason {
    Completed,
    DroppedOut,
    Moved,
    ReferredOn,
    Other,
}

impl ClosingReason {
    pub const ALL: [ClosingReason; 5] = [
        ClosingReason::Completed,
        ClosingReason::DroppedOut,
        ClosingReason::Moved,
        ClosingReason::ReferredOn,
        ClosingReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClosingReason::Completed => "completed",
            ClosingReason::DroppedOut => "dropped_out",
            ClosingReason::Moved => "moved",
            ClosingReason::ReferredOn => "referred_on",
            ClosingReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ClosingReason> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ClosingReason::Completed, Lang::Da) => "Gennemført",
            (ClosingReason::Completed, Lang::En) => "Completed",
            (ClosingReason::DroppedOut, Lang::Da) => "Udeblevet / afbrudt",
            (ClosingReason::DroppedOut, Lang::En) => "Dropped out",
            (ClosingReason::Moved, Lang::Da) => "Fraflyttet",
            (ClosingReason::Moved, Lang::En) => "Moved away",
            (ClosingReason::ReferredOn, Lang::Da) => "Henvist videre",
            (ClosingReason::ReferredOn, Lang::En) => "Referred on",
            (ClosingReason::Other, Lang::Da) => "Andet",
            (ClosingReason::Other, Lang::En) => "Other",
        }
    }
}

/// Who took part in a treatment session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendee {
    Child,
    Mother,
    Father,
    OtherCaregiver,
}

impl Attendee {
    pub const ALL: [Attendee; 4] = [
        Attendee::Child,
        Attendee::Mother,
        Attendee::Father,
        Attendee::OtherCaregiver,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Attendee::Child => "child",
            Attendee::Mother => "mother",
            Attendee::Father => "father",
            Attendee::OtherCaregiver => "other_caregiver",
        }
    }

    pub fn parse(s: &str) -> Option<Attendee> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Attendee::Child, Lang::Da) => "Barnet",
            (Attendee::Child, Lang::En) => "The child",
            (Attendee::Mother, Lang::Da) => "Mor",
            (Attendee::Mother, Lang::En) => "Mother",
            (Attendee::Father, Lang::Da) => "Far",
            (Attendee::Father, Lang::En) => "Father",
            (Attendee::OtherCaregiver, Lang::Da) => "Anden omsorgsperson",
            (Attendee::OtherCaregiver, Lang::En) => "Other caregiver",
        }
    }
}

/// The attendance of a session as a set: at least one person, each once, in a fixed order.
pub fn parse_attendance(values: &[String]) -> Result<Vec<Attendee>, FieldError> {
    let mut out = Vec::new();
    for v in values.iter().filter(|v| !v.trim().is_empty()) {
        match Attendee::parse(v) {
            Some(a) => out.push(a),
            None => {
                return Err(FieldError::new(
                    "attendance",
                    "Unknown participant; use child, mother, father or other_caregiver.",
                    "Ukendt deltager; vælg barnet, mor, far eller anden omsorgsperson.",
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(FieldError::new(
            "attendance",
            "Tick who took part in the session.",
            "Sæt flueben ved, hvem der deltog i sessionen.",
        ));
    }
    Ok(out)
}

/// The KL participants of a Behandling must agree with who was there: "child present" needs the
/// child among them, "caregivers only" a caregiver and not the child.
pub fn check_attendance(participants: Participants, attendance: &[Attendee]) -> Option<FieldError> {
    let child = attendance.contains(&Attendee::Child);
    let caregiver = attendance.iter().any(|a| *a != Attendee::Child);
    match participants {
        Participants::ChildPresent if !child => Some(FieldError::new(
            "attendance",
            "The child took part (child present), so tick the child among those present.",
            "Barnet deltog (barn til stede), så sæt flueben ved barnet blandt deltagerne.",
        )),
        Participants::CaregiversOnly if child || !caregiver => Some(FieldError::new(
            "attendance",
            "Only caregivers took part, so tick them and not the child.",
            "Kun omsorgspersoner deltog, så sæt flueben ved dem og ikke ved barnet.",
        )),
        _ => None,
    }
}

/// The attendance as stored: comma-separated codes.
pub fn attendance_codes(attendance: &[Attendee]) -> String {
    attendance
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads stored attendance back; `None` if a code is unknown.
pub fn attendance_from_codes(codes: &str) -> Option<Vec<Attendee>> {
    codes.split(',').map(Attendee::parse).collect()
}

/// A closing as submitted: reason, a note (required for "other"), the short outcome summary
/// the GP message carries, and for a family that moved, the municipality it moved to.
#[derive(Debug, Clone, Default)]
pub struct ClosingInput {
    pub reason: Option<String>,
    pub note: Option<String>,
    pub summary: Option<String>,
    pub moved_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closing {
    pub reason: ClosingReason,
    pub note: Option<String>,
    pub summary: Option<String>,
    /// The new municipality of a family that moved: the course ends here with the KL referral
    /// "§126a-tilbud i anden kommune", and the new municipality opens its own course.
    pub moved_to: Option<MunicipalityCode>,
}

/// A planned session still open when the course is to be closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSession {
    pub number: u32,
    pub title_da: String,
    pub title_en: String,
}

/// Checks a closing. Every planned session still open must have been cancelled with a reason
/// first; the error names them, so staff know which to cancel.
pub fn validate_closing(
    input: &ClosingInput,
    open: &[OpenSession],
) -> Result<Closing, FieldErrors> {
    let mut errors = FieldErrors::default();
    let reason = match input.reason.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::new(
                "closing_reason",
                "Choose why the course is closed.",
                "Vælg, hvorfor forløbet afsluttes.",
            ));
            None
        }
        Some(r) => ClosingReason::parse(r).or_else(|| {
            errors.push(FieldError::new(
                "closing_reason",
                "Unknown reason; use completed, dropped_out, moved, referred_on or other.",
                "Ukendt årsag; vælg gennemført, udeblevet, fraflyttet, henvist videre eller andet.",
            ));
            None
        }),
    };
    let note = if reason == Some(ClosingReason::Other) {
        Some(required_text(
            &mut errors,
            "closing_note",
            input.note.as_deref(),
            MAX_TEXT,
        ))
    } else {
        optional_text(&mut errors, "closing_note", input.note.as_deref(), MAX_TEXT)
    };
    let summary = optional_text(&mut errors, "summary", input.summary.as_deref(), MAX_TEXT);
    let moved_to = moved_to(&mut errors, reason, input.moved_to.as_deref());
    if let Some(e) = open_sessions_error(open) {
        errors.push(e);
    }
    match reason {
        Some(reason) if errors.is_empty() => Ok(Closing {
            reason,
            note,
            summary,
            moved_to,
        }),
        _ => Err(errors),
    }
}

/// The new municipality: required when the family moved, and only then.
fn moved_to(
    errors: &mut FieldErrors,
    reason: Option<ClosingReason>,
    input: Option<&str>,
) -> Option<MunicipalityCode> {
    let input = input.map(str::trim).filter(|s| !s.is_empty());
    match (reason, input) {
        (Some(ClosingReason::Moved), None) => {
            errors.push(FieldError::new(
                "moved_to",
                "Choose the municipality the family moved to.",
                "Vælg den kommune, familien er flyttet til.",
            ));
            None
        }
        (Some(ClosingReason::Moved), Some(code)) => MunicipalityCode::parse(code)
            .map_err(|e| errors.push(e.to_field_error("moved_to")))
            .ok(),
        (_, Some(_)) => {
            errors.push(FieldError::new(
                "moved_to",
                "A new municipality is given only when the family moved; choose \"moved\" or leave it empty.",
                "Ny kommune angives kun, når familien er flyttet; vælg \"fraflyttet\" eller lad feltet stå tomt.",
            ));
            None
        }
        (_, None) => None,
    }
}

/// A family that moved cannot move to the municipality that runs the course.
pub fn moved_within(moved_to: MunicipalityCode, home: Option<&str>) -> Option<FieldError> {
    (home == Some(moved_to.as_str())).then(|| {
        FieldError::new(
            "moved_to",
            "That is this course's own municipality; choose the municipality the family moved to.",
            "Det er forløbets egen kommune; vælg den kommune, familien er flyttet til.",
        )
    })
}

/// The refusal of a closing while planned sessions remain, naming each of them.
pub fn open_sessions_error(open: &[OpenSession]) -> Option<FieldError> {
    if open.is_empty() {
        return None;
    }
    let list = |da: bool| {
        open.iter()
            .map(|s| {
                let title = if da { &s.title_da } else { &s.title_en };
                format!("{} ({title})", s.number)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(FieldError::new(
        "planned_sessions",
        format!(
            "Cancel the remaining planned sessions with a reason before closing: session {}.",
            list(false)
        ),
        format!(
            "Aflys de resterende planlagte sessioner med en begrundelse, før forløbet afsluttes: session {}.",
            list(true)
        ),
    ))
}

/// The day the follow-up talk is due: `months` calendar months after the end. A day that does
/// not exist in the target month becomes that month's last day (31 May + 3 months = 31 August,
/// 30 November + 3 months = 28 or 29 February).
pub fn follow_up_due(end: NaiveDate, months: u32) -> NaiveDate {
    end.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// How many days ahead a follow-up talk shows on the therapist's front page.
pub const FOLLOW_UP_NOTICE_DAYS: u64 = 7;

/// Whether a follow-up talk not yet held belongs on the front page today.
pub fn follow_up_shown(due: NaiveDate, today: NaiveDate) -> bool {
    today
        .checked_add_days(Days::new(FOLLOW_UP_NOTICE_DAYS))
        .is_none_or(|limit| due <= limit)
}

/// A required reason (cancelling a session, marking an encounter entered in error).
pub fn reason(field: &str, value: Option<&str>) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let text = required_text(&mut errors, field, value, MAX_TEXT);
    errors.into_result(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn open(n: u32) -> OpenSession {
        OpenSession {
            number: n,
            title_da: format!("Modul {n}"),
            title_en: format!("Module {n}"),
        }
    }

    #[test]
    fn follow_up_is_three_months_later_even_across_month_ends() {
        assert_eq!(follow_up_due(d("2026-03-15"), 3), d("2026-06-15"));
        assert_eq!(follow_up_due(d("2026-05-31"), 3), d("2026-08-31"));
        assert_eq!(follow_up_due(d("2026-11-30"), 3), d("2027-02-28"));
        assert_eq!(follow_up_due(d("2027-11-30"), 3), d("2028-02-29"));
        assert_eq!(follow_up_due(d("2026-12-31"), 3), d("2027-03-31"));
        assert_eq!(follow_up_due(d("2026-01-31"), 1), d("2026-02-28"));
    }

    #[test]
    fn follow_up_shows_from_a_week_before() {
        let today = d("2026-11-29");
        assert!(follow_up_shown(d("2026-12-06"), today));
        assert!(!follow_up_shown(d("2026-12-07"), today));
        assert!(follow_up_shown(d("2026-10-01"), today));
    }

    #[test]
    fn closing_needs_a_reason_and_no_open_sessions() {
        let err = validate_closing(&ClosingInput::default(), &[open(3), open(4)]).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["closing_reason", "planned_sessions"]);
        let e = err.get("planned_sessions").unwrap();
        assert!(e.message_da.contains("3 (Modul 3), 4 (Modul 4)"), "{e:?}");
        assert!(e.message_en.contains("3 (Module 3)"), "{e:?}");

        let other = ClosingInput {
            reason: Some("other".into()),
            ..Default::default()
        };
        assert_eq!(
            validate_closing(&other, &[]).unwrap_err().0[0].field,
            "closing_note"
        );
        let ok = validate_closing(
            &ClosingInput {
                reason: Some("moved".into()),
                note: Some("  ".into()),
                summary: Some(" Bedre søvn ".into()),
                moved_to: Some(" 0147 ".into()),
            },
            &[],
        )
        .unwrap();
        assert_eq!(ok.reason, ClosingReason::Moved);
        assert_eq!(ok.moved_to.map(|m| m.name()), Some("Frederiksberg"));
        assert!(moved_within(ok.moved_to.unwrap(), Some("0147")).is_some());
        assert!(moved_within(ok.moved_to.unwrap(), Some("0101")).is_none());
        assert_eq!(ok.note, None);
        assert_eq!(ok.summary.as_deref(), Some("Bedre søvn"));
        assert!(
            validate_closing(
                &ClosingInput {
                    reason: Some("finished".into()),
                    ..Default::default()
                },
                &[]
            )
            .is_err()
        );
    }

    #[test]
    fn a_move_names_the_new_municipality_and_only_a_move_does() {
        let input = |reason: &str, moved_to: Option<&str>| ClosingInput {
            reason: Some(reason.into()),
            moved_to: moved_to.map(Into::into),
            ..Default::default()
        };
        let field = |i: &ClosingInput| validate_closing(i, &[]).unwrap_err().0[0].field.clone();
        assert_eq!(field(&input("moved", None)), "moved_to");
        assert_eq!(field(&input("moved", Some(" "))), "moved_to");
        assert_eq!(field(&input("moved", Some("9999"))), "moved_to");
        assert_eq!(field(&input("completed", Some("0147"))), "moved_to");
        assert_eq!(
            validate_closing(&input("completed", Some(" ")), &[])
                .unwrap()
                .moved_to,
            None
        );
    }

    #[test]
    fn attendance_agrees_with_the_kl_participants() {
        use Attendee::*;
        assert!(check_attendance(Participants::ChildPresent, &[Child, Mother]).is_none());
        assert!(check_attendance(Participants::ChildPresent, &[Mother]).is_some());
        assert!(check_attendance(Participants::CaregiversOnly, &[Mother, Father]).is_none());
        assert!(check_attendance(Participants::CaregiversOnly, &[Child, Mother]).is_some());
        assert!(check_attendance(Participants::CaregiversOnly, &[Child]).is_some());
    }

    #[test]
    fn attendance_is_a_non_empty_set() {
        let got = parse_attendance(&["father".into(), "child".into(), "father".into()]).unwrap();
        assert_eq!(got, [Attendee::Child, Attendee::Father]);
        assert_eq!(attendance_codes(&got), "child,father");
        assert!(parse_attendance(&[]).is_err());
        assert!(parse_attendance(&["  ".into()]).is_err());
        assert!(parse_attendance(&["uncle".into()]).is_err());
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (2000i32..2100, 1u32..=12, 1u32..=31).prop_map(|(y, m, day)| {
            NaiveDate::from_ymd_opt(y, m, day)
                .or_else(|| NaiveDate::from_ymd_opt(y, m, 28))
                .unwrap()
        })
    }

    proptest! {
        #[test]
        fn follow_up_lands_in_the_right_month_never_past_the_day(
            end in any_date(), months in 0u32..=24
        ) {
            use chrono::Datelike;
            let due = follow_up_due(end, months);
            prop_assert!(due >= end);
            let month_index = |x: NaiveDate| x.year() * 12 + x.month0() as i32;
            prop_assert_eq!(month_index(due) - month_index(end), months as i32);
            prop_assert!(due.day() <= end.day());
            // Only a day missing from the target month moves, and then to that month's end.
            if due.day() < end.day() {
                prop_assert_eq!(due.succ_opt().unwrap().day(), 1);
            }
        }

        #[test]
        fn closing_is_refused_exactly_when_sessions_remain(
            n in 0u32..6, reason in prop::sample::select(ClosingReason::ALL.to_vec())
        ) {
            let remaining: Vec<_> = (1..=n).map(open).collect();
            let input = ClosingInput {
                reason: Some(reason.as_str().into()),
                note: Some("Noten".into()),
                summary: None,
                moved_to: (reason == ClosingReason::Moved).then(|| "0147".into()),
            };
            let r = validate_closing(&input, &remaining);
            prop_assert_eq!(r.is_ok(), n == 0);
            if let Err(e) = r {
                prop_assert!(e.get("planned_sessions").is_some());
                for s in &remaining {
                    let named = format!("{} (Modul {})", s.number, s.number);
                    prop_assert!(e.get("planned_sessions").unwrap().message_da.contains(&named));
                }
            }
        }

        #[test]
        fn attendance_round_trips_through_its_codes(
            picks in prop::collection::vec(prop::sample::select(Attendee::ALL.to_vec()), 1..8)
        ) {
            let values: Vec<String> = picks.iter().map(|a| a.as_str().to_string()).collect();
            let set = parse_attendance(&values).unwrap();
            prop_assert!(set.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(attendance_from_codes(&attendance_codes(&set)), Some(set));
        }
    }
}

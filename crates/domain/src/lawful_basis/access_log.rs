//! The access log as the family sees it (GDPR art. 15; CJEU C-579/21): when, which
//! organisation and role, what kind of data, for what purpose and on which basis. Staff names
//! stay out unless a data-protection decision has been recorded, and what is withheld from the
//! family (a notification, an emergency access under review) stays out until its day has passed.

use crate::audit::{AuditAction, AuditEntry};
use crate::lawful_basis::family::{AGE_OF_HEALTH_CONSENT, Family, Person};
use crate::lawful_basis::kinds::{DataCategory, Ground};
use crate::role::Role;
use crate::validation::{FieldError, FieldErrors, optional_text};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const DECISION_MAX: usize = 500;

/// What the door adds to an entry of another organisation's access: the categories read and
/// the basis, as `categories=scores,journal basis=consent:<id> (sundhedsloven § 41, stk. 1)`.
/// The basis comes last because its provision holds spaces.
pub fn access_note(categories: &[DataCategory], basis: &str) -> String {
    let list: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
    format!("categories={} {basis}", list.join(","))
}

/// The basis an entry names, read back from its detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LoggedBasis {
    /// The organisation's own case: no disclosure took place.
    OwnCase,
    Consent {
        provision: String,
    },
    Statutory {
        ground: Ground,
        provision: String,
    },
    Emergency {
        provision: String,
    },
}

/// The categories and basis written into an entry's detail by the door, if any.
pub fn read_note(detail: &str) -> (Vec<DataCategory>, Option<LoggedBasis>) {
    let categories = detail
        .split_whitespace()
        .find_map(|w| w.strip_prefix("categories="))
        .map(|list| list.split(',').filter_map(DataCategory::parse).collect())
        .unwrap_or_default();
    let basis = detail.find("basis=").and_then(|at| {
        let rest = &detail[at + "basis=".len()..];
        let (kind, rest) = rest.split_once(':')?;
        let provision = rest
            .split_once('(')
            .and_then(|(_, p)| p.rsplit_once(')'))
            .map(|(p, _)| p.to_string())
            .unwrap_or_default();
        match kind {
            "consent" => Some(LoggedBasis::Consent { provision }),
            "emergency" => Some(LoggedBasis::Emergency { provision }),
            other => {
                Ground::parse(other).map(|ground| LoggedBasis::Statutory { ground, provision })
            }
        }
    });
    (categories, basis)
}

/// The kind of data an entry of the owner's own work concerns, from what it names.
pub fn category_of(object_type: &str) -> DataCategory {
    match object_type {
        "invitation" | "response" | "responses" | "course_measurements" | "measurement_list" => {
            DataCategory::Scores
        }
        "journal" | "session_details" | "group_session" | "medcom_message" => DataCategory::Journal,
        "plan" | "track_plan" | "kit_plan" | "kit_meeting" | "kit_task" => DataCategory::Plan,
        _ => DataCategory::ContactAndCourse,
    }
}

/// Who asks for an extract, and whether staff names go in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtractRequest {
    pub requested_by: Person,
    /// The recorded data-protection decision that lets staff names into the extract.
    pub staff_names_decision: Option<String>,
}

/// An extract request as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExtractInput {
    /// `child`, or the id of a guardian on the record.
    pub requested_by: Option<String>,
    pub staff_names_decision: Option<String>,
}

impl ExtractInput {
    /// A custody holder may ask, and so may the young person from 15; a parent without custody
    /// has a right to orientation only (forældreansvarsloven § 23).
    pub fn parse(&self, family: &Family, day: NaiveDate) -> Result<ExtractRequest, FieldErrors> {
        let mut errors = FieldErrors::default();
        let requested_by = match self.requested_by.as_deref().and_then(Person::parse) {
            None => {
                errors.push(FieldError::new(
                    "requested_by",
                    "Choose who asks for the extract.",
                    "Vælg hvem der beder om udskriften.",
                ));
                None
            }
            Some(Person::Child) if family.age_on(day) < AGE_OF_HEALTH_CONSENT => {
                errors.push(FieldError::new(
                    "requested_by",
                    "Under 15 a custody holder asks for the child.",
                    "Under 15 år beder en indehaver af forældremyndigheden om udskriften for barnet.",
                ));
                None
            }
            Some(p @ Person::Guardian { .. }) if !family.has_custody(p) => {
                errors.push(FieldError::new(
                    "requested_by",
                    "A parent without custody has a right to orientation only (forældreansvarsloven § 23), not to the access log.",
                    "En forælder uden forældremyndighed har kun ret til orientering (forældreansvarsloven § 23), ikke til adgangsloggen.",
                ));
                None
            }
            Some(p) => Some(p),
        };
        let staff_names_decision = optional_text(
            &mut errors,
            "staff_names_decision",
            self.staff_names_decision.as_deref(),
            DECISION_MAX,
        );
        match requested_by {
            Some(requested_by) if errors.is_empty() => Ok(ExtractRequest {
                requested_by,
                staff_names_decision,
            }),
            _ => Err(errors),
        }
    }
}

/// One line of the family's extract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtractLine {
    pub at: DateTime<Utc>,
    pub organisation: Option<String>,
    /// `None` for the system's own work (a scheduled sending, a delivery to KL).
    pub role: Option<Role>,
    /// Only with a recorded data-protection decision.
    pub staff_name: Option<String>,
    pub action: AuditAction,
    pub data: Vec<DataCategory>,
    pub purpose: String,
    pub basis: LoggedBasis,
}

/// Who made an entry, as far as the extract names them.
pub struct EntryAuthor<'a> {
    pub organisation: Option<&'a str>,
    pub role: Option<Role>,
    pub name: Option<&'a str>,
}

/// An entry as the family reads it. Entries of another organisation without a recorded basis
/// (its own writes, such as a share it was given) name the organisation's own case.
pub fn extract_line(entry: &AuditEntry, author: EntryAuthor<'_>, staff_names: bool) -> ExtractLine {
    let (mut data, basis) = read_note(&entry.event.detail);
    if data.is_empty() {
        data.push(category_of(&entry.event.object_type));
    }
    ExtractLine {
        at: entry.at,
        organisation: author.organisation.map(str::to_string),
        role: author.role,
        staff_name: author.name.filter(|_| staff_names).map(str::to_string),
        action: entry.event.action,
        data,
        purpose: entry.event.purpose.clone(),
        basis: basis.unwrap_or(LoggedBasis::OwnCase),
    }
}

/// Records kept from the family until a day, with the objects their entries name.
#[derive(Debug, Clone, Default)]
pub struct Withheld(pub Vec<(Uuid, NaiveDate)>);

impl Withheld {
    /// Whether `entry` is about something the family may not see yet on `day`: the record
    /// itself, or a read whose basis names it (an emergency access).
    pub fn hides(&self, entry: &AuditEntry, day: NaiveDate) -> bool {
        self.0.iter().any(|(id, until)| {
            day <= *until
                && (entry.event.object_id == Some(*id)
                    || entry.event.detail.contains(&id.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditEvent;
    use crate::lawful_basis::decision::Basis;
    use crate::lawful_basis::family::tests::{d, family};
    use proptest::prelude::*;

    fn entry(object_type: &str, object_id: Option<Uuid>, detail: &str) -> AuditEntry {
        AuditEntry {
            chain: 1,
            seq: 1,
            at: d(2026, 12, 1).and_hms_opt(10, 0, 0).unwrap().and_utc(),
            event: AuditEvent {
                user_id: Some(Uuid::from_u128(1)),
                org_id: Some(Uuid::from_u128(2)),
                action: AuditAction::Read,
                object_type: object_type.into(),
                object_id,
                child_id: Some(Uuid::from_u128(3)),
                purpose: "treatment".into(),
                request_id: "r".into(),
                detail: detail.into(),
            },
            payload_digest: None,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn input(by: &str) -> ExtractInput {
        ExtractInput {
            requested_by: Some(by.into()),
            staff_names_decision: None,
        }
    }

    #[test]
    fn the_note_the_door_writes_reads_back() {
        let id = Uuid::from_u128(9);
        let bases = [
            Basis::Consent {
                id,
                provision: "sundhedsloven § 41, stk. 1".into(),
            },
            Basis::Statutory {
                id,
                ground: Ground::CurrentTreatment,
                provision: "sundhedsloven § 41, stk. 2, nr. 1".into(),
            },
            Basis::Emergency {
                id,
                provision: "sundhedsloven § 43, stk. 2, nr. 2".into(),
            },
        ];
        for basis in bases {
            let note = access_note(
                &[DataCategory::Scores, DataCategory::Journal],
                &basis.log_text(),
            );
            let (categories, read) = read_note(&format!("fields=x {note}"));
            assert_eq!(categories, [DataCategory::Scores, DataCategory::Journal]);
            let provision = basis.provision().to_string();
            let expected = match basis {
                Basis::Consent { .. } => LoggedBasis::Consent { provision },
                Basis::Statutory { ground, .. } => LoggedBasis::Statutory { ground, provision },
                Basis::Emergency { .. } => LoggedBasis::Emergency { provision },
            };
            assert_eq!(read, Some(expected));
        }
        assert_eq!(read_note("fields=given_name"), (vec![], None));
    }

    #[test]
    fn an_entry_without_a_basis_is_the_owners_own_case_and_names_no_staff_by_default() {
        let e = entry("invitation", None, "");
        let author = || EntryAuthor {
            organisation: Some("København"),
            role: Some(Role::Therapist),
            name: Some("Sara Holm"),
        };
        let line = extract_line(&e, author(), false);
        assert_eq!(line.basis, LoggedBasis::OwnCase);
        assert_eq!(line.data, [DataCategory::Scores]);
        assert_eq!(line.staff_name, None);
        assert_eq!(
            extract_line(&e, author(), true).staff_name.as_deref(),
            Some("Sara Holm")
        );
    }

    #[test]
    fn custody_holders_and_the_young_person_from_15_may_ask_a_parent_without_custody_may_not() {
        let day = d(2026, 12, 1);
        let young = family(d(2010, 6, 1), &[true, false]);
        let with = Uuid::from_u128(100).to_string();
        let without = Uuid::from_u128(101).to_string();
        assert!(input(&with).parse(&young, day).is_ok());
        assert_eq!(
            input("child").parse(&young, day).unwrap().requested_by,
            Person::Child
        );
        let refused = input(&without).parse(&young, day).unwrap_err();
        assert!(
            refused
                .get("requested_by")
                .unwrap()
                .message_da
                .contains("§ 23")
        );
        let child = family(d(2016, 6, 1), &[true]);
        assert!(input("child").parse(&child, day).is_err());
        assert!(
            input(&Uuid::from_u128(555).to_string())
                .parse(&child, day)
                .is_err()
        );
        assert!(input("").parse(&child, day).is_err());
    }

    #[test]
    fn a_staff_names_decision_is_kept_trimmed_and_bounded() {
        let f = family(d(2016, 6, 1), &[true]);
        let mut i = input(&Uuid::from_u128(100).to_string());
        i.staff_names_decision = Some("  DPO-afgørelse j.nr. 2026-14  ".into());
        let r = i.parse(&f, d(2026, 12, 1)).unwrap();
        assert_eq!(
            r.staff_names_decision.as_deref(),
            Some("DPO-afgørelse j.nr. 2026-14")
        );
        i.staff_names_decision = Some("x".repeat(DECISION_MAX + 1));
        assert!(i.parse(&f, d(2026, 12, 1)).is_err());
    }

    proptest! {
        /// Something withheld until a day is hidden on every day up to it and shown after.
        #[test]
        fn withheld_entries_stay_hidden_until_their_day(until in 0i64..400, offset in -400i64..400) {
            let base = d(2026, 1, 1);
            let until = base + chrono::Duration::days(until);
            let day = until + chrono::Duration::days(offset);
            let id = Uuid::from_u128(7);
            let w = Withheld(vec![(id, until)]);
            prop_assert_eq!(w.hides(&entry("notification", Some(id), ""), day), day <= until);
            prop_assert!(!w.hides(&entry("notification", Some(Uuid::from_u128(8)), ""), day));
            let read = entry("course", None, &format!("basis=emergency:{id} (§ 43)"));
            prop_assert_eq!(w.hides(&read, day), day <= until);
        }

        /// The young person may ask exactly from the day they turn 15.
        #[test]
        fn the_young_person_asks_from_the_15th_birthday(days in 0i64..(18 * 366)) {
            let f = family(d(2010, 2, 28), &[true]);
            let day = d(2010, 2, 28) + chrono::Duration::days(days);
            prop_assert_eq!(input("child").parse(&f, day).is_ok(), day >= f.turns_15());
        }
    }
}

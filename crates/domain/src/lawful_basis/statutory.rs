//! Disclosure without consent: a statutory basis decided by staff, the family's objection to it,
//! a clinician's emergency access, and the notification ("underretning") to the
//! children-and-family authority.

use super::consent::Recipient;
use super::family::{Family, Person};
use super::kinds::{DataCategory, Ground, RecipientKind};
use super::rules::Rules;
use crate::validation::{FieldError, FieldErrors, optional_day, optional_text, required_text};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const TEXT_MAX: usize = 500;

/// A use of a statutory basis: the provision, why, who decided, what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatutoryBasis {
    pub id: Uuid,
    pub ground: Ground,
    pub recipients: Vec<Recipient>,
    pub categories: Vec<DataCategory>,
    pub reason: String,
    pub decided_by: Uuid,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Ended early (the treatment course closed, or staff ended it).
    pub ended_at: Option<DateTime<Utc>>,
}

impl StatutoryBasis {
    pub fn in_force(&self, day: NaiveDate, now: DateTime<Utc>) -> bool {
        day >= self.from
            && self.to.is_none_or(|to| day <= to)
            && self.ended_at.is_none_or(|e| e > now)
    }

    pub fn covers(&self, org_id: Uuid, category: DataCategory) -> bool {
        self.recipients.iter().any(|r| r.org_id == org_id) && self.categories.contains(&category)
    }
}

/// A statutory basis as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatutoryInput {
    pub ground: Option<String>,
    pub recipients: Vec<Recipient>,
    pub categories: Vec<String>,
    pub reason: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl StatutoryInput {
    pub fn parse(
        &self,
        rules: &Rules,
        decided_by: Uuid,
        today: NaiveDate,
    ) -> Result<StatutoryBasis, FieldErrors> {
        let mut errors = FieldErrors::default();
        let ground = match self.ground.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::required("ground"));
                None
            }
            Some(s) => {
                let g = Ground::parse(s);
                if g.is_none() {
                    errors.push(FieldError::new(
                        "ground",
                        "Unknown ground.",
                        "Ukendt hjemmel.",
                    ));
                }
                g
            }
        };
        if self.recipients.is_empty() {
            errors.push(FieldError::new(
                "recipients",
                "Choose at least one organisation.",
                "Vælg mindst én organisation.",
            ));
        }
        if let Some(g) = ground {
            for r in &self.recipients {
                if rules.statutory(r.kind, g).is_none() {
                    errors.push(no_such_ground(g, r.kind));
                }
            }
        }
        let mut categories = Vec::new();
        for text in &self.categories {
            match DataCategory::parse(text) {
                Some(c) if self.recipients.iter().all(|r| rules.shareable(r.kind, c)) => {
                    if !categories.contains(&c) {
                        categories.push(c);
                    }
                }
                _ => errors.push(FieldError::new(
                    "categories",
                    "This kind of data cannot be shared with that recipient.",
                    "Den slags oplysninger kan ikke deles med den modtager.",
                )),
            }
        }
        if self.categories.is_empty() {
            errors.push(FieldError::new(
                "categories",
                "Choose what may be shared.",
                "Vælg hvilke oplysninger der må deles.",
            ));
        }
        let reason = required_text(&mut errors, "reason", self.reason.as_deref(), TEXT_MAX);
        let from = optional_day(&mut errors, "from", self.from.as_deref()).unwrap_or(today);
        let to = optional_day(&mut errors, "to", self.to.as_deref());
        if to.is_some_and(|to| to < from) {
            errors.push(FieldError::new(
                "to",
                "The last day is before the first.",
                "Slutdatoen ligger før startdatoen.",
            ));
        }
        categories.sort();
        errors.into_result(StatutoryBasis {
            id: Uuid::nil(),
            ground: ground.unwrap_or(Ground::CurrentTreatment),
            recipients: self.recipients.clone(),
            categories,
            reason,
            decided_by,
            from,
            to,
            ended_at: None,
        })
    }
}

fn no_such_ground(g: Ground, kind: RecipientKind) -> FieldError {
    use crate::i18n::Lang;
    FieldError::new(
        "ground",
        format!(
            "\"{}\" is no ground for disclosure to {}.",
            g.label(Lang::En),
            kind.label(Lang::En).to_lowercase()
        ),
        format!(
            "\"{}\" er ikke hjemmel til videregivelse til {}.",
            g.label(Lang::Da),
            kind.label(Lang::Da).to_lowercase()
        ),
    )
}

/// The child's or family's objection ("frabedelse") to disclosure without consent, entered in the
/// journal (sundhedsloven § 41, stk. 3; § 42 a, stk. 5). It overrides a ground that allows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: Uuid,
    pub by: Person,
    /// The kinds of recipient it concerns; empty: every kind.
    pub recipients: Vec<RecipientKind>,
    pub note: String,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl Objection {
    /// Whether it stops disclosure to `kind` at `now`. An objection by someone who may no longer
    /// object for the child (a parent once the child is 15) still stands until withdrawn: the
    /// young person can withdraw it, and silence must not reopen the data.
    pub fn stops(&self, kind: RecipientKind, now: DateTime<Utc>) -> bool {
        self.recorded_at <= now
            && self.withdrawn_at.is_none_or(|w| w > now)
            && (self.recipients.is_empty() || self.recipients.contains(&kind))
    }

    pub fn check_objector(family: &Family, by: Person, day: NaiveDate) -> Result<(), FieldError> {
        if family.may_object(by, day) {
            return Ok(());
        }
        Err(FieldError::new(
            "by",
            "From 15 the young person objects themself; before that a custody holder does.",
            "Fra 15 år frabeder den unge sig selv; før det gør en indehaver af forældremyndigheden.",
        ))
    }
}

/// A clinician's opening of a record their organisation has no basis for, because of acute risk
/// (sundhedsloven § 41, stk. 2, nr. 4 / § 43, stk. 2, nr. 2). The owning organisation is told at
/// once, the access is reviewed afterwards and the family informed (§ 43, stk. 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyAccess {
    pub id: Uuid,
    pub org_id: Uuid,
    pub kind: RecipientKind,
    pub user_id: Uuid,
    pub reason: String,
    pub at: DateTime<Utc>,
}

impl EmergencyAccess {
    pub fn open_at(&self, rules: &Rules, now: DateTime<Utc>) -> bool {
        let hours = i64::from(rules.emergency_access_hours.value);
        self.at <= now
            && now < self.at + Duration::hours(hours)
            && rules.statutory(self.kind, Ground::VitalInterests).is_some()
    }
}

/// The review of an emergency access by the organisation that owns the record: what it found,
/// and whether telling the family (§ 43, stk. 4) waits, until when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyReview {
    pub reviewed_by: Uuid,
    pub reviewed_at: DateTime<Utc>,
    pub note: String,
    pub withheld: Option<(NaiveDate, String)>,
}

/// A review as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewInput {
    pub note: Option<String>,
    pub withheld_until: Option<String>,
    pub withheld_reason: Option<String>,
}

impl ReviewInput {
    pub fn parse(&self, by: Uuid, now: DateTime<Utc>) -> Result<EmergencyReview, FieldErrors> {
        let mut errors = FieldErrors::default();
        let note = required_text(&mut errors, "note", self.note.as_deref(), TEXT_MAX);
        let withheld = withholding(
            &mut errors,
            self.withheld_until.as_deref(),
            self.withheld_reason.as_deref(),
        );
        errors.into_result(EmergencyReview {
            reviewed_by: by,
            reviewed_at: now,
            note,
            withheld,
        })
    }
}

/// Keeping something from the family until a day, for a reason: both or neither
/// (`withheld_until`, `withheld_reason`).
pub fn withholding(
    errors: &mut FieldErrors,
    until: Option<&str>,
    reason: Option<&str>,
) -> Option<(NaiveDate, String)> {
    let until = optional_day(errors, "withheld_until", until);
    let reason = optional_text(errors, "withheld_reason", reason, TEXT_MAX);
    if until.is_some() != reason.is_some() {
        errors.push(FieldError::new(
            "withheld_reason",
            "To keep this from the family, give both the day and the reason.",
            "For at holde det skjult for familien skal både dato og begrundelse udfyldes.",
        ));
    }
    until.zip(reason)
}

/// A notification to the children-and-family authority (barnets lov §§ 132–135). It is a
/// disclosure the law demands, not a basis for sharing with child psychiatry, a GP or a school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Uuid,
    pub made_by: Uuid,
    pub made_on: NaiveDate,
    pub summary: String,
    /// Kept from the family's view until this day, and why, so that a suspected abuser is not
    /// warned.
    pub withheld: Option<(NaiveDate, String)>,
}

impl Notification {
    pub fn visible_to_family(&self, day: NaiveDate) -> bool {
        self.withheld.as_ref().is_none_or(|(until, _)| day > *until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lawful_basis::family::tests::{d, family};

    fn t(day: NaiveDate, h: u32) -> DateTime<Utc> {
        day.and_hms_opt(h, 0, 0).unwrap().and_utc()
    }

    #[test]
    fn a_notification_can_be_withheld_from_the_family_until_a_day() {
        let mut n = Notification {
            id: Uuid::nil(),
            made_by: Uuid::nil(),
            made_on: d(2026, 11, 1),
            summary: "x".into(),
            withheld: Some((d(2026, 12, 31), "risiko".into())),
        };
        assert!(!n.visible_to_family(d(2026, 12, 31)));
        assert!(n.visible_to_family(d(2027, 1, 1)));
        n.withheld = None;
        assert!(n.visible_to_family(d(2026, 11, 1)));
    }

    #[test]
    fn emergency_access_closes_after_the_rules_hours() {
        let rules = Rules::shipped();
        let hours = i64::from(rules.emergency_access_hours.value);
        let e = EmergencyAccess {
            id: Uuid::nil(),
            org_id: Uuid::from_u128(5),
            kind: RecipientKind::ChildPsychiatry,
            user_id: Uuid::nil(),
            reason: "akut selvmordsrisiko".into(),
            at: t(d(2026, 12, 5), 10),
        };
        assert!(!e.open_at(rules, t(d(2026, 12, 5), 9)));
        assert!(e.open_at(rules, t(d(2026, 12, 5), 10)));
        assert!(!e.open_at(rules, e.at + Duration::hours(hours)));
    }

    #[test]
    fn a_ground_is_refused_for_a_recipient_the_law_does_not_name() {
        let rules = Rules::shipped();
        let input = StatutoryInput {
            ground: Some("current_treatment".into()),
            recipients: vec![Recipient {
                org_id: Uuid::from_u128(9),
                kind: RecipientKind::SchoolPpr,
            }],
            categories: vec!["scores".into()],
            reason: Some("skolen".into()),
            from: Some("2026-12-05".into()),
            to: Some("2026-12-01".into()),
        };
        let e = input.parse(rules, Uuid::nil(), d(2026, 12, 5)).unwrap_err();
        assert!(e.get("ground").is_some());
        assert!(e.get("to").is_some());
        let ok = StatutoryInput {
            ground: Some("current_treatment".into()),
            recipients: vec![Recipient {
                org_id: Uuid::from_u128(9),
                kind: RecipientKind::ChildPsychiatry,
            }],
            categories: vec!["scores".into(), "journal".into()],
            reason: Some("henvist til udredning".into()),
            from: None,
            to: None,
        };
        let b = ok.parse(rules, Uuid::nil(), d(2026, 12, 5)).unwrap();
        assert_eq!(b.from, d(2026, 12, 5));
        assert!(b.in_force(d(2027, 6, 1), t(d(2027, 6, 1), 8)));
    }

    #[test]
    fn a_parent_without_custody_cannot_object() {
        let f = family(d(2016, 3, 3), &[true, false]);
        let day = d(2026, 12, 5);
        assert!(
            Objection::check_objector(
                &f,
                Person::Guardian {
                    id: f.guardians[0].id
                },
                day
            )
            .is_ok()
        );
        assert!(
            Objection::check_objector(
                &f,
                Person::Guardian {
                    id: f.guardians[1].id
                },
                day
            )
            .is_err()
        );
    }
}

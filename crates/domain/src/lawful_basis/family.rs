//! Who decides for a child: from 15 the young person (sundhedsloven § 17), under 15 the custody
//! holders (forældreansvarsloven § 2; both where the rules say so, § 3). A parent without custody
//! has a right to orientation only (§ 23): no consent, no objection, no log extract.

use crate::cpr::Cpr;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// From this age a young person consents and objects themself (sundhedsloven § 17).
pub const AGE_OF_HEALTH_CONSENT: u32 = 15;

/// Someone who gives or withdraws a consent, or objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Person {
    /// The child or young person.
    Child,
    /// One of the adults on the child's record.
    Guardian { id: Uuid },
}

impl Person {
    /// The form value: `child`, or the guardian's id.
    pub fn parse(s: &str) -> Option<Person> {
        let s = s.trim();
        if s == "child" {
            return Some(Person::Child);
        }
        Uuid::parse_str(s).ok().map(|id| Person::Guardian { id })
    }

    pub fn code(&self) -> String {
        match self {
            Person::Child => "child".into(),
            Person::Guardian { id } => id.to_string(),
        }
    }
}

/// An adult on the child's record, as far as deciding goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardianFact {
    pub id: Uuid,
    pub name: String,
    /// Holds custody ("forældremyndighed").
    pub custody: bool,
}

/// The facts that decide who may consent for a child on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub cpr: Cpr,
    pub guardians: Vec<GuardianFact>,
}

impl Family {
    /// Age in completed years on `day`, from the CPR number.
    pub fn age_on(&self, day: NaiveDate) -> u32 {
        self.cpr.age_on(day)
    }

    /// Whether the young person decides themself on `day`.
    pub fn child_decides(&self, day: NaiveDate) -> bool {
        self.age_on(day) >= AGE_OF_HEALTH_CONSENT
    }

    /// The day the child turns 15, as [`Cpr::age_on`] counts it (a 29 February birthday
    /// falls on 1 March in other years).
    pub fn turns_15(&self) -> NaiveDate {
        let birth = self.cpr.birth_date();
        let day = birth
            .checked_add_months(chrono::Months::new(12 * AGE_OF_HEALTH_CONSENT))
            .unwrap_or(birth);
        if self.child_decides(day) {
            day
        } else {
            day.succ_opt().unwrap_or(day)
        }
    }

    pub fn guardian(&self, id: Uuid) -> Option<&GuardianFact> {
        self.guardians.iter().find(|g| g.id == id)
    }

    pub fn custody_holders(&self) -> impl Iterator<Item = &GuardianFact> {
        self.guardians.iter().filter(|g| g.custody)
    }

    /// Whether `person` holds custody today (a guardian who has lost it no longer counts).
    pub fn has_custody(&self, person: Person) -> bool {
        match person {
            Person::Child => false,
            Person::Guardian { id } => self.guardian(id).is_some_and(|g| g.custody),
        }
    }

    /// Whether `person` may object for the child on `day`: the young person from 15, a custody
    /// holder before that.
    pub fn may_object(&self, person: Person, day: NaiveDate) -> bool {
        match person {
            Person::Child => self.child_decides(day),
            guardian => !self.child_decides(day) && self.has_custody(guardian),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cpr::Sex;

    pub(crate) fn family(birth: NaiveDate, custody: &[bool]) -> Family {
        Family {
            cpr: Cpr::synthetic(birth, Sex::Female, 1).unwrap(),
            guardians: custody
                .iter()
                .enumerate()
                .map(|(i, c)| GuardianFact {
                    id: Uuid::from_u128(100 + i as u128),
                    name: format!("Voksen {i}"),
                    custody: *c,
                })
                .collect(),
        }
    }

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_young_person_decides_from_the_15th_birthday() {
        let f = family(d(2011, 6, 10), &[true, true]);
        assert_eq!(f.turns_15(), d(2026, 6, 10));
        assert!(!f.child_decides(d(2026, 6, 9)));
        assert!(f.child_decides(d(2026, 6, 10)));
    }

    #[test]
    fn a_leap_day_child_turns_15_on_the_first_of_march() {
        let f = family(d(2012, 2, 29), &[true]);
        assert_eq!(f.turns_15(), d(2027, 3, 1));
        assert!(!f.child_decides(d(2027, 2, 28)));
    }

    #[test]
    fn only_custody_holders_object_for_a_child_under_15() {
        let f = family(d(2015, 1, 2), &[true, false]);
        let day = d(2026, 12, 5);
        let with = Person::Guardian {
            id: f.guardians[0].id,
        };
        let without = Person::Guardian {
            id: f.guardians[1].id,
        };
        assert!(f.may_object(with, day));
        assert!(!f.may_object(without, day));
        assert!(!f.may_object(Person::Child, day));
        let older = family(d(2010, 1, 2), &[true]);
        assert!(older.may_object(Person::Child, day));
        assert!(!older.may_object(
            Person::Guardian {
                id: older.guardians[0].id
            },
            day
        ));
    }

    #[test]
    fn a_person_is_written_as_child_or_guardian_id() {
        let id = Uuid::from_u128(7);
        assert_eq!(Person::parse("child"), Some(Person::Child));
        assert_eq!(
            Person::parse(&id.to_string()),
            Some(Person::Guardian { id })
        );
        assert_eq!(Person::parse("mor"), None);
        assert_eq!(
            Person::parse(&Person::Guardian { id }.code()),
            Some(Person::Guardian { id })
        );
    }
}

//! The one decision: may this organisation see this category of this child's data now, and on
//! which basis? The access policy asks it for every read of data owned by another organisation.

use super::consent::Consent;
use super::family::Family;
use super::kinds::{DataCategory, Ground, RecipientKind};
use super::rules::Rules;
use super::statutory::{EmergencyAccess, Objection, StatutoryBasis};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Everything recorded about the lawful basis of one child's data, as the owner holds it.
#[derive(Debug, Clone, Default)]
pub struct BasisRecord {
    pub consents: Vec<Consent>,
    pub statutory: Vec<StatutoryBasis>,
    pub objections: Vec<Objection>,
    pub emergencies: Vec<EmergencyAccess>,
}

/// The question: an organisation of a kind wants a category, at a moment (and on the Danish
/// day of that moment).
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub org_id: Uuid,
    pub kind: RecipientKind,
    pub category: DataCategory,
    pub now: DateTime<Utc>,
    pub day: NaiveDate,
}

/// The basis that allows the request: what the access log names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Basis {
    Consent {
        id: Uuid,
        provision: String,
    },
    Statutory {
        id: Uuid,
        ground: Ground,
        provision: String,
    },
    Emergency {
        id: Uuid,
        provision: String,
    },
}

impl Basis {
    /// How the access log names the basis: its kind, record and provision.
    pub fn log_text(&self) -> String {
        match self {
            Basis::Consent { id, provision } => format!("basis=consent:{id} ({provision})"),
            Basis::Statutory {
                id,
                ground,
                provision,
            } => {
                format!("basis={}:{id} ({provision})", ground.as_str())
            }
            Basis::Emergency { id, provision } => format!("basis=emergency:{id} ({provision})"),
        }
    }

    pub fn provision(&self) -> &str {
        match self {
            Basis::Consent { provision, .. }
            | Basis::Statutory { provision, .. }
            | Basis::Emergency { provision, .. } => provision,
        }
    }
}

/// Which basis, if any, lets `req` through. `None` means the data must answer as if it did not
/// exist.
pub fn basis_for(
    rules: &Rules,
    family: &Family,
    record: &BasisRecord,
    req: &Request,
) -> Option<Basis> {
    if !rules.shareable(req.kind, req.category) {
        return None;
    }
    let consent = record.consents.iter().find(|c| {
        c.covers(req.org_id, req.category)
            && c.recipients.iter().any(|r| r.kind == req.kind)
            && c.state(rules, family, req.day, req.now).is_active()
    });
    if let Some(c) = consent {
        return Some(Basis::Consent {
            id: c.id,
            provision: rules.recipient(req.kind).consent.provision.clone(),
        });
    }
    let objected = |kind| record.objections.iter().any(|o| o.stops(kind, req.now));
    let statutory = record.statutory.iter().find_map(|s| {
        let rule = rules.statutory(req.kind, s.ground)?;
        let usable = s.covers(req.org_id, req.category)
            && s.in_force(req.day, req.now)
            && !(rule.objection_allowed && objected(req.kind));
        usable.then(|| Basis::Statutory {
            id: s.id,
            ground: s.ground,
            provision: rule.provision.clone(),
        })
    });
    if statutory.is_some() {
        return statutory;
    }
    record
        .emergencies
        .iter()
        .find(|e| e.org_id == req.org_id && e.kind == req.kind && e.open_at(rules, req.now))
        .map(|e| Basis::Emergency {
            id: e.id,
            provision: rules
                .statutory(req.kind, Ground::VitalInterests)
                .map(|r| r.provision.clone())
                .unwrap_or_default(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lawful_basis::consent::{
        CapacityAssessment, ConsentInput, ConsentState, Recipient, Withdrawal,
    };
    use crate::lawful_basis::family::Person;
    use crate::lawful_basis::family::tests::{d, family};
    use crate::lawful_basis::kinds::{ConsentForm, Purpose};
    use chrono::Datelike;
    use proptest::prelude::*;

    const BUC: Uuid = Uuid::from_u128(0xB0C);
    const SCHOOL: Uuid = Uuid::from_u128(0x5C);

    fn at(day: NaiveDate) -> DateTime<Utc> {
        day.and_hms_opt(12, 0, 0).unwrap().and_utc()
    }

    fn req(org_id: Uuid, kind: RecipientKind, category: DataCategory, day: NaiveDate) -> Request {
        Request {
            org_id,
            kind,
            category,
            now: at(day),
            day,
        }
    }

    fn buc() -> Recipient {
        Recipient {
            org_id: BUC,
            kind: RecipientKind::ChildPsychiatry,
        }
    }

    fn school() -> Recipient {
        Recipient {
            org_id: SCHOOL,
            kind: RecipientKind::SchoolPpr,
        }
    }

    fn input(recipient: Recipient, givers: Vec<String>, given_on: &str) -> ConsentInput {
        ConsentInput {
            recipients: vec![recipient],
            categories: vec!["scores".into(), "contact_and_course".into()],
            purpose_text: Some("Udredning i BUC".into()),
            form: Some("written".into()),
            given_on: Some(given_on.into()),
            givers,
            ..Default::default()
        }
    }

    /// A consent to BUC for scores, given on 1 January 2020, with no givers yet.
    fn bare_consent() -> Consent {
        Consent {
            id: Uuid::from_u128(1),
            purpose: Purpose::Treatment,
            recipients: vec![buc()],
            categories: vec![DataCategory::Scores],
            purpose_text: "Udredning".into(),
            form: ConsentForm::Written,
            oral_reason: None,
            recorded_by: Uuid::nil(),
            given_on: d(2020, 1, 1),
            valid_to: None,
            givers: vec![],
            capacity: None,
            withdrawn: None,
        }
    }

    fn record(consent: Consent) -> BasisRecord {
        BasisRecord {
            consents: vec![Consent {
                id: Uuid::from_u128(1),
                ..consent
            }],
            ..Default::default()
        }
    }

    #[test]
    fn both_custody_holders_are_needed_under_15_and_the_missing_one_is_named() {
        let rules = Rules::shipped();
        let f = family(d(2016, 2, 2), &[true, true]);
        let mother = f.guardians[0].id.to_string();
        let c = input(buc(), vec![mother], "2026-12-01")
            .parse(rules, &f, Uuid::nil(), d(2026, 12, 5))
            .unwrap();
        assert_eq!(
            c.state(rules, &f, d(2026, 12, 5), at(d(2026, 12, 5))),
            ConsentState::AwaitingCustodyHolders {
                missing: vec![f.guardians[1].id]
            }
        );
        let r = req(
            BUC,
            RecipientKind::ChildPsychiatry,
            DataCategory::Scores,
            d(2026, 12, 5),
        );
        assert_eq!(basis_for(rules, &f, &record(c.clone()), &r), None);
        let mut both = c;
        both.givers.push((
            Person::Guardian {
                id: f.guardians[1].id,
            },
            d(2026, 12, 3),
        ));
        let basis = basis_for(rules, &f, &record(both), &r).unwrap();
        assert_eq!(basis.provision(), "sundhedsloven § 41, stk. 1");
    }

    #[test]
    fn a_parents_consent_stops_on_the_15th_birthday_until_the_young_person_confirms() {
        let rules = Rules::shipped();
        let f = family(d(2012, 1, 20), &[true]);
        let parent = f.guardians[0].id.to_string();
        let c = input(buc(), vec![parent], "2026-12-01")
            .parse(rules, &f, Uuid::nil(), d(2026, 12, 5))
            .unwrap();
        let before = req(
            BUC,
            RecipientKind::ChildPsychiatry,
            DataCategory::Scores,
            d(2027, 1, 19),
        );
        let after = req(
            BUC,
            RecipientKind::ChildPsychiatry,
            DataCategory::Scores,
            d(2027, 1, 20),
        );
        assert!(basis_for(rules, &f, &record(c.clone()), &before).is_some());
        assert_eq!(basis_for(rules, &f, &record(c.clone()), &after), None);
        assert_eq!(
            c.state(rules, &f, after.day, after.now),
            ConsentState::NeedsYoungPerson
        );
        let mut confirmed = c;
        confirmed.givers.push((Person::Child, d(2027, 1, 22)));
        assert_eq!(
            basis_for(rules, &f, &record(confirmed.clone()), &after),
            None
        );
        let later = req(
            BUC,
            RecipientKind::ChildPsychiatry,
            DataCategory::Scores,
            d(2027, 1, 22),
        );
        assert!(basis_for(rules, &f, &record(confirmed), &later).is_some());
    }

    #[test]
    fn a_parent_consents_for_a_16_year_old_only_with_a_capacity_assessment() {
        let rules = Rules::shipped();
        let f = family(d(2010, 5, 5), &[true, false]);
        let parent = f.guardians[0].id.to_string();
        let mut i = input(buc(), vec![parent], "2026-12-01");
        let e = i.parse(rules, &f, Uuid::nil(), d(2026, 12, 5)).unwrap_err();
        assert!(e.get("capacity_reason").is_some(), "{e:?}");
        i.capacity_reason = Some("Svært psykotisk, kan ikke overskue konsekvenserne".into());
        let c = i
            .parse(rules, &f, Uuid::from_u128(3), d(2026, 12, 5))
            .unwrap();
        assert_eq!(c.capacity.as_ref().unwrap().by, Uuid::from_u128(3));
        let r = req(
            BUC,
            RecipientKind::ChildPsychiatry,
            DataCategory::Scores,
            d(2026, 12, 5),
        );
        assert!(basis_for(rules, &f, &record(c), &r).is_some());
    }

    #[test]
    fn bad_consents_are_refused_with_a_message_per_field() {
        let rules = Rules::shipped();
        let f = family(d(2016, 2, 2), &[true, false]);
        let without_custody = f.guardians[1].id.to_string();
        let mut i = input(
            school(),
            vec![without_custody, "child".into()],
            "2026-12-01",
        );
        i.categories.push("journal".into());
        i.valid_to = Some("2028-01-01".into());
        i.form = Some("oral".into());
        let e = i.parse(rules, &f, Uuid::nil(), d(2026, 12, 5)).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
        for field in ["givers", "categories", "valid_to", "oral_reason"] {
            assert!(fields.contains(&field), "{field} missing in {fields:?}");
        }
        let two = ConsentInput {
            recipients: vec![buc(), school()],
            ..input(buc(), vec![], "x")
        };
        let e = two
            .parse(rules, &f, Uuid::nil(), d(2026, 12, 5))
            .unwrap_err();
        assert!(e.get("recipients").is_some() && e.get("given_on").is_some());
        let backwards = ConsentInput {
            valid_to: Some("2026-11-01".into()),
            ..input(buc(), vec![f.guardians[0].id.to_string()], "2026-12-01")
        };
        assert!(
            backwards
                .parse(rules, &f, Uuid::nil(), d(2026, 12, 5))
                .unwrap_err()
                .get("valid_to")
                .is_some()
        );
    }

    #[test]
    fn a_school_consent_lapses_a_year_after_it_was_given() {
        let rules = Rules::shipped();
        let f = family(d(2016, 2, 2), &[true]);
        let c = input(school(), vec![f.guardians[0].id.to_string()], "2026-03-01")
            .parse(rules, &f, Uuid::nil(), d(2026, 12, 5))
            .unwrap();
        assert_eq!(c.valid_to, Some(d(2027, 2, 28)));
        let r = |day| req(SCHOOL, RecipientKind::SchoolPpr, DataCategory::Scores, day);
        assert!(basis_for(rules, &f, &record(c.clone()), &r(d(2027, 2, 28))).is_some());
        assert_eq!(basis_for(rules, &f, &record(c), &r(d(2027, 3, 1))), None);
    }

    #[test]
    fn an_objection_overrides_a_treatment_basis_but_not_a_consent() {
        let rules = Rules::shipped();
        let f = family(d(2009, 9, 9), &[true]);
        let basis = StatutoryBasis {
            id: Uuid::from_u128(2),
            ground: Ground::CurrentTreatment,
            recipients: vec![buc()],
            categories: vec![DataCategory::Journal],
            reason: "aktuelt forløb".into(),
            decided_by: Uuid::nil(),
            from: d(2026, 1, 1),
            to: None,
            ended_at: None,
        };
        let objection = Objection {
            id: Uuid::from_u128(3),
            by: Person::Child,
            recipients: vec![],
            note: "vil ikke".into(),
            recorded_by: Uuid::nil(),
            recorded_at: at(d(2026, 12, 1)),
            withdrawn_at: None,
        };
        let r = req(
            BUC,
            RecipientKind::ChildPsychiatry,
            DataCategory::Journal,
            d(2026, 12, 5),
        );
        let mut rec = BasisRecord {
            statutory: vec![basis],
            ..Default::default()
        };
        assert!(matches!(
            basis_for(rules, &f, &rec, &r),
            Some(Basis::Statutory { .. })
        ));
        rec.objections.push(objection);
        assert_eq!(basis_for(rules, &f, &rec, &r), None);
        rec.objections[0].withdrawn_at = Some(at(d(2026, 12, 4)));
        assert!(basis_for(rules, &f, &rec, &r).is_some());
    }

    #[test]
    fn a_withdrawal_takes_effect_from_the_next_request() {
        let rules = Rules::shipped();
        let f = family(d(2010, 5, 5), &[true]);
        let mut c = input(buc(), vec!["child".into()], "2026-12-01")
            .parse(rules, &f, Uuid::nil(), d(2026, 12, 5))
            .unwrap();
        let r = req(
            BUC,
            RecipientKind::ChildPsychiatry,
            DataCategory::Scores,
            d(2026, 12, 5),
        );
        c.withdrawn = Some(Withdrawal {
            at: r.now + chrono::Duration::seconds(1),
            by: Person::Child,
            recorded_by: Uuid::nil(),
        });
        assert!(basis_for(rules, &f, &record(c.clone()), &r).is_some());
        let next = Request {
            now: r.now + chrono::Duration::seconds(2),
            ..r
        };
        assert_eq!(basis_for(rules, &f, &record(c), &next), None);
    }

    #[test]
    fn emergency_access_opens_for_its_organisation_only() {
        let rules = Rules::shipped();
        let f = family(d(2012, 1, 2), &[true]);
        let rec = BasisRecord {
            emergencies: vec![EmergencyAccess {
                id: Uuid::from_u128(4),
                org_id: BUC,
                kind: RecipientKind::ChildPsychiatry,
                user_id: Uuid::nil(),
                reason: "akut".into(),
                at: at(d(2026, 12, 5)),
            }],
            ..Default::default()
        };
        let r = req(
            BUC,
            RecipientKind::ChildPsychiatry,
            DataCategory::Journal,
            d(2026, 12, 5),
        );
        assert!(matches!(
            basis_for(rules, &f, &rec, &r),
            Some(Basis::Emergency { .. })
        ));
        let other = Request {
            org_id: SCHOOL,
            kind: RecipientKind::SchoolPpr,
            category: DataCategory::Scores,
            ..r
        };
        assert_eq!(basis_for(rules, &f, &rec, &other), None);
    }

    fn any_category() -> impl Strategy<Value = DataCategory> {
        prop::sample::select(DataCategory::ALL.to_vec())
    }

    fn any_kind() -> impl Strategy<Value = RecipientKind> {
        prop::sample::select(RecipientKind::ALL.to_vec())
    }

    proptest! {
        /// With nothing recorded, no organisation sees anything, whatever it asks.
        #[test]
        fn nothing_recorded_means_nothing_shared(kind in any_kind(), category in any_category(), days in 0i64..4000) {
            let f = family(d(2012, 1, 2), &[true, true]);
            let day = d(2016, 1, 1) + chrono::Duration::days(days);
            let r = req(BUC, kind, category, day);
            prop_assert_eq!(basis_for(Rules::shipped(), &f, &BasisRecord::default(), &r), None);
        }

        /// A consent covers only the organisation it names and the categories it lists.
        #[test]
        fn a_consent_never_reaches_beyond_its_scope(kind in any_kind(), category in any_category(), org in 0u128..4) {
            let rules = Rules::shipped();
            let f = family(d(2009, 1, 2), &[true]);
            let c = input(buc(), vec!["child".into()], "2026-12-01").parse(rules, &f, Uuid::nil(), d(2026, 12, 5)).unwrap();
            let org_id = if org == 0 { BUC } else { Uuid::from_u128(org) };
            let r = req(org_id, kind, category, d(2026, 12, 5));
            let allowed = basis_for(rules, &f, &record(c.clone()), &r).is_some();
            let in_scope = org_id == BUC && kind == RecipientKind::ChildPsychiatry && c.categories.contains(&category);
            prop_assert_eq!(allowed, in_scope);
        }

        /// Whoever gave a consent, on the 15th birthday it is a basis only if the young person
        /// is among the givers or a capacity assessment is recorded.
        #[test]
        fn from_15_the_young_persons_say_decides(birth_offset in 0i64..2000, child_gave in any::<bool>(), assessed in any::<bool>()) {
            let rules = Rules::shipped();
            let birth = d(2008, 1, 2) + chrono::Duration::days(birth_offset);
            // Synthetic CPR numbers are never for 1 January (cpr::Cpr::synthetic).
            prop_assume!(!(birth.month() == 1 && birth.day() == 1));
            let f = family(birth, &[true]);
            let day = f.turns_15();
            let mut c = bare_consent();
            c.givers = vec![(Person::Guardian { id: f.guardians[0].id }, d(2020, 1, 1))];
            if child_gave { c.givers.push((Person::Child, day)); }
            if assessed { c.capacity = Some(CapacityAssessment { by: Uuid::nil(), on: day, reason: "x".into() }); }
            let r = req(BUC, RecipientKind::ChildPsychiatry, DataCategory::Scores, day);
            prop_assert_eq!(basis_for(rules, &f, &record(c), &r).is_some(), child_gave || assessed);
        }
    }
}

//! The rules file (`lawful_basis/rules.json` at the repository root): per kind of recipient,
//! which categories may be shared at all, the consent that covers them and the grounds that
//! allow disclosure without consent. Lawyers and the regions change these, so they are data;
//! every value says whether a source confirms it.

use super::kinds::{DataCategory, Ground, Purpose, RecipientKind};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A number from the rules file, with whether it is Samspor's own provisional reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provisional<T> {
    pub value: T,
    pub provisional: bool,
    pub note: String,
}

/// The form a consent must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredForm {
    /// Written, oral or tacit (sundhedsloven § 15, stk. 4).
    Any,
    /// Written unless the circumstances speak against it, which must then be recorded (§ 44).
    Written,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRule {
    pub provision: String,
    pub form: RequiredForm,
    /// The longest a consent lasts from the day it was given; `None`: until withdrawn.
    pub max_months: Option<u32>,
    /// Whether a child under 15 needs the consent of every custody holder.
    pub both_custody_holders: bool,
    pub provisional: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatutoryRule {
    pub ground: Ground,
    pub provision: String,
    /// Whether the child or family may object ("frabede sig") to disclosure on this ground.
    pub objection_allowed: bool,
    pub provisional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientRule {
    pub recipient: RecipientKind,
    pub purpose: Purpose,
    /// What may be shared with this kind of recipient at all, on any basis.
    pub categories: Vec<DataCategory>,
    pub consent: ConsentRule,
    pub without_consent: Vec<StatutoryRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub about: String,
    pub emergency_access_hours: Provisional<u32>,
    pub turning_15_notice_days: Provisional<u32>,
    pub recipients: Vec<RecipientRule>,
}

/// A rules file that cannot be used, saying what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lawful_basis/rules.json: {0}")]
pub struct RulesError(pub String);

const SHIPPED: &str = include_str!("../../../../lawful_basis/rules.json");

impl Rules {
    /// The rules shipped with Samspor (checked by a test, so this cannot fail in a release).
    pub fn shipped() -> &'static Rules {
        static RULES: OnceLock<Rules> = OnceLock::new();
        RULES.get_or_init(|| {
            Rules::parse(SHIPPED).expect("the shipped lawful-basis rules are checked by a test")
        })
    }

    pub fn parse(text: &str) -> Result<Rules, RulesError> {
        let rules: Rules = serde_json::from_str(text).map_err(|e| RulesError(e.to_string()))?;
        rules.check()?;
        Ok(rules)
    }

    fn check(&self) -> Result<(), RulesError> {
        for kind in RecipientKind::ALL {
            let n = self
                .recipients
                .iter()
                .filter(|r| r.recipient == *kind)
                .count();
            if n != 1 {
                return Err(RulesError(format!(
                    "recipient {} must have exactly one row, has {n}",
                    kind.as_str()
                )));
            }
        }
        for r in &self.recipients {
            let name = r.recipient.as_str();
            if r.categories.is_empty() {
                return Err(RulesError(format!("{name}: categories is empty")));
            }
            if r.consent.max_months == Some(0) {
                return Err(RulesError(format!("{name}: max_months must be at least 1")));
            }
            let mut grounds: Vec<Ground> = r.without_consent.iter().map(|s| s.ground).collect();
            grounds.sort();
            if grounds.windows(2).any(|w| w[0] == w[1]) {
                return Err(RulesError(format!("{name}: a ground is listed twice")));
            }
            // Only health persons may share for a current treatment without consent (§ 41).
            if r.purpose == Purpose::Other && grounds.contains(&Ground::CurrentTreatment) {
                return Err(RulesError(format!(
                    "{name}: current_treatment is a ground between health persons only"
                )));
            }
        }
        if self.emergency_access_hours.value == 0 {
            return Err(RulesError(
                "emergency_access_hours must be at least 1".into(),
            ));
        }
        Ok(())
    }

    pub fn recipient(&self, kind: RecipientKind) -> &RecipientRule {
        self.recipients
            .iter()
            .find(|r| r.recipient == kind)
            .expect("every recipient kind has a row (checked when parsed)")
    }

    /// Whether `category` may be shared with `kind` at all.
    pub fn shareable(&self, kind: RecipientKind, category: DataCategory) -> bool {
        self.recipient(kind).categories.contains(&category)
    }

    /// The rule for disclosing to `kind` on `ground` without consent, if the law allows it.
    pub fn statutory(&self, kind: RecipientKind, ground: Ground) -> Option<&StatutoryRule> {
        self.recipient(kind)
            .without_consent
            .iter()
            .find(|s| s.ground == ground)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_parse_and_pass_their_checks() {
        let rules = Rules::parse(SHIPPED).unwrap();
        assert_eq!(rules.recipients.len(), RecipientKind::ALL.len());
        assert!(rules.emergency_access_hours.provisional);
    }

    #[test]
    fn sundhedsloven_44_lapses_consent_for_other_purposes_within_a_year() {
        let rules = Rules::shipped();
        for r in &rules.recipients {
            if r.purpose == Purpose::Other {
                assert_eq!(r.consent.form, RequiredForm::Written, "{:?}", r.recipient);
                assert!(
                    r.consent.max_months.is_some_and(|m| m <= 12),
                    "{:?}",
                    r.recipient
                );
            }
        }
    }

    #[test]
    fn a_school_never_receives_journal_notes() {
        assert!(!Rules::shipped().shareable(RecipientKind::SchoolPpr, DataCategory::Journal));
        assert!(Rules::shipped().shareable(RecipientKind::ChildPsychiatry, DataCategory::Journal));
    }

    #[test]
    fn a_notification_is_a_ground_only_towards_the_social_authority() {
        let rules = Rules::shipped();
        for kind in RecipientKind::ALL {
            let legal = rules.statutory(*kind, Ground::LegalDuty).is_some();
            assert_eq!(legal, *kind == RecipientKind::SocialAuthority, "{kind:?}");
        }
    }

    #[test]
    fn broken_files_are_refused_with_the_reason() {
        let mut v: serde_json::Value = serde_json::from_str(SHIPPED).unwrap();
        v["recipients"].as_array_mut().unwrap().pop();
        let e = Rules::parse(&v.to_string()).unwrap_err();
        assert!(e.to_string().contains("exactly one row"), "{e}");

        let mut v: serde_json::Value = serde_json::from_str(SHIPPED).unwrap();
        v["recipients"][3]["without_consent"][0]["ground"] = "current_treatment".into();
        let e = Rules::parse(&v.to_string()).unwrap_err();
        assert!(e.to_string().contains("health persons"), "{e}");

        let e = Rules::parse(r#"{"about": 1}"#).unwrap_err();
        assert!(e.to_string().starts_with("lawful_basis/rules.json:"), "{e}");
    }
}

//! The partnership's deadlines (`partnership/rules.json` at the repository root).

use crate::geo::changes::successor_on;
use crate::lawful_basis::rules::Provisional;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A region's own answer deadline, where its agreement sets one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionDays {
    pub region: String,
    pub days: Provisional<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnershipRules {
    pub about: String,
    /// Days from receipt to child psychiatry's answer to a referral, unless the region says.
    pub referral_answer_days: Provisional<u32>,
    pub referral_answer_days_by_region: Vec<RegionDays>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("partnership/rules.json: {0}")]
pub struct RulesError(pub String);

const SHIPPED: &str = include_str!("../../../../partnership/rules.json");

impl PartnershipRules {
    /// The rules shipped with Samspor (checked by a test, so this cannot fail in a release).
    pub fn shipped() -> &'static PartnershipRules {
        static RULES: OnceLock<PartnershipRules> = OnceLock::new();
        RULES.get_or_init(|| {
            PartnershipRules::parse(SHIPPED)
                .expect("the shipped partnership rules are checked by a test")
        })
    }

    pub fn parse(text: &str) -> Result<PartnershipRules, RulesError> {
        let rules: PartnershipRules =
            serde_json::from_str(text).map_err(|e| RulesError(e.to_string()))?;
        let all = std::iter::once(&rules.referral_answer_days)
            .chain(rules.referral_answer_days_by_region.iter().map(|r| &r.days));
        if all.clone().any(|d| d.value == 0 || d.value > 365) {
            return Err(RulesError(
                "an answer deadline must be 1 to 365 days".into(),
            ));
        }
        for r in &rules.referral_answer_days_by_region {
            if crate::geo::changes::region_period(&r.region).is_none() {
                return Err(RulesError(format!("unknown region {}", r.region)));
            }
        }
        Ok(rules)
    }

    /// The answer deadline of the region that the receiving unit belongs to on `day` (the
    /// region's own if it has one, the default otherwise).
    pub fn answer_days(&self, region_code: Option<&str>, day: NaiveDate) -> &Provisional<u32> {
        let region = region_code.and_then(|c| successor_on(c, day));
        region
            .and_then(|r| {
                self.referral_answer_days_by_region
                    .iter()
                    .find(|x| x.region.eq_ignore_ascii_case(r.code))
            })
            .map_or(&self.referral_answer_days, |r| &r.days)
    }
}

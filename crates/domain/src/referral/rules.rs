//! The partnership's deadlines (`partnership/rules.json` at the repository root).

use crate::calendar::WorkingDays;
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
    /// Working days after the day of asking within which an advice request is answered.
    pub advice_answer_working_days: Provisional<u32>,
    /// Days (`MM-DD`) closed by agreement besides weekends and public holidays.
    pub closed_days: Provisional<Vec<String>>,
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
        if !(1..=30).contains(&rules.advice_answer_working_days.value) {
            return Err(RulesError(
                "an advice deadline must be 1 to 30 working days".into(),
            ));
        }
        for day in &rules.closed_days.value {
            if month_day(day).is_none() {
                return Err(RulesError(format!(
                    "closed day {day:?} is not a date written MM-DD"
                )));
            }
        }
        for r in &rules.referral_answer_days_by_region {
            if crate::geo::changes::region_period(&r.region).is_none() {
                return Err(RulesError(format!("unknown region {}", r.region)));
            }
        }
        Ok(rules)
    }

    /// The working-day calendar the deadlines counted in working days use.
    pub fn working_days(&self) -> WorkingDays {
        WorkingDays::new(self.closed_days.value.iter().filter_map(|d| month_day(d)))
    }

    /// The day an advice request asked on `asked_on` is to be answered by.
    pub fn advice_due(&self, asked_on: NaiveDate) -> NaiveDate {
        self.working_days()
            .add(asked_on, self.advice_answer_working_days.value)
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

/// `MM-DD` as (month, day), when it is a day of some year (29 February included).
fn month_day(text: &str) -> Option<(u32, u32)> {
    let (m, d) = text.split_once('-')?;
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(2000, m, d).map(|_| (m, d))
}

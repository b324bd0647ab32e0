//! Referrals from the municipality to child and adolescent psychiatry (BUC) and the answer.
//! The rule that shapes this module is the one visitation lives by: never a bare no. Child
//! psychiatry accepts a referral or returns it naming the way forward, and the answer is due
//! within the region's deadline (`partnership/rules.json`).

pub mod counts;
pub mod gp;
mod rules;

pub use rules::{PartnershipRules, RegionDays, RulesError};

use crate::course::kl::ReferralDestination;
use crate::course::visitation::{NOTE_MAX, Way, WayInput, parse_way};
use crate::validation::{FieldError, FieldErrors, required_text};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// The longest text of one referral field.
pub const TEXT_MAX: usize = 4000;

/// A referral as the municipality writes it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReferralInput {
    pub reason: Option<String>,
    pub tried: Option<String>,
    pub child_view: Option<String>,
    pub family_view: Option<String>,
}

/// A referral's text, every part given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralText {
    /// Why child psychiatry is asked.
    pub reason: String,
    /// What has been tried, in the municipality and elsewhere.
    pub tried: String,
    /// The child's own view (or how the child was asked, for a small child).
    pub child_view: String,
    pub family_view: String,
}

/// Checks a referral: every part is needed, since child psychiatry decides on it alone.
pub fn parse_referral(input: &ReferralInput) -> Result<ReferralText, FieldErrors> {
    let mut errors = FieldErrors::default();
    let text = ReferralText {
        reason: required_text(&mut errors, "reason", input.reason.as_deref(), TEXT_MAX),
        tried: required_text(&mut errors, "tried", input.tried.as_deref(), TEXT_MAX),
        child_view: required_text(
            &mut errors,
            "child_view",
            input.child_view.as_deref(),
            TEXT_MAX,
        ),
        family_view: required_text(
            &mut errors,
            "family_view",
            input.family_view.as_deref(),
            TEXT_MAX,
        ),
    };
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(errors)
    }
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Received by child psychiatry, not answered yet.
    Sent,
    Accepted,
    /// Returned with a way forward; a task for the municipality until it has acted on it.
    Returned,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 3] = [
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "sent",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<ReferralStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// An answer as child psychiatry gives it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnswerInput {
    /// `accept` or `return`.
    pub answer: Option<String>,
    /// For an acceptance: what happens next (first appointment, assessment), if said.
    pub note: Option<String>,
    /// For a return: where the family is guided and the advice to the municipality.
    #[serde(default)]
    pub way: WayInput,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Accepted { note: Option<String> },
    Returned { way: Way },
}

impl Answer {
    pub fn status(&self) -> ReferralStatus {
        match self {
            Answer::Accepted { .. } => ReferralStatus::Accepted,
            Answer::Returned { .. } => ReferralStatus::Returned,
        }
    }
}

/// Checks an answer: an acceptance, or a return that names the way and gives the advice.
pub fn parse_answer(input: &AnswerInput) -> Result<Answer, FieldErrors> {
    let mut errors = FieldErrors::default();
    let answer = match input.answer.as_deref().map(str::trim) {
        Some("accept") => {
            let note = crate::validation::optional_text(
                &mut errors,
                "note",
                input.note.as_deref(),
                NOTE_MAX,
            );
            Some(Answer::Accepted { note })
        }
        Some("return") => parse_way(&mut errors, &input.way, None).and_then(|way| {
            if way.destination == ReferralDestination::Psychiatry {
                errors.push(FieldError::new(
                    "way.destination",
                    "A return guides the family somewhere other than child psychiatry.",
                    "En returnering vejleder familien til andet end børne- og ungdomspsykiatrien.",
                ));
                None
            } else {
                Some(Answer::Returned { way })
            }
        }),
        _ => {
            errors.push(FieldError::new(
                "answer",
                "Choose accept or return.",
                "Vælg modtag eller returnér.",
            ));
            None
        }
    };
    match answer {
        Some(a) if errors.is_empty() => Ok(a),
        _ => Err(errors),
    }
}

/// The day an answer is due: the region's number of days after the day of receipt.
pub fn answer_due(received: NaiveDate, days: u32) -> NaiveDate {
    received
        .checked_add_days(Days::new(days.into()))
        .unwrap_or(received)
}

#[cfg(test)]
mod tests;

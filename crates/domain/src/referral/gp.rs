//! A GP's referral to child psychiatry. GPs refer from their own systems through the national
//! referral service; the receiving unit registers the referral in Samspor when it arrives, so
//! it joins the same intake queue, deadline and answer as a municipality's, and the answer goes
//! back to the practice as a MedCom message.

use super::{ReferralInput, ReferralText, parse_referral};
use crate::medcom::gp_practice::{GpPractice, GpPracticeInput, parse_gp_practice};
use crate::validation::{FieldError, FieldErrors, optional_day, optional_text};
use chrono::{Days, NaiveDate};

/// The longest reference of the referral service a referral may carry.
pub const REFERENCE_MAX: usize = 64;

/// How long after its arrival a referral may still be registered: a referral found later than
/// this was never waiting in the unit's queue, and its deadline would already be long past.
pub const REGISTER_WITHIN_DAYS: u64 = 90;

#[derive(Debug, Clone, Default)]
pub struct GpReferralInput {
    pub practice: GpPracticeInput,
    /// The referral's number in the referral service, so both ends can find the same letter.
    pub reference: Option<String>,
    /// The day the referral arrived (`YYYY-MM-DD`): the deadline counts from it.
    pub received_on: Option<String>,
    pub text: ReferralInput,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpReferral {
    pub practice: GpPractice,
    pub reference: Option<String>,
    pub received_on: NaiveDate,
    pub text: ReferralText,
}

/// Checks a GP's referral as the unit enters it. Practice fields are named `practice_…`.
pub fn parse_gp_referral(
    input: &GpReferralInput,
    today: NaiveDate,
) -> Result<GpReferral, FieldErrors> {
    let mut errors = FieldErrors::default();
    let practice = parse_gp_practice(&input.practice)
        .map_err(|e| errors.extend(e.prefixed("practice_")))
        .ok();
    let reference = optional_text(
        &mut errors,
        "reference",
        input.reference.as_deref(),
        REFERENCE_MAX,
    );
    let received_on = match optional_day(&mut errors, "received_on", input.received_on.as_deref()) {
        None if errors.get("received_on").is_none() => {
            errors.push(FieldError::required("received_on"));
            None
        }
        Some(day) if day > today => {
            errors.push(FieldError::new(
                "received_on",
                "The day the referral arrived cannot be in the future.",
                "Den dag, henvisningen kom, kan ikke ligge i fremtiden.",
            ));
            None
        }
        Some(day) if today - Days::new(REGISTER_WITHIN_DAYS) > day => {
            errors.push(FieldError::new(
                "received_on",
                format!(
                    "A referral is registered within {REGISTER_WITHIN_DAYS} days of arriving; ask the practice to refer again."
                ),
                format!(
                    "En henvisning registreres senest {REGISTER_WITHIN_DAYS} dage efter, den kom; bed praksis henvise igen."
                ),
            ));
            None
        }
        day => day,
    };
    let text = parse_referral(&input.text)
        .map_err(|e| errors.extend(e))
        .ok();
    match (practice, received_on, text) {
        (Some(practice), Some(received_on), Some(text)) if errors.is_empty() => Ok(GpReferral {
            practice,
            reference,
            received_on,
            text,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    fn input(received_on: &str) -> GpReferralInput {
        GpReferralInput {
            practice: GpPracticeInput {
                name: Some("Lægerne i Valby".into()),
                ydernummer: Some("012345".into()),
                sor_code: Some("451000016003".into()),
                ean: Some("5790000121526".into()),
            },
            reference: Some(" REF-1 ".into()),
            received_on: Some(received_on.into()),
            text: ReferralInput {
                reason: Some("Spiser meget lidt".into()),
                tried: Some("Samtaler hos lægen".into()),
                child_view: Some("Vil gerne".into()),
                family_view: Some("Bekymrede".into()),
            },
        }
    }

    fn fields(e: FieldErrors) -> Vec<String> {
        e.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_referral_is_read_with_its_reference_trimmed() {
        let r = parse_gp_referral(&input("2026-12-01"), today()).unwrap();
        assert_eq!(r.reference.as_deref(), Some("REF-1"));
        assert_eq!(r.received_on.to_string(), "2026-12-01");
        assert_eq!(r.practice.ydernummer, "012345");
    }

    #[test]
    fn every_missing_part_is_named_with_the_practice_fields_prefixed() {
        let e = parse_gp_referral(&GpReferralInput::default(), today()).unwrap_err();
        assert_eq!(
            fields(e),
            [
                "practice_name",
                "practice_ydernummer",
                "practice_sor_code",
                "practice_ean",
                "received_on",
                "reason",
                "tried",
                "child_view",
                "family_view"
            ]
        );
    }

    proptest! {
        #[test]
        fn only_days_from_the_window_up_to_today_are_accepted(back in -30i64..200) {
            let day = today() - chrono::Duration::days(back);
            let r = parse_gp_referral(&input(&day.to_string()), today());
            let inside = (0..=REGISTER_WITHIN_DAYS as i64).contains(&back);
            prop_assert_eq!(r.is_ok(), inside);
            if !inside {
                prop_assert_eq!(fields(r.unwrap_err()), vec!["received_on".to_string()]);
            }
        }
    }
}

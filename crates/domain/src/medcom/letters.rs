//! The words of the information the child's GP gets when treatment starts and when it ends, and
//! of a child-psychiatry unit's answer to the GP's referral. Written in Danish, the language of
//! the receiving practice; only what the GP needs to know: the track, the dates and the number
//! of sessions, the answer and its advice, never questionnaire answers.

use crate::course::closing::ClosingReason;
use crate::i18n::Lang;
use crate::organisation::Programme;
use crate::referral::Answer;
use chrono::NaiveDate;
use serde::Deserialize;

/// What the start message records (the JSON kept with the GP message).
#[derive(Debug, Clone, Deserialize)]
pub struct StartFacts {
    pub track: Option<String>,
    pub course_start: NaiveDate,
    pub treatment_start: Option<NaiveDate>,
    pub sessions_planned: usize,
}

/// What the end message records.
#[derive(Debug, Clone, Deserialize)]
pub struct EndFacts {
    pub track: Option<String>,
    pub course_start: NaiveDate,
    pub end: NaiveDate,
    pub closing_reason: String,
    pub sessions_held: usize,
    pub summary: Option<String>,
    pub follow_up_due: Option<NaiveDate>,
}

fn track_name(code: Option<&str>) -> &'static str {
    code.and_then(Programme::parse)
        .map(|p| p.label(Lang::Da))
        .unwrap_or("let behandling")
}

fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The topic and the text of the start message.
pub fn start_letter(facts: &StartFacts, organisation: &str) -> (String, String) {
    let mut text = format!(
        "Til egen læge.\nBarnet er startet i et STIME-forløb hos {organisation}: »{}«.\nForløbet begyndte {}",
        track_name(facts.track.as_deref()),
        date(facts.course_start),
    );
    if let Some(t) = facts.treatment_start {
        text.push_str(&format!(
            ", og den første behandlingssamtale var {}",
            date(t)
        ));
    }
    text.push_str(&format!(
        ".\nDer er planlagt {} samtaler. I får besked, når forløbet slutter.",
        facts.sessions_planned
    ));
    ("Start på STIME-forløb".into(), text)
}

/// The topic and the text of the end message.
pub fn end_letter(facts: &EndFacts, organisation: &str) -> (String, String) {
    let reason = ClosingReason::parse(&facts.closing_reason)
        .map(|r| r.label(Lang::Da))
        .unwrap_or("Andet");
    let mut text = format!(
        "Til egen læge.\nBarnets STIME-forløb hos {organisation} (»{}«, begyndt {}) er afsluttet {}.\nAfslutning: {reason}. Antal behandlingssamtaler: {}.",
        track_name(facts.track.as_deref()),
        date(facts.course_start),
        date(facts.end),
        facts.sessions_held,
    );
    if let Some(s) = facts.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        text.push_str(&format!("\nOpsummering: {}", s.trim()));
    }
    if let Some(d) = facts.follow_up_due {
        text.push_str(&format!(
            "\nEn opfølgende samtale er planlagt senest {}.",
            date(d)
        ));
    }
    ("Afslutning af STIME-forløb".into(), text)
}

/// The topic and the text of a child-psychiatry unit's answer to a GP's referral: accepted with
/// what happens next, or returned with where the family is guided and the advice.
pub fn referral_answer_letter(
    answer: &Answer,
    unit: &str,
    received_on: NaiveDate,
    reference: Option<&str>,
) -> (String, String) {
    let about = match reference {
        Some(r) => format!("Jeres henvisning ({r}), modtaget {}", date(received_on)),
        None => format!("Jeres henvisning, modtaget {}", date(received_on)),
    };
    match answer {
        Answer::Accepted { note } => {
            let mut text = format!("Til egen læge.\n{about}, er visiteret til {unit}.");
            if let Some(n) = note.as_deref().filter(|n| !n.trim().is_empty()) {
                text.push_str(&format!("\nVidere forløb: {}", n.trim()));
            }
            ("Henvisning modtaget".into(), text)
        }
        Answer::Returned { way } => (
            "Henvisning returneret med anbefaling".into(),
            format!(
                "Til egen læge.\n{about}, er ikke visiteret til {unit}.\nAnbefalet vej videre: {}.\nRåd: {}",
                way.destination.label(Lang::Da),
                way.note.trim()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_return_names_the_way_and_the_advice() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let way = crate::course::visitation::Way {
            destination: crate::course::kl::ReferralDestination::OtherOfferHome,
            note: " Angstforløb i kommunen ".into(),
        };
        let (topic, text) =
            referral_answer_letter(&Answer::Returned { way }, "BUC Glostrup", day, Some("H-7"));
        assert_eq!(topic, "Henvisning returneret med anbefaling");
        assert!(text.contains("(H-7), modtaget 30.11.2026"), "{text}");
        assert!(
            text.contains("Andet tilbud i hjemkommune")
                && text.contains("Råd: Angstforløb i kommunen")
        );
        let (topic, text) = referral_answer_letter(
            &Answer::Accepted {
                note: Some("Første samtale 8.1.".into()),
            },
            "BUC Glostrup",
            day,
            None,
        );
        assert_eq!(topic, "Henvisning modtaget");
        assert!(
            text.contains("visiteret til BUC Glostrup") && text.contains("Første samtale 8.1.")
        );
    }

    #[test]
    fn the_letters_name_track_dates_and_sessions() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (topic, text) = start_letter(
            &StartFacts {
                track: Some("worry_sadness".into()),
                course_start: d("2026-10-01"),
                treatment_start: Some(d("2026-10-14")),
                sessions_planned: 6,
            },
            "København",
        );
        assert_eq!(topic, "Start på STIME-forløb");
        assert!(text.contains("Når bekymring eller tristhed fylder for meget"));
        assert!(text.contains("14.10.2026") && text.contains("6 samtaler"));
        let (_, text) = end_letter(
            &EndFacts {
                track: None,
                course_start: d("2026-10-01"),
                end: d("2026-12-01"),
                closing_reason: "completed".into(),
                sessions_held: 5,
                summary: Some(" Godt forløb ".into()),
                follow_up_due: None,
            },
            "København",
        );
        assert!(text.contains("Gennemført") && text.contains("Opsummering: Godt forløb"));
        assert!(!text.contains("opfølgende"));
    }
}

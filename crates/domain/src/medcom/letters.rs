//! The words of the information the child's GP gets when treatment starts and when it ends.
//! Written in Danish, the language of the receiving practice; only what the GP needs to know:
//! the track, the dates and the number of sessions, never questionnaire answers.

use crate::course::closing::ClosingReason;
use crate::i18n::Lang;
use crate::organisation::Programme;
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

#[cfg(test)]
mod tests {
    use super::*;

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

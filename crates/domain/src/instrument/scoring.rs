//! Answers in, scale scores, bands and critical answers out.

use super::definition::{Instrument, Prorate, Question, Scale, ScaleRule};
use crate::cpr::Sex;
use crate::validation::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One respondent's answers: linkId → printed value, `None` for a question left open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(pub BTreeMap<String, Option<i64>>);

impl Answers {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, link_id: impl Into<String>, value: Option<i64>) {
        self.0.insert(link_id.into(), value);
    }

    /// The value given, if the question was answered (missing and `null` alike give `None`).
    pub fn value(&self, link_id: &str) -> Option<i64> {
        self.0.get(link_id).copied().flatten()
    }

    pub fn answered(&self) -> usize {
        self.0.values().filter(|v| v.is_some()).count()
    }
}

// Callers merge and walk answers as the map they are (page by page saving, form parsing).
impl std::ops::Deref for Answers {
    type Target = BTreeMap<String, Option<i64>>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Answers {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<K: Into<String>> FromIterator<(K, Option<i64>)> for Answers {
    fn from_iter<I: IntoIterator<Item = (K, Option<i64>)>>(iter: I) -> Self {
        Answers(iter.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// Who the answers are about, for band tables limited to an age or sex.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub age: Option<u32>,
    pub sex: Option<Sex>,
}

/// One scale's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleScore {
    /// `None` when too few items were answered to score the scale.
    pub score: Option<i64>,
    /// `None` when there is no score or no band table for the scale.
    pub band: Option<String>,
    /// True only when a band was given from a table confirmed in its source.
    pub band_verified: bool,
}

/// An answer that raised an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriticalHit {
    pub link_id: String,
    pub code: String,
    pub message_en: String,
    pub message_da: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scored {
    pub scales: BTreeMap<String, ScaleScore>,
    pub critical: Vec<CriticalHit>,
}

/// Every answer must belong to a question of this instrument and be one of its options;
/// unanswered (`None`) and missing questions are fine.
pub fn validate_answers(instrument: &Instrument, answers: &Answers) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    for (link_id, value) in &answers.0 {
        let Some(question) = instrument.question(link_id) else {
            errors.push(FieldError::new(
                link_id.as_str(),
                format!("There is no question \"{link_id}\" in {}.", instrument.id()),
                format!(
                    "Spørgsmålet \"{link_id}\" findes ikke i {}.",
                    instrument.id()
                ),
            ));
            continue;
        };
        if let Some(v) = *value
            && !question.accepts(v)
        {
            let values = question.values_text();
            errors.push(FieldError::new(
                link_id.as_str(),
                format!("{v} is not an answer option here; choose one of {values}."),
                format!("{v} er ikke en svarmulighed her; vælg en af {values}."),
            ));
        }
    }
    errors.into_result(())
}

/// Scores the answers with the instrument's general band tables.
pub fn score(instrument: &Instrument, answers: &Answers) -> Result<Scored, FieldErrors> {
    score_for(instrument, answers, &Subject::default())
}

/// Scores the answers, choosing band tables for the subject's age and sex where the
/// instrument has them.
pub fn score_for(
    instrument: &Instrument,
    answers: &Answers,
    subject: &Subject,
) -> Result<Scored, FieldErrors> {
    validate_answers(instrument, answers)?;
    let mut raw: BTreeMap<&str, Option<i64>> = BTreeMap::new();
    for scale in instrument.scales() {
        let value = scale_score(instrument, scale, answers, &raw);
        raw.insert(scale.name.as_str(), value);
    }
    let scales = raw
        .into_iter()
        .map(|(name, score)| {
            let table = instrument.band_table(name, subject.age, subject.sex);
            let row = table.zip(score).and_then(|(t, s)| t.band_for(s));
            let result = ScaleScore {
                score,
                band: row.map(|r| r.band.clone()),
                band_verified: row.is_some() && table.is_some_and(|t| t.verified),
            };
            (name.to_string(), result)
        })
        .collect();
    let critical = instrument
        .critical_items()
        .iter()
        .filter(|c| {
            answers
                .value(&c.link_id)
                .is_some_and(|v| c.values.contains(&v))
        })
        .map(|c| CriticalHit {
            link_id: c.link_id.clone(),
            code: c.code.clone(),
            message_en: c.message_en.clone(),
            message_da: c.message_da.clone(),
        })
        .collect();
    Ok(Scored { scales, critical })
}

fn scale_score(
    instrument: &Instrument,
    scale: &Scale,
    answers: &Answers,
    earlier: &BTreeMap<&str, Option<i64>>,
) -> Option<i64> {
    match &scale.rule {
        ScaleRule::Items {
            items,
            reverse,
            min_answered,
            prorate,
        } => {
            let mut sum = 0i64;
            let mut answered = 0i64;
            for link in items {
                let Some(v) = answers.value(link) else {
                    continue;
                };
                let question = instrument.question(link)?;
                sum += if reverse.contains(link) {
                    mirrored(question, v)
                } else {
                    v
                };
                answered += 1;
            }
            let count = i64::try_from(items.len()).ok()?;
            if answered < i64::try_from(*min_answered).ok()? {
                None
            } else if answered == count {
                Some(sum)
            } else {
                match prorate {
                    Prorate::None => None,
                    // floor(0.5 + sum / answered × count) in exact integers:
                    // floor((answered + 2 × sum × count) / (2 × answered)).
                    Prorate::MeanRoundHalfUp => {
                        Some((answered + 2 * sum * count).div_euclid(2 * answered))
                    }
                }
            }
        }
        ScaleRule::GatedSum {
            gate,
            items,
            recode,
        } => match answers.value(gate)? {
            // "No difficulties": the follow-on questions are not asked, so they do not count.
            0 => Some(0),
            _ => items
                .iter()
                .map(|link| {
                    let v = answers.value(link)?;
                    recode.get(usize::try_from(v).ok()?).copied()
                })
                .sum(),
        },
        ScaleRule::Sum { of } => of
            .iter()
            .map(|name| earlier.get(name.as_str()).copied().flatten())
            .sum(),
        ScaleRule::Multiply { of, factor } => earlier
            .get(of.as_str())
            .copied()
            .flatten()
            .map(|v| v * factor),
    }
}

/// A reverse-scored answer: the lowest option becomes the highest and so on.
fn mirrored(question: &Question, value: i64) -> i64 {
    question.min_value() + question.max_value() - value
}

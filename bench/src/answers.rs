//! Made-up but valid answers: every value is one of the question's options, some questions
//! are left open, and gated follow-on questions stay open when the gate says "no".

use crate::rng::Rng;
use samspor_domain::instrument::{Answers, Instrument, Page, Prorate, ScaleRule};

/// One page as a respondent fills it in: every question of the page, `None` where no option
/// was chosen (a question is left open with probability `missing_per_mille` / 1000).
pub fn answer_page(
    rng: &mut Rng,
    instrument: &Instrument,
    page: &Page,
    missing_per_mille: u64,
) -> Vec<(String, Option<i64>)> {
    let mut out: Vec<(String, Option<i64>)> = page
        .items
        .iter()
        .map(|q| {
            let value = if q.options.is_empty() || rng.chance(missing_per_mille) {
                None
            } else {
                Some(rng.pick(&q.options).value)
            };
            (q.link_id.clone(), value)
        })
        .collect();
    // After "no difficulties" the follow-on questions are not asked (SDQ impact supplement),
    // so a real respondent leaves them open; answering them would be data no one produces.
    for scale in instrument.scales() {
        if let ScaleRule::GatedSum { gate, items, .. } = &scale.rule
            && out.iter().any(|(id, v)| id == gate && *v == Some(0))
        {
            for (id, v) in out.iter_mut() {
                if items.contains(id) {
                    *v = None;
                }
            }
        }
    }
    out
}

/// A whole questionnaire. An open question is kept as `null` or left out of the map, half
/// each: the link form stores `null`, other paths (paper forms, the API) may omit the key,
/// and the scoring engine must treat both alike.
pub fn answer_all(rng: &mut Rng, instrument: &Instrument, missing_per_mille: u64) -> Answers {
    let mut answers = Answers::new();
    for page in instrument.pages() {
        for (id, value) in answer_page(rng, instrument, page, missing_per_mille) {
            if value.is_none() && rng.chance(500) {
                continue;
            }
            answers.set(id, value);
        }
    }
    answers
}

/// How much of the scoring engine a set of answers exercises.
#[derive(Debug, Default, Clone, Copy)]
pub struct Coverage {
    pub questions: u64,
    pub open_questions: u64,
    /// Item scales with every item answered.
    pub full_scales: u64,
    /// Item scales scored by prorating the answered items.
    pub prorated_scales: u64,
    /// Item scales with too few answers to score.
    pub unscored_scales: u64,
}

impl Coverage {
    pub fn add(&mut self, instrument: &Instrument, answers: &Answers) {
        for q in instrument.questions() {
            self.questions += 1;
            if answers.value(&q.link_id).is_none() {
                self.open_questions += 1;
            }
        }
        for scale in instrument.scales() {
            let ScaleRule::Items {
                items,
                min_answered,
                prorate,
                ..
            } = &scale.rule
            else {
                continue;
            };
            let answered = items.iter().filter(|l| answers.value(l).is_some()).count();
            if answered == items.len() {
                self.full_scales += 1;
            } else if *prorate == Prorate::MeanRoundHalfUp && answered >= *min_answered {
                self.prorated_scales += 1;
            } else {
                self.unscored_scales += 1;
            }
        }
    }

    pub fn item_scales(&self) -> u64 {
        self.full_scales + self.prorated_scales + self.unscored_scales
    }
}

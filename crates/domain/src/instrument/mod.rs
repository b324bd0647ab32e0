//! Questionnaires as data: each instrument version is a FHIR R4 Questionnaire-shaped JSON
//! file with our own `samspor` section (scales, bands, critical items, norms, licence). This
//! module reads and checks those definitions, scores answers and computes reliable change.
//! It does no I/O: callers hand in file names and texts.
//!
//! Item wording is someone else's text (for the SDQ, electronic use needs an agreement), so
//! definitions carry only our own neutral labels, in Danish and English, with staff-only
//! remarks kept apart from them; see `instruments/README.md`.

mod definition;
mod json;
mod rci;
mod scoring;
#[cfg(test)]
mod tests;
mod translation;

pub use definition::{
    AnswerOption, BandLabel, BandRow, BandTable, ChangeNorm, CriticalItem, DefinitionError,
    HigherIs, Instrument, Licence, Page, Prorate, Question, Scale, ScaleRule, StaffNote,
};
pub use rci::{ChangeDirection, RCI_THRESHOLD, ReliableChange, reliable_change};
pub use scoring::{
    Answers, CriticalHit, ScaleScore, Scored, Subject, score, score_for, validate_answers,
};

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// Who fills in the questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Respondent {
    Parent,
    /// The child or young person about themselves.
    Child,
    Teacher,
}

impl Respondent {
    pub const ALL: [Respondent; 3] = [Respondent::Parent, Respondent::Child, Respondent::Teacher];

    pub fn as_str(self) -> &'static str {
        match self {
            Respondent::Parent => "parent",
            Respondent::Child => "child",
            Respondent::Teacher => "teacher",
        }
    }

    pub fn parse(s: &str) -> Option<Respondent> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Respondent::Parent, Lang::Da) => "Forælder",
            (Respondent::Parent, Lang::En) => "Parent",
            (Respondent::Child, Lang::Da) => "Barnet eller den unge selv",
            (Respondent::Child, Lang::En) => "The child or young person",
            (Respondent::Teacher, Lang::Da) => "Lærer eller pædagog",
            (Respondent::Teacher, Lang::En) => "Teacher",
        }
    }
}

/// The loaded instrument definitions, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    instruments: Vec<Instrument>,
}

impl Catalogue {
    /// Parses every (file name, text) pair; the first bad file stops it, as does an id that
    /// two files share.
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<Catalogue, DefinitionError> {
        let mut instruments: Vec<(String, Instrument)> = Vec::with_capacity(sources.len());
        for (file, text) in sources {
            let instrument = Instrument::from_json(&file, &text)?;
            if let Some((first, _)) = instruments.iter().find(|(_, i)| i.id() == instrument.id()) {
                return Err(DefinitionError {
                    field: "id".into(),
                    message: format!(
                        "instrument id \"{}\" is already defined in {first}",
                        instrument.id()
                    ),
                    file,
                });
            }
            instruments.push((file, instrument));
        }
        let mut instruments: Vec<Instrument> = instruments.into_iter().map(|(_, i)| i).collect();
        instruments.sort_by(|a, b| a.id().cmp(b.id()));
        Ok(Catalogue { instruments })
    }

    /// The definitions built into the binary from the repository's `instruments/` folder.
    pub fn shipped() -> Catalogue {
        let sources = SHIPPED
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        // A broken shipped file is a build defect, and a test parses them all.
        Catalogue::from_sources(sources)
            .unwrap_or_else(|e| panic!("a shipped instrument definition is invalid: {e}"))
    }

    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments
            .binary_search_by(|i| i.id().cmp(id))
            .ok()
            .map(|pos| &self.instruments[pos])
    }

    pub fn all(&self) -> &[Instrument] {
        &self.instruments
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.instruments.iter().map(Instrument::id)
    }

    pub fn len(&self) -> usize {
        self.instruments.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instruments.is_empty()
    }
}

/// Same as [`Catalogue::shipped`].
pub fn shipped() -> Catalogue {
    Catalogue::shipped()
}

macro_rules! shipped_files {
    ($($name:literal),* $(,)?) => {
        [$((
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../instruments/", $name)),
        )),*]
    };
}

/// (file name, text) of every shipped definition.
pub const SHIPPED: [(&str, &str); 12] = shipped_files!(
    "sdq-parent-4-17.json",
    "sdq-teacher-4-17.json",
    "sdq-self-11-17.json",
    "sdq-parent-4-17-followup.json",
    "sdq-teacher-4-17-followup.json",
    "sdq-self-11-17-followup.json",
    "smfq-child.json",
    "smfq-parent.json",
    "scared-child.json",
    "scared-parent.json",
    "who5.json",
    "phq-a.json",
);

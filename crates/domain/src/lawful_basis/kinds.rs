//! The words of the lawful-basis model: who receives, what kind of data, on which ground.

use crate::i18n::Lang;
use crate::organisation::OrgKind;
use serde::{Deserialize, Serialize};

/// An enum that is stored and sent as a snake_case code, with a label in both languages. Used
/// by other modules of the crate for their own codes, too.
macro_rules! coded {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal, $da:literal, $en:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|x| x.as_str() == s.trim())
            }

            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, Lang::Da) => $da, ($name::$variant, Lang::En) => $en,)+
                }
            }
        }
    };
}
pub(crate) use coded;

coded! {
    /// The kind of organisation data is shared with. The rules are written per kind; a share
    /// names the organisation itself.
    RecipientKind {
        ChildPsychiatry = "child_psychiatry", "Børne- og ungdomspsykiatrien", "Child and adolescent psychiatry";
        GeneralPractice = "general_practice", "Egen læge", "General practice";
        OtherMunicipality = "other_municipality", "En anden kommune", "Another municipality";
        SchoolPpr = "school_ppr", "Skole / PPR", "School / PPR";
        SocialAuthority = "social_authority", "Kommunens børne- og familiemyndighed", "The municipality's children-and-family authority";
    }
}

coded! {
    /// What part of a child's data a basis covers. Every stored field belongs to exactly one.
    DataCategory {
        ContactAndCourse = "contact_and_course", "Henvendelse og forløb", "Contact and course facts";
        Scores = "scores", "Spørgeskemaresultater", "Questionnaire scores";
        Journal = "journal", "Journalnotater", "Journal notes";
        Plan = "plan", "Plan", "Plan";
    }
}

coded! {
    /// A ground that allows disclosure without consent.
    Ground {
        CurrentTreatment = "current_treatment", "Nødvendigt for et aktuelt behandlingsforløb", "Needed for a current treatment course";
        VitalInterests = "vital_interests", "Varetagelse af en åbenbar almen interesse eller vitale interesser", "Vital interests";
        LegalDuty = "legal_duty", "Lovpligtig videregivelse (fx underretning)", "Disclosure required by law (e.g. a notification)";
    }
}

coded! {
    /// What a consent is for: treatment between health persons (§ 41) or any other purpose (§ 43).
    Purpose {
        Treatment = "treatment", "Behandling", "Treatment";
        Other = "other", "Andre formål", "Other purposes";
    }
}

coded! {
    /// How a consent was given.
    ConsentForm {
        Written = "written", "Skriftligt", "Written";
        Oral = "oral", "Mundtligt", "Oral";
    }
}

impl RecipientKind {
    /// The kind of recipient an organisation is, if the rules speak of it.
    pub fn of(kind: OrgKind) -> Option<RecipientKind> {
        match kind {
            OrgKind::Psychiatry => Some(RecipientKind::ChildPsychiatry),
            OrgKind::GpPractice => Some(RecipientKind::GeneralPractice),
            OrgKind::Municipality => Some(RecipientKind::OtherMunicipality),
            OrgKind::School | OrgKind::Ppr => Some(RecipientKind::SchoolPpr),
            OrgKind::Region | OrgKind::HospitalDepartment | OrgKind::Secretariat => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_and_has_two_labels() {
        for k in RecipientKind::ALL {
            assert_eq!(RecipientKind::parse(k.as_str()), Some(*k));
            assert_ne!(k.label(Lang::Da), k.label(Lang::En));
        }
        for c in DataCategory::ALL {
            assert_eq!(DataCategory::parse(c.as_str()), Some(*c));
        }
        for g in Ground::ALL {
            assert_eq!(Ground::parse(g.as_str()), Some(*g));
        }
        assert_eq!(RecipientKind::parse("hospital"), None);
    }

    #[test]
    fn codes_match_the_serde_names() {
        for c in DataCategory::ALL {
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::from(c.as_str())
            );
        }
    }
}

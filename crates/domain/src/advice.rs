//! Advice requests ("sparring"): municipal staff and GPs ask child psychiatry for quick
//! professional advice, either anonymously (the child's age and sex and the question, nothing
//! that identifies) or about a child whose course is shared with the unit on a lawful basis.
//! The answer is due within working days (`partnership/rules.json`, see [`crate::calendar`]).

use crate::cpr::{Cpr, Sex};
use crate::validation::{FieldError, FieldErrors, required_text};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest question or answer.
pub const TEXT_MAX: usize = 4000;

/// An advice request as the asker writes it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QuestionInput {
    /// The course the question is about; none for an anonymous question.
    pub course_id: Option<Uuid>,
    /// For an anonymous question: the child's age in years.
    pub age: Option<String>,
    /// For an anonymous question: `female`, `male` or `unknown`.
    pub sex: Option<String>,
    pub question: Option<String>,
}

/// Whom a question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// No child is identified: the unit learns only the age and sex.
    Anonymous { age: u8, sex: Sex },
    /// A child whose course the unit may read on a lawful basis.
    Identified { course_id: Uuid },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub subject: Subject,
    pub question: String,
}

/// Checks a question. An anonymous one needs the age (0–17) and sex, and may not carry a CPR
/// number in its text: it would no longer be anonymous.
pub fn parse_question(input: &QuestionInput) -> Result<Question, FieldErrors> {
    let mut errors = FieldErrors::default();
    let question = required_text(&mut errors, "question", input.question.as_deref(), TEXT_MAX);
    let subject = match input.course_id {
        Some(course_id) => Some(Subject::Identified { course_id }),
        None => {
            if contains_cpr(&question) {
                errors.push(FieldError::new(
                    "question",
                    "An anonymous question may not contain a CPR number: remove it, or ask about the child's course instead.",
                    "Et anonymt spørgsmål må ikke indeholde et CPR-nummer: fjern det, eller spørg i stedet ud fra barnets forløb.",
                ));
            }
            let age = parse_age(&mut errors, input.age.as_deref());
            let sex = parse_sex(&mut errors, input.sex.as_deref());
            age.zip(sex)
                .map(|(age, sex)| Subject::Anonymous { age, sex })
        }
    };
    match subject {
        Some(subject) if errors.is_empty() => Ok(Question { subject, question }),
        _ => Err(errors),
    }
}

fn parse_age(errors: &mut FieldErrors, value: Option<&str>) -> Option<u8> {
    let age = value.and_then(|v| v.trim().parse::<u8>().ok());
    match age {
        Some(a) if a <= 17 => Some(a),
        _ => {
            errors.push(FieldError::new(
                "age",
                "Give the child's age in years, 0 to 17.",
                "Angiv barnets alder i år, 0 til 17.",
            ));
            None
        }
    }
}

fn parse_sex(errors: &mut FieldErrors, value: Option<&str>) -> Option<Sex> {
    let sex = match value.map(str::trim) {
        Some("female") => Some(Sex::Female),
        Some("male") => Some(Sex::Male),
        Some("unknown") => Some(Sex::Unknown),
        _ => None,
    };
    if sex.is_none() {
        errors.push(FieldError::new(
            "sex",
            "Choose girl, boy or not stated.",
            "Vælg pige, dreng eller ikke oplyst.",
        ));
    }
    sex
}

/// Whether a text holds something that parses as a CPR number (ten digits, with or without a
/// separator after the sixth), standing apart from other digits.
pub fn contains_cpr(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len()).any(|start| {
        let before_is_digit = start > 0 && chars[start - 1].is_ascii_digit();
        if before_is_digit || !chars[start].is_ascii_digit() {
            return false;
        }
        [10, 11].into_iter().any(|len| {
            let Some(candidate) = chars.get(start..start + len) else {
                return false;
            };
            let after_is_digit = chars.get(start + len).is_some_and(|c| c.is_ascii_digit());
            let candidate: String = candidate.iter().collect();
            !after_is_digit && Cpr::parse(&candidate).is_ok()
        })
    })
}

/// Checks child psychiatry's answer.
pub fn parse_answer(answer: Option<&str>) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let text = required_text(&mut errors, "answer", answer, TEXT_MAX);
    errors.into_result(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn anonymous(age: &str, sex: &str, question: &str) -> QuestionInput {
        QuestionInput {
            course_id: None,
            age: Some(age.into()),
            sex: Some(sex.into()),
            question: Some(question.into()),
        }
    }

    fn fields(e: FieldErrors) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn an_anonymous_question_gives_age_and_sex() {
        let q =
            parse_question(&anonymous("9", "female", "Angst ved skolestart – hvad nu?")).unwrap();
        assert_eq!(
            q.subject,
            Subject::Anonymous {
                age: 9,
                sex: Sex::Female
            }
        );
        let e = parse_question(&anonymous("18", "girl", " ")).unwrap_err();
        assert_eq!(fields(e), ["question", "age", "sex"]);
    }

    #[test]
    fn an_identified_question_needs_no_age_or_sex() {
        let id = Uuid::from_u128(5);
        let q = parse_question(&QuestionInput {
            course_id: Some(id),
            question: Some("Medicinsk vurdering?".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.subject, Subject::Identified { course_id: id });
    }

    #[test]
    fn an_anonymous_question_may_not_name_a_cpr_number() {
        for text in [
            "Pigen (070915-4321) er meget bange",
            "cpr 0709154321.",
            "0709154321",
        ] {
            let e = parse_question(&anonymous("11", "female", text)).unwrap_err();
            assert_eq!(fields(e), ["question"], "{text}");
        }
        for text in [
            "Telefon 12345678 efter kl. 9",
            "Sag 20261204123456",
            "Målt 3 gange på 14 dage",
            "Datoen 32.13.15-4321",
        ] {
            assert!(!contains_cpr(text), "{text}");
        }
    }

    proptest! {
        #[test]
        fn a_text_without_ten_digits_in_a_row_holds_no_cpr(text in "[a-zæøå ,.0-9]{0,60}") {
            let longest_run = text
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            if longest_run < 6 {
                prop_assert!(!contains_cpr(&text));
            }
        }

        #[test]
        fn every_valid_cpr_is_found_inside_words(n in 1u32..900, pre in "[a-z ]{0,10}", post in "[a-z .]{0,10}") {
            let born = chrono::NaiveDate::from_ymd_opt(2012, 3, 14).unwrap();
            if let Some(cpr) = Cpr::synthetic(born, Sex::Male, n) {
                let text = format!("{pre} {} {post}", cpr.formatted());
                prop_assert!(contains_cpr(&text));
            }
        }
    }
}

//! The child's GP practice: who the GP information goes to. MedCom routes on the SOR code and
//! the EAN location number, so both are required; the ydernummer is how the family's health
//! card and the practice itself name it.

use crate::organisation::{parse_ean, parse_sor};
use crate::validation::{FieldError, FieldErrors, required_text};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 200;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct GpPracticeInput {
    pub name: Option<String>,
    pub ydernummer: Option<String>,
    pub sor_code: Option<String>,
    pub ean: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpPractice {
    pub name: String,
    /// The practice's number with the regions: six digits.
    pub ydernummer: String,
    pub sor_code: String,
    pub ean: String,
}

/// Checks every field and names each one that is wrong.
pub fn parse_gp_practice(input: &GpPracticeInput) -> Result<GpPractice, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "name", input.name.as_deref(), NAME_MAX);
    let ydernummer = parse_ydernummer(input.ydernummer.as_deref().unwrap_or(""))
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let sor_code = match input.sor_code.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::required("sor_code"));
            String::new()
        }
        Some(s) => parse_sor(s).map_err(|e| errors.push(e)).unwrap_or_default(),
    };
    let ean = match input.ean.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::required("ean"));
            String::new()
        }
        Some(s) => parse_ean(s)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "ean".into(),
                    ..e
                })
            })
            .unwrap_or_default(),
    };
    errors.into_result(GpPractice {
        name,
        ydernummer,
        sor_code,
        ean,
    })
}

fn parse_ydernummer(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(FieldError::new(
            "ydernummer",
            "A ydernummer has 6 digits, e.g. 012345.",
            "Et ydernummer har 6 cifre, fx 012345.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, yder: &str, sor: &str, ean: &str) -> GpPracticeInput {
        GpPracticeInput {
            name: Some(name.into()),
            ydernummer: Some(yder.into()),
            sor_code: Some(sor.into()),
            ean: Some(ean.into()),
        }
    }

    #[test]
    fn a_complete_practice_is_kept_trimmed() {
        let p = parse_gp_practice(&input(
            " Lægehuset ",
            "012345",
            " 451000016003 ",
            "5790000121526",
        ))
        .unwrap();
        assert_eq!(p.name, "Lægehuset");
        assert_eq!(p.sor_code, "451000016003");
    }

    #[test]
    fn each_wrong_field_is_named() {
        let e = parse_gp_practice(&input("", "12345", "123", "5790000121527")).unwrap_err();
        for field in ["name", "ydernummer", "sor_code", "ean"] {
            assert!(e.get(field).is_some(), "{field} not named in {e:?}");
        }
        let e = parse_gp_practice(&GpPracticeInput::default()).unwrap_err();
        assert_eq!(e.0.len(), 4);
    }
}

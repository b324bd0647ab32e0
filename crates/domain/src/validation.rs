//! Field-level validation errors, worded for people in both UI languages.

use crate::i18n::Lang;
use serde::Serialize;

/// One problem with one input field, worded for the user in both UI languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message_en: String,
    pub message_da: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, en: impl Into<String>, da: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message_en: en.into(),
            message_da: da.into(),
        }
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.message_da,
            Lang::En => &self.message_en,
        }
    }

    pub fn required(field: &str) -> Self {
        Self::new(field, "This field is required.", "Feltet skal udfyldes.")
    }

    pub fn too_long(field: &str, max: usize) -> Self {
        Self::new(
            field,
            format!("At most {max} characters."),
            format!("Højst {max} tegn."),
        )
    }
}

/// All problems found in one input; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// The same errors with `prefix` before every field name, for a part checked on its own
    /// that sits inside a larger form.
    pub fn prefixed(mut self, prefix: &str) -> FieldErrors {
        for e in &mut self.0 {
            e.field = format!("{prefix}{}", e.field);
        }
        self
    }

    /// `Ok(value)` when nothing was found, the collected errors otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for FieldErrors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

/// A character no text in Samspor holds: the control characters other than tab and line
/// breaks. No one types them, they are invisible on screen, and NUL cannot be stored in
/// PostgreSQL text at all. The web layer refuses NUL in every request before any handler runs;
/// the free-text fields refuse the rest with the field named, so a form is shown again.
pub fn is_unstorable(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The error for a field whose text holds an [`is_unstorable`] character.
pub fn unstorable(field: &str) -> FieldError {
    FieldError::new(
        field,
        "The text holds an invisible control character; type it again instead of pasting it.",
        "Teksten indeholder et usynligt kontroltegn; skriv den igen i stedet for at indsætte den.",
    )
}

/// Trims a required free-text field and checks its length.
pub fn required_text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> String {
    let v = value.map(str::trim).unwrap_or("");
    if v.is_empty() {
        errors.push(FieldError::required(field));
    } else if v.chars().any(is_unstorable) {
        errors.push(unstorable(field));
    } else if v.chars().count() > max {
        errors.push(FieldError::too_long(field, max));
    }
    v.to_string()
}

/// Trims an optional free-text field; blank becomes `None`.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let v = value.map(str::trim).unwrap_or("");
    if v.is_empty() {
        return None;
    }
    if v.chars().any(is_unstorable) {
        errors.push(unstorable(field));
    } else if v.chars().count() > max {
        errors.push(FieldError::too_long(field, max));
    }
    Some(v.to_string())
}

/// A day written as `YYYY-MM-DD` (the HTML date input's format); blank becomes `None`.
pub fn optional_day(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<chrono::NaiveDate> {
    let v = value.map(str::trim).unwrap_or("");
    if v.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "Write the date as YYYY-MM-DD, e.g. 2027-05-01.",
                "Skriv datoen som ÅÅÅÅ-MM-DD, fx 2027-05-01.",
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_flags_blank() {
        let mut e = FieldErrors::default();
        assert_eq!(required_text(&mut e, "a", Some("  x "), 5), "x");
        assert!(e.is_empty());
        required_text(&mut e, "b", Some("   "), 5);
        required_text(&mut e, "c", None, 5);
        required_text(&mut e, "d", Some("abcdef"), 5);
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["b", "c", "d"]);
    }

    #[test]
    fn control_characters_are_refused_but_tabs_and_line_breaks_kept() {
        let mut e = FieldErrors::default();
        assert_eq!(
            required_text(&mut e, "a", Some("to\tlinjer\r\nher"), 50),
            "to\tlinjer\r\nher"
        );
        assert!(e.is_empty());
        for bad in [
            "\0",
            "a\u{0}b",
            "x\u{b}y",
            "\u{1b}[31m",
            "z\u{7f}",
            "\u{9b}",
        ] {
            let mut e = FieldErrors::default();
            required_text(&mut e, "a", Some(bad), 50);
            optional_text(&mut e, "b", Some(bad), 50);
            let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, ["a", "b"], "{bad:?}");
        }
        assert!(parse_email("e", "a\u{0}@b.dk").is_err());
    }

    #[test]
    fn optional_text_blank_is_none() {
        let mut e = FieldErrors::default();
        assert_eq!(optional_text(&mut e, "a", Some(" "), 5), None);
        assert_eq!(
            optional_text(&mut e, "a", Some(" y"), 5).as_deref(),
            Some("y")
        );
        assert!(e.is_empty());
    }
}

/// A plausible e-mail address, lower-cased. Delivery is what really proves an address;
/// this only catches typing mistakes.
pub fn parse_email(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim().to_lowercase();
    let valid = v.len() <= 254
        && !v.contains(char::is_whitespace)
        && !v.contains(char::is_control)
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(v)
    } else {
        Err(FieldError::new(
            field,
            "Enter an e-mail address like name@example.dk.",
            "Skriv en e-mailadresse som navn@eksempel.dk.",
        ))
    }
}

/// A phone number: digits with optional spaces and a leading +, 8 to 15 digits.
pub fn parse_phone(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let shape_ok = v
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == ' ' || (c == '+' && i == 0));
    if shape_ok && (8..=15).contains(&digits) {
        Ok(v.to_string())
    } else {
        Err(FieldError::new(
            field,
            "Enter a phone number of 8 to 15 digits, e.g. 12 34 56 78.",
            "Skriv et telefonnummer på 8 til 15 cifre, fx 12 34 56 78.",
        ))
    }
}

#[cfg(test)]
mod contact_tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(parse_email("e", " A@B.dk ").unwrap(), "a@b.dk");
        for bad in ["", "a", "a@b", "@b.dk", "a@.dk", "a b@c.dk", "a@b@c.dk"] {
            assert!(parse_email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(parse_phone("p", "12 34 56 78").is_ok());
        assert!(parse_phone("p", "+45 12345678").is_ok());
        assert!(parse_phone("p", "1234").is_err());
        assert!(parse_phone("p", "12-34-56-78").is_err());
    }
}

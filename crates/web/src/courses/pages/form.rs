//! What every course form shares: reading the submitted pairs, and showing why a save was refused.

use crate::error::WebError;
use axum::http::StatusCode;
use samspor_domain::i18n::Lang;
use samspor_domain::validation::FieldErrors;
use samspor_store::service::ServiceError;

pub(crate) fn some_text(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_string())
}

/// Why a form was refused, to show beside its fields.
#[derive(Default)]
pub(crate) struct Refusal {
    pub(crate) errors: FieldErrors,
    pub(crate) conflict: Option<String>,
}

impl Refusal {
    /// Refusals a form can show; anything else becomes an error page.
    pub(crate) fn from_error(e: ServiceError, lang: Lang) -> Result<Refusal, WebError> {
        match e {
            ServiceError::Invalid(errors) => Ok(Refusal {
                errors,
                conflict: None,
            }),
            ServiceError::Conflict { current } => Ok(Refusal {
                errors: FieldErrors::default(),
                conflict: Some(conflict_message(lang, current)),
            }),
            other => Err(other.into()),
        }
    }

    pub(crate) fn invalid(errors: FieldErrors) -> Refusal {
        Refusal {
            errors,
            conflict: None,
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        if self.conflict.is_some() {
            StatusCode::CONFLICT
        } else if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// The status of a page that shows several forms: the gravest of their refusals, a
    /// conflict before invalid input.
    pub(crate) fn gravest<'a>(refusals: impl IntoIterator<Item = &'a Refusal>) -> StatusCode {
        refusals
            .into_iter()
            .map(Refusal::status)
            .max_by_key(|s| match *s {
                StatusCode::CONFLICT => 2,
                StatusCode::UNPROCESSABLE_ENTITY => 1,
                _ => 0,
            })
            .unwrap_or(StatusCode::OK)
    }

    pub(crate) fn err(&self, field: &str, lang: Lang) -> Option<&str> {
        self.errors.get(field).map(|e| e.message(lang))
    }

    /// Every message with the id of its field, for the list at the top of the form.
    pub(crate) fn summary(&self, lang: Lang) -> Vec<(String, String)> {
        self.errors
            .0
            .iter()
            .map(|e| (anchor(&e.field), e.message(lang).to_string()))
            .collect()
    }
}

/// The id of the input a field's message belongs to: `way.note` is `way_note`, a list's
/// `attendance[0].participants` is `attendance_0__participants`.
fn anchor(field: &str) -> String {
    field.replace(['[', ']', '.'], "_")
}

fn conflict_message(lang: Lang, current: i64) -> String {
    match lang {
        Lang::Da => format!(
            "Forløbet er ændret af en anden, siden du åbnede siden (nu version {current}). Det, du indtastede, er ikke gemt, men står stadig i formularen. Siden viser nu de nyeste oplysninger: se dem igennem, og gem igen."
        ),
        Lang::En => format!(
            "The course was changed by someone else after you opened the page (now version {current}). What you entered was not saved, but is still in the form. The page now shows the latest data: check it, and save again."
        ),
    }
}

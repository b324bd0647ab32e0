//! The course itself (KL LTT CarePlan): its status and the themes it works with.

use crate::course::kl::Theme;
use crate::i18n::Lang;
use crate::validation::{FieldError, FieldErrors};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CourseStatus {
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "completed")]
    Completed,
    /// Registered by mistake; kept for the record and reported to KL as such.
    #[serde(rename = "entered-in-error")]
    EnteredInError,
}

impl CourseStatus {
    pub const ALL: [CourseStatus; 3] = [
        CourseStatus::Active,
        CourseStatus::Completed,
        CourseStatus::EnteredInError,
    ];

    /// The FHIR CarePlan status code.
    pub fn as_str(self) -> &'static str {
        match self {
            CourseStatus::Active => "active",
            CourseStatus::Completed => "completed",
            CourseStatus::EnteredInError => "entered-in-error",
        }
    }

    pub fn parse(s: &str) -> Option<CourseStatus> {
        CourseStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (CourseStatus::Active, Lang::Da) => "Aktivt",
            (CourseStatus::Active, Lang::En) => "Active",
            (CourseStatus::Completed, Lang::Da) => "Afsluttet",
            (CourseStatus::Completed, Lang::En) => "Completed",
            (CourseStatus::EnteredInError, Lang::Da) => "Fejlregistreret",
            (CourseStatus::EnteredInError, Lang::En) => "Entered in error",
        }
    }
}

/// Status and period together, so "completed ⇒ end" (a KL invariant) cannot be broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    status: CourseStatus,
    start: NaiveDate,
    end: Option<NaiveDate>,
}

impl Period {
    pub fn started(start: NaiveDate) -> Self {
        Period {
            status: CourseStatus::Active,
            start,
            end: None,
        }
    }

    /// Rebuilds a stored period; `None` if the stored values break an invariant.
    pub fn from_stored(
        status: CourseStatus,
        start: NaiveDate,
        end: Option<NaiveDate>,
    ) -> Option<Self> {
        let consistent = match (status, end) {
            (CourseStatus::Completed, None) => false,
            (_, Some(e)) => e >= start,
            _ => true,
        };
        consistent.then_some(Period { status, start, end })
    }

    pub fn status(&self) -> CourseStatus {
        self.status
    }
    pub fn start(&self) -> NaiveDate {
        self.start
    }
    pub fn end(&self) -> Option<NaiveDate> {
        self.end
    }

    /// Completing always sets the end; an end before the start is refused.
    pub fn complete(self, end: NaiveDate) -> Result<Self, FieldError> {
        if self.status != CourseStatus::Active {
            return Err(FieldError::new(
                "status",
                "Only an active course can be completed.",
                "Kun et aktivt forløb kan afsluttes.",
            ));
        }
        if end < self.start {
            return Err(FieldError::new(
                "at",
                "The course cannot end before it started.",
                "Forløbet kan ikke slutte, før det er startet.",
            ));
        }
        Ok(Period {
            status: CourseStatus::Completed,
            start: self.start,
            end: Some(end),
        })
    }

    pub fn entered_in_error(self) -> Self {
        Period {
            status: CourseStatus::EnteredInError,
            ..self
        }
    }
}

/// The themes a course works with, as chosen by staff: at least one, each once.
pub fn parse_themes(values: &[String]) -> Result<Vec<Theme>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut out: Vec<Theme> = Vec::new();
    for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match Theme::parse(v) {
            Some(t) if !out.contains(&t) => out.push(t),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "themes",
                format!("Unknown theme \"{v}\"."),
                format!("Ukendt tema \"{v}\"."),
            )),
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "themes",
            "Choose at least one theme.",
            "Vælg mindst ét tema.",
        ));
    }
    out.sort_by_key(|t| t.as_str());
    errors.into_result(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn completing_sets_the_end() {
        let p = Period::started(d("2026-01-31"))
            .complete(d("2026-03-01"))
            .unwrap();
        assert_eq!(p.status(), CourseStatus::Completed);
        assert_eq!(p.end(), Some(d("2026-03-01")));
        assert!(
            Period::started(d("2026-01-31"))
                .complete(d("2026-01-30"))
                .is_err()
        );
        assert!(p.complete(d("2026-04-01")).is_err());
    }

    #[test]
    fn stored_completed_without_end_is_rejected() {
        assert!(Period::from_stored(CourseStatus::Completed, d("2026-01-01"), None).is_none());
        assert!(Period::from_stored(CourseStatus::Active, d("2026-01-01"), None).is_some());
    }

    #[test]
    fn themes_are_known_unique_and_at_least_one() {
        let t = parse_themes(&["worry".into(), "sadness".into(), "worry".into()]).unwrap();
        assert_eq!(t, vec![Theme::Sadness, Theme::Worry]);
        assert!(parse_themes(&[]).is_err());
        assert!(parse_themes(&["angst".into()]).is_err());
    }

    proptest! {
        #[test]
        fn a_completed_period_always_has_an_end_not_before_its_start(
            start in 0i64..20_000, len in -100i64..1000
        ) {
            let s = d("1990-01-01") + chrono::Duration::days(start);
            let e = s + chrono::Duration::days(len);
            match Period::started(s).complete(e) {
                Ok(p) => prop_assert!(p.end().is_some_and(|end| end >= p.start())),
                Err(_) => prop_assert!(len < 0),
            }
        }
    }
}

//! Courses in the coordinator's hands, from first contact to visitation: the deadline worklist,
//! registering a contact, the course page with its timeline and forms, the decision form with
//! decision support beside it, and visitation meetings that handle several courses in one sitting.
//!
//! Every form that changes a course carries the version it was read at, so a save by someone
//! else in between is shown to the user instead of silently overwritten.

mod child_courses;
mod contact;
mod course;
mod decision;
mod decision_support;
mod encounter;
mod form;
mod timeline;
mod views;
mod visitation;
mod worklist;

pub(crate) use encounter::{
    delivery_choices, delivery_label, participant_choices, participants_label,
};
pub(crate) use form::{Refusal, some_text};
pub use views::WorkRow;
pub use worklist::intake_queue;

use crate::AppState;

use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, NaiveDateTime};
use samspor_domain::validation::FieldError;
use samspor_store::courses as svc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/courses", get(worklist::worklist))
        .route("/courses/{id}", get(course::show))
        .route("/courses/{id}/encounters", post(course::add_encounter))
        .route("/courses/{id}/themes", post(course::set_themes))
        .route(
            "/courses/{id}/entered-in-error",
            post(course::entered_in_error),
        )
        .route(
            "/courses/{id}/decision",
            get(decision::decision_form).post(decision::decide),
        )
        .route("/children/{id}/courses", get(child_courses::child_courses))
        .route(
            "/children/{id}/courses/new",
            get(contact::new_contact).post(contact::create_contact),
        )
        .route(
            "/visitation",
            get(visitation::meetings).post(visitation::create_meeting),
        )
        .route("/visitation/{id}", get(visitation::meeting))
}

/// The value a `datetime-local` input expects.
pub(crate) const INPUT_DATETIME: &str = "%Y-%m-%dT%H:%M";

pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

pub(crate) fn moment(t: NaiveDateTime) -> String {
    t.format("%d.%m.%Y %H:%M").to_string()
}

/// Danish local time now, to the minute, as a form's default.
pub(crate) fn now_input() -> String {
    svc::local(chrono::Utc::now())
        .format(INPUT_DATETIME)
        .to_string()
}

/// Browsers without a date-time picker let people type, so the Danish way of writing is
/// accepted beside the ISO value the picker sends.
pub(crate) fn parse_local_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d.%m.%Y %H:%M",
        "%d-%m-%Y %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

pub(crate) fn datetime_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        "Give date and time, e.g. 20.11.2026 10:30.",
        "Angiv dato og klokkeslæt, fx 20.11.2026 10:30.",
    )
}

pub(crate) fn date_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        "Give a date, e.g. 20.11.2026.",
        "Angiv en dato, fx 20.11.2026.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_times_are_read_in_the_usual_ways() {
        let want = NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(10, 30, 0)
            .unwrap();
        for s in ["2026-11-20T10:30", "2026-11-20 10:30", "20.11.2026 10:30"] {
            assert_eq!(parse_local_datetime(s), Some(want), "{s}");
        }
        assert_eq!(parse_local_datetime("20. november"), None);
        assert_eq!(
            parse_date("20.11.2026"),
            NaiveDate::from_ymd_opt(2026, 11, 20)
        );
    }
}

//! Demo course measurements: once a municipality's treatment courses exist, the measurements
//! their track plans have made due are sent, as the job and the "send now" button do, and some
//! of the links are answered through the respondent's own service: every start and end link on
//! a closed course (so its measurement page shows reliable change), and the start links of every
//! other active course (so the therapist's list still has links out and answers to wait for).
//!
//! The answers are made up from each questionnaire's own answer options: many difficulties at
//! the start, fewer at the end on most courses, about the same on every third, so the demo
//! shows improvement as well as no reliable change.

use crate::demo_courses::MunicipalityDemo;
use anyhow::Context;
use chrono::{NaiveDate, Utc};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::plan::MeasurePoint;
use samspor_domain::instrument::{Answers, Instrument};
use samspor_store::courses::Rules;
use samspor_store::courses::measurements;
use samspor_store::notifications::Sending;
use samspor_store::questionnaires::{self, PageAnswers};
use samspor_store::{MeasurementStatus, Store};

/// How troubled the made-up answers are.
#[derive(Clone, Copy)]
enum Level {
    Many,
    Few,
}

/// Answers to every question of `instrument`: the option two thirds up the scale for many
/// difficulties, the lowest for few. Critical items (e.g. thoughts of self-harm) always get
/// their lowest option, so the demo raises no alerts of its own.
fn answers(instrument: &Instrument, level: Level) -> Answers {
    let mut out = Answers::new();
    for q in instrument.questions() {
        let mut values: Vec<i64> = q.options.iter().map(|o| o.value).collect();
        values.sort_unstable();
        let critical = instrument
            .critical_items()
            .iter()
            .any(|c| c.link_id == q.link_id);
        let index = match level {
            Level::Many if !critical => values.len() * 2 / 3,
            _ => 0,
        };
        if let Some(v) = values.get(index.min(values.len().saturating_sub(1))) {
            out.set(q.link_id.clone(), Some(*v));
        }
    }
    out
}

/// Answers one sent measurement through the respondent's service, as a family's phone does.
async fn answer(
    store: &Store,
    rules: Rules<'_>,
    token: &str,
    instrument_id: &str,
    level: Level,
    request_id: &str,
) -> anyhow::Result<()> {
    let instrument = rules
        .catalogue
        .get(instrument_id)
        .with_context(|| format!("unknown instrument {instrument_id}"))?;
    let input = PageAnswers {
        page: None,
        answers: answers(instrument, level),
    };
    questionnaires::answer(store, rules.catalogue, token, &input, true, request_id)
        .await
        .with_context(|| format!("answering {instrument_id}"))?;
    Ok(())
}

/// Sends and answers the demo measurements of one municipality; returns how many links went out.
pub(crate) async fn seed(
    store: &Store,
    rules: Rules<'_>,
    demo: &MunicipalityDemo,
    request_id: &str,
) -> anyhow::Result<usize> {
    let mut ctx = demo.therapist.clone();
    ctx.now = Utc::now();
    let courses = {
        // Every course on a track, however long ago it closed.
        let since = NaiveDate::from_ymd_opt(2000, 1, 1);
        store
            .read(async |tx| tx.courses_on_track(Some(ctx.actor.org_id), since).await)
            .await?
    };
    let mut sent = 0;
    for (i, course) in courses.iter().enumerate() {
        sent += measurements::send_due_for_course(store, rules, Sending::NONE, &ctx, course.id)
            .await
            .context("sending demo measurements")?;
        let closed = course.status == CourseStatus::Completed;
        if !closed && i % 2 == 1 {
            continue;
        }
        let out = store
            .read(async |tx| tx.course_measurements(course.id).await)
            .await?;
        // Start links before end links, as the family would answer them.
        let mut out: Vec<_> = out
            .into_iter()
            .filter(|m| m.status == MeasurementStatus::Sent)
            .filter(|m| closed || m.point == MeasurePoint::Start)
            .collect();
        out.sort_by_key(|m| m.point != MeasurePoint::Start);
        for m in out {
            let Some(token) = m.link_token.as_deref() else {
                continue;
            };
            let level = match m.point {
                MeasurePoint::End if i % 3 != 2 => Level::Few,
                _ => Level::Many,
            };
            answer(store, rules, token, &m.instrument_id, level, request_id).await?;
        }
    }
    // A run of the job at the demo time: it finds nothing more to send, and marks the answered
    // links as answered, as it would within minutes on a running server.
    sent += measurements::send_due(store, rules, Sending::NONE, Utc::now())
        .await
        .context("running the measurement job")?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use samspor_domain::instrument::{Catalogue, score};

    #[test]
    fn made_up_answers_fit_every_questionnaire_and_raise_no_alert() {
        let catalogue = Catalogue::shipped();
        for instrument in catalogue.all() {
            for level in [Level::Many, Level::Few] {
                let a = answers(instrument, level);
                samspor_domain::instrument::validate_answers(instrument, &a).unwrap();
                let scored = score(instrument, &a).unwrap();
                assert!(scored.critical.is_empty(), "{}", instrument.id());
            }
        }
    }
}

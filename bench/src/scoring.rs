//! Benchmark 1: the scoring engine alone, in-process, on one thread.

use crate::answers::{Coverage, answer_all};
use crate::rng::Rng;
use anyhow::{Context, bail};
use samspor_domain::instrument::{Answers, Instrument, score};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Answer sets made, then scored, at a time: enough to make the clock's cost vanish, few
/// enough that the whole run never holds more than a few megabytes of answers.
const BATCH: usize = 4096;

pub struct ScoringReport {
    pub instrument: String,
    pub sets: usize,
    pub coverage: Coverage,
    /// Responses scored per second, one value per run.
    pub per_second: Vec<f64>,
}

/// Scores `sets` answer sets `runs` times. Every run scores the very same sets (same seed),
/// and only the calls to `score` are timed, not making the answers.
pub fn measure(
    instrument: &Instrument,
    sets: usize,
    runs: usize,
    missing_per_mille: u64,
    seed: u64,
) -> anyhow::Result<ScoringReport> {
    let mut per_second = Vec::with_capacity(runs);
    let mut coverage = Coverage::default();
    let mut first_checksum = None;
    for run in 0..runs {
        let mut rng = Rng::new(seed);
        let mut timed = Duration::ZERO;
        let mut checksum = 0i64;
        let mut done = 0;
        while done < sets {
            let n = BATCH.min(sets - done);
            let batch: Vec<Answers> = (0..n)
                .map(|_| answer_all(&mut rng, instrument, missing_per_mille))
                .collect();
            if run == 0 {
                for a in &batch {
                    coverage.add(instrument, a);
                }
            }
            let start = Instant::now();
            for answers in &batch {
                let scored = score(instrument, black_box(answers))
                    .map_err(|e| anyhow::anyhow!("{e:?}"))
                    .with_context(|| {
                        format!("generated answers for {} do not validate", instrument.id())
                    })?;
                // Using the result keeps the optimiser from dropping the work.
                checksum += scored.scales.values().filter_map(|s| s.score).sum::<i64>()
                    + scored.critical.len() as i64;
                black_box(&scored);
            }
            timed += start.elapsed();
            done += n;
        }
        // Same input must give the same scores every time; anything else is a bug worth
        // more than any speed figure.
        match first_checksum {
            None => first_checksum = Some(checksum),
            Some(c) if c != checksum => {
                bail!(
                    "{}: run {run} scored differently ({checksum} ≠ {c})",
                    instrument.id()
                )
            }
            Some(_) => {}
        }
        per_second.push(sets as f64 / timed.as_secs_f64());
        eprintln!(
            "  {} run {}/{runs}: {:.0} responses/s",
            instrument.id(),
            run + 1,
            per_second[run]
        );
    }
    Ok(ScoringReport {
        instrument: instrument.id().to_string(),
        sets,
        coverage,
        per_second,
    })
}

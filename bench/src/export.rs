//! Benchmark 4: the national KL Gateway LTT export (`service::export::kl_ltt`, what
//! `samspor export kl-ltt`, the API and the nightly job run) on a fresh database holding the
//! demo data of several municipalities: the whole data set at once, and one day's changes.

use crate::fresh_db::FreshDb;
use crate::stats;
use crate::submit::Backend;
use anyhow::{Context, bail, ensure};
use chrono::{DateTime, Duration as TimeDelta, Utc};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::encounter::{Delivery, EncounterInput, EncounterType, Participants};
use samspor_domain::klgateway::{check_delivery, has_errors};
use samspor_domain::role::Role;
use samspor_store::accounts;
use samspor_store::courses::{self, local};
use samspor_store::export::{self, Caller, ExportRequest, System};
use samspor_store::service::Ctx;
use samspor_store::{DeliverySource, Store};
use std::time::{Duration, Instant};

pub struct Config {
    pub municipalities: usize,
    /// Children registered per municipality by the demo.
    pub children: usize,
    /// Share of the active courses a day's work touches, in per cent.
    pub touched_percent: u64,
    pub runs: usize,
    pub seed: u64,
}

/// What the data set holds, counted in the database after seeding.
pub struct Census {
    pub children_with_courses: usize,
    pub courses: usize,
    pub active: usize,
    pub touched: usize,
}

pub struct Timing {
    pub what: &'static str,
    pub reports: usize,
    pub bytes: usize,
    pub latencies: Vec<Duration>,
}

pub struct Report {
    pub backend: &'static str,
    pub seeding: Duration,
    pub census: Census,
    pub timings: Vec<Timing>,
}

pub async fn measure(backend: &Backend, config: &Config) -> anyhow::Result<Report> {
    let db = FreshDb::new(backend).await?;
    let result = measure_on(&db.store, backend, config).await;
    db.remove().await?;
    result
}

async fn measure_on(store: &Store, backend: &Backend, config: &Config) -> anyhow::Result<Report> {
    let started = Instant::now();
    samspor::demo::seed(
        store,
        &samspor::demo::DemoOptions {
            seed: config.seed,
            municipalities: config.municipalities,
            children: config.children,
        },
    )
    .await
    .context("seeding the demo data")?;
    let seeding = started.elapsed();

    // The whole data set: every child with a course, as a first delivery sends it.
    let whole = timed(
        store,
        config.runs,
        DateTime::<Utc>::UNIX_EPOCH,
        "whole data set",
    )
    .await?;
    let children_with_courses = whole.reports;

    // One day's work after the seeding: a share of the active courses gets a new encounter.
    let day_start = Utc::now();
    let (courses, active, touched) = touch(store, config).await?;
    let day = timed(store, config.runs, day_start, "one day's changes").await?;
    ensure!(
        day.reports > 0 && day.reports <= touched,
        "{}: the day's delivery has {} reports for {touched} touched courses",
        backend.name(),
        day.reports
    );
    let verified = store.verify_audit().await?;
    if let Err(chain_break) = verified.result {
        bail!("{}: the audit chain broke: {chain_break}", backend.name());
    }
    Ok(Report {
        backend: backend.name(),
        seeding,
        census: Census {
            children_with_courses,
            courses,
            active,
            touched: day.reports,
        },
        timings: vec![whole, day],
    })
}

/// Runs the export `runs` times (after one untimed warm-up) and checks every delivery made.
async fn timed(
    store: &Store,
    runs: usize,
    since: DateTime<Utc>,
    what: &'static str,
) -> anyhow::Result<Timing> {
    let mut latencies = Vec::with_capacity(runs);
    let mut expected: Option<(usize, usize)> = None;
    for run in 0..=runs {
        let now = Utc::now();
        let t = Instant::now();
        let delivery = export::kl_ltt(
            store,
            Caller::System(System {
                source: DeliverySource::Cli,
                request_id: format!("bench-export-{run}"),
                now,
            }),
            ExportRequest {
                since,
                until: now,
                org: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{what}: {e:?}"))?;
        let elapsed = t.elapsed();
        let reports = usize::try_from(delivery.record.reports)?;
        match expected {
            None => {
                // Checked once, untimed: every report passed check_report inside the export.
                let bundle: serde_json::Value = serde_json::from_str(&delivery.json)?;
                let found = check_delivery(&bundle);
                ensure!(!has_errors(&found), "{what}: {found:?}");
                expected = Some((reports, delivery.json.len()));
            }
            Some((n, _)) => ensure!(n == reports, "{what}: {reports} reports, earlier {n}"),
        }
        if run > 0 {
            latencies.push(elapsed);
        }
    }
    latencies.sort();
    let (reports, bytes) = expected.unwrap_or_default();
    Ok(Timing {
        what,
        reports,
        bytes,
        latencies,
    })
}

/// A day's work: every `touched_percent`-th active course of each municipality gets a
/// Behandling (or, where the course is not yet in a track, a Forsamtale) an hour ago, written
/// through the service as a therapist would. Returns (courses, active courses, touched).
async fn touch(store: &Store, config: &Config) -> anyhow::Result<(usize, usize, usize)> {
    let (mut courses, mut active, mut touched) = (0, 0, 0);
    let step = (100 / config.touched_percent.max(1)).max(1) as usize;
    for m in samspor::demo::choose_municipalities(config.municipalities)? {
        let ctx = therapist(store, m.code).await?;
        let summaries = {
            store
                .read(async |tx| tx.courses_of_org(ctx.actor.org_id, None).await)
                .await?
        };
        courses += summaries.len();
        let open: Vec<_> = summaries
            .iter()
            .filter(|s| s.course.status == CourseStatus::Active)
            .collect();
        active += open.len();
        for s in open.iter().step_by(step) {
            let at = local(Utc::now() - TimeDelta::hours(1));
            let input = match s.course.track {
                Some(_) => EncounterInput {
                    kind: EncounterType::Behandling,
                    at,
                    delivery: Some(Delivery::Individual),
                    participants: Some(Participants::ChildPresent),
                },
                None => EncounterInput {
                    kind: EncounterType::Forsamtale,
                    at,
                    delivery: None,
                    participants: None,
                },
            };
            // A course the rules refuse this encounter (e.g. one with its Afslutning already
            // planned) is simply not part of the day.
            if courses::add_encounter(store, &ctx, s.course.id, None, &input)
                .await
                .is_ok()
            {
                touched += 1;
            }
        }
    }
    ensure!(touched > 0, "no course could be touched");
    Ok((courses, active, touched))
}

/// The demo therapist of a municipality, acting as at work.
async fn therapist(store: &Store, code: &str) -> anyhow::Result<Ctx> {
    let user = {
        let org = store
            .read(async |tx| tx.organisation_by_code(code).await)
            .await?
            .with_context(|| format!("municipality {code}"))?;
        store
            .read(async |tx| tx.users_of_org(org.id).await)
            .await?
            .into_iter()
            .find(|u| u.role == Role::Therapist)
            .with_context(|| format!("a demo therapist in {code}"))?
    };
    let actor = accounts::actor_for(store, &user).await?;
    Ok(Ctx::new(actor, "bench-export-day"))
}

pub fn rows(reports: &[Report]) -> String {
    let mut out = String::from(
        "| backend | seeding the demo | children with courses | courses | active | touched in the day |\n\
         |---|--:|--:|--:|--:|--:|\n",
    );
    for r in reports {
        out.push_str(&format!(
            "| {} | {:.1} s | {} | {} | {} | {} |\n",
            r.backend,
            r.seeding.as_secs_f64(),
            stats::grouped(r.census.children_with_courses as f64),
            stats::grouped(r.census.courses as f64),
            stats::grouped(r.census.active as f64),
            stats::grouped(r.census.touched as f64),
        ));
    }
    out.push_str(
        "\n| backend | export | reports | delivery size | runs | p50 ms | p99 ms | reports/s (p50) |\n\
         |---|---|--:|--:|--:|--:|--:|--:|\n",
    );
    for r in reports {
        for t in &r.timings {
            let p50 = stats::percentile(&t.latencies, 0.5);
            let p99 = stats::percentile(&t.latencies, 0.99);
            out.push_str(&format!(
                "| {} | {} | {} | {} KiB | {} | **{}** | {} | {} |\n",
                r.backend,
                t.what,
                stats::grouped(t.reports as f64),
                stats::grouped(t.bytes as f64 / 1024.0),
                t.latencies.len(),
                stats::ms(p50),
                stats::ms(p99),
                stats::grouped(t.reports as f64 / p50.as_secs_f64().max(1e-9)),
            ));
        }
    }
    out
}

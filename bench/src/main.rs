//! Samspor's benchmarks: how fast the scoring engine scores, and how many questionnaire
//! submits the web server takes per second on each database backend.
//!
//! Prints markdown sections on standard output (progress goes to standard error);
//! `bench/run` builds this in release mode and puts the sections into docs/PERFORMANCE.md.
//! Exits non-zero when a check after a run fails: a number from a wrong run is worse than none.
#![forbid(unsafe_code)]

mod answers;
mod rng;
mod scoring;
mod stats;
mod submit;

use clap::{Parser, ValueEnum};
use samspor_domain::instrument::Catalogue;
use std::sync::Arc;
use submit::Backend;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    All,
    Scoring,
    Submit,
}

#[derive(Debug, Parser)]
#[command(about = "Samspor benchmarks: scoring throughput and the submit endpoint")]
struct Args {
    /// Which benchmarks to run.
    #[arg(long, value_enum, default_value = "all")]
    only: Which,
    /// Answer sets scored per instrument and run.
    #[arg(long, default_value_t = 200_000)]
    scoring_sets: usize,
    /// Scoring runs per instrument; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Links submitted per backend and number of clients, each on a fresh database.
    #[arg(long, default_value_t = 2000)]
    submits: usize,
    /// Numbers of concurrent HTTP clients, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8, 32])]
    clients: Vec<usize>,
    /// Links for the per-step timing of the service calls without HTTP.
    #[arg(long, default_value_t = 300)]
    step_links: usize,
    /// A PostgreSQL server to benchmark on as well; a fresh database is made on it and dropped.
    #[arg(long, env = "SAMSPOR_TEST_POSTGRES_URL")]
    postgres_url: Option<String>,
    /// Seed of the made-up answers; the same seed gives the same answers.
    #[arg(long, default_value_t = 0x5A45_5350_4F52)]
    seed: u64,
}

/// Share of questions left open in the scoring benchmark, per mille. The SDQ allows two of
/// five open per scale (prorated), so a higher share there exercises more of the engine.
const SDQ_MISSING: u64 = 80;
const PHQ_MISSING: u64 = 30;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.runs > 0 && args.scoring_sets > 0, "nothing to score");
    anyhow::ensure!(
        args.submits > 0 && args.clients.iter().all(|c| *c > 0),
        "nothing to submit"
    );
    let catalogue = Catalogue::shipped();
    if args.only != Which::Submit {
        print!("{}", scoring_section(&catalogue, &args)?);
    }
    if args.only != Which::Scoring {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        print!("{}", runtime.block_on(submit_section(catalogue, &args))?);
    }
    Ok(())
}

fn scoring_section(catalogue: &Catalogue, args: &Args) -> anyhow::Result<String> {
    eprintln!(
        "scoring: {} answer sets × {} runs",
        args.scoring_sets, args.runs
    );
    let mut out = format!(
        "## Scoring throughput\n\n\
         {} made-up answer sets per instrument, scored {} times over (the same sets each run) \
         with `samspor_domain::instrument::score` on one thread; the median run is reported. \
         Making the answers is not timed.\n\n\
         | instrument | answer sets | open questions | item scales prorated | item scales unscored | responses/s (median) | µs per response | slowest – fastest run |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|\n",
        stats::grouped(args.scoring_sets as f64),
        args.runs,
    );
    for (id, missing) in [("sdq-parent-4-17", SDQ_MISSING), ("phq-a", PHQ_MISSING)] {
        let instrument = catalogue
            .get(id)
            .ok_or_else(|| anyhow::anyhow!("{id} is not in the shipped catalogue"))?;
        let r = scoring::measure(instrument, args.scoring_sets, args.runs, missing, args.seed)?;
        let median = stats::median(&r.per_second);
        let slowest = r.per_second.iter().copied().fold(f64::INFINITY, f64::min);
        let fastest = r.per_second.iter().copied().fold(0.0, f64::max);
        let c = r.coverage;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | **{}** | {:.2} | {} – {} |\n",
            r.instrument,
            stats::grouped(r.sets as f64),
            stats::percent(c.open_questions, c.questions),
            stats::percent(c.prorated_scales, c.item_scales()),
            stats::percent(c.unscored_scales, c.item_scales()),
            stats::grouped(median),
            1e6 / median,
            stats::grouped(slowest),
            stats::grouped(fastest),
        ));
    }
    out.push('\n');
    Ok(out)
}

async fn submit_section(catalogue: Catalogue, args: &Args) -> anyhow::Result<String> {
    let catalogue = Arc::new(catalogue);
    let mut backends = vec![Backend::Sqlite];
    if let Some(url) = args.postgres_url.as_ref().filter(|u| !u.trim().is_empty()) {
        backends.push(Backend::Postgres {
            server_url: url.clone(),
        });
    }
    let mut http = Vec::new();
    let mut steps = Vec::new();
    for backend in &backends {
        for &clients in &args.clients {
            eprintln!(
                "submit: {} with {clients} clients, {} links",
                backend.name(),
                args.submits
            );
            let r = submit::http(backend, &catalogue, args.submits, clients, args.seed).await?;
            eprintln!(
                "  {:.0} requests/s, p50 {} ms, p99 {} ms",
                r.requests as f64 / r.wall.as_secs_f64(),
                stats::ms(stats::percentile(&r.latencies, 0.5)),
                stats::ms(stats::percentile(&r.latencies, 0.99)),
            );
            http.push(r);
        }
        if args.step_links > 0 {
            eprintln!(
                "steps: {} without HTTP, {} links",
                backend.name(),
                args.step_links
            );
            steps.push(submit::steps(backend, &catalogue, args.step_links, args.seed).await?);
        }
    }
    let mut out = format!(
        "## Submit endpoint\n\n\
         For each backend and number of clients: a fresh database; a coordinator, one child and \
         {links} links to `{instrument}` whose first five pages are saved through \
         `questionnaires::save_answers`; the real router served on 127.0.0.1; then each link's \
         last page is posted once (`page=5`, `go=submit`, its answers) by that many concurrent \
         HTTP clients, each with one keep-alive connection. Latency is from sending the request \
         to having read the whole response (a 303 to the thank-you page, not followed); \
         requests/s is links divided by the time from the first request to the last response. \
         Afterwards every run is checked: exactly {links} responses, each with the answers sent \
         and the scores the engine gives them, and an audit chain that verifies from its \
         first entry to its last.\n\n",
        links = stats::grouped(args.submits as f64),
        instrument = submit::INSTRUMENT,
    );
    out.push_str(&submit::http_rows(&http));
    if !steps.is_empty() {
        out.push_str(
            "\n### Where a submit's time goes\n\n\
             The service calls behind a respondent's requests, called directly one link at a \
             time on a fresh database (no HTTP, no routing, no form parsing): `open_link` is \
             what showing a page costs, `answer` with submit is the whole last-page POST (save \
             the page, score, store the response, raise alerts). Each is one transaction that \
             appends one audit entry.\n\n",
        );
        out.push_str(&submit::step_rows(&steps));
    }
    out.push('\n');
    Ok(out)
}

//! Samspor's benchmarks: how fast the scoring engine scores, how many questionnaire submits
//! the web server takes per second on each database backend, and how fast a coordinator's
//! deadline worklist and course page come back from a municipality with many courses, and how
//! long the national KL export takes for the whole demo data set and for one day's changes.
//!
//! Prints markdown sections on standard output (progress goes to standard error);
//! `bench/run` builds this in release mode and puts the sections into docs/PERFORMANCE.md.
//! Exits non-zero when a check after a run fails: a number from a wrong run is worse than none.
#![forbid(unsafe_code)]

mod answers;
mod export;
mod fresh_db;
mod rng;
mod scoring;
mod stats;
mod submit;
mod worklist;

use clap::{Parser, ValueEnum};
use samspor_domain::instrument::Catalogue;
use std::sync::Arc;
use submit::Backend;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    All,
    Scoring,
    Submit,
    Worklist,
    Export,
}

#[derive(Debug, Parser)]
#[command(
    about = "Samspor benchmarks: scoring throughput, the submit endpoint, the worklist, the KL export"
)]
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
    /// Courses in the worklist benchmark's municipality, on a fresh database per backend.
    #[arg(long, default_value_t = 2000)]
    worklist_courses: usize,
    /// Share of those courses still active, in per cent; the rest are closed.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(0..=100))]
    worklist_active: u64,
    /// Requests per worklist endpoint and number of clients, and calls per service step.
    #[arg(long, default_value_t = 200)]
    worklist_requests: usize,
    /// Numbers of concurrent HTTP clients reading the worklist, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8])]
    worklist_clients: Vec<usize>,
    /// Municipalities in the KL export benchmark's demo data.
    #[arg(long, default_value_t = 98, value_parser = clap::value_parser!(u16).range(1..=98))]
    export_municipalities: u16,
    /// Children per municipality in the KL export benchmark's demo data.
    #[arg(long, default_value_t = 40)]
    export_children: usize,
    /// Share of the active courses one day's work touches in the KL export benchmark, in per cent.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100))]
    export_touched: u64,
    /// Timed runs of each KL export.
    #[arg(long, default_value_t = 20)]
    export_runs: usize,
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
    anyhow::ensure!(
        args.worklist_courses > 0
            && args.worklist_requests > 0
            && args.worklist_clients.iter().all(|c| *c > 0),
        "no worklist to read"
    );
    let catalogue = Catalogue::shipped();
    let wants = |which: Which| args.only == Which::All || args.only == which;
    if wants(Which::Scoring) {
        print!("{}", scoring_section(&catalogue, &args)?);
    }
    anyhow::ensure!(
        args.export_runs > 0 && args.export_children > 0,
        "no export to time"
    );
    if wants(Which::Submit) || wants(Which::Worklist) || wants(Which::Export) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let catalogue = Arc::new(catalogue);
        if wants(Which::Submit) {
            print!("{}", runtime.block_on(submit_section(&catalogue, &args))?);
        }
        if wants(Which::Worklist) {
            print!("{}", runtime.block_on(worklist_section(&catalogue, &args))?);
        }
        if wants(Which::Export) {
            print!("{}", runtime.block_on(export_section(&args))?);
        }
    }
    Ok(())
}

fn backends(args: &Args) -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    if let Some(url) = args.postgres_url.as_ref().filter(|u| !u.trim().is_empty()) {
        backends.push(Backend::Postgres {
            server_url: url.clone(),
        });
    }
    backends
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

async fn submit_section(catalogue: &Arc<Catalogue>, args: &Args) -> anyhow::Result<String> {
    let backends = backends(args);
    let mut http = Vec::new();
    let mut steps = Vec::new();
    for backend in &backends {
        for &clients in &args.clients {
            eprintln!(
                "submit: {} with {clients} clients, {} links",
                backend.name(),
                args.submits
            );
            let r = submit::http(backend, catalogue, args.submits, clients, args.seed).await?;
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
            steps.push(submit::steps(backend, catalogue, args.step_links, args.seed).await?);
        }
    }
    let mut out = format!(
        "## Submit endpoint\n\n\
         For each backend and number of clients: a fresh database; a coordinator, one child and \
         {links} links to `{instrument}` whose first five pages are saved through \
         `questionnaires::save_answers`; the real router served on 127.0.0.1; then each link's \
         last page is posted once (`page=5`, `go=submit_anyway`, its answers) by that many concurrent \
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

async fn worklist_section(catalogue: &Arc<Catalogue>, args: &Args) -> anyhow::Result<String> {
    let config = worklist::Config {
        courses: args.worklist_courses,
        active_percent: args.worklist_active,
        requests: args.worklist_requests,
        clients: args.worklist_clients.clone(),
        seed: args.seed,
    };
    let mut reports = Vec::new();
    for backend in &backends(args) {
        eprintln!(
            "worklist: {}, {} courses, {} requests per endpoint and client number",
            backend.name(),
            config.courses,
            config.requests
        );
        reports.push(worklist::measure(backend, catalogue, &config).await?);
    }
    let mut out = format!(
        "## Deadline worklist\n\n\
         What a visitation coordinator's day starts with. For each backend: a fresh database with \
         one municipality ({municipality}) holding {courses} courses of as many made-up children \
         (synthetic CPR numbers), all made through the same services as staff's own work \
         (`children::create`, `courses::create_contact`, `add_encounter`, `set_themes`, \
         `decide`), with contacts received over the last {days} days. About {active} % are \
         still active: waiting for their Forsamtale or Screening, or decided for a track; the \
         rest were closed by a visitation decision that gives a way (GP, civil society, another \
         offer, psychiatry…) or by an Afslutning. Most have themes, many have a Forsamtale and \
         a Screening. Then the real router is served on 127.0.0.1 and the coordinator, with an \
         API token, reads `GET /api/v1/worklists/deadlines` (the active courses, nearest open \
         deadline first, with waiting figures) {requests} times, and then \
         `GET /api/v1/courses/{{id}}` for one closed course with five encounters, a changed \
         theme, a decision, a referral and a psychiatry referral {requests} times, first by one \
         client and then by several at once, each on one keep-alive connection. Latency is from \
         sending the request to having read the whole body. Both reads are audited: each \
         appends one audit entry in its own transaction (on SQLite, a write that waits for the \
         disk). Afterwards every run is checked: every worklist body that came back lists \
         exactly the active courses, each once, with the received time, themes and next due \
         date it was registered with, sorted by nearest open deadline (courses with both goals \
         held last) and then by when the contact came; the course page holds what was \
         registered on it; exactly one audit entry was written per read; and the audit chain \
         verifies from its first entry to its last.\n\n",
        municipality = worklist::MUNICIPALITY,
        courses = stats::grouped(args.worklist_courses as f64),
        days = worklist::RECEIVED_DAYS,
        active = args.worklist_active,
        requests = stats::grouped(args.worklist_requests as f64),
    );
    out.push_str(&worklist::census_rows(&reports));
    out.push('\n');
    out.push_str(&worklist::http_rows(&reports));
    out.push_str(&format!(
        "\n### Where a worklist request's time goes\n\n\
         The calls behind the two requests, made directly {requests} times each on the same \
         database after the HTTP runs, one at a time (no HTTP, no routing, no JSON): the \
         token lookup every API request makes first, the worklist's query alone in a \
         transaction that writes nothing, the whole worklist service call, and the course \
         page's service call.\n\n",
        requests = stats::grouped(args.worklist_requests as f64),
    ));
    out.push_str(&worklist::step_rows(&reports));
    out.push('\n');
    Ok(out)
}

async fn export_section(args: &Args) -> anyhow::Result<String> {
    let config = export::Config {
        municipalities: usize::from(args.export_municipalities),
        children: args.export_children,
        touched_percent: args.export_touched,
        runs: args.export_runs,
        seed: args.seed,
    };
    let mut reports = Vec::new();
    for backend in &backends(args) {
        eprintln!(
            "export: {}, demo of {} municipalities × {} children, {} runs",
            backend.name(),
            config.municipalities,
            config.children,
            config.runs
        );
        reports.push(export::measure(backend, &config).await?);
    }
    let mut out = format!(
        "## KL Gateway LTT export\n\n\
         The national report (`samspor_store::export::kl_ltt`, what `samspor export \
         kl-ltt`, `GET /api/v1/exports/kl-ltt` and the nightly job call) without HTTP. For each \
         backend: a fresh database with the demo data (`samspor::demo::seed`, the \
         benchmark's seed) of {municipalities} municipalities with {children} children each: courses in \
         every state, treatment sessions, group sessions, closed courses, referrals and courses \
         entered in error. First the whole data set is exported (since the beginning: one \
         report per child with a course, every course with all its encounters and referrals), \
         then a day's work is done through the services (a Behandling, or a Forsamtale for a \
         course not yet in a track, on every {step}th active course, as the therapist) and the \
         changes since the end of the seeding are exported. Each export runs {runs} times after \
         one untimed warm-up; every run reads the changed courses, themes, encounters, \
         referrals and corrected CPR numbers in five queries, builds and checks every report \
         against the KL profiles (`check_report`), stores the delivery with the list of \
         children in it and appends one audit entry per child, in one transaction, as a real \
         delivery does. Afterwards every run is checked: the same number of reports each time, \
         one delivery passes `check_delivery` without errors, the day's delivery holds no more \
         children than were touched, and the audit chain verifies.\n\n",
        municipalities = args.export_municipalities,
        children = stats::grouped(args.export_children as f64),
        step = (100 / args.export_touched.max(1)).max(1),
        runs = args.export_runs,
    );
    out.push_str(&export::rows(&reports));
    out.push('\n');
    Ok(out)
}

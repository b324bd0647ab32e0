//! Benchmark 2: the questionnaire submit endpoint, over real HTTP on loopback, against the
//! real router on a fresh database; and the service calls behind it without HTTP, to show
//! where a request's time goes.

use crate::answers::answer_page;
use crate::fresh_db::FreshDb;
use crate::rng::Rng;
use crate::stats;
use anyhow::{Context, anyhow, bail, ensure};
use chrono::{Datelike, NaiveDate, Utc};
use samspor_domain::child::{ChildInput, GuardianInput};
use samspor_domain::cpr::{Cpr, Sex};
use samspor_domain::instrument::{Answers, Catalogue, Instrument, Subject, score_for};
use samspor_store::Store;
use samspor_store::accounts::{self, UserInput};
use samspor_store::children;
use samspor_store::questionnaires::{self, InvitationInput, RespondentChoice, Submitted};
use samspor_store::service::Ctx;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Barrier;
use uuid::Uuid;

/// The questionnaire submitted: the most common one, six pages, with prorating and a gated
/// impact supplement on its last page.
pub const INSTRUMENT: &str = "sdq-parent-4-17";
/// Share of questions left open, per mille: enough that some scales are prorated.
const MISSING_PER_MILLE: u64 = 60;
/// Tasks that seed invitations at once; PostgreSQL overlaps their commits, SQLite queues them.
const SEED_TASKS: usize = 8;
/// Every database this benchmark makes starts so; unlike the test suite's `samspor_t_`, which
/// a test run clears (possibly in the middle of a benchmark running beside it).
pub const DB_PREFIX: &str = "samspor_bench_";

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres { server_url: String },
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres { .. } => "PostgreSQL",
        }
    }
}

/// One link, ready for its last page.
struct Link {
    token: String,
    invitation_id: Uuid,
    /// The last page as the browser posts it: `page`, `go=submit_anyway` and the chosen options.
    form: Vec<(String, String)>,
    /// The last page as the handler passes it on (open questions as `None`).
    last_page: Answers,
    /// Everything the stored response must hold.
    expected: Answers,
}

struct Seeded {
    child_id: Uuid,
    cpr: Cpr,
    links: Vec<Link>,
}

/// A coordinator, one child aged about ten, and `count` links to the SDQ parent form with
/// the first five pages already saved through the service, so only the last page remains.
async fn seed(
    store: &Arc<Store>,
    catalogue: &Arc<Catalogue>,
    count: usize,
    seed: u64,
) -> anyhow::Result<Seeded> {
    let user = accounts::add_user(
        store,
        UserInput {
            email: "bench.coordinator@example.org",
            name: "Bench Coordinator",
            role: "coordinator",
            org_code: "0101",
            password: "a long benchmark password",
        },
        Utc::now(),
    )
    .await?;
    let actor = accounts::actor_for(store, &user).await?;
    let today = Utc::now().date_naive();
    let birth = NaiveDate::from_ymd_opt(today.year() - 10, 6, 15)
        .ok_or_else(|| anyhow!("no birth date ten years back"))?;
    // A number that fails modulus 11 and is not for 1 January: no real person's.
    let cpr = Cpr::synthetic(birth, Sex::Female, 0).ok_or_else(|| anyhow!("no demo CPR"))?;
    let child = children::create(
        store,
        &Ctx::new(actor.clone(), "bench-seed"),
        &ChildInput {
            cpr: Some(cpr.formatted()),
            given_name: Some("Bente".into()),
            family_name: Some("Benchmark".into()),
            guardians: Some(vec![GuardianInput {
                name: Some("Mette Benchmark".into()),
                relation: Some("mother".into()),
                custody: Some(true),
                ..GuardianInput::default()
            }]),
            ..ChildInput::default()
        },
    )
    .await?;

    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..SEED_TASKS {
        let (store, catalogue, actor, next) = (
            store.clone(),
            catalogue.clone(),
            actor.clone(),
            next.clone(),
        );
        let child_id = child.id;
        tasks.push(tokio::spawn(async move {
            let mut made = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(made);
                }
                let link = seed_link(&store, &catalogue, &actor, child_id, seed, i).await?;
                made.push((i, link));
            }
        }));
    }
    let mut links: Vec<(usize, Link)> = Vec::with_capacity(count);
    for t in tasks {
        links.extend(t.await??);
    }
    // Submitted in a fixed order, so two runs send the same requests in the same order.
    links.sort_by_key(|(i, _)| *i);
    Ok(Seeded {
        child_id: child.id,
        cpr,
        links: links.into_iter().map(|(_, l)| l).collect(),
    })
}

async fn seed_link(
    store: &Store,
    catalogue: &Catalogue,
    actor: &samspor_domain::access::Actor,
    child_id: Uuid,
    seed: u64,
    i: usize,
) -> anyhow::Result<Link> {
    let instrument = instrument(catalogue)?;
    let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let created = questionnaires::invite(
        store,
        catalogue,
        samspor_store::notifications::Sending::NONE,
        &Ctx::new(actor.clone(), "bench-seed"),
        child_id,
        InvitationInput {
            instrument_id: INSTRUMENT.into(),
            respondent: RespondentChoice::Guardian(0),
            expires_in_days: None,
        },
    )
    .await?;
    let pages = instrument.pages();
    let last = pages.len() - 1;
    let mut expected = Answers::new();
    for page in &pages[..last] {
        let answers: Answers = answer_page(&mut rng, instrument, page, MISSING_PER_MILLE)
            .into_iter()
            .collect();
        questionnaires::save_answers(store, catalogue, &created.token, &answers, "bench-seed")
            .await?;
        expected.extend(answers.0);
    }
    let last_page: Answers = answer_page(&mut rng, instrument, &pages[last], MISSING_PER_MILLE)
        .into_iter()
        .collect();
    let mut form = vec![
        ("page".to_string(), last.to_string()),
        // Some answers are left open on purpose, so the respondent has been asked and sends
        // anyway: what is measured is the sending itself.
        ("go".to_string(), "submit_anyway".to_string()),
    ];
    // An open question is simply absent from a posted form, as no radio button is checked.
    form.extend(
        last_page
            .iter()
            .filter_map(|(id, v)| v.map(|v| (id.clone(), v.to_string()))),
    );
    expected.extend(last_page.0.clone());
    Ok(Link {
        token: created.token,
        invitation_id: created.invitation.id,
        form,
        last_page,
        expected,
    })
}

fn instrument(catalogue: &Catalogue) -> anyhow::Result<&Instrument> {
    catalogue
        .get(INSTRUMENT)
        .ok_or_else(|| anyhow!("{INSTRUMENT} is not in the shipped catalogue"))
}

async fn audit_seq(store: &Store) -> anyhow::Result<i64> {
    Ok(store.audit_length().await?)
}

/// Exactly one response per link, each holding the answers sent and the scores the engine
/// gives them, and an audit chain that still verifies.
async fn verify(store: &Store, catalogue: &Catalogue, seeded: &Seeded) -> anyhow::Result<i64> {
    let instrument = instrument(catalogue)?;
    let responses = store
        .read(async |tx| tx.responses_of_child(seeded.child_id).await)
        .await?;
    ensure!(
        responses.len() == seeded.links.len(),
        "{} responses stored for {} links",
        responses.len(),
        seeded.links.len()
    );
    let by_invitation: HashMap<Uuid, &Link> =
        seeded.links.iter().map(|l| (l.invitation_id, l)).collect();
    let mut seen = HashSet::new();
    for r in &responses {
        let link = r
            .invitation_id
            .and_then(|id| by_invitation.get(&id))
            .ok_or_else(|| anyhow!("response {} belongs to no seeded link", r.id))?;
        ensure!(seen.insert(r.invitation_id), "two responses for one link");
        let answers: Answers = serde_json::from_value(r.answers.clone())?;
        ensure!(
            answers == link.expected,
            "response {} holds other answers than were sent",
            r.id
        );
        let subject = Subject {
            age: Some(seeded.cpr.age_on(r.answered_at.date_naive())),
            sex: Some(seeded.cpr.sex()),
        };
        let scored = score_for(instrument, &link.expected, &subject)
            .map_err(|e| anyhow!("sent answers do not validate: {e:?}"))?;
        ensure!(
            r.scores == serde_json::to_value(&scored)?,
            "response {} holds other scores than the engine gives",
            r.id
        );
    }
    let report = store.verify_audit().await?;
    if let Err(brk) = report.result {
        bail!("the audit chain does not verify: {brk:?}");
    }
    Ok(report.entries)
}

pub struct HttpReport {
    pub backend: &'static str,
    pub clients: usize,
    pub requests: usize,
    pub wall: Duration,
    /// Ascending.
    pub latencies: Vec<Duration>,
    /// Audit entries written per request, from the chain's head before and after.
    pub audit_per_request: f64,
    /// Entries in the whole chain when it was verified after the run.
    pub audit_entries: i64,
}

/// Seeds `count` links on a fresh database, serves the app on loopback and submits every
/// link's last page once, `clients` at a time.
pub async fn http(
    backend: &Backend,
    catalogue: &Arc<Catalogue>,
    count: usize,
    clients: usize,
    seed_value: u64,
) -> anyhow::Result<HttpReport> {
    let db = FreshDb::new(backend).await?;
    let result = http_on(&db, backend, catalogue, count, clients, seed_value).await;
    let removed = db.remove().await;
    let report = result?;
    removed.context("removing the benchmark database")?;
    Ok(report)
}

async fn http_on(
    db: &FreshDb,
    backend: &Backend,
    catalogue: &Arc<Catalogue>,
    count: usize,
    clients: usize,
    seed_value: u64,
) -> anyhow::Result<HttpReport> {
    let started = Instant::now();
    let seeded = Arc::new(seed(&db.store, catalogue, count, seed_value).await?);
    eprintln!(
        "  {} seeded {count} links in {:.1} s",
        backend.name(),
        started.elapsed().as_secs_f64()
    );
    let state = samspor_web::AppState::with_catalogue(db.store.clone(), (**catalogue).clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, samspor_web::app(state))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let audit_before = audit_seq(&db.store).await?;

    let next = Arc::new(AtomicUsize::new(0));
    // Everyone connects first, then all start together: connection set-up is not timed.
    let barrier = Arc::new(Barrier::new(clients + 1));
    // One client each, so each holds its own keep-alive connection as a browser would;
    // redirects are not followed, as the thank-you page is not part of the submit.
    let http_clients = (0..clients)
        .map(|_| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut workers = Vec::with_capacity(clients);
    for client in http_clients {
        let (seeded, next, barrier, base) =
            (seeded.clone(), next.clone(), barrier.clone(), base.clone());
        workers.push(tokio::spawn(async move {
            let warm = client.get(format!("{base}/healthz")).send().await;
            barrier.wait().await;
            warm?.error_for_status()?;
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(link) = seeded.links.get(i) else {
                    return anyhow::Ok(latencies);
                };
                let path = format!("/s/{}", link.token);
                let t = Instant::now();
                let res = client
                    .post(format!("{base}{path}"))
                    .form(&link.form)
                    .send()
                    .await?;
                let status = res.status();
                let location = res
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                res.bytes().await?;
                latencies.push(t.elapsed());
                ensure!(
                    status == reqwest::StatusCode::SEE_OTHER && location == format!("{path}/tak"),
                    "link {i}: expected 303 to the thank-you page, got {status} to {location:?}"
                );
            }
        }));
    }
    barrier.wait().await;
    let t = Instant::now();
    let mut latencies = Vec::with_capacity(count);
    let mut failure = None;
    for w in workers {
        match w.await? {
            Ok(l) => latencies.extend(l),
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    let wall = t.elapsed();
    let _ = stop.send(());
    server.await??;
    if let Some(e) = failure {
        return Err(e);
    }
    let audit_after = audit_seq(&db.store).await?;
    let audit_entries = verify(&db.store, catalogue, &seeded).await?;
    latencies.sort();
    Ok(HttpReport {
        backend: backend.name(),
        clients,
        requests: latencies.len(),
        wall,
        latencies,
        audit_per_request: (audit_after - audit_before) as f64 / count as f64,
        audit_entries,
    })
}

pub struct StepReport {
    pub backend: &'static str,
    pub links: usize,
    /// Per step, in request order: (name, latencies ascending).
    pub steps: Vec<(&'static str, Vec<Duration>)>,
}

/// The service calls behind a respondent's requests, called directly one link at a time: no HTTP,
/// no routing, no form parsing, so what is left is database and scoring time.
pub async fn steps(
    backend: &Backend,
    catalogue: &Arc<Catalogue>,
    count: usize,
    seed_value: u64,
) -> anyhow::Result<StepReport> {
    let db = FreshDb::new(backend).await?;
    let result = steps_on(&db, backend, catalogue, count, seed_value).await;
    let removed = db.remove().await;
    let report = result?;
    removed.context("removing the benchmark database")?;
    Ok(report)
}

async fn steps_on(
    db: &FreshDb,
    backend: &Backend,
    catalogue: &Arc<Catalogue>,
    count: usize,
    seed_value: u64,
) -> anyhow::Result<StepReport> {
    let seeded = seed(&db.store, catalogue, count, seed_value).await?;
    let store = &*db.store;
    let last_page = catalogue
        .get(INSTRUMENT)
        .map(|i| i.pages().len().saturating_sub(1))
        .unwrap_or(0);
    let (mut open, mut answer) = (Vec::new(), Vec::new());
    for link in &seeded.links {
        let t = Instant::now();
        questionnaires::open_link(store, &link.token, "bench").await?;
        open.push(t.elapsed());
        let input = questionnaires::PageAnswers {
            page: Some(last_page),
            answers: link.last_page.clone(),
        };
        let t = Instant::now();
        let done =
            questionnaires::answer(store, catalogue, &link.token, &input, true, "bench").await?;
        answer.push(t.elapsed());
        ensure!(
            matches!(
                done,
                questionnaires::Answered::Submitted(Submitted::Stored(_))
            ),
            "a fresh link was already submitted"
        );
    }
    verify(store, catalogue, &seeded).await?;
    let mut steps = vec![
        ("open_link (showing a page)", open),
        ("answer, last page with submit (the POST)", answer),
    ];
    for (_, v) in &mut steps {
        v.sort();
    }
    Ok(StepReport {
        backend: backend.name(),
        links: count,
        steps,
    })
}

pub fn http_rows(reports: &[HttpReport]) -> String {
    let mut out = String::from(
        "| backend | clients | requests | requests/s | p50 ms | p99 ms | max ms | audit entries per request | audit entries verified |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for r in reports {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.1} | {} |\n",
            r.backend,
            r.clients,
            stats::grouped(r.requests as f64),
            stats::grouped(r.requests as f64 / r.wall.as_secs_f64()),
            stats::ms(stats::percentile(&r.latencies, 0.50)),
            stats::ms(stats::percentile(&r.latencies, 0.99)),
            stats::ms(r.latencies.last().copied().unwrap_or_default()),
            r.audit_per_request,
            stats::grouped(r.audit_entries as f64),
        ));
    }
    out
}

pub fn step_rows(reports: &[StepReport]) -> String {
    let mut out = String::from(
        "| backend | step | calls | mean ms | p50 ms | p99 ms |\n|---|---|--:|--:|--:|--:|\n",
    );
    for r in reports {
        for (name, v) in &r.steps {
            out.push_str(&format!(
                "| {} | {name} | {} | {} | {} | {} |\n",
                r.backend,
                stats::grouped(r.links as f64),
                stats::ms(stats::mean(v)),
                stats::ms(stats::percentile(v, 0.50)),
                stats::ms(stats::percentile(v, 0.99)),
            ));
        }
    }
    out
}

//! Benchmark 3: the coordinator's deadline worklist (`GET /api/v1/worklists/deadlines`) and one
//! course page (`GET /api/v1/courses/{id}`), over real HTTP on loopback against the real router,
//! on a fresh database holding a municipality's courses made through the services; and the
//! service calls behind them without HTTP, to show where a request's time goes.

use crate::fresh_db::FreshDb;
use crate::rng::Rng;
use crate::stats;
use crate::submit::Backend;
use anyhow::{Context, anyhow, bail, ensure};
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use samspor_domain::access::Actor;
use samspor_domain::child::{ChildInput, GuardianInput};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::closing::ClosingInput;
use samspor_domain::course::contact::{ContactInput, Source};
use samspor_domain::course::encounter::{EncounterInput, EncounterType};
use samspor_domain::course::support::SignRule;
use samspor_domain::course::tracks::Track;
use samspor_domain::course::visitation::{DecisionInput, Outcome, WayInput};
use samspor_domain::course::waiting::Waiting;
use samspor_domain::cpr::{Cpr, Sex};
use samspor_domain::instrument::Catalogue;
use samspor_domain::organisation::Programme;
use samspor_store::Store;
use samspor_store::accounts::{self, UserInput};
use samspor_store::children;
use samspor_store::courses::{self, NewContact, NewDecision, Rules, WorklistFilter, local};
use samspor_store::organisations;
use samspor_store::service::{Ctx, ServiceError};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Barrier;
use uuid::Uuid;

/// The municipality whose coordinator reads the worklist.
pub const MUNICIPALITY: &str = "0101";
/// Contacts were received on one of this many days back, today included.
pub const RECEIVED_DAYS: u64 = 60;
/// The track some active courses have been decided for; the bench municipality offers it.
const TRACK: Programme = Programme::WorrySadness;
/// Tasks that seed courses at once; PostgreSQL overlaps their commits, SQLite queues them.
const SEED_TASKS: usize = 8;
const WORKLIST_PATH: &str = "/api/v1/worklists/deadlines";

pub struct Config {
    pub courses: usize,
    /// Share of the courses still active, in per cent.
    pub active_percent: u64,
    /// Requests per endpoint and number of clients, and calls per service step.
    pub requests: usize,
    pub clients: Vec<usize>,
    pub seed: u64,
}

// ---------------------------------------------------------------------------------------------
// The made-up municipality

/// How a course stands at the end of seeding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Still waiting for the visitation decision.
    Open,
    /// A track was decided: the course stays active, and its open goals still count.
    Track,
    /// A visitation decision that gives a way; `decide` closes the course with an Afslutning.
    Way(Outcome),
    /// Closed with an Afslutning before any decision: the worry passed, the family withdrew.
    Afslutning(NaiveDateTime),
}

struct ChildPlan {
    cpr: Cpr,
    given: &'static str,
    family: &'static str,
    guardian: &'static str,
    relation: &'static str,
}

/// One course as it is to be made, and everything the checks expect of it.
struct Plan {
    child: ChildPlan,
    received: NaiveDateTime,
    source: Source,
    reason: &'static str,
    themes: Vec<&'static str>,
    /// Held after the Henvendelse, in time order.
    encounters: Vec<(EncounterType, NaiveDateTime)>,
    /// Themes as changed after the encounters (the history keeps the first ones).
    themes_later: Vec<&'static str>,
    end: End,
}

impl Plan {
    fn active(&self) -> bool {
        matches!(self.end, End::Open | End::Track)
    }

    fn held(&self, kind: EncounterType) -> Option<NaiveDate> {
        self.encounters
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, at)| at.date())
            .min()
    }

    /// The nearest open due date, as the worklist must sort by; `today` does not change it.
    fn next_due(&self) -> Option<NaiveDate> {
        let received = self.received.date();
        Waiting::new(
            received,
            self.held(EncounterType::Forsamtale),
            self.held(EncounterType::Screening),
            received,
        )
        .next_open_due()
    }

    fn current_themes(&self) -> &[&'static str] {
        if self.themes_later.is_empty() {
            &self.themes
        } else {
            &self.themes_later
        }
    }

    /// Encounters the course page lists: the Henvendelse, those held, and any Afslutning.
    fn encounters_total(&self) -> usize {
        let closing = matches!(self.end, End::Way(_) | End::Afslutning(_));
        1 + self.encounters.len() + usize::from(closing)
    }
}

const GIVEN: [&str; 16] = [
    "Alma", "Otto", "Ida", "Karl", "Freja", "Malthe", "Ella", "Oscar", "Agnes", "Lucas", "Clara",
    "Storm", "Nora", "Villum", "Asta", "Emil",
];
const FAMILY: [&str; 12] = [
    "Testsen",
    "Benchmark",
    "Prøvesen",
    "Målersen",
    "Tællesen",
    "Kørsel",
    "Forsøg",
    "Eksempel",
    "Opdigtet",
    "Skemasen",
    "Tidsen",
    "Lastrup",
];
const GUARDIANS: [(&str, &str); 4] = [
    ("Mette", "mother"),
    ("Jens", "father"),
    ("Sanne", "mother"),
    ("Kim", "father"),
];
const SOURCES: [(Source, Option<&str>); 7] = [
    (Source::SelfReferral, None),
    (Source::SelfReferral, None),
    (Source::Gp, Some("Familiens praktiserende læge")),
    (Source::School, Some("Trivselsvejleder, skolen")),
    (Source::Hospital, Some("Børne- og ungeafdelingen")),
    (Source::SocialServices, Some("Rådgiver, Familieafdelingen")),
    (
        Source::PsychiatryReturn,
        Some("Børne- og ungdomspsykiatrien, visitationen"),
    ),
];
const REASONS: [&str; 6] = [
    "Bekymrer sig meget og har svært ved at falde i søvn; vil ikke sove alene.",
    "Mange konflikter i frikvartererne og bliver hurtigt vred, når noget skal skifte.",
    "Har trukket sig fra venner og fritidsaktiviteter og virker trist det meste af dagen.",
    "Mange fraværsdage og ondt i maven om morgenen; er stille i timerne.",
    "Meget optaget af at spise sundt og træne; springer måltider over.",
    "Vasker hænder mange gange om dagen og skal tjekke, at døren er låst.",
];
const THEMES: [&str; 8] = [
    "behaviour",
    "worry",
    "body_food",
    "self_harm",
    "sadness",
    "obsessive_compulsive",
    "restlessness_inattention",
    "other",
];
/// Decisions that give a way; `Close` guides to "other".
const WAYS: [Outcome; 6] = [
    Outcome::Gp,
    Outcome::CivilSociety,
    Outcome::OtherOfferHome,
    Outcome::OtherMunicipality,
    Outcome::Psychiatry,
    Outcome::Close,
];

fn at(day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))
}

fn plus_days(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_add_signed(TimeDelta::days(days))
        .unwrap_or(NaiveDate::MAX)
}

/// A child aged 4 to 16, with a CPR number no real person has; `serials` keeps them distinct.
fn child_plan(
    rng: &mut Rng,
    today: NaiveDate,
    serials: &mut HashMap<(NaiveDate, bool), u32>,
) -> anyhow::Result<ChildPlan> {
    let age = 4 + rng.below(12) as i32;
    let mut birth = NaiveDate::from_ymd_opt(today.year() - age, today.month(), 1)
        .ok_or_else(|| anyhow!("no birth date {age} years back"))?;
    birth = birth - Days::new(1 + rng.below(364) as u64);
    if birth.month() == 1 && birth.day() == 1 {
        // No synthetic numbers exist for 1 January.
        birth = birth + Days::new(1);
    }
    let male = rng.chance(500);
    let serial = serials.entry((birth, male)).or_insert(0);
    let sex = if male { Sex::Male } else { Sex::Female };
    let cpr = Cpr::synthetic(birth, sex, *serial)
        .ok_or_else(|| anyhow!("no synthetic CPR number for {birth}"))?;
    *serial += 1;
    let &(guardian, relation) = rng.pick(&GUARDIANS);
    Ok(ChildPlan {
        cpr,
        given: GIVEN[rng.below(GIVEN.len())],
        family: FAMILY[rng.below(FAMILY.len())],
        guardian,
        relation,
    })
}

/// The course shown by the course-page benchmark: every part of a course page filled in.
fn showcase(child: ChildPlan, now: NaiveDateTime) -> Plan {
    let received = at(now.date() - Days::new(40), 9, 40);
    let day = |after| plus_days(received.date(), after);
    Plan {
        child,
        received,
        source: Source::Gp,
        reason: REASONS[2],
        themes: vec!["sadness", "self_harm"],
        encounters: vec![
            (EncounterType::Forsamtale, at(day(6), 10, 0)),
            (EncounterType::Screening, at(day(13), 13, 30)),
            (EncounterType::AfsluttendeSamtale, at(day(20), 11, 0)),
        ],
        themes_later: vec!["sadness", "worry"],
        end: End::Way(Outcome::Psychiatry),
    }
}

fn random_plan(rng: &mut Rng, child: ChildPlan, now: NaiveDateTime, active_percent: u64) -> Plan {
    let today = now.date();
    let days_ago = rng.below(RECEIVED_DAYS as usize + 1) as u64;
    let minute = 8 * 60 + rng.below(8 * 60) as u32;
    // Never in the future: a contact "received today at 15:10" does not exist at 07:00.
    let received =
        at(today - Days::new(days_ago), minute / 60, minute % 60).min(now - TimeDelta::minutes(1));
    let day = |after: i64| plus_days(received.date(), after);
    // Encounters fall on the days strictly between the contact and today, so all are past.
    let free = (today - received.date()).num_days() - 1;
    let active = rng.chance(active_percent * 10);
    let (p_forsamtale, p_screening) = if active { (550, 600) } else { (850, 800) };
    let mut encounters = Vec::new();
    let mut last = 0;
    if free >= 1 && rng.chance(p_forsamtale) {
        last = 1 + rng.below(free.min(24) as usize) as i64;
        encounters.push((EncounterType::Forsamtale, at(day(last), 10, 0)));
        if last < free && rng.chance(p_screening) {
            last += 1 + rng.below((free - last).min(25) as usize) as i64;
            encounters.push((EncounterType::Screening, at(day(last), 13, 30)));
        }
    }
    let &(source, _) = rng.pick(&SOURCES);
    let reason = rng.pick(&REASONS);
    let mut themes = Vec::new();
    if rng.chance(700) {
        themes.push(*rng.pick(&THEMES));
        let second = *rng.pick(&THEMES);
        if rng.chance(300) && !themes.contains(&second) {
            themes.push(second);
        }
    }
    let age = child.cpr.age_on(today);
    let end = if active {
        // 6-17 are the track's ages (tracks/worry_sadness.json); `decide` refuses others.
        if encounters.len() == 2 && (6..=17).contains(&age) && rng.chance(300) {
            End::Track
        } else {
            End::Open
        }
    } else if last < free && rng.chance(400) {
        let after = last + 1 + rng.below((free - last) as usize) as i64;
        End::Afslutning(at(day(after), 15, 0))
    } else {
        End::Way(*rng.pick(&WAYS))
    };
    Plan {
        child,
        received,
        source,
        reason,
        themes,
        encounters,
        themes_later: Vec::new(),
        end,
    }
}

fn plans(config: &Config, now: NaiveDateTime) -> anyhow::Result<Vec<Plan>> {
    let mut serials = HashMap::new();
    let mut out = Vec::with_capacity(config.courses);
    for i in 0..config.courses {
        let mut rng = Rng::new(config.seed ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let child = child_plan(&mut rng, now.date(), &mut serials)?;
        out.push(if i == 0 {
            showcase(child, now)
        } else {
            random_plan(&mut rng, child, now, config.active_percent)
        });
    }
    Ok(out)
}

fn note(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Gp => "Vejledt om at bestille tid hos egen læge; kan henvende sig igen.",
        Outcome::CivilSociety => "Vejledt om samtalegrupper hos frivillige organisationer.",
        Outcome::OtherOfferHome => "Tilbudt forløb i PPR i egen kommune.",
        Outcome::OtherMunicipality => "Familien er flyttet; sagen er sendt til den nye kommune.",
        Outcome::Psychiatry => "Henvist til udredning i børne- og ungdomspsykiatrien.",
        Outcome::Track | Outcome::Close => {
            "Bekymringen er drøftet; familien kan henvende sig igen."
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Seeding through the services

/// A service call that failed, with its field errors spelled out.
fn failed(what: &'static str) -> impl FnOnce(ServiceError) -> anyhow::Error {
    move |e| anyhow!("{what}: {e:?}")
}

/// What the seeding tasks share: who registers, and the rules decisions are checked against.
struct Desk {
    store: Arc<Store>,
    coordinator: Actor,
    meeting: Uuid,
    tracks: Vec<Track>,
    signs: Vec<SignRule>,
    catalogue: Arc<Catalogue>,
}

impl Desk {
    /// Each call gets the time it is made, as a request would.
    fn ctx(&self) -> Ctx {
        Ctx::new(self.coordinator.clone(), "bench-seed")
    }

    /// Registers the child and plays its course through the services; returns the course id.
    async fn play(&self, plan: &Plan) -> anyhow::Result<Uuid> {
        let store = &*self.store;
        let c = &plan.child;
        let child = children::create(
            store,
            &self.ctx(),
            &ChildInput {
                cpr: Some(c.cpr.formatted()),
                given_name: Some(c.given.into()),
                family_name: Some(c.family.into()),
                guardians: Some(vec![GuardianInput {
                    name: Some(format!("{} {}", c.guardian, c.family)),
                    relation: Some(c.relation.into()),
                    custody: Some(true),
                    ..GuardianInput::default()
                }]),
                ..ChildInput::default()
            },
        )
        .await
        .map_err(failed("registering the child"))?;
        let (source, referrer) = SOURCES
            .iter()
            .find(|(s, _)| *s == plan.source)
            .copied()
            .unwrap_or((plan.source, None));
        let returned = plan.source == Source::PsychiatryReturn;
        let new = NewContact {
            child_id: child.id,
            received_at: Some(plan.received),
            contact: ContactInput {
                source: Some(source.as_str().into()),
                reason: Some(plan.reason.into()),
                duration: Some("Nogle måneder".into()),
                tried: None,
                consent: Some("given".into()),
                referrer_name: referrer.map(Into::into),
                referrer_contact: None,
                family_contact: Some(format!("{}: 20 00 00 00", c.guardian)),
                psychiatry_reason: returned
                    .then(|| "Ikke grundlag for udredning i børne- og ungdomspsykiatrien.".into()),
                psychiatry_recommendation: returned
                    .then(|| "Et kommunalt forløb, hvor forældrene inddrages.".into()),
            },
            themes: plan.themes.iter().map(|t| t.to_string()).collect(),
            screening_response_id: None,
        };
        let mut course = courses::create_contact(store, &self.ctx(), &new)
            .await
            .map_err(failed("registering the contact"))?;
        for &(kind, at) in &plan.encounters {
            course = self.encounter(course.id, course.version, kind, at).await?;
        }
        if !plan.themes_later.is_empty() {
            let themes: Vec<String> = plan.themes_later.iter().map(|t| t.to_string()).collect();
            let version = Some(course.version);
            course = courses::set_themes(store, &self.ctx(), course.id, version, &themes)
                .await
                .map_err(failed("changing the themes"))?;
        }
        if let End::Afslutning(at) = plan.end {
            course = self
                .encounter(course.id, course.version, EncounterType::Afslutning, at)
                .await?;
        }
        let input = match plan.end {
            End::Open | End::Afslutning(_) => None,
            End::Track => Some(DecisionInput {
                outcome: Some(Outcome::Track.as_str().into()),
                track: Some(TRACK.as_str().into()),
                ..DecisionInput::default()
            }),
            End::Way(outcome) => Some(DecisionInput {
                outcome: Some(outcome.as_str().into()),
                track: None,
                way: Some(WayInput {
                    destination: Some(outcome.destination().map_or("other", |d| d.as_str()).into()),
                    note: Some(note(outcome).into()),
                }),
                reason_despite_signs: None,
            }),
        };
        if let Some(input) = input {
            let rules = Rules {
                tracks: &self.tracks,
                signs: &self.signs,
                catalogue: &self.catalogue,
            };
            let decision = NewDecision {
                input,
                meeting_id: Some(self.meeting),
                expected_version: Some(course.version),
                ticked: Vec::new(),
            };
            courses::decide(store, &self.ctx(), course.id, &decision, rules)
                .await
                .map_err(failed("deciding"))?;
        }
        Ok(course.id)
    }

    async fn encounter(
        &self,
        course_id: Uuid,
        version: i64,
        kind: EncounterType,
        at: NaiveDateTime,
    ) -> anyhow::Result<samspor_store::CourseRecord> {
        let input = EncounterInput {
            kind,
            at,
            delivery: None,
            participants: None,
        };
        // An Afslutning names why the course ended; these are families who withdrew.
        let closing = (kind == EncounterType::Afslutning).then(|| ClosingInput {
            reason: Some("dropped_out".into()),
            ..ClosingInput::default()
        });
        let (course, _) = courses::add_encounter_with(
            &self.store,
            &self.ctx(),
            course_id,
            Some(version),
            &input,
            closing.as_ref(),
            &self.tracks,
        )
        .await
        .map_err(|e| anyhow!("adding the {}: {e:?}", kind.as_str()))?;
        Ok(course)
    }
}

/// The municipality as seeded: the plans, the course ids in plan order, and who reads.
struct Seeded {
    plans: Arc<Vec<Plan>>,
    ids: Vec<Uuid>,
    coordinator: Actor,
    token: String,
}

async fn seed(
    store: &Arc<Store>,
    catalogue: &Arc<Catalogue>,
    config: &Config,
) -> anyhow::Result<Seeded> {
    let now = Utc::now();
    let mut users = Vec::new();
    for (email, name, role) in [
        (
            "bench.coordinator@example.org",
            "Bench Coordinator",
            "coordinator",
        ),
        ("bench.admin@example.org", "Bench Admin", "admin"),
    ] {
        let user = accounts::add_user(
            store,
            UserInput {
                email,
                name,
                role,
                org_code: MUNICIPALITY,
                password: "a long benchmark password",
            },
            now,
        )
        .await
        .map_err(failed("adding a user"))?;
        users.push(accounts::actor_for(store, &user).await?);
    }
    let (coordinator, admin) = (users[0].clone(), users[1].clone());
    // The municipality offers the track that some active courses have been decided for.
    organisations::set_participation(
        store,
        &Ctx::new(admin, "bench-seed"),
        MUNICIPALITY,
        TRACK,
        NaiveDate::from_ymd_opt(2022, 1, 1),
    )
    .await
    .map_err(failed("offering the track"))?;
    let today = local(now).date();
    let meeting = courses::create_meeting(
        store,
        &Ctx::new(coordinator.clone(), "bench-seed"),
        Some(today),
        Some("Koordinator, to psykologer og en sundhedsplejerske"),
    )
    .await
    .map_err(failed("opening the visitation meeting"))?;
    let token = accounts::create_api_token(store, "bench.coordinator@example.org", "bench", 30)
        .await
        .map_err(failed("creating the API token"))?;

    let plans = Arc::new(plans(config, local(now))?);
    let desk = Arc::new(Desk {
        store: store.clone(),
        coordinator: coordinator.clone(),
        meeting: meeting.id,
        tracks: samspor_domain::course::tracks::shipped()
            .map_err(|e| anyhow!("the shipped tracks: {e:?}"))?,
        signs: samspor_domain::course::support::shipped_signs()
            .map_err(|e| anyhow!("the shipped psychiatry signs: {e:?}"))?,
        catalogue: catalogue.clone(),
    });
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..SEED_TASKS {
        let (desk, plans, next) = (desk.clone(), plans.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut made = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(plan) = plans.get(i) else {
                    return anyhow::Ok(made);
                };
                let id = desk
                    .play(plan)
                    .await
                    .with_context(|| format!("course {i}"))?;
                made.push((i, id));
            }
        }));
    }
    let mut made = Vec::with_capacity(config.courses);
    for t in tasks {
        made.extend(t.await??);
    }
    made.sort_by_key(|(i, _)| *i);
    Ok(Seeded {
        plans,
        ids: made.into_iter().map(|(_, id)| id).collect(),
        coordinator,
        token,
    })
}

// ---------------------------------------------------------------------------------------------
// Checks

/// The worklist as the coordinator must see it: exactly the active courses, each with its own
/// received time, themes and nearest open due date, sorted by that date (none last), then by
/// when the contact came. Returns the number of items.
fn verify_worklist(body: &[u8], seeded: &Seeded) -> anyhow::Result<usize> {
    let items: Vec<serde_json::Value> =
        serde_json::from_slice(body).context("the worklist is not a JSON array")?;
    let active: HashMap<Uuid, &Plan> = seeded
        .ids
        .iter()
        .zip(seeded.plans.iter())
        .filter(|(_, p)| p.active())
        .map(|(id, p)| (*id, p))
        .collect();
    ensure!(
        items.len() == active.len(),
        "the worklist has {} courses; {} are active",
        items.len(),
        active.len()
    );
    let mut seen = HashSet::new();
    let mut previous: Option<(NaiveDate, NaiveDateTime)> = None;
    for (pos, item) in items.iter().enumerate() {
        let text = |field: &str| {
            item[field]
                .as_str()
                .ok_or_else(|| anyhow!("item {pos}: no {field}"))
        };
        let id: Uuid = text("course_id")?.parse()?;
        let plan = active
            .get(&id)
            .ok_or_else(|| anyhow!("item {pos}: course {id} is not an active course"))?;
        ensure!(seen.insert(id), "course {id} is listed twice");
        ensure!(text("status")? == "active", "item {pos}: not active");
        let received: NaiveDateTime = text("received_at")?.parse()?;
        ensure!(
            received == plan.received,
            "course {id}: received {received}, registered {}",
            plan.received
        );
        let next_due = match &item["next_due"] {
            serde_json::Value::Null => None,
            v => Some(
                v.as_str()
                    .ok_or_else(|| anyhow!("item {pos}: next_due"))?
                    .parse::<NaiveDate>()?,
            ),
        };
        ensure!(
            next_due == plan.next_due(),
            "course {id}: next due {next_due:?}, expected {:?}",
            plan.next_due()
        );
        ensure!(
            item["decided"] == (plan.end == End::Track),
            "course {id}: decided is {}",
            item["decided"]
        );
        let mut themes: Vec<&str> = item["themes"]
            .as_array()
            .ok_or_else(|| anyhow!("item {pos}: no themes"))?
            .iter()
            .filter_map(|t| t.as_str())
            .collect();
        let mut expected = plan.current_themes().to_vec();
        themes.sort_unstable();
        expected.sort_unstable();
        ensure!(themes == expected, "course {id}: themes {themes:?}");
        let key = (next_due.unwrap_or(NaiveDate::MAX), received);
        ensure!(
            previous.is_none_or(|p| p <= key),
            "item {pos} (course {id}) is out of order: not sorted by nearest open deadline"
        );
        previous = Some(key);
    }
    Ok(items.len())
}

/// The course page holds what was registered on it. Returns the number of encounters.
fn verify_course(body: &[u8], id: Uuid, plan: &Plan) -> anyhow::Result<usize> {
    let v: serde_json::Value = serde_json::from_slice(body).context("the course is not JSON")?;
    let count = |field: &str| v[field].as_array().map_or(0, Vec::len);
    ensure!(v["id"] == id.to_string(), "another course came back");
    let status = if plan.active() { "active" } else { "completed" };
    ensure!(v["status"] == status, "course status {}", v["status"]);
    ensure!(
        count("encounters") == plan.encounters_total(),
        "{} encounters on the course page, {} registered",
        count("encounters"),
        plan.encounters_total()
    );
    let decided = matches!(plan.end, End::Track | End::Way(_));
    ensure!(count("decisions") == usize::from(decided), "decisions");
    ensure!(
        count("referrals") == usize::from(matches!(plan.end, End::Way(_))),
        "referrals"
    );
    ensure!(
        count("psychiatry_referrals") == usize::from(plan.end == End::Way(Outcome::Psychiatry)),
        "psychiatry referrals"
    );
    ensure!(
        count("theme_history") == plan.themes.len() + plan.themes_later.len(),
        "theme history"
    );
    Ok(count("encounters"))
}

async fn audit_seq(store: &Store) -> anyhow::Result<i64> {
    Ok(store.audit_length().await?)
}

// ---------------------------------------------------------------------------------------------
// Measuring

/// What the municipality holds, counted from the plans.
#[derive(Debug, Clone, Copy, Default)]
pub struct Census {
    pub courses: usize,
    pub undecided: usize,
    pub track: usize,
    pub way: usize,
    pub afslutning: usize,
    pub forsamtale: usize,
    pub screening: usize,
    pub themes: usize,
}

impl Census {
    fn of(plans: &[Plan]) -> Census {
        let mut c = Census {
            courses: plans.len(),
            ..Census::default()
        };
        for p in plans {
            match p.end {
                End::Open => c.undecided += 1,
                End::Track => c.track += 1,
                End::Way(_) => c.way += 1,
                End::Afslutning(_) => c.afslutning += 1,
            }
            c.forsamtale += usize::from(p.held(EncounterType::Forsamtale).is_some());
            c.screening += usize::from(p.held(EncounterType::Screening).is_some());
            c.themes += usize::from(!p.current_themes().is_empty());
        }
        c
    }

    pub fn active(&self) -> usize {
        self.undecided + self.track
    }
}

pub struct Run {
    pub endpoint: &'static str,
    pub clients: usize,
    pub wall: Duration,
    /// Ascending.
    pub latencies: Vec<Duration>,
    /// Every body that differed from the one before it on the same connection.
    bodies: Vec<Vec<u8>>,
}

pub struct Report {
    pub backend: &'static str,
    pub census: Census,
    pub seeding: Duration,
    /// Items in the worklist and the size of its JSON body.
    pub items: usize,
    pub worklist_bytes: usize,
    /// Encounters on the course page read, and the size of its JSON body.
    pub course_encounters: usize,
    pub course_bytes: usize,
    pub runs: Vec<Run>,
    /// Per service step: (name, latencies ascending).
    pub steps: Vec<(&'static str, Vec<Duration>)>,
    pub audit_per_request: f64,
    pub audit_entries: i64,
}

/// Seeds a municipality on a fresh database, serves the app on loopback, times both
/// endpoints with each number of clients and the service calls without HTTP, then checks.
pub async fn measure(
    backend: &Backend,
    catalogue: &Arc<Catalogue>,
    config: &Config,
) -> anyhow::Result<Report> {
    let db = FreshDb::new(backend).await?;
    let result = measure_on(&db, backend, catalogue, config).await;
    let removed = db.remove().await;
    let report = result?;
    removed.context("removing the benchmark database")?;
    Ok(report)
}

async fn measure_on(
    db: &FreshDb,
    backend: &Backend,
    catalogue: &Arc<Catalogue>,
    config: &Config,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let seeded = Arc::new(seed(&db.store, catalogue, config).await?);
    let seeding = started.elapsed();
    let census = Census::of(&seeded.plans);
    eprintln!(
        "  {} seeded {} courses ({} active) in {:.1} s",
        backend.name(),
        census.courses,
        census.active(),
        seeding.as_secs_f64()
    );
    let showcase_id = seeded.ids[0];
    let course_path = format!("/api/v1/courses/{showcase_id}");

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
    let mut audited = 0;
    let mut runs = Vec::new();
    let mut failure = None;
    for &clients in &config.clients {
        for (endpoint, path) in [
            ("worklist", WORKLIST_PATH),
            ("course", course_path.as_str()),
        ] {
            match timed(
                &base,
                &seeded.token,
                endpoint,
                path,
                config.requests,
                clients,
            )
            .await
            {
                Ok(run) => {
                    eprintln!(
                        "  {endpoint} with {clients} clients: {:.0} requests/s, p50 {} ms, p95 {} ms",
                        config.requests as f64 / run.wall.as_secs_f64(),
                        stats::ms(stats::percentile(&run.latencies, 0.50)),
                        stats::ms(stats::percentile(&run.latencies, 0.95)),
                    );
                    audited += run.latencies.len();
                    runs.push(run);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if failure.is_some() {
            break;
        }
    }
    let _ = stop.send(());
    server.await??;
    if let Some(e) = failure {
        return Err(e);
    }

    let steps = steps(&db.store, &seeded, config.requests).await?;
    audited += 2 * config.requests;
    let audit_after = audit_seq(&db.store).await?;

    // Checks: every body that came back, and the audit chain.
    let mut items = 0;
    let mut worklist_bytes = 0;
    let mut course_encounters = 0;
    let mut course_bytes = 0;
    for run in &runs {
        for body in &run.bodies {
            if run.endpoint == "worklist" {
                items = verify_worklist(body, &seeded)
                    .with_context(|| format!("{} worklist", backend.name()))?;
                worklist_bytes = body.len();
            } else {
                course_encounters = verify_course(body, showcase_id, &seeded.plans[0])
                    .with_context(|| format!("{} course page", backend.name()))?;
                course_bytes = body.len();
            }
        }
    }
    ensure!(
        audit_after - audit_before == audited as i64,
        "{} audit entries written for {audited} audited reads",
        audit_after - audit_before
    );
    let report = db.store.verify_audit().await?;
    if let Err(brk) = report.result {
        bail!("the audit chain does not verify: {brk:?}");
    }
    Ok(Report {
        backend: backend.name(),
        census,
        seeding,
        items,
        worklist_bytes,
        course_encounters,
        course_bytes,
        runs,
        steps,
        audit_per_request: (audit_after - audit_before) as f64 / audited as f64,
        audit_entries: report.entries,
    })
}

/// `count` GETs of `path` with the coordinator's bearer token, `clients` at a time, each client
/// on its own keep-alive connection.
async fn timed(
    base: &str,
    token: &str,
    endpoint: &'static str,
    path: &str,
    count: usize,
    clients: usize,
) -> anyhow::Result<Run> {
    let next = Arc::new(AtomicUsize::new(0));
    // Everyone connects first, then all start together: connection set-up is not timed.
    let barrier = Arc::new(Barrier::new(clients + 1));
    let mut workers = Vec::with_capacity(clients);
    for _ in 0..clients {
        let client = reqwest::Client::builder().no_proxy().build()?;
        let (next, barrier) = (next.clone(), barrier.clone());
        let (url, health) = (format!("{base}{path}"), format!("{base}/healthz"));
        let token = token.to_string();
        workers.push(tokio::spawn(async move {
            let warm = client.get(health).send().await;
            barrier.wait().await;
            warm?.error_for_status()?;
            let mut latencies = Vec::new();
            let mut bodies: Vec<Vec<u8>> = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let t = Instant::now();
                let res = client.get(&url).bearer_auth(&token).send().await?;
                let status = res.status();
                let body = res.bytes().await?;
                latencies.push(t.elapsed());
                ensure!(
                    status == reqwest::StatusCode::OK,
                    "GET {url}: {status}: {}",
                    String::from_utf8_lossy(&body)
                );
                // Kept for the checks only when it differs from the last one (a new day, say).
                if bodies.last().is_none_or(|last| last[..] != body[..]) {
                    bodies.push(body.to_vec());
                }
            }
            anyhow::Ok((latencies, bodies))
        }));
    }
    barrier.wait().await;
    let t = Instant::now();
    let mut latencies = Vec::with_capacity(count);
    let mut bodies = Vec::new();
    let mut failure = None;
    for w in workers {
        match w.await? {
            Ok((l, b)) => {
                latencies.extend(l);
                bodies.extend(b);
            }
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    let wall = t.elapsed();
    if let Some(e) = failure {
        return Err(e);
    }
    ensure!(
        latencies.len() == count,
        "{} of {count} requests made",
        latencies.len()
    );
    latencies.sort();
    Ok(Run {
        endpoint,
        clients,
        wall,
        latencies,
        bodies,
    })
}

/// The calls behind the two requests, one at a time without HTTP: the bearer token lookup every
/// API request makes, the worklist service call, the same query alone in a transaction that
/// writes nothing, and the course page's service call.
async fn steps(
    store: &Store,
    seeded: &Seeded,
    count: usize,
) -> anyhow::Result<Vec<(&'static str, Vec<Duration>)>> {
    let active = seeded.plans.iter().filter(|p| p.active()).count();
    let new_ctx = || Ctx::new(seeded.coordinator.clone(), "bench");
    let (mut lookup, mut service, mut query, mut course) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..count {
        let t = Instant::now();
        let member = accounts::user_by_api_token(store, &seeded.token)
            .await
            .map_err(failed("looking up the token"))?;
        lookup.push(t.elapsed());
        ensure!(member.is_some(), "the bearer token is not found");

        let ctx = new_ctx();
        let filter = WorklistFilter {
            status: Some(CourseStatus::Active),
            ..WorklistFilter::default()
        };
        let t = Instant::now();
        let items = courses::worklist(store, &ctx, &filter)
            .await
            .map_err(failed("the worklist"))?;
        service.push(t.elapsed());
        ensure!(items.len() == active, "{} worklist items", items.len());

        let t = Instant::now();
        let rows = store
            .read(async |tx| {
                tx.courses_of_org(seeded.coordinator.org_id, Some(CourseStatus::Active))
                    .await
            })
            .await?;
        query.push(t.elapsed());
        ensure!(
            rows.len() == active,
            "{} courses from the query",
            rows.len()
        );

        let t = Instant::now();
        let view = courses::course(store, &ctx, seeded.ids[0])
            .await
            .map_err(failed("the course"))?;
        course.push(t.elapsed());
        ensure!(
            view.encounters.len() == seeded.plans[0].encounters_total(),
            "{} encounters",
            view.encounters.len()
        );
    }
    let mut steps = vec![
        (
            "bearer token lookup (`auth::user_by_api_token`, every API request)",
            lookup,
        ),
        (
            "worklist query alone (`courses_of_org`, nothing written)",
            query,
        ),
        (
            "`courses::worklist` (query, audit entry, commit, waiting figures, sort)",
            service,
        ),
        (
            "`courses::course` (the course page: its eight reads, audit entry, commit)",
            course,
        ),
    ];
    for (_, v) in &mut steps {
        v.sort();
    }
    Ok(steps)
}

// ---------------------------------------------------------------------------------------------
// Tables

pub fn census_rows(reports: &[Report]) -> String {
    let mut out = String::from(
        "| backend | courses | active: undecided | active: track decided | closed by a decision with a way | closed by an Afslutning | with a Forsamtale | with a Screening | with themes | seeding s |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for r in reports {
        let c = &r.census;
        let n = |v: usize| stats::grouped(v as f64);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} |\n",
            r.backend,
            n(c.courses),
            n(c.undecided),
            n(c.track),
            n(c.way),
            n(c.afslutning),
            n(c.forsamtale),
            n(c.screening),
            n(c.themes),
            r.seeding.as_secs_f64(),
        ));
    }
    out
}

pub fn http_rows(reports: &[Report]) -> String {
    let mut out = String::from(
        "| backend | request | clients | requests | requests/s | p50 ms | p95 ms | max ms | response | audit entries per request | audit entries verified |\n\
         |---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for r in reports {
        for run in &r.runs {
            let (request, response) = if run.endpoint == "worklist" {
                (
                    "`GET /api/v1/worklists/deadlines`".to_string(),
                    format!(
                        "{} courses, {} KB",
                        stats::grouped(r.items as f64),
                        stats::grouped(r.worklist_bytes as f64 / 1024.0)
                    ),
                )
            } else {
                (
                    "`GET /api/v1/courses/{id}`".to_string(),
                    format!(
                        "{} encounters, {} KB",
                        r.course_encounters,
                        stats::grouped(r.course_bytes as f64 / 1024.0)
                    ),
                )
            };
            out.push_str(&format!(
                "| {} | {request} | {} | {} | {} | {} | {} | {} | {response} | {:.1} | {} |\n",
                r.backend,
                run.clients,
                stats::grouped(run.latencies.len() as f64),
                stats::grouped(run.latencies.len() as f64 / run.wall.as_secs_f64()),
                stats::ms(stats::percentile(&run.latencies, 0.50)),
                stats::ms(stats::percentile(&run.latencies, 0.95)),
                stats::ms(run.latencies.last().copied().unwrap_or_default()),
                r.audit_per_request,
                stats::grouped(r.audit_entries as f64),
            ));
        }
    }
    out
}

pub fn step_rows(reports: &[Report]) -> String {
    let mut out = String::from(
        "| backend | step | calls | mean ms | p50 ms | p95 ms | max ms |\n|---|---|--:|--:|--:|--:|--:|\n",
    );
    for r in reports {
        for (name, v) in &r.steps {
            out.push_str(&format!(
                "| {} | {name} | {} | {} | {} | {} | {} |\n",
                r.backend,
                stats::grouped(v.len() as f64),
                stats::ms(stats::mean(v)),
                stats::ms(stats::percentile(v, 0.50)),
                stats::ms(stats::percentile(v, 0.95)),
                stats::ms(v.last().copied().unwrap_or_default()),
            ));
        }
    }
    out
}

//! Synthetic demo data: staff logins, programme participation, children with families, and
//! courses from first contact to visitation (`demo_courses`).
//!
//! Everything is made up and reproducible: the same seed gives the same people (on the same
//! day, since ages are counted from today). CPR numbers come from `Cpr::synthetic`, which only
//! makes numbers that belong to no one. Children are registered through the same service as
//! real registrations, so the audit log and the duplicate checks see them like any other.

use crate::demo_courses::{self, MunicipalityDemo};
use crate::names::{self, ascii_slug};
use anyhow::{Context, bail};
use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use samspor_domain::child::{ChildInput, GuardianInput, MAX_AGE, MIN_AGE};
use samspor_domain::cpr::{Cpr, Sex};
use samspor_domain::geo::{self, Municipality};
use samspor_domain::instrument::Answers;
use samspor_domain::organisation::Programme;
use samspor_domain::role::Role;
use samspor_store::accounts::{self, UserInput};
use samspor_store::children;
use samspor_store::organisations;
use samspor_store::questionnaires::{self, PaperInput};
use samspor_store::service::Ctx;
use samspor_store::{ResponseRecord, Store, User};
use std::collections::HashMap;
use std::ops::RangeInclusive;

/// The password of every demo user.
pub const PASSWORD: &str = "samspor-demo";
/// Demo users are recognised by this e-mail domain.
pub const EMAIL_DOMAIN: &str = "demo.samspor.dk";
/// The region whose organisation holds the secretariat and the analyst.
pub const REGION: &str = "DK-84";

/// The demo region as it stands today: Region Hovedstaden until it becomes part of Region
/// Østdanmark on 1 January 2027 (`reference/region_changes.json`).
pub fn region_today() -> &'static str {
    let today = samspor_store::courses::local(chrono::Utc::now()).date();
    samspor_domain::geo::changes::successor_on(REGION, today).map_or(REGION, |r| r.code)
}
/// København and Aarhus come first so that a small demo still shows a large municipality
/// with many programmes next to one with few.
const LEADING_MUNICIPALITIES: [&str; 2] = ["0101", "0751"];
/// Purpose recorded in the audit entries the demo writes.
const PURPOSE: &str = "demo";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    pub seed: u64,
    /// How many municipalities get staff and children (1 to 98).
    pub municipalities: usize,
    /// Children registered in each municipality.
    pub children: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 1,
            municipalities: 2,
            children: 40,
        }
    }
}

/// One demo account, for the list shown to whoever tries Samspor out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub email: String,
    pub role: Role,
    pub organisation: String,
}

/// What `seed` created.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub municipalities: usize,
    pub users: usize,
    pub children: usize,
    pub guardians: usize,
    pub participations: usize,
    /// Courses opened, the ones marked entered in error included.
    pub courses: usize,
    /// Public self-referrals left waiting in the intake queues.
    pub self_referrals: usize,
    pub logins: Vec<DemoLogin>,
}

/// Adds the demo data. Refuses a database that already has demo users, because a second
/// run would only collide with the first one's accounts halfway through.
pub async fn seed(store: &Store, options: &DemoOptions) -> anyhow::Result<DemoSummary> {
    let existing = existing_logins(store).await?;
    if !existing.is_empty() {
        bail!(
            "the database already has demo data ({} demo users); use a fresh database for a new demo",
            existing.len()
        );
    }
    let municipalities = choose_municipalities(options.municipalities)?;
    let mut people = People::new(options.seed, Utc::now().date_naive());
    let request_id = format!("demo-seed-{}", options.seed);

    let secretariat = add_user(
        store,
        "sekretariat",
        &mut people,
        Role::Secretariat,
        region_today(),
    )
    .await?;
    add_user(
        store,
        "analytiker",
        &mut people,
        Role::Analyst,
        region_today(),
    )
    .await?;
    let mut users = 2;
    let secretariat_ctx = ctx(store, &secretariat, &request_id).await?;

    let (mut created_children, mut guardians, mut participations) = (0, 0, 0);
    let mut responses = 0;
    let mut alert_shown = false;
    let catalogue = samspor_domain::instrument::Catalogue::shipped();
    let mut seeded = Vec::new();
    for m in &municipalities {
        let slug = ascii_slug(m.name);
        let coordinator = add_user(
            store,
            &format!("koordinator.{slug}"),
            &mut people,
            Role::Coordinator,
            m.code,
        )
        .await?;
        let therapist = add_user(
            store,
            &format!("terapeut.{slug}"),
            &mut people,
            Role::Therapist,
            m.code,
        )
        .await?;
        add_user(
            store,
            &format!("admin.{slug}"),
            &mut people,
            Role::Admin,
            m.code,
        )
        .await?;
        users += 3;

        let (programmes, since) = offer(m.code);
        for &programme in programmes {
            organisations::set_participation(
                store,
                &secretariat_ctx,
                m.code,
                programme,
                Some(since),
            )
            .await
            .with_context(|| format!("setting participation of {}", m.name))?;
            participations += 1;
        }
        // A made-up SOR code (999 + the municipality code, no real SOR code starts so), so
        // that the KL export can name the record-keeping organisation.
        samspor_store::export::set_sor_code(
            store,
            &secretariat_ctx,
            m.code,
            &format!("999{}00001", m.code),
        )
        .await
        .with_context(|| format!("setting the demo SOR code of {}", m.name))?;

        let mut coordinator_ctx = ctx(store, &coordinator, &request_id).await?;
        let mut demo_children = Vec::new();
        for i in 0..options.children {
            let child = people.child(m);
            guardians += child.guardians.as_ref().map_or(0, Vec::len);
            coordinator_ctx.now = Utc::now();
            let created = children::create(store, &coordinator_ctx, &child)
                .await
                .with_context(|| format!("registering a demo child in {}", m.name))?;
            created_children += 1;
            let mut demo_child = DemoChild {
                child: created,
                responses: Vec::new(),
                alert: false,
            };
            // Every fourth child has been measured twice, four months apart; the first
            // such teenager of the first municipality has a fresh alert to show.
            if i % 4 == 0 {
                let with_alert = !alert_shown
                    && m.code == municipalities[0].code
                    && demo_child.child.data.cpr.age_on(people.today) >= 11;
                alert_shown |= with_alert;
                demo_child.responses = people
                    .questionnaires(
                        store,
                        &catalogue,
                        &coordinator_ctx,
                        &demo_child.child,
                        with_alert,
                    )
                    .await?;
                demo_child.alert = with_alert;
                responses += demo_child.responses.len();
            }
            demo_children.push(demo_child);
        }
        seeded.push(MunicipalityDemo {
            municipality: m,
            coordinator: coordinator_ctx,
            therapist: ctx(store, &therapist, &request_id).await?,
            children: demo_children,
        });
    }

    // Courses come after every municipality's children, so that they draw nothing from the
    // random stream the children are made from: adding them left the people of a seed as
    // they were.
    let tracks = samspor_domain::course::tracks::shipped()?;
    let signs = samspor_domain::course::support::shipped_signs()?;
    let rules = samspor_store::courses::Rules {
        tracks: &tracks,
        signs: &signs,
        catalogue: &catalogue,
    };
    let (mut courses, mut self_referrals) = (0, 0);
    for demo in &mut seeded {
        let made = demo_courses::seed(store, rules, &mut people, demo, &request_id)
            .await
            .with_context(|| format!("adding demo courses in {}", demo.municipality.name))?;
        courses += made.courses;
        self_referrals += made.self_referrals;
        courses += crate::demo_treatment::seed(store, rules, &mut people, demo, &request_id)
            .await
            .with_context(|| format!("adding demo treatment in {}", demo.municipality.name))?;
        courses += crate::demo_groups::seed(store, rules, &mut people, demo, &request_id)
            .await
            .with_context(|| format!("adding demo groups in {}", demo.municipality.name))?;
        crate::demo_measurements::seed(store, rules, demo, &request_id)
            .await
            .with_context(|| format!("adding demo measurements in {}", demo.municipality.name))?;
        crate::demo_learning_environment::seed(store, demo).await?;
    }

    // Sharing across sectors comes last, for the same reason.
    for demo in &seeded {
        users += crate::demo_sharing::seed(store, &mut people, &secretariat_ctx, demo, &request_id)
            .await
            .with_context(|| format!("adding demo sharing in {}", demo.municipality.name))?;
    }
    // The GP information needs the practices of the sharing above.
    for demo in &seeded {
        let in_samspor = (demo.municipality.code == crate::demo_sharing::SHARING_MUNICIPALITY)
            .then_some(crate::demo_sharing::GP_IN_SAMSPOR);
        crate::demo_medcom::seed(store, &secretariat_ctx, demo, in_samspor)
            .await
            .with_context(|| format!("adding demo MedCom in {}", demo.municipality.name))?;
    }

    tracing::info!(
        seed = options.seed,
        responses,
        municipalities = municipalities.len(),
        users,
        children = created_children,
        courses,
        self_referrals,
        "demo data created"
    );
    Ok(DemoSummary {
        municipalities: municipalities.len(),
        users,
        children: created_children,
        guardians,
        participations,
        courses,
        self_referrals,
        logins: existing_logins(store).await?,
    })
}

/// Whether anyone at all has an account, demo or not.
pub async fn has_users(store: &Store) -> anyhow::Result<bool> {
    Ok(!all_users(store).await?.is_empty())
}

/// The demo accounts in the database: the municipalities' staff in demo order, then the
/// region's secretariat and analyst.
pub async fn existing_logins(store: &Store) -> anyhow::Result<Vec<DemoLogin>> {
    let suffix = format!("@{EMAIL_DOMAIN}");
    let mut found: Vec<(usize, usize, DemoLogin)> = all_users(store)
        .await?
        .into_iter()
        .filter(|(user, _, _)| user.email.ends_with(&suffix))
        .map(|(user, code, organisation)| {
            (
                organisation_rank(&code),
                role_rank(user.role),
                DemoLogin {
                    email: user.email,
                    role: user.role,
                    organisation,
                },
            )
        })
        .collect();
    found.sort_by(|a, b| (a.0, a.1, &a.2.email).cmp(&(b.0, b.1, &b.2.email)));
    Ok(found.into_iter().map(|(_, _, login)| login).collect())
}

/// The logins as an aligned table with a header, one line each, ending in a newline.
pub fn logins_table(logins: &[DemoLogin]) -> String {
    let rows: Vec<[&str; 3]> = logins
        .iter()
        .map(|l| [l.email.as_str(), l.role.as_str(), l.organisation.as_str()])
        .collect();
    let header = ["email", "role", "organisation"];
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows) {
        out.push_str(&format!("  {:w0$}  {:w1$}  {}\n", row[0], row[1], row[2]));
    }
    out
}

/// The first `count` municipalities of the demo: København, Aarhus, then the rest by code.
pub fn choose_municipalities(count: usize) -> anyhow::Result<Vec<&'static Municipality>> {
    let all = geo::municipalities();
    if count == 0 || count > all.len() {
        bail!("the demo needs between 1 and {} municipalities", all.len());
    }
    let leading = LEADING_MUNICIPALITIES
        .iter()
        .filter_map(|code| all.iter().find(|m| m.code == *code));
    let rest = all
        .iter()
        .filter(|m| !LEADING_MUNICIPALITIES.contains(&m.code));
    Ok(leading.chain(rest).take(count).collect())
}

/// Which programmes a demo municipality offers, and since when.
pub(crate) fn offer(code: &str) -> (&'static [Programme], NaiveDate) {
    const KOBENHAVN: &[Programme] = &[
        Programme::Restlessness,
        Programme::WorrySadness,
        Programme::BodyFood,
        Programme::SelfHarm,
        Programme::Kit,
    ];
    const AARHUS: &[Programme] = &[Programme::WorrySadness, Programme::BodyFood];
    const OTHERS: &[Programme] = &[Programme::WorrySadness];
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    match code {
        "0101" => (KOBENHAVN, date(2022, 1, 1)),
        "0751" => (AARHUS, date(2024, 8, 1)),
        _ => (OTHERS, date(2025, 1, 1)),
    }
}

fn organisation_rank(code: &str) -> usize {
    match LEADING_MUNICIPALITIES.iter().position(|c| *c == code) {
        Some(i) => i,
        // Municipality codes are four digits, so they sort among themselves after the leaders
        // and before the region (whose code does not parse).
        None => code
            .parse::<usize>()
            .map_or(usize::MAX, |n| LEADING_MUNICIPALITIES.len() + n),
    }
}

fn role_rank(role: Role) -> usize {
    const ORDER: [Role; 5] = [
        Role::Coordinator,
        Role::Therapist,
        Role::Admin,
        Role::Secretariat,
        Role::Analyst,
    ];
    ORDER.iter().position(|r| *r == role).unwrap_or(ORDER.len())
}

/// Every user with their organisation's code and name.
async fn all_users(store: &Store) -> anyhow::Result<Vec<(User, String, String)>> {
    let out = store
        .read(async |tx| {
            let mut out = Vec::new();
            for org in tx.organisations().await? {
                for user in tx.users_of_org(org.id).await? {
                    out.push((user, org.code.clone(), org.name.clone()));
                }
            }
            Ok::<_, samspor_store::StoreError>(out)
        })
        .await?;
    Ok(out)
}

pub(crate) async fn add_user(
    store: &Store,
    local_part: &str,
    people: &mut People,
    role: Role,
    org_code: &str,
) -> anyhow::Result<User> {
    let email = format!("{local_part}@{EMAIL_DOMAIN}");
    let name = people.adult_name();
    accounts::add_user(
        store,
        UserInput {
            email: &email,
            name: &name,
            role: role.as_str(),
            org_code,
            password: PASSWORD,
        },
        Utc::now(),
    )
    .await
    .with_context(|| format!("creating demo user {email}"))
}

pub(crate) async fn ctx(store: &Store, user: &User, request_id: &str) -> anyhow::Result<Ctx> {
    let actor = accounts::actor_for(store, user).await?;
    let mut ctx = Ctx::new(actor, request_id);
    ctx.purpose = PURPOSE.into();
    Ok(ctx)
}

/// A registered demo child with the questionnaires typed in for it, which the courses use:
/// a measured child makes decision support show indicated tracks, and an alert raises a sign
/// that calls for child psychiatry.
pub(crate) struct DemoChild {
    pub child: samspor_store::Child,
    /// Oldest first.
    pub responses: Vec<ResponseRecord>,
    /// Whether a PHQ-A with a critical answer left an open alert.
    pub alert: bool,
}

/// Makes up people from one seeded random stream, so the order of calls decides who is made.
pub(crate) struct People {
    rng: StdRng,
    today: NaiveDate,
    /// How many numbers have been taken per birth date and sex, so no CPR repeats.
    serials: HashMap<(NaiveDate, bool), u32>,
    phones: u32,
}

impl People {
    fn new(seed: u64, today: NaiveDate) -> Self {
        People {
            rng: StdRng::seed_from_u64(seed),
            today,
            serials: HashMap::new(),
            phones: 0,
        }
    }

    fn pick(&mut self, list: &[&'static str]) -> &'static str {
        list.choose(&mut self.rng).copied().unwrap_or_default()
    }

    fn family_name(&mut self) -> String {
        let stem = self.pick(names::STEMS);
        let ending = self.pick(names::FAMILY_ENDINGS);
        format!("{stem}{ending}")
    }

    fn adult_name(&mut self) -> String {
        let given = if self.rng.random_bool(0.5) {
            self.pick(names::WOMEN)
        } else {
            self.pick(names::MEN)
        };
        format!("{given} {}", self.family_name())
    }

    /// A child who is not registered anywhere yet, as a family would name them in the
    /// public self-referral form: demo CPR number (aged within `ages`), given and family
    /// name, and a parent's given name.
    pub(crate) fn unregistered_child(
        &mut self,
        ages: RangeInclusive<u32>,
    ) -> (Cpr, String, String, String) {
        let sex = if self.rng.random_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        };
        let cpr = self.cpr_aged(sex, ages);
        let given = self.pick(if sex == Sex::Male {
            names::BOYS
        } else {
            names::GIRLS
        });
        let family = self.family_name();
        let parent = self.pick(names::WOMEN);
        (cpr, given.into(), family, parent.into())
    }

    /// A birth date that gives an age from 3 to 17 today, never 1 January (see
    /// `Cpr::synthetic`), and a demo CPR number for it.
    fn cpr(&mut self, sex: Sex) -> Cpr {
        self.cpr_aged(sex, MIN_AGE..=MAX_AGE)
    }

    /// As `cpr`, for an age within `ages` (which must lie within 3 to 17).
    fn cpr_aged(&mut self, sex: Sex, ages: RangeInclusive<u32>) -> Cpr {
        loop {
            let age = self.rng.random_range(ages.clone());
            // Between one day and one year short of the last birthday keeps the age exact.
            let before_birthday = Days::new(self.rng.random_range(1..=364));
            let Some(birth) = self
                .today
                .checked_sub_months(Months::new(12 * age))
                .and_then(|d| d.checked_sub_days(before_birthday))
            else {
                continue;
            };
            if birth.month() == 1 && birth.day() == 1 {
                continue;
            }
            let taken = self.serials.entry((birth, sex == Sex::Male)).or_insert(0);
            let Some(cpr) = Cpr::synthetic(birth, sex, *taken) else {
                continue;
            };
            *taken += 1;
            if ages.contains(&cpr.age_on(self.today)) {
                return cpr;
            }
        }
    }

    /// Synthetic SDQ parent answers: `level` 0 (few difficulties) to 2 (many).
    fn sdq_answers(&mut self, level: u32) -> Answers {
        // Items where "certainly true" is the good answer (the reverse-scored ones and
        // the prosocial scale) get the mirrored tendency.
        const GOOD_WHEN_TRUE: [u32; 10] = [1, 4, 7, 9, 11, 14, 17, 20, 21, 25];
        let mut answers = Answers::new();
        for q in 1..=25u32 {
            let troubled = self.rng.random_range(0..=2) + level >= 3;
            let v = if GOOD_WHEN_TRUE.contains(&q) {
                if troubled {
                    0
                } else {
                    self.rng.random_range(1..=2)
                }
            } else if troubled {
                self.rng.random_range(1..=2)
            } else {
                0
            };
            answers.set(format!("q{q}"), Some(v));
        }
        let difficulties = i64::from(level.min(3));
        answers.set("difficulties", Some(difficulties));
        for item in ["distress", "home", "friendships", "classroom", "leisure"] {
            let v = if difficulties == 0 {
                0
            } else {
                self.rng.random_range(0..=i64::from(level) + 1)
            };
            answers.set(item, Some(v.min(3)));
        }
        answers
    }

    /// Two SDQ parent measurements four months apart (the second better), and for
    /// `with_alert` a PHQ-A with a critical answer, all typed in as paper forms. Returns
    /// what was stored, oldest first.
    async fn questionnaires(
        &mut self,
        store: &Store,
        catalogue: &samspor_domain::instrument::Catalogue,
        ctx: &Ctx,
        child: &samspor_store::Child,
        with_alert: bool,
    ) -> anyhow::Result<Vec<ResponseRecord>> {
        let age = child.data.cpr.age_on(self.today);
        let mut stored = Vec::new();
        if age < 5 {
            return Ok(stored);
        }
        let parent = child
            .data
            .guardians
            .first()
            .map(|g| g.name.clone())
            .unwrap_or_else(|| "Forælder".into());
        for (months_ago, level) in [(4, 2), (0, 1)] {
            let answered_at =
                Utc::now() - chrono::Duration::days(30 * months_ago) - chrono::Duration::hours(1);
            let answers = self.sdq_answers(level);
            let response = questionnaires::enter_paper(
                store,
                catalogue,
                ctx,
                child.id,
                PaperInput {
                    instrument_id: "sdq-parent-4-17".into(),
                    respondent_name: parent.clone(),
                    answered_at: Some(answered_at),
                    answers,
                },
            )
            .await
            .context("entering a demo SDQ")?;
            stored.push(response);
        }
        if with_alert && age >= 11 {
            let mut answers = Answers::new();
            for q in 1..=9u32 {
                answers.set(
                    format!("q{q}"),
                    Some(if q == 9 {
                        1
                    } else {
                        self.rng.random_range(0..=2)
                    }),
                );
            }
            let response = questionnaires::enter_paper(
                store,
                catalogue,
                ctx,
                child.id,
                PaperInput {
                    instrument_id: "phq-a".into(),
                    respondent_name: child.data.given_name.clone(),
                    answered_at: None,
                    answers,
                },
            )
            .await
            .context("entering a demo PHQ-A")?;
            stored.push(response);
        }
        Ok(stored)
    }

    pub(crate) fn phone(&mut self) -> String {
        self.phones += 1;
        let n = self.phones;
        format!(
            "20 {:02} {:02} {:02}",
            n / 10_000 % 100,
            n / 100 % 100,
            n % 100
        )
    }

    fn child(&mut self, municipality: &Municipality) -> ChildInput {
        let sex = if self.rng.random_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        };
        let cpr = self.cpr(sex);
        let given = self.pick(if sex == Sex::Male {
            names::BOYS
        } else {
            names::GIRLS
        });
        let family = self.family_name();
        let address = self.rng.random_bool(0.7).then(|| {
            let stem = self.pick(names::STEMS);
            let ending = self.pick(names::STREET_ENDINGS);
            let number = self.rng.random_range(1..=140);
            format!("{stem}{ending} {number}, {}", municipality.name)
        });
        let school = if cpr.age_on(self.today) < 6 {
            self.rng
                .random_bool(0.5)
                .then(|| format!("Børnehuset {}", self.pick(names::DAYCARES)))
        } else {
            self.rng
                .random_bool(0.8)
                .then(|| format!("{}skolen", self.pick(names::STEMS)))
        };
        let mut guardians = vec![self.guardian("mother", &family, true)];
        if self.rng.random_bool(0.7) {
            // Joint custody is the rule; a parent without it still belongs in the record.
            let custody = self.rng.random_bool(0.75);
            let other_family = if self.rng.random_bool(0.6) {
                family.clone()
            } else {
                self.family_name()
            };
            guardians.push(self.guardian("father", &other_family, custody));
        }
        ChildInput {
            cpr: Some(cpr.formatted()),
            given_name: Some(given.into()),
            family_name: Some(family),
            address,
            school,
            guardians: Some(guardians),
        }
    }

    fn guardian(&mut self, relation: &str, family: &str, custody: bool) -> GuardianInput {
        let given = self.pick(if relation == "father" {
            names::MEN
        } else {
            names::WOMEN
        });
        let phone = self.rng.random_bool(0.9).then(|| self.phone());
        let email = self
            .rng
            .random_bool(0.7)
            .then(|| format!("{}.{}@example.dk", ascii_slug(given), ascii_slug(family)));
        GuardianInput {
            name: Some(format!("{given} {family}")),
            relation: Some(relation.into()),
            custody: Some(custody),
            phone,
            email,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samspor_domain::child::parse_child;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn leading_municipalities_come_first() {
        let codes: Vec<_> = choose_municipalities(4)
            .unwrap()
            .iter()
            .map(|m| m.code)
            .collect();
        assert_eq!(codes, ["0101", "0751", "0147", "0151"]);
        assert_eq!(choose_municipalities(98).unwrap().len(), 98);
        assert!(choose_municipalities(0).is_err());
        assert!(choose_municipalities(99).is_err());
    }

    #[test]
    fn the_same_seed_makes_the_same_valid_children() {
        let kbh = choose_municipalities(1).unwrap()[0];
        let make = |seed| {
            let mut people = People::new(seed, today());
            (0..200).map(|_| people.child(kbh)).collect::<Vec<_>>()
        };
        let first = make(7);
        let again = make(7);
        let other = make(8);
        let cprs = |v: &[ChildInput]| v.iter().map(|c| c.cpr.clone()).collect::<Vec<_>>();
        assert_eq!(cprs(&first), cprs(&again));
        assert_ne!(cprs(&first), cprs(&other));

        let mut seen = std::collections::HashSet::new();
        for input in &first {
            let child = parse_child(input, today()).expect("demo child is valid");
            assert!(child.cpr.is_synthetic());
            assert!(seen.insert(child.cpr.clone()), "CPR numbers do not repeat");
            assert!((1..=2).contains(&child.guardians.len()));
            assert!(child.guardians[0].custody);
        }
        assert!(first.iter().any(|c| c.school.is_some()));
        assert!(first.iter().any(|c| c.address.is_none()));
        let guardians = || first.iter().flat_map(|c| c.guardians.iter().flatten());
        assert!(guardians().any(|g| g.custody == Some(false)));
        assert_eq!(
            guardians().find_map(|g| g.phone.clone()).as_deref(),
            Some("20 00 00 01")
        );
    }

    #[test]
    fn logins_are_ordered_and_aligned() {
        let login = |email: &str, role, organisation: &str| DemoLogin {
            email: email.into(),
            role,
            organisation: organisation.into(),
        };
        let table = logins_table(&[
            login("a@demo.samspor.dk", Role::Coordinator, "København"),
            login(
                "sekretariat@demo.samspor.dk",
                Role::Secretariat,
                "Region Hovedstaden",
            ),
        ]);
        let lines: Vec<_> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains("email") && lines[0].contains("organisation"));
        let column = |line: &str| line.find("coordinator").or(line.find("secretariat"));
        assert_eq!(column(lines[1]), column(lines[2]));
        assert!(organisation_rank("0101") < organisation_rank("0751"));
        assert!(organisation_rank("0751") < organisation_rank("0147"));
        assert!(organisation_rank("0860") < organisation_rank("DK-84"));
    }
}

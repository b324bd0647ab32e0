//! Demo courses ("forløb"): in every demo municipality, one course standing at each step from
//! the first contact to the visitation decision, and new self-referrals waiting in the intake
//! queue.
//!
//! Dates are counted back from today, so whatever day the demo is seeded the waiting-time goals
//! show the same picture: a contact received today, one whose first conversation is due within
//! days, one already past its goal, and so on. Everything goes through the same services as
//! staff's own work, so the rules hold for demo data too (no encounter in the future, no
//! decision without a way forward), and the audit log records it like any other work. The
//! audit entries carry the real time of seeding: only the dates the domain asks for (received,
//! held) are set in the past.
//!
//! The texts are written for the demo; the people in them are the demo's invented children.

use crate::demo::{DemoChild, People};
use crate::names::ascii_slug;
use anyhow::Context;
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use samspor_domain::course::contact::{ContactInput, Source};
use samspor_domain::course::encounter::{EncounterInput, EncounterType};
use samspor_domain::course::tracks::{Indication, Track};
use samspor_domain::course::visitation::{DecisionInput, Outcome, WayInput};
use samspor_domain::geo::Municipality;
use samspor_domain::instrument::Scored;
use samspor_domain::organisation::Programme;
use samspor_store::courses::{self, NewContact, NewDecision, Rules, local};
use samspor_store::intake;
use samspor_store::service::Ctx;
use samspor_store::{ResponseRecord, Store};
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use uuid::Uuid;

/// One demo municipality as `demo::seed` left it: who works there and the children it has.
pub(crate) struct MunicipalityDemo {
    pub municipality: &'static Municipality,
    /// Registers contacts, themes and decisions, as the intake coordinator does.
    pub coordinator: Ctx,
    /// Holds the Forsamtale and the Screening.
    pub therapist: Ctx,
    pub children: Vec<DemoChild>,
}

/// What `seed` added in one municipality.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Made {
    pub courses: usize,
    pub self_referrals: usize,
}

/// Which of the municipality's children suits a scenario best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prefer {
    /// A child without questionnaires, leaving the measured ones to those who show them.
    Unmeasured,
    /// A child with SDQ answers, best one whose answers point to the scenario's track, so
    /// decision support shows the track as indicated.
    Measured,
    /// The child with an open PHQ-A alert, whose sign calls for child psychiatry.
    Alert,
}

/// What the visitation meeting decided.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    outcome: Outcome,
    track: Option<Programme>,
    /// What the family was told: required for every outcome but a track.
    note: Option<&'static str>,
}

/// One course and how far along the pathway it has come. In the texts `{navn}` stands for
/// the child's given name and `{skole}` for the school.
#[derive(Debug, Clone)]
struct Scenario {
    /// Names the scenario in logs and errors.
    name: &'static str,
    /// Ages the texts are written for (and, for a track, the ages the track takes).
    ages: RangeInclusive<u32>,
    prefer: Prefer,
    source: Source,
    referrer: Option<&'static str>,
    /// The contact was received this many days before today.
    days_ago: u64,
    reason: &'static str,
    duration: Option<&'static str>,
    tried: Option<&'static str>,
    /// Themes chosen at the contact; empty when nobody has sorted the contact yet.
    themes: &'static [&'static str],
    /// Attach the child's latest SDQ to the contact, as a referrer sends one along.
    attach_screening: bool,
    /// Encounters held, each this many days after the contact.
    encounters: &'static [(EncounterType, u64)],
    /// Themes as changed after the encounters, so the course shows a theme history.
    themes_later: &'static [&'static str],
    /// For a referral returned from child psychiatry: their reason and their recommendation.
    returned: Option<(&'static str, &'static str)>,
    decision: Option<Verdict>,
    /// The contact was also typed in a second time by mistake; the copy is marked entered in
    /// error, as staff do, so the demo shows such a course.
    duplicated_in_error: bool,
}

const FORSAMTALE: EncounterType = EncounterType::Forsamtale;
const SCREENING: EncounterType = EncounterType::Screening;

/// The pathway from contact to visitation, one course per step. The waiting-time goals are 14
/// days to the Forsamtale and 30 to the Screening (`samspor_domain::course::waiting`), which
/// is what the day counts below are chosen against.
fn scenarios() -> Vec<Scenario> {
    vec![
        // Received today: both goals open.
        Scenario {
            name: "fresh contact",
            ages: 6..=12,
            prefer: Prefer::Unmeasured,
            source: Source::SelfReferral,
            referrer: None,
            days_ago: 0,
            reason: "Mor ringer, fordi {navn} de sidste måneder har haft svært ved at falde i \
                     søvn og ligger længe vågen og bekymrer sig om, at der skal ske forældrene \
                     noget. {navn} vil ikke sove alene og spørger mange gange om dagen, om alle \
                     kommer sikkert hjem.",
            duration: Some("Ca. 3 måneder"),
            tried: Some("Faste puttetider, natlampe og en snak med klasselæreren."),
            themes: &[],
            attach_screening: false,
            encounters: &[],
            themes_later: &[],
            returned: None,
            decision: None,
            duplicated_in_error: false,
        },
        // 12 days ago without a Forsamtale: the goal breaches in 2 days (due soon).
        Scenario {
            name: "forsamtale due soon",
            ages: 7..=15,
            prefer: Prefer::Measured,
            source: Source::School,
            referrer: Some("Trivselsvejleder, {skole}"),
            days_ago: 12,
            reason: "Skolen henvender sig efter aftale med forældrene. {navn} har de seneste tre \
                     måneder haft mange fraværsdage og klager ofte over ondt i maven om morgenen. \
                     I timerne er {navn} stille og undgår at sige noget i klassen. Forældrene har \
                     givet samtykke til, at skolen deler sine iagttagelser.",
            duration: Some("Ca. 3 måneder"),
            tried: Some(
                "Samtaler med trivselsvejlederen, en fast voksen at møde om morgenen og tæt \
                 kontakt mellem skole og hjem.",
            ),
            themes: &["worry"],
            attach_screening: true,
            encounters: &[],
            themes_later: &[],
            returned: None,
            decision: None,
            duplicated_in_error: false,
        },
        // 20 days ago without a Forsamtale: the goal is lost while the family still waits.
        Scenario {
            name: "forsamtale overdue",
            ages: 6..=10,
            prefer: Prefer::Unmeasured,
            source: Source::Gp,
            referrer: Some("Familiens praktiserende læge"),
            days_ago: 20,
            reason: "Forældrene har været hos egen læge, fordi {navn} har meget svært ved at \
                     sidde stille, har mange konflikter i frikvartererne og bliver hurtigt vred, \
                     når noget skal skifte derhjemme. Lægen har ikke fundet en somatisk årsag og \
                     anbefaler et forløb, hvor forældrene inddrages.",
            duration: Some("Over et år, tiltagende siden skolestart"),
            tried: Some("Råd fra sundhedsplejersken, faste rutiner og et billedskema for dagen."),
            themes: &["restlessness_inattention", "behaviour"],
            attach_screening: false,
            encounters: &[],
            themes_later: &[],
            returned: None,
            decision: None,
            duplicated_in_error: true,
        },
        // Forsamtale held on day 9 (in time); the Screening is still to come.
        Scenario {
            name: "screening pending",
            ages: 8..=16,
            prefer: Prefer::Unmeasured,
            source: Source::SocialServices,
            referrer: Some("Rådgiver, Familieafdelingen"),
            days_ago: 24,
            reason: "Familieafdelingen henviser efter forældrenes skilsmisse. {navn} virker \
                     trist, har trukket sig fra venner og fritidsaktiviteter og græder ofte ved \
                     skiftet mellem de to hjem. Begge forældre ønsker hjælp.",
            duration: Some("Ca. 6 måneder"),
            tried: Some("Tre familiesamtaler i Familieafdelingen."),
            themes: &["sadness"],
            attach_screening: false,
            encounters: &[(FORSAMTALE, 9)],
            // At the Forsamtale it came out that the child also worries a great deal about
            // the parents, so the theme was added.
            themes_later: &["sadness", "worry"],
            returned: None,
            decision: None,
            duplicated_in_error: false,
        },
        // Forsamtale on day 17 (three days late), Screening on day 26 (in time): ready for
        // the next visitation meeting.
        Scenario {
            name: "awaiting visitation",
            ages: 10..=17,
            prefer: Prefer::Measured,
            source: Source::Hospital,
            referrer: Some("Sygeplejerske, børne- og ungeafdelingen"),
            days_ago: 40,
            reason: "Henvist fra børne- og ungeafdelingen efter en indlæggelse for mavesmerter og \
                     vægttab, hvor der ikke blev fundet en somatisk forklaring. Under \
                     indlæggelsen fortalte {navn} om at springe måltider over og om at være meget \
                     optaget af at spise sundt og træne.",
            duration: Some("Ca. 4 måneder"),
            tried: Some("Samtaler med hospitalets diætist under indlæggelsen."),
            themes: &["body_food"],
            attach_screening: false,
            encounters: &[(FORSAMTALE, 17), (SCREENING, 26)],
            themes_later: &[],
            returned: None,
            decision: None,
            duplicated_in_error: false,
        },
        // Decided at today's visitation meeting: the worry and sadness track (6-17), which
        // every demo municipality offers.
        Scenario {
            name: "track decided",
            ages: 8..=17,
            prefer: Prefer::Measured,
            source: Source::School,
            referrer: Some("Klasselærer, {skole}"),
            days_ago: 45,
            reason: "{navn} er meget bange for at lave fejl og bruger lang tid på lektierne. Før \
                     prøver og fremlæggelser får {navn} hjertebanken og ondt i maven og er blevet \
                     hjemme flere gange de seneste uger. Forældrene er enige i \
                     henvendelsen.",
            duration: Some("Ca. 5 måneder"),
            tried: Some("Ekstra tid til opgaver og mulighed for at fremlægge for læreren alene."),
            themes: &["worry"],
            attach_screening: true,
            encounters: &[(FORSAMTALE, 6), (SCREENING, 19)],
            themes_later: &[],
            returned: None,
            decision: Some(Verdict {
                outcome: Outcome::Track,
                track: Some(Programme::WorrySadness),
                note: None,
            }),
            duplicated_in_error: false,
        },
        // No municipal course: guided to the GP, which closes the course.
        Scenario {
            name: "guided to the GP",
            ages: 4..=9,
            prefer: Prefer::Unmeasured,
            source: Source::SelfReferral,
            referrer: None,
            days_ago: 33,
            reason: "Forældrene skriver, at {navn} igen er begyndt at tisse i sengen, vågner \
                     flere gange om natten og er træt og ked af det om dagen. De er usikre på, \
                     om det skyldes noget fysisk.",
            duration: Some("Ca. 2 måneder"),
            tried: Some("Vækkeur om natten og mindre at drikke om aftenen."),
            themes: &["other"],
            attach_screening: false,
            encounters: &[(FORSAMTALE, 8), (SCREENING, 21)],
            themes_later: &[],
            returned: None,
            decision: Some(Verdict {
                outcome: Outcome::Gp,
                track: None,
                note: Some(
                    "Forsamtale og screening peger ikke på behov for et kommunalt forløb nu. \
                     Sengevædningen og søvnproblemerne skal først undersøges hos egen læge. \
                     Forældrene er vejledt om at bestille tid hos lægen og ved, at de kan \
                     henvende sig igen, hvis bekymringen består.",
                ),
            }),
            duplicated_in_error: false,
        },
        // No municipal course: guided to civil society, which closes the course.
        Scenario {
            name: "guided to civil society",
            ages: 13..=17,
            prefer: Prefer::Unmeasured,
            source: Source::SelfReferral,
            referrer: None,
            days_ago: 38,
            reason: "{navn} har selv ringet efter en snak med sundhedsplejersken på skolen. \
                     {navn} føler sig ensom efter et skoleskift og mangler nogen at tale med, \
                     men kommer i skole og passer sin fritidsaktivitet.",
            duration: Some("Siden skoleskiftet for et halvt år siden"),
            tried: Some("Samtaler med sundhedsplejersken."),
            themes: &["sadness"],
            attach_screening: false,
            encounters: &[(FORSAMTALE, 5), (SCREENING, 16)],
            themes_later: &[],
            returned: None,
            decision: Some(Verdict {
                outcome: Outcome::CivilSociety,
                track: None,
                note: Some(
                    "Screeningen viser lette vanskeligheder, og {navn} ønsker først og \
                     fremmest nogen at tale med. {navn} og forældrene er vejledt om anonym \
                     rådgivning og samtalegrupper for unge hos frivillige organisationer og har \
                     fået kontaktoplysningerne med hjem. De ved, at de kan henvende sig igen, \
                     hvis det ikke hjælper.",
                ),
            }),
            duplicated_in_error: false,
        },
        // Referred to child psychiatry: writes the outgoing referral, to be sent. The child
        // with the PHQ-A alert is chosen when there is one, since its sign calls for this.
        Scenario {
            name: "referred to psychiatry",
            ages: 11..=17,
            prefer: Prefer::Alert,
            source: Source::Gp,
            referrer: Some("Familiens praktiserende læge"),
            days_ago: 36,
            reason: "Egen læge henviser, fordi {navn} gennem et halvt år har været trist det \
                     meste af dagen, sover dårligt og har mistet lysten til sport og venner. Over \
                     for lægen har {navn} fortalt om tanker om, at det ville være lettere ikke at \
                     være her.",
            duration: Some("Ca. 6 måneder"),
            tried: Some("Tre samtaler hos egen læge."),
            themes: &["sadness", "self_harm"],
            attach_screening: true,
            encounters: &[(FORSAMTALE, 6), (SCREENING, 13)],
            themes_later: &[],
            returned: None,
            decision: Some(Verdict {
                outcome: Outcome::Psychiatry,
                track: None,
                note: Some(
                    "Visitationen vurderer, at tristheden, søvnproblemerne og tankerne om døden \
                     skal udredes i børne- og ungdomspsykiatrien, og henviser dertil. Familien \
                     er orienteret telefonisk samme dag og ved, at de skal kontakte egen læge, \
                     lægevagten eller den psykiatriske akutmodtagelse, hvis det bliver værre, \
                     mens de venter.",
                ),
            }),
            duplicated_in_error: false,
        },
        // Sent back by child psychiatry with a recommendation; Forsamtale held on day 4.
        Scenario {
            name: "returned from psychiatry",
            ages: 8..=17,
            prefer: Prefer::Unmeasured,
            source: Source::PsychiatryReturn,
            referrer: Some("Børne- og ungdomspsykiatrien, visitationen"),
            days_ago: 6,
            reason: "Tilbagehenvist fra børne- og ungdomspsykiatrien. {navn} vasker hænder mange \
                     gange om dagen og skal tjekke, at døre og vinduer er lukket, for at kunne \
                     falde i søvn. Det fylder mere og mere i familiens hverdag.",
            duration: Some("Ca. 8 måneder"),
            tried: Some("Udredning påbegyndt hos egen læge."),
            themes: &["obsessive_compulsive"],
            attach_screening: false,
            encounters: &[(FORSAMTALE, 4)],
            themes_later: &[],
            returned: Some((
                "Henvist af egen læge med spørgsmål om OCD. Ved visitationen er der ikke fundet \
                 grundlag for udredning eller behandling i børne- og ungdomspsykiatrien.",
                "Tvangshandlingerne vurderes at være af lettere grad. Der anbefales et \
                 kommunalt forløb om gentagne tanker og handlinger, hvor forældrene inddrages. \
                 Ny henvisning ved forværring eller manglende effekt.",
            )),
            decision: None,
            duplicated_in_error: false,
        },
    ]
}

/// The public self-referral form as two families fill it in.
struct PublicForm {
    /// `parent` or `young_person`, as the form's field.
    writer: &'static str,
    ages: RangeInclusive<u32>,
    worry: &'static str,
    duration: &'static str,
    tried: &'static str,
}

const PUBLIC_FORMS: [PublicForm; 2] = [
    PublicForm {
        writer: "parent",
        ages: 3..=6,
        worry: "{navn} får voldsomme raserianfald, når noget skal skifte, fx når vi skal hjem \
                fra børnehaven eller i bad. Det sker flere gange om dagen, og vi ved ikke \
                længere, hvordan vi skal hjælpe. Børnehaven oplever det samme.",
        duration: "Et halvt år",
        tried: "Vi har talt med sundhedsplejersken og forbereder skift med et billedskema.",
    },
    PublicForm {
        writer: "young_person",
        ages: 14..=17,
        worry: "Jeg har det rigtig svært med at komme i skole. Jeg får hjertebanken og kvalme \
                i bussen og må tage hjem igen. Mine forældre ved det godt, men jeg vil gerne \
                selv tale med nogen om det.",
        duration: "Et par måneder",
        tried: "Jeg har talt med min kontaktlærer.",
    },
];

/// What choosing a child for a scenario looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Candidate {
    age: u32,
    measured: bool,
    alert: bool,
    /// Tracks the child's latest answers point to.
    indicated: Vec<Programme>,
}

impl Candidate {
    fn of(child: &DemoChild, today: NaiveDate, tracks: &[Track]) -> Self {
        Candidate {
            age: child.child.data.cpr.age_on(today),
            measured: !child.responses.is_empty(),
            alert: child.alert,
            indicated: indicated(&child.responses, tracks),
        }
    }
}

/// The tracks that the latest answers of each instrument point to, by the tracks' own rules,
/// as decision support will show them.
fn indicated(responses: &[ResponseRecord], tracks: &[Track]) -> Vec<Programme> {
    // Oldest first, so a later answer replaces an earlier one of the same instrument.
    let mut latest: BTreeMap<&str, Scored> = BTreeMap::new();
    for r in responses {
        if let Ok(scored) = serde_json::from_value::<Scored>(r.scores.clone()) {
            latest.insert(&r.instrument_id, scored);
        }
    }
    let points = |rule: &Indication| {
        latest
            .get(rule.instrument.as_str())
            .and_then(|s| s.scales.get(&rule.scale))
            .and_then(|scale| scale.band.as_deref())
            .is_some_and(|band| rule.matches(&rule.instrument, &rule.scale, band))
    };
    tracks
        .iter()
        .filter(|t| t.indicated_by.iter().any(points))
        .map(|t| t.id)
        .collect()
}

/// Gives each scenario a child of its own, or none when the demo has too few children (a
/// small demo gets the scenarios its children allow, and no extra children that would change
/// the counts a seed is known by). The track decision chooses first, so the child whose answers
/// point to the track is still there; then psychiatry, for the child with the alert; then
/// narrow age ranges before wide ones, so a wide one does not take the only child a narrow one
/// could use. A child with an open alert only goes to a scenario that prefers one: its sign
/// calls for child psychiatry, and any other decision would need a written reason for not
/// following it.
fn allocate(scenarios: &[Scenario], candidates: &[Candidate]) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..scenarios.len()).collect();
    order.sort_by_key(|&i| {
        let s = &scenarios[i];
        (
            s.decision.and_then(|d| d.track).is_none(),
            s.prefer != Prefer::Alert,
            s.ages.end() - s.ages.start(),
        )
    });
    let mut taken = vec![false; candidates.len()];
    let mut chosen = vec![None; scenarios.len()];
    for i in order {
        let s = &scenarios[i];
        let track = s.decision.and_then(|d| d.track);
        let score = |c: &Candidate| match s.prefer {
            Prefer::Alert => 2 * u8::from(c.alert) + u8::from(c.measured),
            Prefer::Measured => {
                2 * u8::from(track.is_some_and(|t| c.indicated.contains(&t))) + u8::from(c.measured)
            }
            Prefer::Unmeasured => u8::from(!c.measured),
        };
        let pick = candidates
            .iter()
            .enumerate()
            .filter(|(j, c)| {
                !taken[*j] && s.ages.contains(&c.age) && (!c.alert || s.prefer == Prefer::Alert)
            })
            .min_by_key(|(j, c)| (Reverse(score(c)), *j))
            .map(|(j, _)| j);
        if let Some(j) = pick {
            taken[j] = true;
            chosen[i] = Some(j);
        }
    }
    chosen
}

/// Danish local time now, and the times of day the demo's events happen at.
#[derive(Debug, Clone, Copy)]
struct Clock {
    now: NaiveDateTime,
}

impl Clock {
    fn today(&self) -> NaiveDate {
        self.now.date()
    }

    /// `hour`:`minute` on the day `days_ago` days before today, but never later than a minute
    /// ago: the services refuse what lies in the future, and a contact "received today at
    /// 09:40" does not yet exist when the demo is seeded at 07:00.
    fn ago(&self, days_ago: u64, hour: u32, minute: u32) -> NaiveDateTime {
        let day = self
            .today()
            .checked_sub_days(Days::new(days_ago))
            .unwrap_or(NaiveDate::MIN);
        let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN);
        day.and_time(time).min(self.now - TimeDelta::minutes(1))
    }

    /// When an encounter of `kind` was held, `after` days after a contact `days_ago` days ago.
    fn encounter(&self, days_ago: u64, after: u64, kind: EncounterType) -> NaiveDateTime {
        let (hour, minute) = if kind == SCREENING { (13, 30) } else { (10, 0) };
        self.ago(days_ago.saturating_sub(after), hour, minute)
    }
}

/// Fills in the child's name and school.
fn fill(text: &str, child: &samspor_store::Child) -> String {
    let school = child.data.school.as_deref().unwrap_or("skolen");
    text.replace("{navn}", &child.data.given_name)
        .replace("{skole}", school)
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// The contact content a scenario gives for one child.
fn contact_input(s: &Scenario, child: &samspor_store::Child) -> ContactInput {
    let family_contact = child.data.guardians.first().map(|g| {
        let relation = g.relation.label(samspor_domain::i18n::Lang::Da);
        match &g.phone {
            Some(phone) => format!("{relation}: {}, {phone}", g.name),
            None => format!("{relation}: {}", g.name),
        }
    });
    ContactInput {
        source: Some(s.source.as_str().into()),
        reason: Some(fill(s.reason, child)),
        duration: s.duration.map(Into::into),
        tried: s.tried.map(Into::into),
        consent: Some("given".into()),
        referrer_name: s.referrer.map(|r| fill(r, child)),
        referrer_contact: None,
        family_contact,
        psychiatry_reason: s.returned.map(|(reason, _)| reason.into()),
        psychiatry_recommendation: s.returned.map(|(_, recommendation)| recommendation.into()),
    }
}

/// Staff at work: each call gets the time it is made, as a request would.
struct Desk<'a> {
    store: &'a Store,
    rules: Rules<'a>,
    demo: &'a mut MunicipalityDemo,
    clock: Clock,
    /// Today's visitation meeting, opened with the first decision.
    meeting: Option<Uuid>,
}

impl Desk<'_> {
    fn coordinator(&mut self) -> &Ctx {
        self.demo.coordinator.now = Utc::now();
        &self.demo.coordinator
    }

    fn therapist(&mut self) -> &Ctx {
        self.demo.therapist.now = Utc::now();
        &self.demo.therapist
    }

    async fn meeting(&mut self) -> anyhow::Result<Uuid> {
        if let Some(id) = self.meeting {
            return Ok(id);
        }
        let today = self.clock.today();
        let store = self.store;
        let meeting = courses::create_meeting(
            store,
            self.coordinator(),
            Some(today),
            Some(
                "Koordinator, to psykologer fra børne- og ungerådgivningen, sundhedsplejerske \
                 og PPR-psykolog",
            ),
        )
        .await
        .context("opening the demo visitation meeting")?;
        self.meeting = Some(meeting.id);
        Ok(meeting.id)
    }

    /// Plays one scenario for one child; returns how many courses it opened.
    async fn play(&mut self, s: &Scenario, child_index: usize) -> anyhow::Result<usize> {
        let store = self.store;
        let child = &self.demo.children[child_index];
        let screening = child
            .responses
            .iter()
            .rev()
            .find(|r| r.instrument_id.starts_with("sdq"))
            .map(|r| r.id);
        let new = NewContact {
            child_id: child.child.id,
            received_at: Some(self.clock.ago(s.days_ago, 9, 40)),
            contact: contact_input(s, &child.child),
            themes: strings(s.themes),
            screening_response_id: screening.filter(|_| s.attach_screening),
        };
        let child = child.child.clone();
        let mut course = courses::create_contact(store, self.coordinator(), &new).await?;
        for &(kind, after) in s.encounters {
            let input = EncounterInput {
                kind,
                at: self.clock.encounter(s.days_ago, after, kind),
                delivery: None,
                participants: None,
            };
            let version = Some(course.version);
            (course, _) =
                courses::add_encounter(store, self.therapist(), course.id, version, &input)
                    .await
                    .with_context(|| format!("adding the {}", kind.as_str()))?;
        }
        if !s.themes_later.is_empty() {
            let themes = strings(s.themes_later);
            let version = Some(course.version);
            course = courses::set_themes(store, self.coordinator(), course.id, version, &themes)
                .await
                .context("changing the themes")?;
        }
        if let Some(verdict) = s.decision {
            let decision = NewDecision {
                input: DecisionInput {
                    outcome: Some(verdict.outcome.as_str().into()),
                    track: verdict.track.map(|t| t.as_str().into()),
                    way: verdict.note.map(|note| WayInput {
                        destination: verdict.outcome.destination().map(|d| d.as_str().into()),
                        note: Some(fill(note, &child)),
                    }),
                    reason_despite_signs: None,
                },
                meeting_id: Some(self.meeting().await?),
                expected_version: Some(course.version),
                ticked: Vec::new(),
            };
            let rules = self.rules;
            courses::decide(store, self.coordinator(), course.id, &decision, rules)
                .await
                .context("deciding at the visitation meeting")?;
        }
        if !s.duplicated_in_error {
            return Ok(1);
        }
        let copy = courses::create_contact(store, self.coordinator(), &new).await?;
        courses::mark_entered_in_error(store, self.coordinator(), copy.id, Some(copy.version))
            .await
            .context("marking the copy entered in error")?;
        Ok(2)
    }
}

/// Adds the courses and the waiting self-referrals of one municipality.
pub(crate) async fn seed(
    store: &Store,
    rules: Rules<'_>,
    people: &mut People,
    demo: &mut MunicipalityDemo,
    request_id: &str,
) -> anyhow::Result<Made> {
    let clock = Clock {
        now: local(Utc::now()),
    };
    let scenarios = scenarios();
    let candidates: Vec<Candidate> = demo
        .children
        .iter()
        .map(|c| Candidate::of(c, clock.today(), rules.tracks))
        .collect();
    let chosen = allocate(&scenarios, &candidates);
    let code = demo.municipality.code;
    let mut desk = Desk {
        store,
        rules,
        demo,
        clock,
        meeting: None,
    };
    let mut made = Made::default();
    for (s, child) in scenarios.iter().zip(chosen) {
        let Some(child) = child else {
            tracing::info!(scenario = s.name, "no demo child fits; course left out");
            continue;
        };
        made.courses += desk
            .play(s, child)
            .await
            .with_context(|| format!("demo course \"{}\"", s.name))?;
    }

    // Sent through the public form: they wait in the queue until staff register them, so the
    // children are in no register yet. Received now, because the form's time is also the time
    // of its audit entry.
    for form in &PUBLIC_FORMS {
        let (cpr, given, family, parent) = people.unregistered_child(form.ages.clone());
        let young = form.writer == "young_person";
        let contact_name = if young {
            format!("{given} {family}")
        } else {
            format!("{parent} {family}")
        };
        let email = format!(
            "{}.{}@example.dk",
            ascii_slug(contact_name.split(' ').next().unwrap_or("familie")),
            ascii_slug(&family)
        );
        let input = samspor_domain::course::contact::SelfReferralInput {
            writer: Some(form.writer.into()),
            child_given_name: Some(given.clone()),
            child_family_name: Some(family),
            child_cpr: Some(cpr.formatted()),
            contact_name: Some(contact_name),
            phone: Some(people.phone()),
            email: Some(email),
            worry: Some(form.worry.replace("{navn}", &given)),
            duration: Some(form.duration.into()),
            tried: Some(form.tried.into()),
        };
        intake::submit_self_referral(store, code, &input, Utc::now(), request_id)
            .await
            .context("sending a demo self-referral")?;
        made.self_referrals += 1;
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use samspor_domain::course::waiting::{GoalStatus, Waiting};
    use std::collections::HashSet;

    fn clock() -> Clock {
        let now = NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .unwrap_or_default();
        Clock { now }
    }

    /// The goals of a scenario as they stand on the day it is seeded.
    fn waiting(s: &Scenario, clock: Clock) -> Waiting {
        let held = |kind| {
            s.encounters
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|&(_, after)| clock.encounter(s.days_ago, after, kind).date())
                .min()
        };
        Waiting::new(
            clock.ago(s.days_ago, 9, 40).date(),
            held(FORSAMTALE),
            held(SCREENING),
            clock.today(),
        )
    }

    #[test]
    fn the_scenarios_show_every_waiting_status_on_any_day() {
        let clock = clock();
        let statuses: HashSet<GoalStatus> = scenarios()
            .iter()
            .filter(|s| s.decision.is_none_or(|d| d.track.is_some()))
            .flat_map(|s| {
                let w = waiting(s, clock);
                [w.first_conversation.status, w.screening.status]
            })
            .collect();
        for status in [
            GoalStatus::Open,
            GoalStatus::DueSoon,
            GoalStatus::OpenBreached,
            GoalStatus::Met,
            GoalStatus::Breached,
        ] {
            assert!(statuses.contains(&status), "{status:?} in {statuses:?}");
        }
        let by_name = |name: &str| {
            let s = scenarios().into_iter().find(|s| s.name == name).unwrap();
            waiting(&s, clock).first_conversation.status
        };
        assert_eq!(by_name("forsamtale due soon"), GoalStatus::DueSoon);
        assert_eq!(by_name("forsamtale overdue"), GoalStatus::OpenBreached);
        assert_eq!(by_name("awaiting visitation"), GoalStatus::Breached);
    }

    #[test]
    fn encounters_lie_between_the_contact_and_yesterday() {
        let clock = clock();
        for s in scenarios() {
            let received = clock.ago(s.days_ago, 9, 40);
            assert!(received < clock.now, "{}", s.name);
            for &(kind, after) in s.encounters {
                assert!(
                    after < s.days_ago,
                    "{}: {kind:?} is not in the past",
                    s.name
                );
                let at = clock.encounter(s.days_ago, after, kind);
                assert!(received < at && at.date() < clock.today(), "{}", s.name);
            }
        }
        // Seeded early in the morning, a contact of today is still in the past.
        let early = Clock {
            now: clock.today().and_hms_opt(0, 5, 0).unwrap_or_default(),
        };
        assert!(early.ago(0, 9, 40) < early.now);
    }

    #[test]
    fn every_scenario_is_complete_and_fits_the_tracks() {
        let tracks = samspor_domain::course::tracks::shipped().unwrap();
        let all = scenarios();
        for s in &all {
            assert!(
                samspor_domain::child::MIN_AGE <= *s.ages.start()
                    && *s.ages.end() <= samspor_domain::child::MAX_AGE,
                "{}",
                s.name
            );
            assert_eq!(
                s.referrer.is_some(),
                s.source.is_professional(),
                "{}: professionals name who refers",
                s.name
            );
            assert_eq!(
                s.returned.is_some(),
                s.source == Source::PsychiatryReturn,
                "{}",
                s.name
            );
            if let Some(v) = s.decision {
                assert_eq!(v.note.is_none(), v.outcome == Outcome::Track, "{}", s.name);
                if let Some(track) = v.track {
                    let rules = samspor_domain::course::tracks::find(&tracks, track).unwrap();
                    assert!(rules.ages.contains(*s.ages.start()), "{}", s.name);
                    assert!(rules.ages.contains(*s.ages.end()), "{}", s.name);
                    // Every demo municipality offers it (see `demo::offer`).
                    for code in ["0101", "0751", "0147"] {
                        assert!(crate::demo::offer(code).0.contains(&track), "{code}");
                    }
                }
            }
        }
        let sources: HashSet<&str> = all.iter().map(|s| s.source.as_str()).collect();
        for source in [
            "self",
            "gp",
            "school",
            "hospital",
            "social_services",
            "psychiatry_return",
        ] {
            assert!(sources.contains(source), "{source}");
        }
        assert!(all.iter().filter(|s| !s.themes.is_empty()).count() > all.len() / 2);
    }

    #[test]
    fn children_are_shared_out_without_wasting_the_few_that_fit() {
        let all = scenarios();
        let child = |age, measured, alert| Candidate {
            age,
            measured,
            alert,
            indicated: Vec::new(),
        };
        // One teenager with an alert goes to psychiatry, never to another decision.
        let few = [child(15, true, true), child(9, false, false)];
        let chosen = allocate(&all, &few);
        let psychiatry = all.iter().position(|s| s.prefer == Prefer::Alert).unwrap();
        assert_eq!(chosen[psychiatry], Some(0));
        assert_eq!(chosen.iter().flatten().count(), 2);

        // With plenty of children every scenario gets one, each a different child.
        let many: Vec<Candidate> = (0..45)
            .map(|i| child(3 + i % 15, i % 4 == 0, false))
            .collect();
        let chosen = allocate(&all, &many);
        assert!(chosen.iter().all(Option::is_some), "{chosen:?}");
        let distinct: HashSet<_> = chosen.iter().flatten().collect();
        assert_eq!(distinct.len(), all.len());
        for (s, c) in all.iter().zip(&chosen) {
            let c = &many[c.unwrap_or_default()];
            assert!(s.ages.contains(&c.age), "{}", s.name);
            if s.prefer == Prefer::Measured {
                assert!(c.measured, "{}", s.name);
            }
        }

        // The track goes to the child whose answers point to it, when there is one.
        let track = all
            .iter()
            .position(|s| s.decision.is_some_and(|d| d.track.is_some()))
            .unwrap();
        let mut pointed = many.clone();
        pointed[44].indicated = vec![Programme::WorrySadness];
        let age = pointed[44].age;
        assert!(all[track].ages.contains(&age), "{age}");
        assert_eq!(allocate(&all, &pointed)[track], Some(44));

        // No children, no courses.
        assert!(allocate(&all, &[]).iter().all(Option::is_none));
    }

    #[test]
    fn the_texts_name_the_child_and_pass_the_checks_of_a_real_contact() {
        use samspor_domain::child::{ChildData, Guardian, Relation};
        use samspor_domain::cpr::{Cpr, Sex};
        let clock = clock();
        let birth = NaiveDate::from_ymd_opt(2013, 6, 15).unwrap();
        let child = samspor_store::Child {
            id: Uuid::nil(),
            org_id: Uuid::nil(),
            municipality_code: Some("0101".into()),
            data: ChildData {
                cpr: Cpr::synthetic(birth, Sex::Female, 0).unwrap(),
                given_name: "Alma".into(),
                family_name: "Testsen".into(),
                address: None,
                school: Some("Egeskolen".into()),
                guardians: vec![Guardian {
                    name: "Mette Testsen".into(),
                    relation: Relation::Mother,
                    custody: true,
                    phone: Some("20 00 00 01".into()),
                    email: None,
                }],
            },
            version: 1,
            created_at: Utc::now(),
            created_by: Uuid::nil(),
            updated_at: Utc::now(),
            updated_by: Uuid::nil(),
        };
        for s in scenarios() {
            let input = contact_input(&s, &child);
            let received = Some(clock.ago(s.days_ago, 9, 40));
            let contact = samspor_domain::course::contact::validate_contact(
                &input, received, birth, clock.now,
            )
            .unwrap_or_else(|e| panic!("{}: {e:?}", s.name));
            let texts = [Some(&contact.reason), contact.referrer_name.as_ref()];
            for text in texts.into_iter().flatten() {
                assert!(!text.contains('{'), "{}: {text}", s.name);
            }
            assert!(contact.reason.contains("Alma") || s.name == "fresh contact");
            assert_eq!(
                contact.family_contact.as_deref(),
                Some("Mor: Mette Testsen, 20 00 00 01")
            );
            let note = s.decision.and_then(|d| d.note).map(|n| fill(n, &child));
            assert!(note.is_none_or(|n| !n.contains('{')), "{}", s.name);
        }
        let school = scenarios().into_iter().find(|s| s.source == Source::School);
        let referrer = contact_input(&school.unwrap(), &child).referrer_name;
        assert!(referrer.is_some_and(|r| r.ends_with("Egeskolen")));

        for form in &PUBLIC_FORMS {
            let cpr = Cpr::synthetic(
                clock.today() - TimeDelta::days(365 * i64::from(*form.ages.start()) + 30),
                Sex::Male,
                0,
            )
            .unwrap();
            let input = samspor_domain::course::contact::SelfReferralInput {
                writer: Some(form.writer.into()),
                child_given_name: Some("Otto".into()),
                child_family_name: Some("Testsen".into()),
                child_cpr: Some(cpr.formatted()),
                contact_name: Some("Mette Testsen".into()),
                phone: Some("20 00 00 02".into()),
                email: None,
                worry: Some(form.worry.replace("{navn}", "Otto")),
                duration: Some(form.duration.into()),
                tried: Some(form.tried.into()),
            };
            samspor_domain::course::contact::validate_self_referral(&input, clock.today())
                .unwrap_or_else(|e| panic!("{}: {e:?}", form.writer));
        }
    }
}

//! Demo data for working across sectors in Region Hovedstaden: a child psychiatry unit, two GP
//! practices, a school and its PPR team, a KIT coordinator, and København's courses shared with
//! them on every kind of lawful basis and in every state (active, awaiting a custody holder,
//! withdrawn, expired, a young person's own consent and objection, a statutory basis, a
//! notification kept from the family, an emergency access).

use crate::demo::{DemoChild, People, add_user, ctx};
use crate::demo_courses::MunicipalityDemo;
use anyhow::Context;
use chrono::{Days, NaiveDate, Utc};
use samspor_domain::lawful_basis::{
    ConsentInput, GuardianFact, Recipient, RecipientKind, StatutoryInput,
};
use samspor_domain::role::Role;
use samspor_store::consent::{
    self, CustodyCheckInput, EmergencyInput, GiverInput, NotificationInput, ObjectionInput,
    ShareInput,
};
use samspor_store::organisations::{self, UnitInput};
use samspor_store::service::Ctx;
use samspor_store::{Organisation, Store};
use uuid::Uuid;

/// The municipality whose courses are shared (it lies in Region Hovedstaden).
pub(crate) const SHARING_MUNICIPALITY: &str = "0101";

/// The GP practice that works in Samspor.
pub(crate) const GP_IN_SAMSPOR: &str = "Lægehuset Nørrebro";

struct Units {
    buc: Organisation,
    gp: Organisation,
    gp_other: Organisation,
    ppr: Organisation,
}

/// A child of the demo with a course and who decides for it.
struct Candidate {
    child: Uuid,
    course: Uuid,
    age: u32,
    guardians: Vec<GuardianFact>,
}

impl Candidate {
    fn custody(&self) -> Vec<String> {
        self.guardians
            .iter()
            .filter(|g| g.custody)
            .map(|g| g.id.to_string())
            .collect()
    }
}

/// Adds the units, their staff and the shared courses. Returns how many users it added.
pub(crate) async fn seed(
    store: &Store,
    people: &mut People,
    secretariat: &Ctx,
    demo: &MunicipalityDemo,
    request_id: &str,
) -> anyhow::Result<usize> {
    if demo.municipality.code != SHARING_MUNICIPALITY {
        return Ok(0);
    }
    let units = units(store, secretariat).await?;
    crate::demo_medcom::practice_in_samspor(store, secretariat, &units.gp).await?;
    let staff: [(&str, Role, &str); 5] = [
        ("psykolog.buc", Role::Psychiatry, &units.buc.code),
        ("laege.norrebro", Role::Gp, &units.gp.code),
        ("laege.valby", Role::Gp, &units.gp_other.code),
        ("ppr.kobenhavn", Role::Therapist, &units.ppr.code),
        ("kit.kobenhavn", Role::KitCoordinator, SHARING_MUNICIPALITY),
    ];
    let mut gp_other = None;
    let mut buc = None;
    for (name, role, org) in staff {
        let user = add_user(store, name, people, role, org).await?;
        match name {
            "laege.valby" => gp_other = Some(ctx(store, &user, request_id).await?),
            "psykolog.buc" => buc = Some(ctx(store, &user, request_id).await?),
            _ => {}
        }
    }
    let mut c = demo.coordinator.clone();
    let mut candidates = candidates(store, &mut c, &demo.children).await?;
    let today = c.today();
    let mut pick = |young: bool, two_custody: bool| {
        let at = candidates.iter().position(|k| {
            (k.age >= 15) == young
                && (!two_custody || k.custody().len() >= 2)
                && !k.custody().is_empty()
        })?;
        Some(candidates.remove(at))
    };
    // Active: both custody holders consent to child psychiatry, and the course is shared.
    let mut shared_with_buc = None;
    if let Some(k) = pick(false, true) {
        shared_with_buc = Some(k.course);
        consent_to(
            &mut c,
            store,
            &k,
            &units.buc,
            RecipientKind::ChildPsychiatry,
            &["contact_and_course", "scores", "plan", "journal"],
            k.custody(),
            today,
        )
        .await?;
        share(&mut c, store, &k, &units.buc).await?;
        c.now = Utc::now();
        consent::record_custody_check(
            store,
            &c,
            k.child,
            &CustodyCheckInput {
                checked_on: None,
                source: Some("CPR".into()),
            },
        )
        .await?;
    }
    // Awaiting: one of two custody holders has consented; nothing is shared yet.
    if let Some(k) = pick(false, true) {
        consent_to(
            &mut c,
            store,
            &k,
            &units.buc,
            RecipientKind::ChildPsychiatry,
            &["contact_and_course", "scores"],
            k.custody()[..1].to_vec(),
            today,
        )
        .await?;
    }
    // Withdrawn: shared with the GP, then the consent was withdrawn.
    if let Some(k) = pick(false, false) {
        let id = consent_to(
            &mut c,
            store,
            &k,
            &units.gp,
            RecipientKind::GeneralPractice,
            &["contact_and_course"],
            k.custody(),
            today,
        )
        .await?;
        share(&mut c, store, &k, &units.gp).await?;
        c.now = Utc::now();
        consent::withdraw_consent(
            store,
            &c,
            k.child,
            id,
            &GiverInput {
                giver: k.custody().first().cloned(),
                version: None,
            },
        )
        .await?;
    }
    // Expired: a consent to PPR given 13 months ago lapsed after a year (sundhedsloven § 44).
    if let Some(k) = pick(false, false) {
        let given = today.checked_sub_days(Days::new(396)).unwrap_or(today);
        consent_to(
            &mut c,
            store,
            &k,
            &units.ppr,
            RecipientKind::SchoolPpr,
            &["contact_and_course", "scores"],
            k.custody(),
            given,
        )
        .await?;
    }
    // A consent to PPR, active, with the course shared (written, for the school's planning).
    if let Some(k) = pick(false, false) {
        consent_to(
            &mut c,
            store,
            &k,
            &units.ppr,
            RecipientKind::SchoolPpr,
            &["contact_and_course", "plan"],
            k.custody(),
            today,
        )
        .await?;
        share(&mut c, store, &k, &units.ppr).await?;
    }
    // A 16-year-old's own consent to their GP.
    if let Some(k) = pick(true, false) {
        consent_to(
            &mut c,
            store,
            &k,
            &units.gp,
            RecipientKind::GeneralPractice,
            &["contact_and_course", "scores"],
            vec!["child".into()],
            today,
        )
        .await?;
        share(&mut c, store, &k, &units.gp).await?;
    }
    // A statutory treatment basis towards child psychiatry, and the young person's objection
    // that closes it.
    if let Some(k) = pick(true, false) {
        statutory(&mut c, store, &k, &units.buc).await?;
        share(&mut c, store, &k, &units.buc).await?;
        c.now = Utc::now();
        consent::record_objection(
            store,
            &c,
            k.child,
            &ObjectionInput {
                by: Some("child".into()),
                recipients: vec![],
                note: Some("Vil ikke have, at BUC læser med uden samtykke".into()),
            },
        )
        .await?;
    }
    // A statutory treatment basis in force, with a notification kept from the family.
    if let Some(k) = pick(false, false) {
        statutory(&mut c, store, &k, &units.buc).await?;
        share(&mut c, store, &k, &units.buc).await?;
        c.now = Utc::now();
        let until = today.checked_add_days(Days::new(60)).unwrap_or(today);
        consent::record_notification(store, &c, k.child, &NotificationInput {
            made_on: Some(today.to_string()),
            summary: Some("Underretning til Børn og Familie om bekymring for barnets trivsel".into()),
            withheld_until: Some(until.to_string()),
            withheld_reason: Some("Mistanke mod en forælder; familien orienteres efter samtale med Børn og Familie".into()),
        })
        .await?;
    }
    if let Some(buc) = &buc {
        crate::demo_gp_referrals::seed(store, secretariat, buc, &units.buc, &units.gp_other)
            .await?;
    }
    if let (Some(buc), Some(gp)) = (&buc, &gp_other) {
        let parties = crate::demo_advice::Parties {
            municipality: &c,
            gp,
            buc,
            buc_id: units.buc.id,
            shared_course: shared_with_buc,
        };
        crate::demo_advice::seed(store, parties).await?;
    }
    // An emergency access by the other GP practice.
    if let (Some(k), Some(mut gp)) = (pick(false, false), gp_other) {
        let child = samspor_store::children::read(store, &c, k.child).await?;
        gp.now = Utc::now();
        consent::open_emergency(
            store,
            &gp,
            &EmergencyInput {
                cpr: Some(child.data.cpr.as_str().to_string()),
                reason: Some("Akut selvmordsrisiko ved konsultation".into()),
            },
        )
        .await?;
    }
    Ok(staff.len())
}

async fn units(store: &Store, secretariat: &Ctx) -> anyhow::Result<Units> {
    let unit = |kind: &'static str, name: &'static str, parent: &'static str| async move {
        organisations::create_unit(
            store,
            secretariat,
            UnitInput {
                kind,
                name,
                parent_code: parent,
                sor_code: None,
                ean_code: None,
            },
        )
        .await
        .with_context(|| format!("creating the demo unit {name}"))
    };
    Ok(Units {
        buc: unit(
            "psychiatry",
            "Børne- og Ungdomspsykiatrisk Center Glostrup",
            crate::demo::region_today(),
        )
        .await?,
        gp: unit("gp_practice", GP_IN_SAMSPOR, SHARING_MUNICIPALITY).await?,
        gp_other: unit("gp_practice", "Lægerne i Valby", SHARING_MUNICIPALITY).await?,
        ppr: unit("ppr", "PPR København", SHARING_MUNICIPALITY).await?,
    })
}

/// The municipality's children with a course, oldest course first.
async fn candidates(
    store: &Store,
    c: &mut Ctx,
    children: &[DemoChild],
) -> anyhow::Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for d in children {
        c.now = Utc::now();
        let courses = samspor_store::courses::courses_of_child(store, c, d.child.id).await?;
        let Some(course) = courses.first() else {
            continue;
        };
        let view = consent::lawful_basis(store, c, d.child.id).await?;
        out.push(Candidate {
            child: d.child.id,
            course: course.id,
            age: d.child.data.cpr.age_on(c.today()),
            guardians: view.guardians,
        });
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn consent_to(
    c: &mut Ctx,
    store: &Store,
    k: &Candidate,
    org: &Organisation,
    kind: RecipientKind,
    categories: &[&str],
    givers: Vec<String>,
    given_on: NaiveDate,
) -> anyhow::Result<Uuid> {
    c.now = Utc::now();
    let input = ConsentInput {
        recipients: vec![Recipient {
            org_id: org.id,
            kind,
        }],
        categories: categories.iter().map(|s| s.to_string()).collect(),
        purpose_text: Some(match kind {
            RecipientKind::SchoolPpr => "Fælles plan for støtte i skolen".into(),
            RecipientKind::GeneralPractice => "Orientering af egen læge om forløbet".into(),
            _ => "Udredning og behandling i børne- og ungdomspsykiatrien".into(),
        }),
        form: Some("written".into()),
        given_on: Some(given_on.to_string()),
        givers,
        ..Default::default()
    };
    let consent = consent::record_consent(store, c, k.child, &input)
        .await
        .map_err(|e| anyhow::anyhow!("recording a demo consent: {e:?}"))?;
    Ok(consent.id)
}

async fn statutory(
    c: &mut Ctx,
    store: &Store,
    k: &Candidate,
    buc: &Organisation,
) -> anyhow::Result<()> {
    c.now = Utc::now();
    let input = StatutoryInput {
        ground: Some("current_treatment".into()),
        recipients: vec![Recipient {
            org_id: buc.id,
            kind: RecipientKind::ChildPsychiatry,
        }],
        categories: vec!["contact_and_course".into(), "journal".into()],
        reason: Some("Henvist til udredning; nødvendigt for det aktuelle forløb".into()),
        ..Default::default()
    };
    consent::record_statutory(store, c, k.child, &input)
        .await
        .map_err(|e| anyhow::anyhow!("recording a demo statutory basis: {e:?}"))?;
    Ok(())
}

async fn share(
    c: &mut Ctx,
    store: &Store,
    k: &Candidate,
    org: &Organisation,
) -> anyhow::Result<()> {
    c.now = Utc::now();
    consent::share_course(
        store,
        c,
        k.child,
        &ShareInput {
            course_id: Some(k.course),
            recipient_org_id: Some(org.id),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("sharing a demo course: {e:?}"))?;
    Ok(())
}

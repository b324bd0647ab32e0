//! Demo GP referrals to child psychiatry, registered by the unit as they arrived through the
//! referral service: from Lægerne i Valby (a practice in Samspor) one returned with advice (the
//! MedCom message lands in the practice's inbox) and one waiting in the queue; from a practice
//! outside Samspor one accepted (the message leaves through the MedCom transport).

use crate::demo_medcom::ean;
use anyhow::Context;
use chrono::{Days, NaiveDate, Utc};
use samspor_domain::child::ChildInput;
use samspor_domain::course::visitation::WayInput;
use samspor_domain::cpr::{Cpr, Sex};
use samspor_domain::medcom::GpPracticeInput;
use samspor_domain::referral::gp::GpReferralInput;
use samspor_domain::referral::{AnswerInput, ReferralInput};
use samspor_store::medcom::{self, RoutingInput};
use samspor_store::referrals::{self, GpReferralRegistration};
use samspor_store::service::Ctx;
use samspor_store::{Organisation, Store};

/// The made-up SOR code of the demo practice that refers (999…: no real SOR code starts so).
const VALBY_SOR: &str = "999010100025";

/// Gives the unit and the referring practice their MedCom routing, and registers the referrals.
pub(crate) async fn seed(
    store: &Store,
    secretariat: &Ctx,
    buc: &Ctx,
    unit: &Organisation,
    practice: &Organisation,
) -> anyhow::Result<()> {
    for (org, sor, ean_data, phone) in [
        (unit, "999840000013", "020840000013", "38640000"),
        (practice, VALBY_SOR, "020101000025", "36160000"),
    ] {
        let routing = RoutingInput {
            sor_code: Some(sor.into()),
            ean: Some(ean(ean_data)),
            phone: Some(phone.into()),
        };
        medcom::set_routing(store, secretariat, &org.code, &routing)
            .await
            .with_context(|| format!("setting the demo MedCom routing of {}", org.name))?;
    }
    let today = buc.today();
    let valby = GpPracticeInput {
        name: Some(practice.name.clone()),
        ydernummer: Some("004422".into()),
        sor_code: Some(VALBY_SOR.into()),
        ean: Some(ean("020101000025")),
    };
    let outside = GpPracticeInput {
        name: Some("Lægerne på Torvet".into()),
        ydernummer: Some("004711".into()),
        sor_code: Some("999101000030".into()),
        ean: Some(ean("020110000030")),
    };
    let letter = |n: u32,
                  born: &str,
                  sex,
                  given: &str,
                  reason: &str,
                  days_ago: u64,
                  from: &GpPracticeInput| {
        let cpr = Cpr::synthetic(born.parse::<NaiveDate>().expect("a date"), sex, n)
            .expect("a synthetic CPR number");
        GpReferralRegistration {
            child: ChildInput {
                cpr: Some(cpr.to_string()),
                given_name: Some(given.into()),
                family_name: Some("Valbysen".into()),
                ..Default::default()
            },
            referral: GpReferralInput {
                practice: from.clone(),
                reference: Some(format!("DEMO-HEN-{n:04}")),
                received_on: Some((today - Days::new(days_ago)).to_string()),
                text: ReferralInput {
                    reason: Some(reason.into()),
                    tried: Some("Samtaler i praksis og råd om søvn og rutiner".into()),
                    child_view: Some("Vil gerne tale med nogen om det".into()),
                    family_view: Some("Forældrene ønsker en udredning".into()),
                },
            },
        }
    };
    let mut c = buc.clone();
    let registrations = [
        letter(
            11,
            "2013-02-14",
            Sex::Female,
            "Ida",
            "Spiser meget lidt og har tabt sig over tre måneder",
            9,
            &valby,
        ),
        letter(
            12,
            "2011-09-30",
            Sex::Male,
            "Noah",
            "Tvangshandlinger med håndvask flere timer dagligt",
            6,
            &outside,
        ),
        letter(
            13,
            "2014-05-21",
            Sex::Female,
            "Alma",
            "Angst for at gå i skole; har ikke været der i fem uger",
            2,
            &valby,
        ),
    ];
    let mut registered = Vec::new();
    for r in &registrations {
        c.now = Utc::now();
        let made = referrals::register_from_gp(store, &c, r)
            .await
            .context("registering a demo GP referral")?;
        registered.push(made.id);
    }
    c.now = Utc::now();
    referrals::answer(
        store,
        &c,
        registered[0],
        &AnswerInput {
            answer: Some("return".into()),
            note: None,
            way: WayInput {
                destination: Some("other_offer_home".into()),
                note: Some("Start i kommunens STIME-forløb om krop og mad; henvis igen, hvis vægten fortsat falder.".into()),
            },
        },
    )
    .await
    .context("answering a demo GP referral")?;
    c.now = Utc::now();
    referrals::answer(
        store,
        &c,
        registered[1],
        &AnswerInput {
            answer: Some("accept".into()),
            note: Some("Familien indkaldes til forsamtale inden for tre uger.".into()),
            way: WayInput::default(),
        },
    )
    .await
    .context("answering a demo GP referral")?;
    Ok(())
}

//! Demo MedCom: every demo municipality signs its GP information with a made-up SOR code, EAN
//! location number and telephone; the GP practice in Samspor (København) has its own; and the
//! children with a course have their GP practice recorded, in København every other one the
//! practice in Samspor and the rest practices outside it. The start and end letters the
//! families consented to are then queued, and the server's first sending round delivers them.
//!
//! The codes start with 999 (SOR) and 020 (EAN, the GS1 prefix for restricted internal use), so
//! no demo message can name a real recipient.

use crate::demo_courses::MunicipalityDemo;
use anyhow::Context;
use chrono::Utc;
use samspor_domain::medcom::gp_practice::GpPracticeInput;
use samspor_domain::organisation::ean_check_digit;
use samspor_store::medcom::{self, RoutingInput};
use samspor_store::service::Ctx;
use samspor_store::{Organisation, Store};

/// The SOR code of the demo GP practice that works in Samspor.
const IN_SAMSPOR_SOR: &str = "999010100017";

/// Practices outside Samspor: name and ydernummer.
const OUTSIDE: [(&str, &str); 3] = [
    ("Lægerne på Torvet", "004711"),
    ("Lægehuset ved Åen", "006213"),
    ("Praksis Skovvej", "008529"),
];

pub(crate) fn ean(data: &str) -> String {
    let check = ean_check_digit(data).expect("twelve digits");
    format!("{data}{check}")
}

/// Gives the GP practice in Samspor its routing, so messages to it land in its inbox.
pub(crate) async fn practice_in_samspor(
    store: &Store,
    secretariat: &Ctx,
    practice: &Organisation,
) -> anyhow::Result<()> {
    let routing = RoutingInput {
        sor_code: Some(IN_SAMSPOR_SOR.into()),
        ean: Some(ean("020101000017")),
        phone: Some("35350000".into()),
    };
    medcom::set_routing(store, secretariat, &practice.code, &routing)
        .await
        .context("setting the demo GP practice's MedCom routing")
}

/// Sets the municipality's routing and records the GP practice of its children with a course.
/// Returns how many children got a practice.
pub(crate) async fn seed(
    store: &Store,
    secretariat: &Ctx,
    demo: &MunicipalityDemo,
    practice_in_samspor: Option<&str>,
) -> anyhow::Result<usize> {
    let code = demo.municipality.code;
    let routing = RoutingInput {
        sor_code: Some(format!("9990{code}00001")),
        ean: Some(ean(&format!("0200{code}0000"))),
        phone: Some(format!("7020{code}")),
    };
    medcom::set_routing(store, secretariat, code, &routing)
        .await
        .with_context(|| format!("setting the MedCom routing of {code}"))?;
    let mut c = demo.coordinator.clone();
    let mut recorded = 0;
    for (i, d) in demo.children.iter().enumerate() {
        c.now = Utc::now();
        if samspor_store::courses::courses_of_child(store, &c, d.child.id)
            .await?
            .is_empty()
        {
            continue;
        }
        let input = match practice_in_samspor.filter(|_| i % 2 == 0) {
            Some(name) => GpPracticeInput {
                name: Some(name.into()),
                ydernummer: Some("003107".into()),
                sor_code: Some(IN_SAMSPOR_SOR.into()),
                ean: Some(ean("020101000017")),
            },
            None => {
                let (name, ydernummer) = OUTSIDE[i % OUTSIDE.len()];
                let n = i % OUTSIDE.len();
                GpPracticeInput {
                    name: Some(name.into()),
                    ydernummer: Some(ydernummer.into()),
                    sor_code: Some(format!("9991{code}0000{n}")),
                    ean: Some(ean(&format!("0201{code}000{n}"))),
                }
            }
        };
        medcom::set_gp_practice(store, &c, d.child.id, &input).await?;
        recorded += 1;
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use crate::demo::{DemoOptions, seed as seed_demo};
    use samspor_store::medcom::model::DeliveryState;
    use samspor_store::medcom::{Transports, dispatch};
    use samspor_store::testing::{TestDb, backends};

    /// The demo (both backends) queues GP information to practices inside and outside
    /// Samspor, and one sending round puts it in the Samspor practice's inbox.
    #[tokio::test]
    async fn the_demo_informs_gps_inside_and_outside_samspor() {
        for backend in backends() {
            let db = TestDb::new(backend).await;
            let options = DemoOptions {
                seed: 7,
                municipalities: 2,
                children: 40,
            };
            seed_demo(&db.store, &options).await.expect("demo");
            let transports = Transports {
                network: None,
                fhir_base: "http://localhost/fhir/R4".into(),
            };
            let run = dispatch(&db.store, &transports, chrono::Utc::now())
                .await
                .unwrap();
            assert!(run.delivered_to_inbox >= 1, "{run:?}");
            // No file drop is configured, so the outside practices' messages wait to be tried again.
            assert!(run.retried >= 1, "{run:?}");
            db.store
                .read(async |tx| {
                    let practice = tx
                        .organisation_by_sor(super::IN_SAMSPOR_SOR)
                        .await?
                        .unwrap();
                    let inbox = tx.medcom_inbox(practice).await?;
                    assert!(inbox.iter().all(|m| m.state == DeliveryState::Acknowledged));
                    // The unit's answers to GP referrals: one to the other practice in
                    // Samspor, one waiting for the MedCom transport.
                    let valby = tx.organisation_by_sor("999010100025").await?.unwrap();
                    let answers = tx.medcom_inbox(valby).await?;
                    assert_eq!(inbox.len() + answers.len(), run.delivered_to_inbox);
                    assert_eq!(answers.len(), 1);
                    assert_eq!(answers[0].category, "regarding-referral");
                    let referrals = tx.referrals_to(answers[0].sender_org_id).await?;
                    let mut states: Vec<_> = referrals.iter().map(|r| r.status.as_str()).collect();
                    states.sort_unstable();
                    assert_eq!(states, ["accepted", "returned", "sent"]);
                    let out = tx.medcom_outbox(answers[0].sender_org_id).await?;
                    assert!(out.iter().any(|m| m.receiver_org_id.is_none()));
                    for code in ["0101", "0751"] {
                        let org = tx.organisation_by_code(code).await?.unwrap();
                        assert_eq!(
                            tx.institutions(org.id).await?.len(),
                            2,
                            "{code} guides two institutions"
                        );
                    }
                    for code in ["0101", "0751"] {
                        let org = tx.organisation_by_code(code).await?.unwrap();
                        let out = tx.medcom_outbox(org.id).await?;
                        assert!(
                            out.iter().any(|m| m.receiver_org_id.is_none()),
                            "{code} informs a practice outside Samspor"
                        );
                    }
                    Ok::<_, samspor_store::StoreError>(())
                })
                .await
                .unwrap();
        }
    }
}

//! Demo advice requests to child psychiatry: an anonymous question from the municipality
//! waiting for its answer, one from a GP practice answered, and one about a child whose course
//! is shared with the unit on the parents' consent.

use chrono::Utc;
use samspor_domain::advice::QuestionInput;
use samspor_store::Store;
use samspor_store::advice::{self, AskInput};
use samspor_store::service::Ctx;
use uuid::Uuid;

/// Who asks and who answers in the demo.
pub(crate) struct Parties<'a> {
    pub municipality: &'a Ctx,
    pub gp: &'a Ctx,
    pub buc: &'a Ctx,
    pub buc_id: Uuid,
    /// A course shared with the unit on a basis covering the course facts.
    pub shared_course: Option<Uuid>,
}

pub(crate) async fn seed(store: &Store, p: Parties<'_>) -> anyhow::Result<()> {
    let ask = |who: &Ctx, question: QuestionInput| {
        let mut c = who.clone();
        c.now = Utc::now();
        let input = AskInput {
            to_org_id: Some(p.buc_id),
            question,
        };
        async move { advice::ask(store, &c, &input).await }
    };
    let anonymous = |age: u8, sex: &str, text: &str| QuestionInput {
        course_id: None,
        age: Some(age.to_string()),
        sex: Some(sex.into()),
        question: Some(text.into()),
    };
    ask(
        p.municipality,
        anonymous(
            12,
            "female",
            "Pige med daglig mavepine og fravær før prøver. Er det et forløb om angst hos os, eller skal hun først ses af egen læge?",
        ),
    )
    .await?;
    let answered = ask(
        p.gp,
        anonymous(
            7,
            "male",
            "Dreng med søvnbesvær og raserianfald efter forældrenes skilsmisse. Hvad kan vi anbefale familien, før der tales om henvisning?",
        ),
    )
    .await?;
    let mut buc = p.buc.clone();
    buc.now = Utc::now();
    advice::answer(
        store,
        &buc,
        answered.id,
        Some("Start med faste rutiner og forældrevejledning i kommunen (fx et forældreforløb). Henvis, hvis anfaldene fortsætter efter 3 måneder eller der er tegn på skade på sig selv eller andre."),
    )
    .await?;
    if let Some(course_id) = p.shared_course {
        ask(
            p.municipality,
            QuestionInput {
                course_id: Some(course_id),
                question: Some(
                    "Forløbet skal starte i næste uge. Skal vi afvente jeres vurdering af medicin, eller kan vi begynde samtalerne nu?"
                        .into(),
                ),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

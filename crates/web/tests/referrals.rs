//! Referrals to child psychiatry through HTTP: sent only on a lawful basis, answered only by the
//! receiving unit, a return always naming the way, and the municipality's task for a return.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::sharing::{basis, child_with_course, psychiatry_consent, unit};
use support::{Browser, TestApp, each_backend};

struct Setup {
    coordinator: String,
    psychiatry: String,
    buc: String,
    child: String,
    course: String,
}

/// A København course whose visitation decided to refer to the BUC unit, with no basis yet.
async fn referred(app: &TestApp, born: &str) -> Setup {
    let coordinator = app.user_token("k@kbh.dk", "coordinator", "0101").await;
    let (buc, code) = unit(app, "psychiatry", "BUC Testrup").await;
    let psychiatry = app.user_token("p@buc.dk", "psychiatry", &code).await;
    let (child, course) = child_with_course(app, &coordinator, born).await;
    let r = app
        .post(
            &format!("/api/v1/courses/{course}/decisions"),
            &coordinator,
            json!({"outcome": "psychiatry", "way": {"destination": "psychiatry",
                   "note": "Henvises til BUC; familien kender ventetiden."}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    Setup {
        coordinator,
        psychiatry,
        buc,
        child,
        course,
    }
}

/// Both custody holders' written consent to the unit for the course facts and the scores: its id.
async fn consent(app: &TestApp, s: &Setup) -> (String, String) {
    let categories = ["contact_and_course", "scores"];
    psychiatry_consent(app, &s.coordinator, &s.child, &s.buc, &categories).await
}

fn letter(buc: &str) -> Value {
    json!({"to_org_id": buc, "reason": "Tvangshandlinger flere timer dagligt",
           "tried": "Samtaler i kommunen og forældrevejledning", "child_view": "Vil gerne have hjælp",
           "family_view": "Ønsker udredning"})
}

fn fields(r: &support::Reply) -> Vec<String> {
    r.fields()
}

#[tokio::test]
async fn a_referral_goes_only_on_a_basis_and_a_return_always_names_the_way() {
    each_backend(|app| async move {
        let s = referred(&app, "2013-04-05").await;
        let send = format!("/api/v1/courses/{}/psychiatry-referral", s.course);

        // Without a basis, or with parts missing, nothing is sent and nothing is shared.
        let before = app.audit_count().await;
        let r = app.post(&send, &s.coordinator, letter(&s.buc)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(fields(&r), ["to_org_id"]);
        assert!(r.text().contains("BUC Testrup"), "the message names the unit");
        let r = app
            .post(&send, &s.coordinator, json!({"to_org_id": s.buc, "reason": " "}))
            .await;
        assert_eq!(
            fields(&r),
            ["reason", "tried", "child_view", "family_view", "to_org_id"]
        );
        assert_eq!(app.audit_count().await, before, "a refused referral writes nothing");
        assert!(basis(&app, &s.coordinator, &s.child).await["shares"].as_array().unwrap().is_empty());

        consent(&app, &s).await;
        let r = app.post(&send, &s.coordinator, letter(&s.buc)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let sent = r.json();
        let id = sent["id"].as_str().unwrap().to_string();
        let received: chrono::NaiveDate = sent["received_on"].as_str().unwrap().parse().unwrap();
        let due: chrono::NaiveDate = sent["due_on"].as_str().unwrap().parse().unwrap();
        assert_eq!((due - received).num_days(), 30, "the provisional default deadline");
        let shares = basis(&app, &s.coordinator, &s.child).await["shares"].clone();
        assert_eq!(shares.as_array().unwrap().len(), 1, "sending shared the course");
        let again = app.post(&send, &s.coordinator, letter(&s.buc)).await;
        assert_eq!(fields(&again), ["course"], "the letter was sent once");

        // The unit's queue holds it with the scores; nobody else's does.
        let queue = app.get("/api/v1/psychiatry-referrals", &s.psychiatry).await.json();
        assert_eq!(queue.as_array().unwrap().len(), 1);
        assert_eq!(queue[0]["child_name"], "Delta Deling");
        assert_eq!(queue[0]["from_name"], "København");
        assert!(queue[0]["scores"].is_array());
        let (_, other_code) = unit(&app, "psychiatry", "BUC Andetsted").await;
        let stranger = app.user_token("p@andet.dk", "psychiatry", &other_code).await;
        let one = format!("/api/v1/psychiatry-referrals/{id}");
        let answer = format!("{one}/answer");
        assert!(app.get("/api/v1/psychiatry-referrals", &stranger).await.json().as_array().unwrap().is_empty());
        assert_eq!(app.get(&one, &stranger).await.status, StatusCode::NOT_FOUND);
        let accept = json!({"answer": "accept"});
        assert_eq!(app.post(&answer, &stranger, accept.clone()).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.post(&answer, &s.coordinator, accept).await.status, StatusCode::NOT_FOUND);

        // A return without a way, or back to psychiatry, is refused and changes nothing.
        let before = app.audit_count().await;
        let r = app.post(&answer, &s.psychiatry, json!({"answer": "return"})).await;
        assert_eq!(fields(&r), ["way.destination", "way.note"]);
        let r = app
            .post(&answer, &s.psychiatry, json!({"answer": "return",
                "way": {"destination": "psychiatry", "note": "Prøv igen"}}))
            .await;
        assert_eq!(fields(&r), ["way.destination"]);
        assert_eq!(app.audit_count().await, before);
        let r = app
            .post(&answer, &s.psychiatry, json!({"answer": "return",
                "way": {"destination": "other_offer_home", "note": "Start med angstforløb i kommunen"}}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["status"], "returned");
        let r = app.post(&answer, &s.psychiatry, json!({"answer": "accept"})).await;
        assert_eq!(fields(&r), ["answer"], "answered once");

        // The municipality sees the return as a task until it has acted on it.
        let mine = app.get("/api/v1/psychiatry-referrals", &s.coordinator).await.json();
        assert_eq!(mine[0]["status"], "returned");
        assert_eq!(mine[0]["return_way"]["destination"], "other_offer_home");
        assert!(mine[0]["acted_at"].is_null());
        let acted = format!("{one}/acted");
        assert_eq!(app.post(&acted, &s.coordinator, json!({})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(fields(&app.post(&acted, &s.coordinator, json!({})).await), ["referral"]);
        assert_eq!(app.post(&acted, &s.psychiatry, json!({})).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_withdrawn_consent_takes_the_referral_out_of_the_units_sight() {
    each_backend(|app| async move {
        let s = referred(&app, "2012-06-07").await;
        let (consent_id, mother) = consent(&app, &s).await;
        let r = app
            .post(
                &format!("/api/v1/courses/{}/psychiatry-referral", s.course),
                &s.coordinator,
                letter(&s.buc),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_string();
        let r = app
            .post(
                &format!(
                    "/api/v1/children/{}/consents/{consent_id}/withdrawal",
                    s.child
                ),
                &s.coordinator,
                json!({"giver": mother}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
        assert!(
            app.get("/api/v1/psychiatry-referrals", &s.psychiatry)
                .await
                .json()
                .as_array()
                .unwrap()
                .is_empty()
        );
        let one = format!("/api/v1/psychiatry-referrals/{id}");
        assert_eq!(
            app.get(&one, &s.psychiatry).await.status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .post(
                &format!("{one}/answer"),
                &s.psychiatry,
                json!({"answer": "accept"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The municipality still follows what it sent.
        assert_eq!(app.get(&one, &s.coordinator).await.json()["status"], "sent");
    })
    .await;
}

#[tokio::test]
async fn the_pages_send_queue_answer_and_show_the_task_in_danish() {
    each_backend(|app| async move {
        let s = referred(&app, "2014-08-09").await;
        consent(&app, &s).await;
        let mut k = Browser::logged_in(&app, "k@kbh.dk").await;
        let course_page = k.get(&format!("/courses/{}", s.course)).await.text();
        let form_path = format!("/courses/{}/psychiatry-referral", s.course);
        assert!(
            course_page.contains(&form_path),
            "the course links to the letter"
        );
        let form = k.get(&form_path).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.text().contains("Tanker om at skade sig selv"),
            "the contact's reason is filled in"
        );
        let bad = k
            .submit(&form_path, &[("to_org_id", &s.buc), ("reason", "Angst")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains(r#"id="tried-error""#));
        assert!(
            bad.text().contains("Angst"),
            "the form keeps what was typed"
        );
        let ok = k
            .submit(
                &form_path,
                &[
                    ("to_org_id", &s.buc),
                    ("reason", "Angst"),
                    ("tried", "Samtaler"),
                    ("child_view", "Vil gerne"),
                    ("family_view", "Ønsker udredning"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());

        let mut p = Browser::logged_in(&app, "p@buc.dk").await;
        let home = p.get("/").await.text();
        assert!(home.contains("Henvisninger, der venter på jer"), "{home}");
        let queue = p.get("/psychiatry-referrals").await.text();
        let id = queue
            .split("/psychiatry-referrals/")
            .skip(1)
            .find(|s| !s.starts_with("from-gp"))
            .unwrap()[..36]
            .to_string();
        let answer_path = format!("/psychiatry-referrals/{id}/answer");
        let bare = p.submit(&answer_path, &[("answer", "return")]).await;
        assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bare.text().contains("Vælg, hvor familien vejledes hen."));
        let ret = p
            .submit(
                &answer_path,
                &[
                    ("answer", "return"),
                    ("way_destination", "gp"),
                    ("way_note", "Egen læge følger op på søvnen først"),
                ],
            )
            .await;
        assert_eq!(ret.status, StatusCode::SEE_OTHER);

        let home = k.get("/").await.text();
        assert!(home.contains("returneret med råd af BUC Testrup"), "{home}");
        let shown = k.get(&format!("/psychiatry-referrals/{id}")).await.text();
        assert!(shown.contains("Egen læge følger op på søvnen først"));
        let acted = k
            .submit(&format!("/psychiatry-referrals/{id}/acted"), &[])
            .await;
        assert_eq!(acted.status, StatusCode::SEE_OTHER);
        assert!(!k.get("/").await.text().contains("returneret med råd af"));
    })
    .await;
}

/// A GP's referral as the unit types it in from the referral service.
fn gp_letter(cpr: &str, reference: &str, received_on: &str) -> Value {
    json!({"cpr": cpr, "given_name": "Gry", "family_name": "Gundersen",
           "practice_name": "Lægerne i Valby", "practice_ydernummer": "054321",
           "practice_sor_code": GP_SOR, "practice_ean": "5790000121526",
           "reference": reference, "received_on": received_on,
           "reason": "Spiser næsten intet", "tried": "Samtaler hos lægen",
           "child_view": "Vil gerne have hjælp", "family_view": "Meget bekymrede"})
}

const GP_SOR: &str = "999000054321";

async fn set_routing(app: &TestApp, org_code: &str, sor: &str, ean: &str) {
    let (code, sor, ean) = (org_code.to_string(), sor.to_string(), ean.to_string());
    app.db
        .store
        .write(async |tx| {
            let org = tx.organisation_by_code(&code).await?.unwrap();
            tx.set_organisation_routing(org.id, &sor, &ean, "+4543230000")
                .await?;
            Ok::<_, samspor_store::StoreError>(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_gps_referral_is_registered_by_the_unit_and_its_answer_reaches_the_practice() {
    use samspor_domain::cpr::Cpr;
    use samspor_domain::cpr::Sex;
    use samspor_store::medcom::{DispatchRun, Transports, dispatch};
    each_backend(|app| async move {
        let (buc, buc_code) = unit(&app, "psychiatry", "BUC Glostrup").await;
        let p = app.user_token("visitation@buc.dk", "psychiatry", &buc_code).await;
        let (gp_org, gp_code) = unit(&app, "gp_practice", "Lægerne i Valby").await;
        let gp = app.user_token("laege@valby.dk", "gp", &gp_code).await;
        set_routing(&app, &gp_code, GP_SOR, "5790000121526").await;
        let coordinator = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let today = samspor_store::courses::local(chrono::Utc::now()).date();
        let day = |back: u64| (today - chrono::Days::new(back)).to_string();
        let cpr = |n| Cpr::synthetic("2011-06-07".parse().unwrap(), Sex::Female, n).unwrap().to_string();
        let path = "/api/v1/psychiatry-referrals/from-gp";

        // Only the unit registers; bad input is named field by field and writes nothing.
        let before = app.audit_count().await;
        for t in [&coordinator, &gp] {
            let r = app.post(path, t, gp_letter(&cpr(1), "H-1", &day(2))).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        }
        let r = app.post(path, &p, json!({"cpr": "0101", "received_on": day(0).replace('-', "")})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(fields(&r), ["practice_name", "practice_ydernummer", "practice_sor_code",
            "practice_ean", "received_on", "reason", "tried", "child_view", "family_view",
            "cpr", "given_name", "family_name"]);
        let r = app.post(path, &p, gp_letter(&cpr(1), "H-1", &day(91))).await;
        assert_eq!(fields(&r), ["received_on"], "too old to have waited in the queue");
        assert_eq!(app.audit_count().await, before);

        // Registered, it is due 30 days after it arrived and the practice in Samspor follows it.
        let r = app.post(path, &p, gp_letter(&cpr(1), "H-1", &day(3))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let first = r.json();
        assert_eq!(first["origin"], "gp");
        assert_eq!(first["from_org_id"], gp_org.as_str());
        assert_eq!(first["due_on"], (today + chrono::Days::new(27)).to_string());
        let again = app.post(path, &p, gp_letter(&cpr(1), "H-1", &day(3))).await;
        assert_eq!(fields(&again), ["reference"], "the same letter is registered once");
        let queue = app.get("/api/v1/psychiatry-referrals", &p).await.json();
        assert_eq!(queue[0]["from_name"], "Lægerne i Valby");
        assert_eq!(queue[0]["child_name"], "Gry Gundersen");
        let followed = app.get("/api/v1/psychiatry-referrals", &gp).await.json();
        assert_eq!(followed.as_array().unwrap().len(), 1);
        assert_eq!(followed[0]["status"], "sent");
        let (_, other_code) = unit(&app, "gp_practice", "Lægerne i Vanløse").await;
        let other = app.user_token("laege@vanlose.dk", "gp", &other_code).await;
        let one = format!("/api/v1/psychiatry-referrals/{}", first["id"].as_str().unwrap());
        assert_eq!(app.get(&one, &other).await.status, StatusCode::NOT_FOUND);
        assert!(app.get("/api/v1/psychiatry-referrals", &other).await.json().as_array().unwrap().is_empty());
        assert_eq!(app.get(&one, &coordinator).await.status, StatusCode::NOT_FOUND);

        // Answered before the unit can sign MedCom messages, the page says the GP was not told.
        let r = app.post(&format!("{one}/answer"), &p, json!({"answer": "accept", "note": "Indkaldes i januar"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(app.get(&one, &p).await.json()["answer_message"].is_null());
        let mut browser = Browser::logged_in(&app, "visitation@buc.dk").await;
        let page = browser.get(&one.replace("/api/v1", "")).await.text();
        assert!(page.contains("ikke sendt: enhedens SOR-kode"), "{page}");

        // With routing set, a return reaches the practice's inbox as a message about the referral.
        set_routing(&app, &buc_code, "999000011111", "5790000121526").await;
        let second = app.post(path, &p, gp_letter(&cpr(2), "H-2", &day(0))).await.json();
        let two = format!("/api/v1/psychiatry-referrals/{}", second["id"].as_str().unwrap());
        let r = app.post(&format!("{two}/answer"), &p, json!({"answer": "return",
            "way": {"destination": "other_offer_home", "note": "Kommunens STIME-forløb om krop og mad"}})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let transports = Transports { network: None, fhir_base: "http://samspor.test/fhir/R4".into() };
        let run = dispatch(&app.db.store, &transports, chrono::Utc::now()).await.unwrap();
        assert_eq!(run, DispatchRun { delivered_to_inbox: 1, ..Default::default() });
        let inbox = app.get("/api/v1/medcom/inbox", &gp).await.json();
        assert_eq!(inbox.as_array().unwrap().len(), 1);
        assert_eq!(inbox[0]["category"], "regarding-referral");
        assert_eq!(inbox[0]["topic"], "Henvisning returneret med anbefaling");
        assert!(inbox[0]["text"].as_str().unwrap().contains("(H-2)"));
        assert_eq!(app.get(&two, &p).await.json()["answer_message"], "acknowledged");
        let followed = app.get(&two, &gp).await.json();
        assert_eq!(followed["status"], "returned");
        assert_eq!(followed["return_way"]["destination"], "other_offer_home");
        assert_eq!(app.post(&format!("{two}/acted"), &gp, json!({})).await.status, StatusCode::NOT_FOUND);

        // The counts see both, one returned, by where it guided the family.
        let counts = format!("/api/v1/psychiatry-referrals/counts?from={}&to={}", day(30), day(0));
        let c = app.get(&counts, &p).await.json();
        assert_eq!((c["received"].as_u64(), c["from_gp"].as_u64()), (Some(2), Some(2)));
        assert_eq!((c["accepted"].as_u64(), c["returned"].as_u64()), (Some(1), Some(1)));
        assert_eq!(c["returned_to"], json!([["other_offer_home", 1]]));
        let r = app.get("/api/v1/psychiatry-referrals/counts", &p).await;
        assert_eq!(fields(&r), ["from", "to"]);
        let analyst = app.user_token("a@kbh.dk", "analyst", "0101").await;
        assert_eq!(app.get(&counts, &analyst).await.status, StatusCode::FORBIDDEN);
        let _ = buc;
    })
    .await;
}

#[tokio::test]
async fn the_unit_registers_a_gps_referral_on_its_page_in_danish() {
    each_backend(|app| async move {
        let (_, buc_code) = unit(&app, "psychiatry", "BUC Risskov").await;
        app.user_token("modtagelse@buc.dk", "psychiatry", &buc_code)
            .await;
        app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let mut k = Browser::logged_in(&app, "k@kbh.dk").await;
        assert_eq!(
            k.get("/psychiatry-referrals/from-gp").await.status,
            StatusCode::NOT_FOUND
        );
        let mut p = Browser::logged_in(&app, "modtagelse@buc.dk").await;
        let list = p.get("/psychiatry-referrals").await.text();
        assert!(
            list.contains("/psychiatry-referrals/from-gp"),
            "the queue links to the form"
        );
        assert!(list.contains("De seneste 12 måneder"));
        let form = "/psychiatry-referrals/from-gp";
        let bad = p
            .submit(
                form,
                &[("given_name", "Gry"), ("practice_ydernummer", "12")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text();
        assert!(html.contains("Et ydernummer har 6 cifre"), "{html}");
        assert!(html.contains(r#"id="received_on-error""#));
        assert!(
            html.contains(r#"value="Gry""#),
            "the form keeps what was typed"
        );
        let today = samspor_store::courses::local(chrono::Utc::now())
            .date()
            .to_string();
        let cpr = samspor_domain::cpr::Cpr::synthetic(
            "2010-01-02".parse().unwrap(),
            samspor_domain::cpr::Sex::Male,
            4,
        )
        .unwrap()
        .to_string();
        let ok = p
            .submit(
                form,
                &[
                    ("cpr", &cpr),
                    ("given_name", "Gorm"),
                    ("family_name", "Gundersen"),
                    ("practice_name", "Lægehuset Aarhus"),
                    ("practice_ydernummer", "011111"),
                    ("practice_sor_code", "999000077777"),
                    ("practice_ean", "5790000121526"),
                    ("received_on", &today),
                    ("reason", "Tvangstanker"),
                    ("tried", "Samtaler"),
                    ("child_view", "Vil gerne"),
                    ("family_view", "Ønsker udredning"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        let shown = p.get(ok.header("location").as_str()).await.text();
        assert!(shown.contains("Lægehuset Aarhus (egen læge)"), "{shown}");
        assert!(shown.contains("Gorm Gundersen"));
    })
    .await;
}

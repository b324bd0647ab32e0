//! Learning-environment guidance through HTTP: institutions of the municipality, sessions about
//! a class or group (never a CPR number) or about named children only on a basis covering the
//! institution's school, what the indicators count, and the page's form refused in Danish.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::sharing::{basis, child_with_course, guardian, unit};
use support::{Browser, TestApp, each_backend};

fn day(offset: i64) -> String {
    let today = samspor_store::courses::local(chrono::Utc::now()).date();
    (today + chrono::TimeDelta::days(offset)).to_string()
}

async fn institution(app: &TestApp, t: &str, body: Value) -> String {
    let r = app
        .post("/api/v1/learning-environment/institutions", t, body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

fn group_session(institution: &str) -> Value {
    json!({"institution_id": institution, "held_on": day(-2), "about": "group", "group_label": "5.B",
           "participants": "Klasselærer og pædagog", "themes": ["wellbeing", "structure"],
           "notes": "Uro ved overgange; faste pladser og billedskema aftalt.",
           "follow_up": "Ny vejledning om en måned", "follow_up_on": day(28)})
}

async fn overview(app: &TestApp, t: &str) -> Value {
    let r = app.get("/api/v1/learning-environment", t).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn guidance_names_children_only_on_a_basis_and_is_counted() {
    each_backend(|app| async move {
        let k = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (skole, _) = unit(&app, "school", "Testskolen").await;
        let (buc, buc_code) = unit(&app, "psychiatry", "BUC Testrup").await;
        let (child, _) = child_with_course(&app, &k, "2015-02-03").await;
        let path = "/api/v1/learning-environment/institutions";

        let r = app.post(path, &k, json!({"name": "Testskolen"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.fields(), ["kind"]);
        let r = app
            .post(
                path,
                &k,
                json!({"kind": "school", "name": "BUC", "org_id": buc}),
            )
            .await;
        assert_eq!(r.fields(), ["org_id"], "only a school can be linked");
        let school = institution(
            &app,
            &k,
            json!({"kind": "school", "name": "Testskolen", "org_id": skole}),
        )
        .await;
        let r = app
            .post(path, &k, json!({"kind": "school", "name": "testskolen"}))
            .await;
        assert_eq!(r.fields(), ["name"], "one name once per municipality");
        let daycare = institution(
            &app,
            &k,
            json!({"kind": "day_care", "name": "Børnehuset Solsikken"}),
        )
        .await;

        let sessions = "/api/v1/learning-environment/sessions";
        let r = app.post(sessions, &k, group_session(&school)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        // A CPR number in the text identifies a child: refused, nothing saved.
        let mut named_in_text = group_session(&daycare);
        named_in_text["notes"] = json!("Drøftede 030215-4321 og klassen.");
        let r = app.post(sessions, &k, named_in_text).await;
        assert_eq!(r.fields(), ["notes"]);

        let about_child = |institution: &str| {
            json!({"institution_id": institution, "held_on": day(-1), "about": "children",
                   "child_ids": [child], "participants": "Lærer", "themes": ["worry"],
                   "notes": "Hvordan skolen kan støtte ved fravær."})
        };
        let r = app.post(sessions, &k, about_child(&daycare)).await;
        assert_eq!(
            r.fields(),
            ["child_ids"],
            "an institution outside Samspor: {}",
            r.text()
        );
        let r = app.post(sessions, &k, about_child(&school)).await;
        assert_eq!(r.fields(), ["child_ids"], "no basis covers the school yet");
        assert!(r.text().contains("Testskolen"), "{}", r.text());
        assert_eq!(
            overview(&app, &k).await["sessions"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        let view = basis(&app, &k, &child).await;
        let givers = [guardian(&view, "Mor Deling"), guardian(&view, "Far Deling")];
        let r = app
            .post(
                &format!("/api/v1/children/{child}/consents"),
                &k,
                json!({"recipients": [{"org_id": skole, "kind": "school_ppr"}],
                       "categories": ["contact_and_course"], "purpose_text": "Vejledning af skolen",
                       "form": "written", "given_on": day(-3), "givers": givers}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app.post(sessions, &k, about_child(&school)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        let v = overview(&app, &k).await;
        let listed = v["sessions"].as_array().unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0]["about"], "children");
        assert_eq!(listed[0]["children"][0][1], "Delta Deling");
        assert_eq!(listed[1]["group_label"], "5.B");
        let counts = app
            .get(
                &format!(
                    "/api/v1/learning-environment/counts?from={}&to={}",
                    day(-30),
                    day(0)
                ),
                &k,
            )
            .await
            .json();
        assert_eq!(counts["sessions"], 2);
        assert_eq!(counts["about_groups"], 1);
        assert_eq!(counts["about_named_children"], 1);
        assert_eq!(counts["children"], 1);
        assert_eq!(counts["institutions"], 1);
        assert_eq!(counts["with_follow_up"], 1);
        assert_eq!(
            counts["themes"],
            json!([["wellbeing", 1], ["worry", 1], ["structure", 1]])
        );
        let r = app
            .get("/api/v1/learning-environment/counts?from=igår", &k)
            .await;
        assert_eq!(r.fields(), ["from", "to"]);

        // Another municipality sees none of it and cannot use its institutions.
        let other = app.user_token("k@aarhus.dk", "coordinator", "0751").await;
        let v = overview(&app, &other).await;
        assert!(v["sessions"].as_array().unwrap().is_empty());
        assert!(v["institutions"].as_array().unwrap().is_empty());
        let r = app.post(sessions, &other, group_session(&school)).await;
        assert_eq!(r.fields(), ["institution_id"]);
        // Child psychiatry and administrators have no part in it.
        for (email, role, org) in [
            ("p@buc.dk", "psychiatry", buc_code.as_str()),
            ("a@kbh.dk", "admin", "0101"),
        ] {
            let t = app.user_token(email, role, org).await;
            let r = app.get("/api/v1/learning-environment", &t).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_page_records_guidance_and_refuses_it_in_danish() {
    each_backend(|app| async move {
        let k = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let school = institution(&app, &k, json!({"kind": "school", "name": "Søskolen"})).await;
        let mut b = Browser::logged_in(&app, "k@kbh.dk").await;
        let home = b.page("/").await;
        assert!(home.contains(r#"href="/learning-environment""#));
        let page = b.page("/learning-environment").await;
        assert!(page.contains("Registrér vejledning") && page.contains("Søskolen"));

        let bad = b
            .submit(
                "/learning-environment/sessions",
                &[
                    ("institution_id", &school),
                    ("held_on", &day(-1)),
                    ("about", "group"),
                    ("participants", "Pædagoger"),
                    ("notes", "Samtale om fællesskab i gruppen."),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = bad.text();
        assert!(text.contains("Vælg mindst ét tema."), "{text}");
        assert!(text.contains(r#"id="group_label-error""#), "{text}");
        assert!(
            text.contains("Samtale om fællesskab i gruppen."),
            "kept as typed"
        );

        let good = b
            .submit(
                "/learning-environment/sessions",
                &[
                    ("institution_id", &school),
                    ("held_on", &day(-1)),
                    ("about", "group"),
                    ("group_label", "Bøgegruppen"),
                    ("participants", "Pædagoger"),
                    ("themes", "inclusion"),
                    ("themes", "parents"),
                    ("notes", "Samtale om fællesskab i gruppen."),
                ],
            )
            .await;
        assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.text());
        let page = b.page("/learning-environment?saved=1").await;
        assert!(page.contains("Bøgegruppen") && page.contains("Inklusion og fællesskab"));
        assert_eq!(
            overview(&app, &k).await["sessions"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

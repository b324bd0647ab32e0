//! The KL Gateway LTT export through HTTP: the IG's own example (Josefine, Holbæk) entered
//! through the API event by event, each delivery checked with the conformance checker and
//! compared with the IG's report for that event; who may export; bad periods; the admin page.

mod support;

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::course::kl;
use samspor_domain::klgateway::{self, ResourceKind, check_delivery, check_report};
use samspor_domain::organisation::Programme;
use serde_json::{Value, json};
use support::{Browser, TestApp, each_backend};
use uuid::Uuid;

const HOLBAEK: &str = "0316";
/// Holbæk's SOR code as the IG's example gives it.
const SOR: &str = "451000016003";
/// Josefine's CPR number in the IG's example.
const CPR: &str = "0505149996";

const ADMIN: &str = "admin@holbaek.dk";
const STAFF: &str = "terapeut@holbaek.dk";

/// A dateTime or instant as the IG writes it: UTC, whole seconds.
fn utc(s: &str) -> String {
    if s.len() <= 10 {
        return s.to_string();
    }
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|_| panic!("not a FHIR dateTime: {s}"))
        .with_timezone(&Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn code(v: &Value) -> String {
    v["coding"][0]["code"].as_str().unwrap_or("").to_string()
}

/// One resource of a report as the IG's example shows it, with dates in UTC.
fn describe(r: &Value) -> String {
    let profile = r["meta"]["profile"][0].as_str().unwrap_or("");
    match profile {
        klgateway::CITIZEN_PROFILE => format!(
            "Citizen active={} cpr={} sor={}",
            r["active"],
            r["identifier"][0]["value"].as_str().unwrap_or(""),
            r["managingOrganization"]["identifier"]["value"]
                .as_str()
                .unwrap_or("")
        ),
        klgateway::CAREPLAN_PROFILE => {
            let detail = &r["activity"][0]["detail"];
            let reasons: Vec<String> = detail["reasonCode"]
                .as_array()
                .into_iter()
                .flatten()
                .map(code)
                .collect();
            format!(
                "CarePlan status={} start={} end={} reasons={reasons:?} activity={}",
                r["status"].as_str().unwrap_or(""),
                utc(r["period"]["start"].as_str().unwrap_or("")),
                r["period"]["end"].as_str().map(utc).unwrap_or("-".into()),
                detail["status"].as_str().unwrap_or("")
            )
        }
        klgateway::ENCOUNTER_PROFILE => {
            let ext = |url: &str| {
                r["extension"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|e| e["url"] == url)
                    .cloned()
                    .unwrap_or(Value::Null)
            };
            let delivery = ext(klgateway::DELIVERY_TYPE_EXTENSION);
            format!(
                "Encounter type={} status={} start={} delivery={} participant={}",
                code(&r["type"][0]),
                r["status"].as_str().unwrap_or(""),
                utc(r["period"]["start"].as_str().unwrap_or("")),
                code(&delivery["valueCodeableConcept"]),
                code(&r["participant"][0]["type"][0])
            )
        }
        klgateway::REFERRAL_PROFILE => format!(
            "Referral code={} status={} start={}",
            code(&r["activity"][0]["detail"]["code"]),
            r["status"].as_str().unwrap_or(""),
            utc(r["period"]["start"].as_str().unwrap_or(""))
        ),
        other => format!("unexpected profile {other}"),
    }
}

fn citizen() -> String {
    format!("Citizen active=true cpr={CPR} sor={SOR}")
}

fn careplan(status: &str, end: &str, reasons: &[&str], activity: &str) -> String {
    let reasons: Vec<String> = reasons.iter().map(|r| r.to_string()).collect();
    format!(
        "CarePlan status={status} start=2025-05-14T09:12:05Z end={end} reasons={reasons:?} activity={activity}"
    )
}

fn encounter(kind: kl::KlCode, start: &str) -> String {
    format!(
        "Encounter type={} status=finished start={start} delivery= participant=",
        kind.code
    )
}

fn behandling(start: &str) -> String {
    format!(
        "Encounter type={} status=finished start={start} delivery={} participant={}",
        kl::ENC_BEHANDLING.code,
        kl::DELIVERY_INDIVIDUAL.code,
        kl::PARTICIPANT_CHILD.code
    )
}

/// The reports of example.md, as the IG's example.fsh writes them: for each event, the
/// resources of Josefine's report in order.
fn ig_reports() -> Vec<(&'static str, Vec<String>)> {
    let body_food = kl::THEME_KROP_OG_MAD.code;
    let both = [kl::THEME_KROP_OG_MAD.code, kl::THEME_BEKYMRING.code];
    let active = |reasons: &[&str]| careplan("active", "-", reasons, "in-progress");
    vec![
        (
            "1 Henvendelse 14 May",
            vec![
                citizen(),
                active(&[]),
                encounter(kl::ENC_HENVENDELSE, "2025-05-14T09:12:05Z"),
            ],
        ),
        (
            "2 Forsamtale 2 June, theme Krop og mad",
            vec![
                citizen(),
                active(&[body_food]),
                encounter(kl::ENC_FORSAMTALE, "2025-06-02T13:06:35Z"),
            ],
        ),
        (
            "3 Screening 23 June",
            vec![
                citizen(),
                active(&[body_food]),
                encounter(kl::ENC_SCREENING, "2025-06-23T10:35:12Z"),
            ],
        ),
        (
            "4 Behandling 7 July, theme Bekymring, referral to civil society",
            vec![
                citizen(),
                active(&both),
                behandling("2025-07-07T13:28:17Z"),
                format!(
                    "Referral code={} status=completed start=2025-07-07T14:28:17Z",
                    kl::REF_CIVILSAMFUND.code
                ),
            ],
        ),
        (
            "5 Behandling 18 August",
            vec![citizen(), active(&both), behandling("2025-08-18T10:56:33Z")],
        ),
        (
            "6 Behandling",
            vec![citizen(), active(&both), behandling("2025-09-15T08:00:00Z")],
        ),
        (
            "7 Behandling",
            vec![citizen(), active(&both), behandling("2025-10-13T08:00:00Z")],
        ),
        (
            "8 Afsluttende samtale 6 November",
            vec![
                citizen(),
                active(&both),
                encounter(kl::ENC_AFSLUTTENDE_SAMTALE, "2025-11-06T11:00:05Z"),
            ],
        ),
        (
            "9 Afslutning 8 November",
            vec![
                citizen(),
                careplan("completed", "2025-11-08T15:36:22Z", &both, "completed"),
                encounter(kl::ENC_AFSLUTNING, "2025-11-08T15:36:22Z"),
            ],
        ),
    ]
}

/// Holbæk with a SOR code (set by its administrator on the KL page) offering body and food.
async fn holbaek(app: &TestApp) -> (String, String) {
    let admin = app.user_token(ADMIN, "admin", HOLBAEK).await;
    let staff = app.user_token(STAFF, "therapist", HOLBAEK).await;
    let mut b = Browser::logged_in(app, ADMIN).await;
    let r = b
        .submit("/admin/kl-deliveries/sor-code", &[("sor_code", "12345")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("mindst 11 cifre"), "{}", r.text());
    let r = b
        .submit("/admin/kl-deliveries/sor-code", &[("sor_code", SOR)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let me = app.get("/api/v1/me", &admin).await.json();
    assert_eq!(me["organisation"]["sor_code"], SOR);
    let by = me["id"].as_str().unwrap().parse().unwrap();
    app.db
        .store
        .write(async |tx| {
            tx.set_participation(
                HOLBAEK,
                Programme::BodyFood,
                Some(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
                by,
                Utc::now(),
            )
            .await
            .unwrap();
            Ok::<_, samspor_store::StoreError>(())
        })
        .await
        .unwrap();
    (admin, staff)
}

/// Exports since `since` up to now, checks the delivery, and returns it with its `until`.
async fn export(app: &TestApp, admin: &str, since: &str) -> (Value, String) {
    let until = Utc::now().to_rfc3339();
    let path = format!(
        "/api/v1/exports/kl-ltt?since={}&until={}",
        urlencode(since),
        urlencode(&until)
    );
    let r = app.get(&path, admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), "application/fhir+json");
    let delivery = r.json();
    let found = check_delivery(&delivery);
    assert!(found.is_empty(), "{found:#?}");
    (delivery, until)
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

fn only_report(delivery: &Value) -> &Value {
    let entries = delivery["entry"].as_array().expect("a report");
    assert_eq!(entries.len(), 1, "one child changed: {delivery:#}");
    &entries[0]["resource"]
}

async fn version(app: &TestApp, token: &str, course: &str) -> i64 {
    let r = app.get(&format!("/api/v1/courses/{course}"), token).await;
    r.json()["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("course {course}: {} {}", r.status, r.text()))
}

async fn post_ok(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.post(path, token, body).await;
    assert!(r.status.is_success(), "{path}: {} {}", r.status, r.text());
    r.json()
}

/// Enters the events of example.md one by one, running the export after each.
#[tokio::test]
async fn josefines_course_entered_through_the_api_gives_the_igs_reports() {
    each_backend(|app| async move {
        let (admin, staff) = holbaek(&app).await;
        let mut since = Utc::now().to_rfc3339();
        let expected = ig_reports();
        let mut deliveries = Vec::new();
        let mut ids: Option<(String, String)> = None;

        let child = post_ok(
            &app,
            &staff,
            "/api/v1/children",
            json!({"cpr": CPR, "given_name": "Josefine", "family_name": "Testesen"}),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut course = String::new();

        for (n, (event, resources)) in expected.iter().enumerate() {
            let c = format!("/api/v1/courses/{course}");
            match n {
                0 => {
                    let created = post_ok(
                        &app,
                        &staff,
                        "/api/v1/contacts",
                        json!({"child_id": child, "source": "self", "received_at": "2025-05-14T09:12:05Z",
                               "reason": "Moren har læst på socialkompas.dk og er bekymret for datterens spisning"}),
                    )
                    .await;
                    course = created["course_id"].as_str().unwrap().to_string();
                }
                1 => {
                    let v = version(&app, &staff, &course).await;
                    post_ok(&app, &staff, &format!("{c}/encounters"),
                        json!({"type": "forsamtale", "at": "2025-06-02T13:06:35Z", "version": v})).await;
                    let v = version(&app, &staff, &course).await;
                    let r = app.put(&format!("{c}/themes"), &staff, json!({"themes": ["body_food"], "version": v})).await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                }
                2 => {
                    let v = version(&app, &staff, &course).await;
                    post_ok(&app, &staff, &format!("{c}/encounters"),
                        json!({"type": "screening", "at": "2025-06-23T10:35:12Z", "version": v})).await;
                    // The screening confirms the track: the visitation decision goes with it.
                    let v = version(&app, &staff, &course).await;
                    post_ok(&app, &staff, &format!("{c}/decisions"),
                        json!({"outcome": "track", "track": "body_food", "version": v})).await;
                }
                3..=6 => {
                    let at = ["2025-07-07T13:28:17Z", "2025-08-18T10:56:33Z", "2025-09-15T08:00:00Z", "2025-10-13T08:00:00Z"][n - 3];
                    let v = version(&app, &staff, &course).await;
                    post_ok(&app, &staff, &format!("{c}/sessions"),
                        json!({"at": at, "delivery": "individual", "participants": "child_present",
                               "planned_number": n - 2, "attendance": ["child", "mother"],
                               "note": "Session efter manualen.", "version": v})).await;
                    if n == 3 {
                        let v = version(&app, &staff, &course).await;
                        let r = app.put(&format!("{c}/themes"), &staff,
                            json!({"themes": ["body_food", "worry"], "version": v})).await;
                        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                        let v = version(&app, &staff, &course).await;
                        post_ok(&app, &staff, &format!("{c}/referrals"),
                            json!({"destination": "civil_society", "at": "2025-07-07T14:28:17Z",
                                   "note": "Supplerende tilbud i en frivillig forening", "version": v})).await;
                    }
                }
                7 => {
                    let v = version(&app, &staff, &course).await;
                    post_ok(&app, &staff, &format!("{c}/encounters"),
                        json!({"type": "afsluttende_samtale", "at": "2025-11-06T11:00:05Z", "version": v})).await;
                }
                _ => {
                    // The track plans more sessions than Josefine needed; they are cancelled
                    // before the course is closed.
                    let view = app.get(&c, &staff).await.json();
                    let open: Vec<i64> = view["planned_sessions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|p| p["status"] == "planned")
                        .filter_map(|p| p["number"].as_i64())
                        .collect();
                    for number in open {
                        let v = version(&app, &staff, &course).await;
                        let r = app.post(&format!("{c}/planned-sessions/{number}/cancel"), &staff,
                            json!({"reason": "Ikke nødvendigt; målet er nået", "version": v})).await;
                        assert!(r.status.is_success(), "{}", r.text());
                    }
                    let v = version(&app, &staff, &course).await;
                    post_ok(&app, &staff, &format!("{c}/closing"),
                        json!({"at": "2025-11-08T15:36:22Z", "closing_reason": "completed",
                               "summary": "Mistrivslen er mindre fremtrædende.", "version": v})).await;
                }
            }

            let (delivery, until) = export(&app, &admin, &since).await;
            since = until;
            let report = only_report(&delivery);
            assert!(check_report(report).is_empty(), "{event}");
            let ours: Vec<String> = report["entry"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| describe(&e["resource"]))
                .collect();
            assert_eq!(&ours, resources, "event {event}");
            // Citizen and CarePlan keep their ids from delivery to delivery.
            let id = |i: usize| report["entry"][i]["resource"]["id"].as_str().unwrap().to_string();
            let now = (id(0), id(1));
            match &ids {
                None => {
                    assert_eq!(
                        now.0,
                        klgateway::resource_id(ResourceKind::Citizen, child.parse::<Uuid>().unwrap()).to_string()
                    );
                    assert_eq!(
                        now.1,
                        klgateway::resource_id(ResourceKind::CarePlan, course.parse::<Uuid>().unwrap()).to_string()
                    );
                    ids = Some(now);
                }
                Some(first) => assert_eq!(first, &now, "event {event}"),
            }
            deliveries.push(delivery);
        }

        // Nine deliveries, each encounter and the referral reported once, each with its own id:
        // the nine encounters of example.md (5-6-7 stands for three) and the referral.
        let mut seen = std::collections::HashSet::new();
        for d in &deliveries {
            for e in only_report(d)["entry"].as_array().unwrap().iter().skip(2) {
                assert!(seen.insert(e["resource"]["id"].as_str().unwrap().to_string()));
            }
        }
        assert_eq!(seen.len(), 10, "{seen:?}");
    })
    .await;
}

fn field_names(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["field"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A child of Holbæk with a course opened by a GP contact and a Forsamtale; returns the child
/// and the course.
async fn small_course(app: &TestApp, staff: &str, cpr: &str) -> (String, String) {
    let child = post_ok(
        app,
        staff,
        "/api/v1/children",
        json!({"cpr": cpr, "given_name": "Testa", "family_name": "Testesen"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = post_ok(
        app,
        staff,
        "/api/v1/contacts",
        json!({"child_id": child, "source": "gp", "received_at": "2026-10-01T09:00",
               "reason": "Ondt i maven", "referrer_name": "Lægehuset", "themes": ["worry"]}),
    )
    .await;
    let course = created["course_id"].as_str().unwrap().to_string();
    post_ok(
        app,
        staff,
        &format!("/api/v1/courses/{course}/encounters"),
        json!({"type": "forsamtale", "at": "2026-10-05T10:00"}),
    )
    .await;
    (child, course)
}

#[tokio::test]
async fn only_a_municipalitys_admin_exports_and_only_its_own_children() {
    each_backend(|app| async move {
        let (admin, staff) = holbaek(&app).await;
        let since = "2000-01-01T00:00:00Z";
        small_course(&app, &staff, "0101154006").await;
        // Another municipality's admin sees none of Holbæk's children.
        let other = app.user_token("admin@kbh.dk", "admin", "0101").await;
        let (theirs, _) = export(&app, &other, since).await;
        assert!(theirs.get("entry").is_none(), "{theirs:#}");
        // Staff who work with children, the secretariat and analysts take no deliveries.
        for (email, role, org) in [
            ("k@holbaek.dk", "coordinator", HOLBAEK),
            ("s@region.dk", "secretariat", "DK-85"),
            ("a@region.dk", "analyst", "DK-85"),
        ] {
            let t = app.user_token(email, role, org).await;
            let r = app
                .get(&format!("/api/v1/exports/kl-ltt?since={since}"), &t)
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}: {}", r.text());
        }
        let r = app
            .get(&format!("/api/v1/exports/kl-ltt?since={since}"), &staff)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let (ours, _) = export(&app, &admin, since).await;
        assert_eq!(ours["entry"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_malformed_or_future_since_is_refused_naming_the_field_and_writes_nothing() {
    each_backend(|app| async move {
        let (admin, _) = holbaek(&app).await;
        let before = app.audit_count().await;
        let future = urlencode(&(Utc::now() + chrono::Duration::hours(2)).to_rfc3339());
        for query in [
            format!("since={future}"),
            "since=yesterday".to_string(),
            "since=2026-11-20".to_string(),
            String::new(),
        ] {
            let r = app
                .get(&format!("/api/v1/exports/kl-ltt?{query}"), &admin)
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{query}: {}",
                r.text()
            );
            assert_eq!(r.header("content-type"), "application/problem+json");
            assert_eq!(field_names(&r.json()), ["since"], "{query}");
        }
        let r = app
            .get(
                "/api/v1/exports/kl-ltt?since=2026-01-01T00:00:00Z&until=2025-01-01T00:00:00Z",
                &admin,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_names(&r.json()), ["until"]);
        assert_eq!(app.audit_count().await, before);
    })
    .await;
}

#[tokio::test]
async fn corrections_are_reported_and_an_organisation_without_sor_code_is_named() {
    each_backend(|app| async move {
        let (admin, staff) = holbaek(&app).await;
        let (child, course) = small_course(&app, &staff, "0101154006").await;
        let (_, since) = export(&app, &admin, "2000-01-01T00:00:00Z").await;

        // The course was registered by mistake: the CarePlan and everything under it are
        // sent again as entered-in-error, so KL takes them out of its figures.
        let mut b = Browser::logged_in(&app, STAFF).await;
        let v = version(&app, &staff, &course).await.to_string();
        let r = b
            .submit(
                &format!("/courses/{course}/entered-in-error"),
                &[("version", &v), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let (d, since) = export(&app, &admin, &since).await;
        let statuses: Vec<&str> = only_report(&d)["entry"].as_array().unwrap()[1..]
            .iter()
            .map(|e| e["resource"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses, ["entered-in-error"; 3],
            "CarePlan, Henvendelse, Forsamtale"
        );

        // A corrected CPR number updates the same Citizen.
        let r = app
            .call(
                axum::http::Method::PATCH,
                &format!("/api/v1/children/{child}"),
                Some(&staff),
                Some(json!({"cpr": "0201154004"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let (d, _) = export(&app, &admin, &since).await;
        let patient = &only_report(&d)["entry"][0]["resource"];
        assert_eq!(patient["identifier"][0]["value"], "0201154004");
        assert_eq!(
            patient["id"],
            klgateway::resource_id(ResourceKind::Citizen, child.parse().unwrap()).to_string()
        );

        // Without a SOR code nothing can be reported: refused naming the organisation, and
        // nothing recorded or audited.
        app.db
            .exec_raw("UPDATE organisations SET sor_code = NULL WHERE code = '0316'")
            .await
            .unwrap();
        let before = app.audit_count().await;
        let r = app
            .get("/api/v1/exports/kl-ltt?since=2000-01-01T00:00:00Z", &admin)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let text = r.text();
        assert!(text.contains("0316") && text.contains("SOR"), "{text}");
        assert!(!text.contains("0201154004") && !text.contains("Testa"));
        assert_eq!(app.audit_count().await, before);
    })
    .await;
}

#[tokio::test]
async fn the_admin_lists_deliveries_and_downloads_them_audited() {
    each_backend(|app| async move {
        let (admin, staff) = holbaek(&app).await;
        let (child, _) = small_course(&app, &staff, "0101154006").await;
        let (delivery, _) = export(&app, &admin, "2000-01-01T00:00:00Z").await;

        let mut b = Browser::logged_in(&app, ADMIN).await;
        let page = b.page("/admin/kl-deliveries").await;
        assert!(page.contains(SOR), "the SOR code is shown");
        let link = page
            .split("href=\"")
            .find_map(|s| s.strip_prefix("/admin/kl-deliveries/"))
            .and_then(|s| s.split('"').next())
            .expect("a download link")
            .to_string();
        assert!(link.ends_with("/download"));
        let r = b.get(&format!("/admin/kl-deliveries/{link}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.header("content-disposition")
                .starts_with("attachment; filename=\"kl-ltt-0316-"),
            "{}",
            r.header("content-disposition")
        );
        assert_eq!(r.json(), delivery);

        // The download is in the child's access log as an export.
        let log = app
            .get(&format!("/api/v1/children/{child}/access-log"), &staff)
            .await
            .json();
        let exports = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "export" && e["object_type"] == "kl_delivery")
            .count();
        assert_eq!(exports, 2, "the delivery and its download: {log:#}");

        // Nobody else gets the page or the file.
        let other = app.user_token("admin@kbh.dk", "admin", "0101").await;
        drop(other);
        let mut o = Browser::logged_in(&app, "admin@kbh.dk").await;
        let r = o.get(&format!("/admin/kl-deliveries/{link}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let mut s = Browser::logged_in(&app, STAFF).await;
        let r = s.get("/admin/kl-deliveries").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_nightly_job_makes_one_delivery_per_municipality_and_night_however_many_run_it() {
    use samspor_store::export::{nightly, nightly_until};
    each_backend(|app| async move {
        let (_, staff) = holbaek(&app).await;
        small_course(&app, &staff, "0101154006").await;
        let store = &*app.db.store;
        let now = Utc::now();

        // Without a SOR code the night's delivery is refused, naming the organisation, and
        // the job tries again next time.
        app.db
            .exec_raw("UPDATE organisations SET sor_code = NULL WHERE code = '0316'")
            .await
            .unwrap();
        let run = nightly(store, now).await.unwrap();
        assert!(run.made.is_empty());
        assert_eq!(run.failed.len(), 1);
        assert_eq!(run.failed[0].0, HOLBAEK);
        assert!(run.failed[0].1.contains("SOR"), "{}", run.failed[0].1);
        app.db
            .exec_raw(&format!(
                "UPDATE organisations SET sor_code = '{SOR}' WHERE code = '0316'"
            ))
            .await
            .unwrap();

        let first = nightly(store, now).await.unwrap();
        assert!(first.failed.is_empty(), "{:?}", first.failed);
        assert_eq!(first.made.len(), 1, "only Holbæk has courses");
        let d = &first.made[0];
        assert_eq!(d.until, nightly_until(now));
        assert_eq!(d.since, DateTime::<Utc>::UNIX_EPOCH);
        assert_eq!(d.reports, 1);
        // Already made for this night: nothing more, however often the job looks.
        assert!(nightly(store, now).await.unwrap().made.is_empty());

        // The next night, two servers at once: one delivery, starting where the last ended.
        let tomorrow = now + chrono::Duration::days(1);
        let (a, b) = tokio::join!(nightly(store, tomorrow), nightly(store, tomorrow));
        let made: Vec<_> = a.unwrap().made.into_iter().chain(b.unwrap().made).collect();
        assert_eq!(made.len(), 1, "{made:?}");
        assert_eq!(made[0].since, d.until);
        assert_eq!(made[0].until, nightly_until(tomorrow));

        // The administrator sees both, made by the job.
        let mut b = Browser::logged_in(&app, ADMIN).await;
        let page = b.page("/admin/kl-deliveries").await;
        assert_eq!(page.matches("Natlig kørsel").count(), 2, "{page}");
    })
    .await;
}

/// KL Gateway wants one delivery per day when days were missed, each covering at most one
/// day: after three nights without the job, the next run makes one delivery per night, the
/// periods joining without gap or overlap; every change is in exactly one of them, and a child
/// reported in several has a different report id in each.
#[tokio::test]
async fn missed_nights_are_caught_up_one_day_per_delivery() {
    use samspor_store::export::{nightly, nightly_until};
    each_backend(|app| async move {
        let (_, staff) = holbaek(&app).await;
        let (child, course) = small_course(&app, &staff, "0101154006").await;
        let store = &*app.db.store;
        let now = Utc::now();
        let first = nightly(store, now - chrono::Duration::days(3))
            .await
            .unwrap();
        assert_eq!(first.made.len(), 1, "{:?}", first.failed);
        let mut previous = first.made[0].until;

        let later = now + chrono::Duration::days(1);
        let run = nightly(store, later).await.unwrap();
        assert!(run.failed.is_empty(), "{:?}", run.failed);
        assert_eq!(run.made.len(), 4, "{:?}", run.made);
        let mut report_ids = std::collections::HashSet::new();
        let mut encounters = Vec::new();
        for d in &run.made {
            assert_eq!(d.since, previous, "the periods join");
            assert!(d.until - d.since <= chrono::Duration::hours(25), "{d:?}");
            previous = d.until;
            let (_, json, _) = store
                .read(async |tx| tx.kl_delivery(d.id).await)
                .await
                .unwrap()
                .unwrap();
            let delivery: Value = serde_json::from_str(&json).unwrap();
            assert!(check_delivery(&delivery).is_empty());
            // The course changed after every one of these periods began, so each carries it.
            let report = only_report(&delivery);
            assert!(report_ids.insert(report["id"].as_str().unwrap().to_string()));
            assert_eq!(
                report["entry"][0]["resource"]["id"],
                klgateway::resource_id(ResourceKind::Citizen, child.parse().unwrap()).to_string()
            );
            encounters.extend(
                report["entry"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["resource"]["resourceType"] == "Encounter")
                    .map(|e| e["resource"]["id"].as_str().unwrap().to_string()),
            );
        }
        assert_eq!(previous, nightly_until(later));
        assert_ne!(encounters.first(), encounters.last());
        assert_eq!(
            encounters.len(),
            2,
            "the Henvendelse and Forsamtale of course {course}, each sent once"
        );
    })
    .await;
}

#[tokio::test]
async fn a_family_that_moved_ends_its_course_with_the_referral_to_another_municipality() {
    each_backend(|app| async move {
        let (admin, staff) = holbaek(&app).await;
        let (_, course) = small_course(&app, &staff, "0101154006").await;
        let path = format!("/api/v1/courses/{course}/closing");
        let before = app.audit_count().await;
        for (moved_to, why) in [(None, "required"), (Some(HOLBAEK), "own municipality"), (Some("9999"), "unknown")] {
            let r = app
                .post(&path, &staff, json!({"at": "2026-10-06T10:00", "closing_reason": "moved", "moved_to": moved_to}))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {}", r.text());
            assert_eq!(field_names(&r.json()), ["moved_to"], "{why}");
        }
        assert_eq!(app.audit_count().await, before, "a refused closing writes nothing");
        let r = app
            .post(&path, &staff, json!({"at": "2026-10-06T10:00", "closing_reason": "moved", "moved_to": "0101"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = app.get(&format!("/api/v1/courses/{course}"), &staff).await.json();
        assert_eq!(v["referrals"][0]["destination"], "other_municipality");
        assert_eq!(v["referrals"][0]["note"], "Fraflyttet til København kommune (0101)");

        // The KL report carries "§126a-tilbud i anden kommune" and keeps the LTT invariants.
        let (delivery, _) = export(&app, &admin, "2000-01-01T00:00:00Z").await;
        let text = delivery.to_string();
        assert!(text.contains(kl::REF_ANDEN_KOMMUNE.code), "{delivery:#}");
    })
    .await;
}

/// The KL referrals of the one report in a delivery: their codes, in order.
fn referral_codes(delivery: &Value) -> Vec<String> {
    only_report(delivery)["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| {
            r["meta"]["profile"][0]
                .as_str()
                .is_some_and(|p| p.ends_with("klgateway-ltt-referral"))
        })
        .map(|r| code(&r["activity"][0]["detail"]["code"]))
        .collect()
}

#[tokio::test]
async fn a_referral_to_child_psychiatry_and_its_return_report_one_referral_to_child_psychiatry() {
    use support::sharing::{child_with_course, psychiatry_consent, unit};
    each_backend(|app| async move {
        let (admin, _) = holbaek(&app).await;
        let coordinator = app
            .user_token("visitation@holbaek.dk", "coordinator", HOLBAEK)
            .await;
        let (buc, code) = unit(&app, "psychiatry", "BUC Roskilde").await;
        let psychiatry = app
            .user_token("modtagelse@buc.dk", "psychiatry", &code)
            .await;
        let (child, course) = child_with_course(&app, &coordinator, "2012-02-03").await;
        post_ok(
            &app,
            &coordinator,
            &format!("/api/v1/courses/{course}/decisions"),
            json!({"outcome": "psychiatry", "way": {"destination": "psychiatry",
                   "note": "Henvises til udredning"}}),
        )
        .await;
        let (delivery, _) = export(&app, &admin, "2000-01-01T00:00:00Z").await;
        assert_eq!(referral_codes(&delivery), [kl::REF_BOERNEPSYKIATRI.code]);

        psychiatry_consent(
            &app,
            &coordinator,
            &child,
            &buc,
            &["contact_and_course", "scores"],
        )
        .await;
        let sent = post_ok(
            &app,
            &coordinator,
            &format!("/api/v1/courses/{course}/psychiatry-referral"),
            json!({"to_org_id": buc, "reason": "Selvskade", "tried": "Samtaler",
                   "child_view": "Vil have hjælp", "family_view": "Ønsker udredning"}),
        )
        .await;
        let id = sent["id"].as_str().unwrap();
        post_ok(
            &app,
            &psychiatry,
            &format!("/api/v1/psychiatry-referrals/{id}/answer"),
            json!({"answer": "return", "way": {"destination": "other_offer_home",
                   "note": "Forløb i kommunen først"}}),
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/psychiatry-referrals/{id}/acted"),
                &coordinator,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);

        // Sending and the return change nothing KL counts: the course still reports the one
        // referral to child psychiatry, dated by the decision, and keeps the LTT invariants.
        let (delivery, _) = export(&app, &admin, "2000-01-01T00:00:00Z").await;
        assert_eq!(referral_codes(&delivery), [kl::REF_BOERNEPSYKIATRI.code]);
    })
    .await;
}

//! Organisations, children and lawful bases for the sharing tests.

use super::TestApp;
use axum::http::StatusCode;
use samspor_domain::cpr::{Cpr, Sex};
use serde_json::{Value, json};

/// A unit of `kind` under Region Hovedstaden (Region Østdanmark from 2027), made by the
/// secretariat: its id and code.
pub async fn unit(app: &TestApp, kind: &str, name: &str) -> (String, String) {
    let today = samspor_store::courses::local(chrono::Utc::now()).date();
    let region = samspor_domain::geo::changes::successor_on("DK-84", today)
        .unwrap()
        .code;
    // Each unit gets its own secretariat account, so a test may make several of a kind.
    static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let s = app
        .user_token(&format!("sek-{kind}-{n}@region.dk"), "secretariat", region)
        .await;
    let r = app
        .post(
            "/api/v1/organisations",
            &s,
            json!({"kind": kind, "name": name, "parent": region}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    (
        v["id"].as_str().unwrap().to_string(),
        v["code"].as_str().unwrap().to_string(),
    )
}

/// A child born on `born` with two custody holders and a course: (child id, course id).
pub async fn child_with_course(app: &TestApp, t: &str, born: &str) -> (String, String) {
    let cpr = Cpr::synthetic(born.parse().unwrap(), Sex::Male, 3).unwrap();
    let r = app
        .post(
            "/api/v1/children",
            t,
            json!({"cpr": cpr.to_string(), "given_name": "Delta", "family_name": "Deling",
                   "address": "Hemmelig Vej 1",
                   "guardians": [
                       {"name": "Mor Deling", "relation": "mother", "custody": true},
                       {"name": "Far Deling", "relation": "father", "custody": true},
                       {"name": "Stedfar", "relation": "other", "custody": false}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let child = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/contacts",
            t,
            json!({"child_id": child, "source": "gp", "received_at": "2026-11-02T09:00",
                   "reason": "Tanker om at skade sig selv", "referrer_name": "Lægehuset Testvej",
                   "themes": ["worry"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (child, r.json()["course_id"].as_str().unwrap().to_string())
}

pub async fn basis(app: &TestApp, t: &str, child: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/children/{child}/lawful-basis"), t)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

pub fn guardian(view: &Value, name: &str) -> String {
    view["guardians"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Both custody holders' written consent, given two days ago, to `org` as a child-psychiatry
/// recipient for `categories`: (consent id, the mother's guardian id).
pub async fn psychiatry_consent(
    app: &TestApp,
    t: &str,
    child: &str,
    org: &str,
    categories: &[&str],
) -> (String, String) {
    let view = basis(app, t, child).await;
    let (mother, father) = (guardian(&view, "Mor Deling"), guardian(&view, "Far Deling"));
    let today = samspor_store::courses::local(chrono::Utc::now()).date();
    let given_on = (today - chrono::Days::new(2)).to_string();
    let r = app
        .post(
            &format!("/api/v1/children/{child}/consents"),
            t,
            json!({"recipients": [{"org_id": org, "kind": "child_psychiatry"}],
                   "categories": categories, "purpose_text": "Udredning",
                   "form": "written", "given_on": given_on, "givers": [mother, father]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (r.json()["id"].as_str().unwrap().to_string(), mother)
}

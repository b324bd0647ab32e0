//! Findings of the security review, each kept fixed: redirects stay on this site, links are
//! built on the configured public address (never on a Host header), and nothing with personal
//! data may be cached.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use support::{TestApp, backends};

#[tokio::test]
async fn the_language_switch_never_redirects_off_the_site_and_never_fails() {
    let app = TestApp::new(backends()[0]).await;
    for back in [
        "/%09/evil.example",
        "/%0d%0aSet-Cookie:%20x=1",
        "%2F%2Fevil.example",
        "/%5Cevil",
    ] {
        let r = app.anon_get(&format!("/lang?to=da&back={back}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{back}: {}", r.text());
        assert_eq!(r.header("location"), "/", "{back}");
    }
    let r = app.anon_get("/lang?to=en&back=/children").await;
    assert_eq!(r.header("location"), "/children");
}

#[tokio::test]
async fn links_are_built_on_the_public_address_whatever_host_a_request_names() {
    for backend in backends() {
        let settings = samspor_web::Settings {
            public_url: Some(samspor_web::parse_public_url("https://samspor.example.dk/").unwrap()),
            ..Default::default()
        };
        let app = TestApp::with_settings(backend, settings).await;
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let r = app
            .post(
                "/api/v1/children",
                &t,
                json!({"cpr": "150315-4321", "given_name": "Testa",
                "family_name": "Testesen",
                "guardians": [{"name": "Mette Testesen", "relation": "mother", "custody": true}]}),
            )
            .await;
        let child = r.json()["id"].as_str().unwrap().to_string();
        let body = json!({"instrument": "sdq-parent-4-17", "respondent": {"kind": "guardian", "guardian": 0}});
        let req = Request::post(format!("/api/v1/children/{child}/invitations"))
            .header(header::HOST, "evil.example")
            .header("x-forwarded-proto", "http")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let url = r.json()["url"].as_str().unwrap().to_string();
        assert!(url.starts_with("https://samspor.example.dk/s/"), "{url}");
    }
}

#[test]
fn a_public_address_is_a_scheme_and_a_host() {
    use samspor_web::parse_public_url;
    assert_eq!(
        parse_public_url("https://a.example.dk/").unwrap(),
        "https://a.example.dk"
    );
    assert_eq!(
        parse_public_url("http://127.0.0.1:8080").unwrap(),
        "http://127.0.0.1:8080"
    );
    for bad in [
        "a.example.dk",
        "https://",
        "https://a.example.dk/?x=1",
        "https://u@evil",
        "ftp://a",
        "https://a b",
    ] {
        assert!(parse_public_url(bad).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn nothing_with_personal_data_is_cached_and_https_is_kept_when_served_over_it() {
    let app = TestApp::new(backends()[0]).await;
    let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
    let me = app.get("/api/v1/me", &t).await;
    assert_eq!(me.header("cache-control"), "no-store");
    assert_eq!(
        app.anon_get("/login").await.header("cache-control"),
        "no-store"
    );
    assert_eq!(
        app.get("/api/v1/children/00000000-0000-0000-0000-000000000000", &t)
            .await
            .header("cache-control"),
        "no-store"
    );
    assert_ne!(
        app.anon_get("/static/style.css")
            .await
            .header("cache-control"),
        "no-store"
    );
    assert_eq!(
        me.header("strict-transport-security"),
        "",
        "not without HTTPS"
    );

    let secure = samspor_web::Settings {
        secure_cookies: true,
        ..Default::default()
    };
    let app = TestApp::with_settings(backends()[0], secure).await;
    let r = app.anon_get("/login").await;
    assert!(
        r.header("strict-transport-security")
            .starts_with("max-age="),
        "{:?}",
        r.headers
    );
}

#[tokio::test]
async fn a_regions_secretariat_places_units_in_its_own_region_only() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let today = samspor_store::courses::local(chrono::Utc::now()).date();
        let region = samspor_domain::geo::changes::successor_on("DK-84", today)
            .unwrap()
            .code;
        let s = app.user_token("sek@region.dk", "secretariat", region).await;
        let unit = |parent: &str| json!({"kind": "ppr", "name": format!("PPR under {parent}"), "parent": parent});
        let before = app.audit_count().await;
        let r = app.post("/api/v1/organisations", &s, unit("0751")).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "Aarhus lies in another region: {}",
            r.text()
        );
        assert_eq!(app.audit_count().await, before);
        let r = app.post("/api/v1/organisations", &s, unit("0101")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app.post("/api/v1/organisations", &s, unit(region)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_child_registered_sixteen_times_at_once_is_one_child_and_fifteen_409s() {
    support::each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let body =
            json!({"cpr": "150315-4321", "given_name": "Tvilling", "family_name": "Testesen"});
        let statuses = app.post_at_once(16, "/api/v1/children", &t, body).await;
        let created = statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        assert_eq!(created, 1, "{statuses:?}");
        assert!(
            statuses
                .iter()
                .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
            "{statuses:?}"
        );
    })
    .await;
}

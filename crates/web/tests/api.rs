//! The JSON API through HTTP, on every backend.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use support::{TestApp, each_backend};

fn child(cpr: &str) -> serde_json::Value {
    json!({
        "cpr": cpr,
        "given_name": "Testa",
        "family_name": "Testesen",
        "school": "Byskolen",
        "guardians": [{"name": "Mette Testesen", "relation": "mother", "custody": true, "phone": "20 00 00 01"}]
    })
}

async fn create(app: &TestApp, token: &str, cpr: &str) -> String {
    let r = app.post("/api/v1/children", token, child(cpr)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn invalid_cpr_is_422_on_field_cpr_and_writes_nothing() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let before = app.audit_count().await;
        let r = app.post("/api/v1/children", &t, child("320115-1234")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.header("content-type"), "application/problem+json");
        let p = r.json();
        assert_eq!(p["status"], 422);
        assert_eq!(p["errors"][0]["field"], "cpr");
        assert!(p["errors"][0]["message"].as_str().unwrap().contains("date"));
        assert!(!r.text().contains("320115"), "errors never echo the number");
        assert_eq!(app.audit_count().await, before);
        let list = app.get("/api/v1/children", &t).await.json();
        assert_eq!(list.as_array().unwrap().len(), 0);
    })
    .await;
}

#[tokio::test]
async fn valid_child_is_201_and_other_municipality_gets_404() {
    each_backend(|app| async move {
        let kbh = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let aar = app.user_token("k@aarhus.dk", "coordinator", "0751").await;
        let r = app
            .post("/api/v1/children", &kbh, child("150315-4321"))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let body = r.json();
        let id = body["id"].as_str().unwrap();
        assert_eq!(r.header("location"), format!("/api/v1/children/{id}"));
        assert_eq!(body["birth_date"], "2015-03-15");
        assert_eq!(body["sex"], "male");
        assert_eq!(body["guardians"][0]["custody"], true);

        let mine = app.get(&format!("/api/v1/children/{id}"), &kbh).await;
        assert_eq!(mine.status, StatusCode::OK);
        assert_eq!(mine.json()["family_name"], "Testesen");

        let theirs = app.get(&format!("/api/v1/children/{id}"), &aar).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        assert!(!theirs.text().contains("Testesen"));
        let patch = app
            .call(
                Method::PATCH,
                &format!("/api/v1/children/{id}"),
                Some(&aar),
                Some(json!({"school": "X"})),
            )
            .await;
        assert_eq!(patch.status, StatusCode::NOT_FOUND);
        let log = app
            .get(&format!("/api/v1/children/{id}/access-log"), &aar)
            .await;
        assert_eq!(log.status, StatusCode::NOT_FOUND);
        let unknown = app
            .get(&format!("/api/v1/children/{}", uuid::Uuid::now_v7()), &kbh)
            .await;
        assert_eq!(
            unknown.status,
            StatusCode::NOT_FOUND,
            "unknown and forbidden look the same"
        );
    })
    .await;
}

#[tokio::test]
async fn access_log_lists_the_reads() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let id = create(&app, &t, "150315-4321").await;
        app.get(&format!("/api/v1/children/{id}"), &t).await;
        app.get(&format!("/api/v1/children/{id}"), &t).await;
        let log = app
            .get(&format!("/api/v1/children/{id}/access-log"), &t)
            .await;
        assert_eq!(log.status, StatusCode::OK);
        let entries = log.json();
        let actions: Vec<&str> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["read", "read", "read", "create"]);
        assert_eq!(entries[0]["object_type"], "child_access_log");
        assert_eq!(entries[1]["user_name"], "Name of k@kbh.dk");
        assert_eq!(entries[1]["purpose"], "treatment");
    })
    .await;
}

#[tokio::test]
async fn duplicate_cpr_is_409_linking_the_existing_record() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let id = create(&app, &t, "150315-4321").await;
        let r = app.post("/api/v1/children", &t, child("1503154321")).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["existing"], format!("/api/v1/children/{id}"));
    })
    .await;
}

#[tokio::test]
async fn patch_keeps_history_and_refuses_stale_versions() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let id = create(&app, &t, "150315-4321").await;
        let path = format!("/api/v1/children/{id}");
        let r = app
            .call(
                Method::PATCH,
                &path,
                Some(&t),
                Some(json!({"school": "Nyskolen", "version": 1})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["version"], 2);
        let stale = app
            .call(
                Method::PATCH,
                &path,
                Some(&t),
                Some(json!({"school": "Gammel", "version": 1})),
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(
            stale.json()["detail"]
                .as_str()
                .unwrap()
                .contains("version 2")
        );
        let bad = app
            .call(
                Method::PATCH,
                &path,
                Some(&t),
                Some(json!({"guardians": [{"name": "", "email": "x"}]})),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = bad.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["guardians[0].name", "guardians[0].email"]);
        assert_eq!(app.get(&path, &t).await.json()["school"], "Nyskolen");
    })
    .await;
}

#[tokio::test]
async fn search_finds_by_name_and_cpr() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        create(&app, &t, "150315-4321").await;
        let by_name = app.get("/api/v1/children?q=testes", &t).await.json();
        assert_eq!(by_name.as_array().unwrap().len(), 1);
        let by_cpr = app.get("/api/v1/children?q=150315", &t).await.json();
        assert_eq!(by_cpr.as_array().unwrap().len(), 1);
        let none = app.get("/api/v1/children?q=nobody", &t).await.json();
        assert_eq!(none.as_array().unwrap().len(), 0);
        let bad = app.get("/api/v1/children?limit=0", &t).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn bad_requests_say_what_to_fix() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let before = app.audit_count().await;
        let send = |ct: &str, body: Vec<u8>| {
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/children")
                .header(header::AUTHORIZATION, format!("Bearer {t}"))
                .header(header::CONTENT_TYPE, ct.to_string())
                .body(Body::from(body))
                .unwrap()
        };
        let malformed = app
            .send(send("application/json", b"{\"cpr\": ".to_vec()))
            .await;
        assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
        assert!(
            malformed.json()["detail"]
                .as_str()
                .unwrap()
                .contains("not valid JSON")
        );

        let wrong_type = app.send(send("text/plain", b"{}".to_vec())).await;
        assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

        let mut big = b"{\"cpr\": \"".to_vec();
        big.extend(std::iter::repeat_n(b'1', samspor_web::MAX_BODY_BYTES + 10));
        big.extend(b"\"}");
        let too_large = app.send(send("application/json", big)).await;
        assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(too_large.header("content-type"), "application/problem+json");

        let wrong_field_type = app
            .post("/api/v1/children", &t, json!({"cpr": 1503154321_u64}))
            .await;
        assert_eq!(wrong_field_type.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(wrong_field_type.json()["errors"][0]["field"], "cpr");

        let missing = app
            .post("/api/v1/children", &t, json!({"cpr": "150315-4321"}))
            .await;
        let fields: Vec<String> = missing.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["given_name", "family_name"]);

        let unknown_route = app.get("/api/v1/nothing-here", &t).await;
        assert_eq!(unknown_route.status, StatusCode::NOT_FOUND);
        assert_eq!(
            unknown_route.header("content-type"),
            "application/problem+json"
        );

        assert_eq!(
            app.audit_count().await,
            before,
            "refused requests wrote nothing"
        );
    })
    .await;
}

#[tokio::test]
async fn authentication_is_required_and_writes_need_a_token() {
    each_backend(|app| async move {
        let none = app.call(Method::GET, "/api/v1/me", None, None).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED);
        assert_eq!(none.header("www-authenticate"), "Bearer");
        let wrong = app.get("/api/v1/me", "sp_not_a_token").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        let t = app.user_token("a@kbh.dk", "analyst", "0101").await;
        let me = app.get("/api/v1/me", &t).await.json();
        assert_eq!(me["role"], "analyst");
        assert_eq!(me["organisation"]["code"], "0101");
        let forbidden = app.post("/api/v1/children", &t, child("150315-4321")).await;
        assert_eq!(
            forbidden.status,
            StatusCode::FORBIDDEN,
            "analysts never register children"
        );
        let orgs = app.get("/api/v1/organisations", &t).await.json();
        assert_eq!(orgs.as_array().unwrap().len(), 104, "6 regions, 98 municipalities");
        let kbh = orgs.as_array().unwrap().iter().find(|o| o["code"] == "0101").unwrap();
        assert_eq!(
            kbh["memberships"],
            json!([
                {"parent_code": "DK-84", "valid_from": "2024-07-01", "valid_until": "2026-12-31", "source": "reference"},
                {"parent_code": "DK-OST", "valid_from": "2027-01-01", "valid_until": null, "source": "lov nr. 699 af 20. juni 2025 § 126"},
            ])
        );
    })
    .await;
}

#[tokio::test]
async fn admins_add_units_under_their_own_municipality() {
    each_backend(|app| async move {
        let admin = app.user_token("admin@kbh.dk", "admin", "0101").await;
        let unit = json!({"kind": "ppr", "name": "PPR København Nord", "parent": "0101", "sor_code": "451000016003", "ean_code": "5790000121526"});
        let r = app.post("/api/v1/organisations", &admin, unit.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let o = r.json();
        assert_eq!(o["code"], "U000001");
        assert_eq!(o["municipality_code"], "0101");
        // The region of today: Region Hovedstaden until it becomes Region Østdanmark in 2027.
        let today = samspor_store::courses::local(chrono::Utc::now()).date();
        let region = samspor_domain::geo::changes::successor_on("DK-84", today).unwrap();
        assert_eq!(o["region_code"], region.code);
        let second = app.post("/api/v1/organisations", &admin, json!({"kind": "school", "name": "Byskolen", "parent": "0101"})).await;
        assert_eq!(second.json()["code"], "U000002");

        let elsewhere = app.post("/api/v1/organisations", &admin, json!({"kind": "ppr", "name": "X", "parent": "0751"})).await;
        assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
        let bad = app.post("/api/v1/organisations", &admin, json!({"kind": "municipality", "name": "", "parent": "0101", "sor_code": "12", "ean_code": "5790000121527"})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = bad.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        assert_eq!(fields, ["kind", "name", "sor_code", "ean_code"]);
        let unknown_parent = app.post("/api/v1/organisations", &admin, json!({"kind": "ppr", "name": "X", "parent": "9999"})).await;
        assert_eq!(unknown_parent.json()["errors"][0]["field"], "parent");
        let orgs = app.get("/api/v1/organisations", &admin).await.json();
        assert_eq!(orgs.as_array().unwrap().len(), 106, "only the two valid units were added");
    })
    .await;
}

#[tokio::test]
async fn health_and_readiness() {
    each_backend(|app| async move {
        let r = app.call(Method::GET, "/healthz", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = app.call(Method::GET, "/readyz", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        app.db.store.close().await;
        let r = app.call(Method::GET, "/readyz", None, None).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    })
    .await;
}

#[test]
fn openapi_document_matches_snapshot() {
    let doc = samspor_web::openapi_document();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(path, &doc).unwrap();
    }
    let stored =
        std::fs::read_to_string(path).expect("snapshot missing: run with UPDATE_SNAPSHOTS=1");
    assert_eq!(
        doc, stored,
        "the API contract changed: review, then run with UPDATE_SNAPSHOTS=1"
    );
    let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert!(v["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in [
        "/api/v1/me",
        "/api/v1/organisations",
        "/api/v1/children",
        "/api/v1/children/{id}",
        "/api/v1/children/{id}/access-log",
    ] {
        assert!(v["paths"].get(p).is_some(), "{p} missing");
    }
}

//! Bad input on every API route, on both databases: NUL and other control characters in every
//! string field and query parameter, wrong types, empty bodies. However wrong the input, the
//! answer is a 4xx that names what is wrong, never a 5xx.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Map, Value, json};
use support::sharing::{child_with_course, unit};
use support::{Browser, TestApp, each_backend, hidden_csrf};

/// Values that have broken a route: NUL alone, NUL inside a text, a vertical tab, an escape.
const BAD_TEXTS: [&str; 4] = ["\u{0}", "ok\u{0}ok", "a\u{b}b", "\u{1b}[2J"];

/// The request body a route documents, with every property set to `value`.
fn body_of(doc: &Value, op: &Value, value: &Value) -> Value {
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    };
    let mut out = Map::new();
    if let Some(props) = schema["properties"].as_object() {
        for name in props.keys() {
            out.insert(name.clone(), value.clone());
        }
    }
    Value::Object(out)
}

async fn send(
    app: &TestApp,
    method: &Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> StatusCode {
    let req = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    app.send(req.unwrap()).await.status
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn no_bad_input_to_any_api_route_gives_a_server_error() {
    each_backend(|app| async move {
        let coordinator = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (_, buc_code) = unit(&app, "psychiatry", "BUC Fuzz").await;
        let psychiatry = app.user_token("p@buc.dk", "psychiatry", &buc_code).await;
        let admin = app.user_token("admin@kbh.dk", "admin", "0101").await;
        let (child, course) = child_with_course(&app, &coordinator, "2012-03-04").await;
        let doc = app.anon_get("/api/openapi.json").await.json();
        let mut failures = Vec::new();
        let mut sent = 0;
        for (template, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let method: Method = method.to_uppercase().parse().unwrap();
                for id in [&child, &course] {
                    let path = template
                        .replace("{id}", id)
                        .replace("{code}", "0101")
                        .replace("{child_id}", &child)
                        .replace("{course_id}", &course);
                    let path = regex_free_params(&path, id);
                    let params: Vec<String> = op["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|p| p["in"] == "query")
                        .map(|p| p["name"].as_str().unwrap().to_string())
                        .collect();
                    for token in [&coordinator, &psychiatry, &admin] {
                        for bad in BAD_TEXTS {
                            let query: Vec<String> = params
                                .iter()
                                .map(|p| format!("{p}={}", encode(bad)))
                                .collect();
                            let with_query = if query.is_empty() {
                                path.clone()
                            } else {
                                format!("{path}?{}", query.join("&"))
                            };
                            let body = (method != Method::GET && method != Method::DELETE)
                                .then(|| body_of(&doc, op, &json!(bad)));
                            let status = send(&app, &method, &with_query, token, body).await;
                            sent += 1;
                            if status.is_server_error() {
                                failures.push(format!("{method} {with_query} {bad:?}: {status}"));
                            }
                        }
                        if method != Method::GET && method != Method::DELETE {
                            for odd in [
                                json!({}),
                                json!([]),
                                json!(null),
                                body_of(&doc, op, &json!(12)),
                                body_of(&doc, op, &json!([{"x": "\u{0}"}])),
                            ] {
                                let status =
                                    send(&app, &method, &path, token, Some(odd.clone())).await;
                                sent += 1;
                                if status.is_server_error() {
                                    failures.push(format!("{method} {path} {odd}: {status}"));
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(sent > 500, "every route was tried: {sent} requests");
        assert!(
            failures.is_empty(),
            "{} server errors:\n{}",
            failures.len(),
            failures.join("\n")
        );
    })
    .await;
}

/// Any other path parameter gets the id too.
fn regex_free_params(path: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(id);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn nul_in_a_query_json_or_form_is_refused_naming_the_field() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let before = app.audit_count().await;
        let r = app.get("/api/v1/children?q=%00", &t).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.fields(), ["q"]);
        let r = app
            .post("/api/v1/children", &t, json!({"cpr": "150315-4321", "given_name": "A\u{0}",
                "family_name": "B", "guardians": [{"name": "M\u{0}", "relation": "mother", "custody": true}]}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.fields().len(), 1, "the first field with NUL is named: {}", r.text());
        let r = app
            .post("/api/v1/children", &t, json!({"cpr": "150315-4321", "given_name": "A\u{1}B",
                "family_name": "B"}))
            .await;
        assert_eq!(r.fields(), ["given_name"], "other control characters are named by the field");
        assert_eq!(app.audit_count().await, before, "nothing was written");

        // The login form and the public form, where NUL once reached the database.
        let r = app.anon_form("/login", &[("email", "a\u{0}@b.dk"), ("password", "x")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("kontroltegn"), "{}", r.text());
        let mut family = Browser::new(&app);
        let page = family.get("/henvendelse/0101").await.text();
        let csrf = hidden_csrf(&page);
        let r = family
            .post("/henvendelse/0101", &[("csrf", csrf.as_str()), ("contact_name", "Mor\u{0}"), ("worry", "x")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(app.audit_count().await, before);
    })
    .await;
}

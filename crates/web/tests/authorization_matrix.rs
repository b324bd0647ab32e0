//! The authorization matrix: every API route (from the OpenAPI document) and every HTML page
//! (from the web crate's source) × every kind of user ×
//! children that are the user's own, shared on each kind of basis, shared but withdrawn, expired
//! or objected to, shared outside the categories, or another organisation's. What each cell
//! must answer comes from `authorization/routes.json` and the table of objects below, never from
//! the access policy. Runs on both databases and prints the number of cells checked.

mod support;

use axum::http::{Method, StatusCode};
use samspor_domain::cpr::{Cpr, Sex};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use support::sharing::{basis, guardian, unit};
use support::{TestApp, each_backend};

#[derive(Deserialize)]
struct Routes {
    routes: Vec<Route>,
}

#[derive(Deserialize, Clone)]
struct Route {
    route: String,
    target: String,
    access: String,
    category: Option<String>,
    recipients: bool,
}

/// A user: the organisation it works in, and whether its role works with children.
struct User {
    name: &'static str,
    token: String,
    org: &'static str,
    clinical: bool,
}

/// A child with a course, owned by `owner`, and what an organisation it is shared with may
/// read now (empty when nothing).
struct Object {
    name: &'static str,
    owner: &'static str,
    child: String,
    course: String,
    given_name: String,
    shared_with: Option<&'static str>,
    readable: &'static [&'static str],
}

impl Object {
    /// Whether `user` may do what `route` does to this object.
    fn allows(&self, user: &User, route: &Route) -> bool {
        if !user.clinical {
            return false;
        }
        if user.org == self.owner {
            return true;
        }
        // A recipient reads what its basis covers; a write open to recipients (a message on
        // the course) needs the same basis.
        route.recipients
            && self.shared_with == Some(user.org)
            && route
                .category
                .as_deref()
                .is_some_and(|c| self.readable.contains(&c))
    }

    /// A child that does not exist: what a refused cell must answer like.
    fn nobody() -> Object {
        Object {
            name: "nobody",
            owner: "none",
            child: uuid::Uuid::now_v7().to_string(),
            course: uuid::Uuid::now_v7().to_string(),
            given_name: String::new(),
            shared_with: None,
            readable: &[],
        }
    }

    fn sees_in_search(&self, user: &User) -> bool {
        user.clinical
            && (user.org == self.owner
                || (self.shared_with == Some(user.org)
                    && self.readable.contains(&"contact_and_course")))
    }
}

/// The cells checked and the wrong ones.
#[derive(Default)]
struct Tally {
    checked: usize,
    allowed_reads: usize,
    skipped_writes: usize,
    wrong: Vec<String>,
}

impl Tally {
    /// An allowed read must answer 200; a refused cell exactly as for a child that does not
    /// exist (`probe`), with a refusal status and without the child's name.
    fn cell(
        &mut self,
        route: &Route,
        user: &User,
        object: &Object,
        allowed: bool,
        r: &support::Reply,
        probe: StatusCode,
    ) {
        self.checked += 1;
        let ok = if allowed {
            self.allowed_reads += 1;
            r.status == StatusCode::OK
        } else {
            r.status == probe
                && matches!(r.status.as_u16(), 400 | 403 | 404 | 422)
                && !r.text().contains(&object.given_name)
        };
        if !ok {
            let should = if allowed {
                "should be allowed"
            } else {
                "should be refused"
            };
            self.wrong.push(format!(
                "{} as {} on \"{}\": {} (a missing child gives {probe}) ({should})",
                route.route, user.name, object.name, r.status
            ));
        }
    }

    fn assert_none_wrong(&self) {
        assert!(
            self.wrong.is_empty(),
            "{} wrong cells:\n{}",
            self.wrong.len(),
            self.wrong.join("\n")
        );
    }
}

fn routes() -> Vec<Route> {
    let text = include_str!("authorization/routes.json");
    serde_json::from_str::<Routes>(text)
        .expect("authorization/routes.json")
        .routes
}

fn pages() -> Vec<Route> {
    let text = include_str!("authorization/pages.json");
    serde_json::from_str::<Routes>(text)
        .expect("authorization/pages.json")
        .routes
}

/// Every page route in the web crate's source as "METHOD /path", from each
/// `.route("/path", get(..).post(..))`; the API's routes come from its OpenAPI document.
fn routes_in_source() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.extend(routes_in(&std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.retain(|r| !r.split(' ').nth(1).unwrap().starts_with("/api/"));
    out
}

fn routes_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let Some(quoted) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some(end) = quoted.find('"') else { break };
        let path = &quoted[..end];
        // The handlers: everything up to the parenthesis that closes `.route(`.
        let tail = &quoted[end + 1..];
        let mut depth = 1;
        let close = tail
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(tail.len(), |(i, _)| i);
        let handlers = &tail[..close];
        for method in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{method}(");
            let found = handlers.match_indices(&call).any(|(i, _)| {
                handlers[..i]
                    .chars()
                    .last()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
            });
            if found {
                out.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

#[test]
fn every_page_has_exactly_one_row() {
    let rows: Vec<String> = pages().into_iter().map(|r| r.route).collect();
    let listed: BTreeSet<String> = rows.iter().cloned().collect();
    assert_eq!(listed.len(), rows.len(), "a page is listed twice");
    let found = routes_in_source();
    assert!(
        found.len() > 50,
        "the source scan found the pages: {found:?}"
    );
    let missing: Vec<_> = found.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&found).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "add a row to authorization/pages.json for {missing:?}; remove {stale:?}"
    );
}

/// Every route of the OpenAPI document as "METHOD /path".
fn documented_routes() -> BTreeSet<String> {
    let doc: Value = serde_json::from_str(&samspor_web::openapi_document()).unwrap();
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect()
}

#[test]
fn every_route_has_exactly_one_row() {
    let rows: Vec<String> = routes().into_iter().map(|r| r.route).collect();
    let listed: BTreeSet<String> = rows.iter().cloned().collect();
    assert_eq!(listed.len(), rows.len(), "a route is listed twice");
    let documented = documented_routes();
    let missing: Vec<_> = documented.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&documented).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "add a row to authorization/routes.json for {missing:?}; remove {stale:?}"
    );
}

async fn child_and_course(
    app: &TestApp,
    token: &str,
    born: &str,
    n: u32,
) -> (String, String, String) {
    let cpr = Cpr::synthetic(born.parse().unwrap(), Sex::Female, n).unwrap();
    let given = format!("Matrixbarn{n}");
    let r = app
        .post(
            "/api/v1/children",
            token,
            json!({"cpr": cpr.to_string(), "given_name": given, "family_name": "Adgang",
                   "guardians": [{"name": "Mor Adgang", "relation": "mother", "custody": true}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let child = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/contacts",
            token,
            json!({"child_id": child, "source": "gp", "received_at": "2026-11-02T09:00",
                   "reason": "Bekymring", "referrer_name": "Lægen", "themes": ["worry"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (
        child,
        r.json()["course_id"].as_str().unwrap().to_string(),
        given,
    )
}

async fn post_ok(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.post(path, token, body).await;
    assert!(r.status.is_success(), "{path}: {}", r.text());
    if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    }
}

struct World {
    users: Vec<User>,
    objects: Vec<Object>,
}

async fn world(app: &TestApp) -> World {
    let (buc, buc_code) = unit(app, "psychiatry", "BUC Glostrup").await;
    let (gp, gp_code) = unit(app, "gp_practice", "Lægehuset Matrix").await;
    let (ppr, ppr_code) = unit(app, "ppr", "PPR Matrix").await;
    let user =
        async |name: &'static str, role: &str, code: &str, org: &'static str, clinical: bool| {
            User {
                name,
                token: app
                    .user_token(&format!("{name}@matrix.dk"), role, code)
                    .await,
                org,
                clinical,
            }
        };
    let users = vec![
        user("coordinator", "coordinator", "0101", "owner", true).await,
        user("therapist", "therapist", "0101", "owner", true).await,
        user("kit", "kit_coordinator", "0101", "owner", true).await,
        user("admin", "admin", "0101", "owner", false).await,
        user("secretariat", "secretariat", "DK-84", "region", false).await,
        user("analyst", "analyst", "DK-84", "region", false).await,
        user("psychiatry", "psychiatry", &buc_code, "buc", true).await,
        user("gp", "gp", &gp_code, "gp", true).await,
        user("ppr", "therapist", &ppr_code, "ppr", true).await,
        user("other_municipality", "coordinator", "0751", "other", true).await,
    ];
    let t = users[0].token.clone();
    let other = users[9].token.clone();
    let recipient = |org: &str, kind: &str| json!([{"org_id": org, "kind": kind}]);
    let mut objects = Vec::new();
    let make = async |name: &'static str, born: &str, n: u32, token: &str, owner: &'static str| {
        let (child, course, given_name) = child_and_course(app, token, born, n).await;
        Object {
            name,
            owner,
            child,
            course,
            given_name,
            shared_with: None,
            readable: &[],
        }
    };

    objects.push(make("own, not shared", "2016-02-02", 1, &t, "owner").await);

    let mut o = make(
        "consent to BUC: contact and scores",
        "2016-02-03",
        2,
        &t,
        "owner",
    )
    .await;
    let mother = guardian(&basis(app, &t, &o.child).await, "Mor Adgang");
    let c = format!("/api/v1/children/{}", o.child);
    post_ok(app, &t, &format!("{c}/consents"), json!({"recipients": recipient(&buc, "child_psychiatry"),
        "categories": ["contact_and_course", "scores"], "purpose_text": "Udredning", "form": "written",
        "given_on": "2026-11-20", "givers": [mother]})).await;
    post_ok(
        app,
        &t,
        &format!("{c}/shares"),
        json!({"course_id": o.course, "recipient_org_id": buc}),
    )
    .await;
    (o.shared_with, o.readable) = (Some("buc"), &["contact_and_course", "scores"]);
    objects.push(o);

    let mut o = make("consent to BUC, withdrawn", "2016-02-04", 3, &t, "owner").await;
    let mother = guardian(&basis(app, &t, &o.child).await, "Mor Adgang");
    let c = format!("/api/v1/children/{}", o.child);
    let consent = post_ok(app, &t, &format!("{c}/consents"), json!({"recipients": recipient(&buc, "child_psychiatry"),
        "categories": ["contact_and_course", "scores", "journal", "plan"], "purpose_text": "Udredning",
        "form": "written", "given_on": "2026-11-20", "givers": [mother]})).await;
    post_ok(
        app,
        &t,
        &format!("{c}/shares"),
        json!({"course_id": o.course, "recipient_org_id": buc}),
    )
    .await;
    post_ok(
        app,
        &t,
        &format!(
            "{c}/consents/{}/withdrawal",
            consent["id"].as_str().unwrap()
        ),
        json!({"giver": mother}),
    )
    .await;
    o.shared_with = Some("buc");
    objects.push(o);

    let mut o = make(
        "treatment basis to BUC, objected to by the 16-year-old",
        "2010-02-05",
        4,
        &t,
        "owner",
    )
    .await;
    let c = format!("/api/v1/children/{}", o.child);
    post_ok(app, &t, &format!("{c}/statutory-bases"), json!({"ground": "current_treatment",
        "recipients": recipient(&buc, "child_psychiatry"), "categories": ["contact_and_course"], "reason": "Aktuelt forløb"})).await;
    post_ok(
        app,
        &t,
        &format!("{c}/shares"),
        json!({"course_id": o.course, "recipient_org_id": buc}),
    )
    .await;
    post_ok(
        app,
        &t,
        &format!("{c}/objections"),
        json!({"by": "child", "note": "Nej tak"}),
    )
    .await;
    o.shared_with = Some("buc");
    objects.push(o);

    let mut o = make(
        "treatment basis to the GP: contact and journal",
        "2016-02-06",
        5,
        &t,
        "owner",
    )
    .await;
    let c = format!("/api/v1/children/{}", o.child);
    post_ok(app, &t, &format!("{c}/statutory-bases"), json!({"ground": "current_treatment",
        "recipients": recipient(&gp, "general_practice"), "categories": ["contact_and_course", "journal"], "reason": "Aktuelt forløb"})).await;
    post_ok(
        app,
        &t,
        &format!("{c}/shares"),
        json!({"course_id": o.course, "recipient_org_id": gp}),
    )
    .await;
    (o.shared_with, o.readable) = (Some("gp"), &["contact_and_course", "journal"]);
    objects.push(o);

    let mut o = make(
        "consent to the GP for the plan only",
        "2016-02-07",
        6,
        &t,
        "owner",
    )
    .await;
    let mother = guardian(&basis(app, &t, &o.child).await, "Mor Adgang");
    let c = format!("/api/v1/children/{}", o.child);
    post_ok(app, &t, &format!("{c}/consents"), json!({"recipients": recipient(&gp, "general_practice"),
        "categories": ["plan"], "purpose_text": "Plan", "form": "written", "given_on": "2026-11-20", "givers": [mother]})).await;
    post_ok(
        app,
        &t,
        &format!("{c}/shares"),
        json!({"course_id": o.course, "recipient_org_id": gp}),
    )
    .await;
    (o.shared_with, o.readable) = (Some("gp"), &["plan"]);
    objects.push(o);

    let mut o = make("consent to PPR, expired", "2016-02-08", 7, &t, "owner").await;
    let mother = guardian(&basis(app, &t, &o.child).await, "Mor Adgang");
    let c = format!("/api/v1/children/{}", o.child);
    post_ok(
        app,
        &t,
        &format!("{c}/consents"),
        json!({"recipients": recipient(&ppr, "school_ppr"),
        "categories": ["contact_and_course", "scores"], "purpose_text": "Skolen", "form": "written",
        "given_on": "2026-11-20", "givers": [mother]}),
    )
    .await;
    post_ok(
        app,
        &t,
        &format!("{c}/shares"),
        json!({"course_id": o.course, "recipient_org_id": ppr}),
    )
    .await;
    // A year has passed (sundhedsloven § 44): the consent lapsed, the share is still there.
    app.db
        .exec_raw(
            "UPDATE consents SET given_on = '2025-10-01', valid_to = '2026-09-30' WHERE purpose_text = 'Skolen'",
        )
        .await
        .unwrap();
    o.shared_with = Some("ppr");
    objects.push(o);

    objects.push(make("another municipality's", "2016-02-09", 8, &other, "other").await);
    World { users, objects }
}

/// The path of `route` for `object`: its child or course id, and made-up ids after it.
fn path_for(route: &Route, object: &Object) -> String {
    let (_, path) = route.route.split_once(' ').unwrap();
    let id = if route.target == "course" {
        &object.course
    } else {
        &object.child
    };
    path.replace("{id}", id)
        .replace("{number}", "1")
        .replace("{action}", "consent")
        .split('/')
        .map(|part| {
            if part.starts_with('{') {
                uuid::Uuid::now_v7().to_string()
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn no_user_reaches_a_child_the_table_does_not_allow() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let routes = routes();
        let mut tally = Tally::default();
        for route in routes.iter().filter(|r| r.target == "child" || r.target == "course") {
            let method = Method::from_bytes(route.route.split(' ').next().unwrap().as_bytes()).unwrap();
            for user in &w.users {
                // What this user gets for a child that does not exist: a refused cell must
                // answer the same (a body checked before the access check may give 400 or 422,
                // identical for every id, so it reveals nothing).
                let nobody = Object::nobody();
                let body = (method != Method::GET).then(|| json!({}));
                let probe = app
                    .call(method.clone(), &path_for(route, &nobody), Some(&user.token), body)
                    .await
                    .status;
                for object in &w.objects {
                    let allowed = object.allows(user, route);
                    if allowed && route.access == "write" {
                        // The owner's writes are the feature tests' business; running them here
                        // would change the objects under the other cells.
                        tally.skipped_writes += 1;
                        continue;
                    }
                    let path = path_for(route, object);
                    let body = (method != Method::GET).then(|| json!({}));
                    let r = app.call(method.clone(), &path, Some(&user.token), body).await;
                    tally.cell(route, user, object, allowed, &r, probe);
                }
            }
        }
        // Search results: each user finds exactly the children the table lets it see.
        let mut search_cells = 0;
        for user in &w.users {
            let r = app.get("/api/v1/children?limit=500", &user.token).await;
            let found: BTreeSet<String> = if r.status == StatusCode::OK {
                r.json().as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
            } else {
                BTreeSet::new()
            };
            for object in &w.objects {
                search_cells += 1;
                if found.contains(&object.child) != object.sees_in_search(user) {
                    tally.wrong.push(format!("search as {} for \"{}\": found {}", user.name, object.name, found.contains(&object.child)));
                }
            }
        }
        // The recipient's list of shared courses: exactly the shared courses the table lets it
        // read, never its own or another's.
        for user in &w.users {
            let r = app.get("/api/v1/shared-courses", &user.token).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            let found: BTreeSet<String> = r.json().as_array().unwrap().iter().map(|c| c["course_id"].as_str().unwrap().to_string()).collect();
            for object in &w.objects {
                search_cells += 1;
                let expected = object.owner != user.org && object.sees_in_search(user);
                if found.contains(&object.course) != expected {
                    tally.wrong.push(format!("shared courses of {} for \"{}\": found {}", user.name, object.name, found.contains(&object.course)));
                }
            }
        }
        println!(
            "{:?}: {} route cells checked ({} allowed reads), {search_cells} search and list cells, {} owner writes left to the feature tests",
            app.db.backend, tally.checked, tally.allowed_reads, tally.skipped_writes
        );
        tally.assert_none_wrong();
        let checked = tally.checked;
        let by_name: HashMap<&str, &Object> = w.objects.iter().map(|o| (o.name, o)).collect();
        assert!(by_name.len() == 8 && checked > 2000, "the matrix ran ({checked} cells)");
    })
    .await;
}

async fn page_call(b: &mut support::Browser<'_>, method: &Method, path: &str) -> support::Reply {
    if *method == Method::GET {
        b.get(path).await
    } else {
        b.submit(path, &[]).await
    }
}

#[tokio::test]
async fn no_user_reaches_a_child_page_the_table_does_not_allow() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let mut browsers = Vec::new();
        for user in &w.users {
            let email = format!("{}@matrix.dk", user.name);
            browsers.push(support::Browser::logged_in(&app, &email).await);
        }
        let mut tally = Tally::default();
        let pages = pages();
        for route in pages.iter().filter(|r| r.target == "child" || r.target == "course") {
            let method = Method::from_bytes(route.route.split(' ').next().unwrap().as_bytes()).unwrap();
            for (user, b) in w.users.iter().zip(browsers.iter_mut()) {
                let nobody = Object::nobody();
                let probe = page_call(b, &method, &path_for(route, &nobody)).await.status;
                for object in &w.objects {
                    let allowed = object.allows(user, route);
                    if allowed && route.access == "write" {
                        tally.skipped_writes += 1;
                        continue;
                    }
                    let r = page_call(b, &method, &path_for(route, object)).await;
                    tally.cell(route, user, object, allowed, &r, probe);
                }
            }
        }
        println!(
            "{:?}: {} page cells checked ({} allowed reads), {} owner writes left to the feature tests",
            app.db.backend, tally.checked, tally.allowed_reads, tally.skipped_writes
        );
        tally.assert_none_wrong();
        let checked = tally.checked;
        assert!(checked > 1500, "the matrix ran ({checked} cells)");
    })
    .await;
}

/// The Danish UI texts that differ from their English ones, cut at placeholders into pieces
/// long enough not to occur by chance in English or in data.
fn danish_phrases() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = samspor_web::ui_texts()
        .filter(|(_, da, en)| da != en)
        .flat_map(|(_, da, _)| da.split(['{', '}']))
        .map(str::trim)
        .filter(|p| p.chars().count() >= 16 && !p.contains(['"', '\'', '&', '<', '>']))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[tokio::test]
async fn every_child_page_a_user_may_read_is_wholly_in_english_when_asked() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let phrases = danish_phrases();
        assert!(
            phrases.len() > 300,
            "the check has texts to look for ({})",
            phrases.len()
        );
        let mut pages_checked = 0;
        for user in &w.users {
            let mut b =
                support::Browser::logged_in(&app, &format!("{}@matrix.dk", user.name)).await;
            if pages_checked == 0 {
                // The same page in Danish shows the phrases looked for: the check can fail.
                let route = pages()
                    .into_iter()
                    .find(|r| r.route == "GET /children/{id}")
                    .unwrap();
                let object = w.objects.iter().find(|o| o.allows(user, &route)).unwrap();
                let da = b.get(&path_for(&route, object)).await.text();
                assert!(
                    phrases.iter().filter(|p| da.contains(*p)).count() >= 3,
                    "{da}"
                );
            }
            b.cookies.push(("samspor_lang".into(), "en".into()));
            for route in pages().iter().filter(|r| {
                (r.target == "child" || r.target == "course") && r.route.starts_with("GET ")
            }) {
                for object in w.objects.iter().filter(|o| o.allows(user, route)) {
                    let path = path_for(route, object);
                    let r = b.get(&path).await;
                    assert_eq!(r.status, StatusCode::OK, "{} {path}", user.name);
                    let text = r.text();
                    assert!(text.contains(r#"<html lang="en">"#), "{} {path}", user.name);
                    let danish: Vec<_> = phrases.iter().filter(|p| text.contains(*p)).collect();
                    assert!(
                        danish.is_empty(),
                        "{} {}: Danish on an English page: {danish:?}",
                        user.name,
                        route.route
                    );
                    pages_checked += 1;
                }
            }
        }
        println!(
            "{:?}: {pages_checked} readable pages checked in English",
            app.db.backend
        );
        assert!(pages_checked > 100, "the check ran ({pages_checked} pages)");
    })
    .await;
}

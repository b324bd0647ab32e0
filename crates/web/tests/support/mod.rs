//! A Samspor app on a fresh database, called in-process through its router.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use samspor_store::accounts::{self, UserInput};
pub use samspor_store::testing::{Backend, TestDb, backends};
use serde_json::Value;
use tower::ServiceExt;

pub mod sharing;

pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The fields a problem+json answer names in `errors`.
    pub fn fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

pub async fn each_backend<F, Fut>(f: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for b in backends() {
        f(TestApp::new(b).await).await;
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::with_settings(backend, samspor_web::Settings::default()).await
    }

    /// With an operator's settings in place of the defaults.
    pub async fn with_settings(backend: Backend, settings: samspor_web::Settings) -> TestApp {
        let db = TestDb::new(backend).await;
        let state = samspor_web::AppState::new(db.store.clone()).with_settings(settings);
        TestApp {
            db,
            router: samspor_web::app(state),
        }
    }

    /// With e-mail and SMS transports.
    pub async fn with_transports(
        backend: Backend,
        outbox: samspor_store::notifications::transport::Transports,
    ) -> TestApp {
        let db = TestDb::new(backend).await;
        let state = samspor_web::AppState::new(db.store.clone()).with_transports(outbox);
        TestApp {
            db,
            router: samspor_web::app(state),
        }
    }

    /// Creates a staff user and returns a bearer token for them.
    pub async fn user_token(&self, email: &str, role: &str, org: &str) -> String {
        accounts::add_user(
            &self.db.store,
            UserInput {
                email,
                name: &format!("Name of {email}"),
                role,
                org_code: org,
                password: "correct horse battery",
            },
            chrono::Utc::now(),
        )
        .await
        .expect("add user");
        accounts::create_api_token(&self.db.store, email, "test", 30)
            .await
            .expect("token")
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    /// Sends the same JSON POST `n` times at once (each on its own task), as a double-clicking
    /// user or a retrying client would; the statuses in no particular order.
    pub async fn post_at_once(
        &self,
        n: usize,
        path: &str,
        token: &str,
        body: Value,
    ) -> Vec<StatusCode> {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            let req = Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let router = self.router.clone();
            set.spawn(async move { router.oneshot(req).await.expect("infallible").status() });
        }
        set.join_all().await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    /// A GET without cookies or token, as a respondent's phone sends it.
    pub async fn anon_get(&self, path: &str) -> Reply {
        self.send(Request::builder().uri(path).body(Body::empty()).unwrap())
            .await
    }

    /// A form POST without cookies or token.
    pub async fn anon_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
            .unwrap();
        self.send(req).await
    }

    /// Number of audit entries, to prove a refused request wrote nothing.
    pub async fn audit_count(&self) -> i64 {
        self.db.store.audit_length().await.unwrap()
    }
}

/// The password every test user gets from [`TestApp::user_token`].
pub const PASSWORD: &str = "correct horse battery";

/// A browser without JavaScript: keeps cookies, reads hidden CSRF fields, and may come
/// from a given address (as `serve` would tell the app).
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: Vec<(String, String)>,
    /// The session's CSRF token, read from the home page after [`Browser::logged_in`].
    pub csrf: String,
    addr: Option<std::net::SocketAddr>,
    pub forwarded_for: Option<String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: Vec::new(),
            csrf: String::new(),
            addr: None,
            forwarded_for: None,
        }
    }

    /// A browser whose requests come from `addr`.
    pub fn from(app: &'a TestApp, addr: &str) -> Self {
        Browser {
            addr: Some(addr.parse().unwrap()),
            ..Browser::new(app)
        }
    }

    /// A browser logged in as `email` through the login page, holding the session's CSRF token.
    pub async fn logged_in(app: &'a TestApp, email: &str) -> Browser<'a> {
        let mut b = Browser::new(app);
        b.sign_in(email).await;
        b.csrf = hidden_csrf(&b.get("/").await.text());
        b
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, r: &Reply) {
        for v in r.headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap();
            let (pair, attrs) = s.split_once(';').unwrap_or((s, ""));
            let (k, val) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !attrs.contains("Max-Age=0") && !val.is_empty() {
                self.cookies.push((k.to_string(), val.to_string()));
            }
        }
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Reply {
        if let Some(addr) = self.addr {
            req.extensions_mut().insert(ConnectInfo(addr));
        }
        if let Some(xff) = &self.forwarded_for {
            req.headers_mut()
                .insert("x-forwarded-for", xff.parse().unwrap());
        }
        let r = self.app.send(req).await;
        self.keep_cookies(&r);
        r
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let req = Request::builder()
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(form).unwrap();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// GETs a page that must be there and returns its HTML.
    pub async fn page(&mut self, path: &str) -> String {
        let r = self.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        r.text()
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn submit(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf.clone();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(form);
        self.post(path, &all).await
    }

    /// Opens the login page and sends it with the CSRF token it holds.
    pub async fn login(&mut self, email: &str, password: &str) -> Reply {
        let page = self.get("/login").await;
        let csrf = hidden_csrf(&page.text());
        self.post(
            "/login",
            &[("email", email), ("password", password), ("csrf", &csrf)],
        )
        .await
    }

    /// Logs in with the test password and checks that it worked.
    pub async fn sign_in(&mut self, email: &str) {
        let r = self.login(email, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login of {email}");
    }
}

/// The value of the hidden field `name` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&marker)
        .unwrap_or_else(|| panic!("hidden field {name}"));
    let rest = &html[i + marker.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The value of the hidden CSRF field in a page.
pub fn hidden_csrf(html: &str) -> String {
    hidden(html, "csrf")
}

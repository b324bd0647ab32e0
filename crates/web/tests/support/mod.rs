//! A Samspor app on a fresh database, called in-process through its router.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use samspor_store::service::auth::{self, UserInput};
use samspor_store::testing::{Backend, TestDb, backends};
use serde_json::Value;
use tower::ServiceExt;

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
        let db = TestDb::new(backend).await;
        let router = samspor_web::app(samspor_web::AppState::new(db.store.clone()));
        TestApp { db, router }
    }

    /// Creates a staff user and returns a bearer token for them.
    pub async fn user_token(&self, email: &str, role: &str, org: &str) -> String {
        auth::add_user(
            &*self.db.store,
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
        auth::create_api_token(&*self.db.store, email, "test")
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

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Number of audit entries, to prove a refused request wrote nothing.
    pub async fn audit_count(&self) -> i64 {
        let mut tx = self.db.store.begin().await.unwrap();
        let (seq, _) = tx.audit_head().await.unwrap();
        seq
    }
}

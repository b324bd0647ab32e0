//! E-mail and SMS through real servers on loopback: a mail server that requires STARTTLS
//! (tests/smtp/server.py, started here) and an HTTP SMS gateway served by the test. Links reach
//! the recipient, failures are kept apart (retry, bounce), and no page says "sent" about a link
//! that was not.

mod support;

use axum::http::StatusCode;
use samspor_store::notifications::transport::{
    SmsGateway, SmsSettings, Smtp, SmtpSettings, Transports,
};
use samspor_store::notifications::{DispatchRun, dispatch};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use support::{Browser, TestApp, backends};

/// The loopback mail server, stopped when dropped.
struct MailServer {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl MailServer {
    /// Starts the server with the packages `scripts/install-test-deps` installed; `None` (and
    /// a note) when they are not, as when `cargo test` runs outside `scripts/test`.
    fn start() -> Option<MailServer> {
        let Ok(pythonpath) = std::env::var("SAMSPOR_TEST_PYTHONPATH") else {
            assert!(
                std::env::var("SAMSPOR_REQUIRE_SMTP").is_err(),
                "SAMSPOR_TEST_PYTHONPATH is not set: run scripts/test"
            );
            eprintln!("skipped: the loopback mail server needs scripts/install-test-deps");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let script: PathBuf = [env!("CARGO_MANIFEST_DIR"), "../../tests/smtp/server.py"]
            .iter()
            .collect();
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(dir.path())
            .env("PYTHONPATH", pythonpath)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 starts the mail server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the mail server did not start: {line:?}"));
        Some(MailServer { child, dir, port })
    }

    fn transport(&self) -> Smtp {
        Smtp::new(&SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            implicit_tls: false,
            username: None,
            password: None,
            from: "Samspor <no-reply@samspor.test>".into(),
            ca_file: Some(self.dir.path().join("ca.pem")),
        })
        .expect("SMTP settings")
    }

    /// The messages received so far, decoded, oldest first.
    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path().join("messages"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        if let Some(stdin) = self.child.stdin.as_mut() {
            let _ = stdin.write_all(b"");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An SMS gateway on loopback: takes `{"to", "text"}` with the bearer token, refuses one
/// number for good.
struct Gateway {
    url: String,
    received: Received,
}

/// What the gateway took: (the Authorization header, the JSON body).
type Received = Arc<Mutex<Vec<(String, Value)>>>;

const REFUSED_NUMBER: &str = "+4511111111";

async fn gateway() -> Gateway {
    use axum::extract::State;
    use axum::http::HeaderMap;
    let received: Received = Arc::default();
    let app = axum::Router::new()
        .route(
            "/sms",
            axum::routing::post(
                |State(r): State<Received>,
                 headers: HeaderMap,
                 axum::Json(body): axum::Json<Value>| async move {
                    let auth = headers
                        .get("authorization")
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default();
                    if body["to"] == REFUSED_NUMBER {
                        return StatusCode::BAD_REQUEST;
                    }
                    r.lock().unwrap().push((auth, body));
                    StatusCode::ACCEPTED
                },
            ),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Gateway { url, received }
}

async fn child_with(app: &TestApp, token: &str, cpr: &str, guardians: Value) -> String {
    let r = app
        .post(
            "/api/v1/children",
            token,
            json!({"cpr": cpr, "given_name": "Testa", "family_name": "Testesen", "guardians": guardians}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

async fn invite(app: &TestApp, token: &str, child: &str, guardian: usize) -> Value {
    let r = app
        .post(
            &format!("/api/v1/children/{child}/invitations"),
            token,
            json!({"instrument": "sdq-parent-4-17", "respondent": {"kind": "guardian", "guardian": guardian}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

async fn send(app: &TestApp, transports: &Transports) -> DispatchRun {
    dispatch(&app.db.store, transports, chrono::Utc::now())
        .await
        .expect("dispatch")
}

fn link_path(url: &str) -> String {
    url[url.find("/s/").expect("a link")..].to_string()
}

#[tokio::test]
async fn a_link_is_emailed_over_tls_and_failures_are_told_apart() {
    let Some(mail) = MailServer::start() else {
        return;
    };
    for backend in backends() {
        let transports = Transports {
            email: Some(Arc::new(mail.transport())),
            sms: None,
        };
        let app = TestApp::with_transports(backend, transports.clone()).await;
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let child = child_with(
            &app,
            &t,
            "150315-4321",
            json!([
                {"name": "Mette Testesen", "relation": "mother", "custody": true, "email": "mette@example.dk"},
                {"name": "Bo Testesen", "relation": "father", "custody": true, "email": "bounce@example.dk"},
                {"name": "Lis Testesen", "relation": "other", "custody": false, "email": "later@example.dk"}
            ]),
        )
        .await;
        let before = mail.messages().len();

        let created = invite(&app, &t, &child, 0).await;
        assert_eq!(created["delivery"], "email");
        let url = created["url"].as_str().unwrap();
        let run = send(&app, &transports).await;
        assert_eq!(run.sent, 1, "{run:?}");
        let messages = mail.messages();
        assert_eq!(messages.len(), before + 1);
        let m = &messages[before];
        assert_eq!(m["to"], json!(["mette@example.dk"]));
        assert_eq!(m["tls"], true, "STARTTLS is required");
        let body = m["body"].as_str().unwrap();
        assert!(body.contains(url), "the right link: {body}");
        for revealing in ["Testa", "Testesen", "SDQ", "psyk", "spørgeskema"] {
            assert!(
                !body.contains(revealing) && !m["subject"].as_str().unwrap().contains(revealing)
            );
        }
        // The link in the e-mail opens the questionnaire.
        assert_eq!(app.anon_get(&link_path(url)).await.status, StatusCode::OK);
        assert_eq!(send(&app, &transports).await, DispatchRun::default());

        // A mailbox that does not exist: bounced at submission, not tried again.
        invite(&app, &t, &child, 1).await;
        let run = send(&app, &transports).await;
        assert_eq!((run.bounced, run.sent), (1, 0), "{run:?}");
        // A server that says "later": tried again after a while, not now.
        invite(&app, &t, &child, 2).await;
        let run = send(&app, &transports).await;
        assert_eq!((run.retried, run.sent), (1, 0), "{run:?}");
        assert_eq!(send(&app, &transports).await, DispatchRun::default());
        assert_eq!(mail.messages().len(), before + 1);

        let mut b = Browser::logged_in(&app, "k@kbh.dk").await;
        let page = b.page(&format!("/children/{child}/questionnaires")).await;
        assert!(page.contains("Sendt (e-mail)"), "{page}");
        assert!(page.contains("Afvist af modtagerens server"));
        assert!(page.contains("Ikke sendt endnu – prøver igen (e-mail, 1 forsøg)"));

        // Once delivered or given up, the outbox no longer holds the link.
        let kept: i64 = app
            .db
            .scalar("SELECT COUNT(*) FROM outbox WHERE body IS NOT NULL")
            .await;
        assert_eq!(kept, 1, "only the one waiting for its retry");
    }
}

#[tokio::test]
async fn a_link_goes_by_sms_when_there_is_no_email_address() {
    let gw = gateway().await;
    for backend in backends() {
        let sms = SmsGateway::new(SmsSettings {
            url: gw.url.clone(),
            token: Some("gateway-secret".into()),
        })
        .unwrap();
        let transports = Transports {
            email: None,
            sms: Some(Arc::new(sms)),
        };
        let app = TestApp::with_transports(backend, transports.clone()).await;
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let child = child_with(
            &app,
            &t,
            "150315-4321",
            json!([
                {"name": "Mette Testesen", "relation": "mother", "custody": true, "phone": "+4522334455", "email": "mette@example.dk"},
                {"name": "Bo Testesen", "relation": "father", "custody": true, "phone": REFUSED_NUMBER}
            ]),
        )
        .await;
        gw.received.lock().unwrap().clear();
        // E-mail is not set up, so the address is passed over for the phone.
        let created = invite(&app, &t, &child, 0).await;
        assert_eq!(created["delivery"], "sms");
        assert_eq!(send(&app, &transports).await.sent, 1);
        let got = gw.received.lock().unwrap().clone();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "Bearer gateway-secret");
        assert_eq!(got[0].1["to"], "+4522334455");
        assert!(
            got[0].1["text"]
                .as_str()
                .unwrap()
                .contains(created["url"].as_str().unwrap())
        );

        invite(&app, &t, &child, 1).await;
        let run = send(&app, &transports).await;
        assert_eq!((run.bounced, run.sent), (1, 0), "{run:?}");
    }
}

#[tokio::test]
async fn without_a_transport_no_page_says_sent() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let child = child_with(
            &app,
            &t,
            "150315-4321",
            json!([{"name": "Mette Testesen", "relation": "mother", "custody": true, "email": "mette@example.dk"}]),
        )
        .await;
        assert_eq!(invite(&app, &t, &child, 0).await["delivery"], Value::Null);

        let mut b = Browser::logged_in(&app, "k@kbh.dk").await;
        let r = b
            .submit(
                &format!("/children/{child}/invitations"),
                &[
                    ("instrument", "sdq-parent-4-17"),
                    ("respondent", "guardian:0"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let page = r.text();
        assert!(page.contains("Ikke sendt – kopiér linket"), "{page}");
        assert!(page.contains("<svg"), "a QR code for the printed letter");
        assert!(!page.contains("sendes som e-mail"));
        let action = page
            .split("action=\"")
            .find_map(|s| s.split('"').next().filter(|a| a.ends_with("/mark-sent")))
            .expect("a mark-as-sent form")
            .to_string();

        let overview = b.page(&format!("/children/{child}/questionnaires")).await;
        assert_eq!(overview.matches("Ikke sendt – kopiér linket").count(), 2);
        assert!(!overview.contains(">Sendt"));

        let r = b.submit(&action, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let overview = b.page(&format!("/children/{child}/questionnaires")).await;
        assert_eq!(
            overview.matches("Givet videre af en medarbejder").count(),
            1
        );
        assert_eq!(overview.matches("Ikke sendt – kopiér linket").count(), 1);
        // Nothing was queued for a transport that is not there.
        let queued: i64 = app
            .db
            .scalar("SELECT COUNT(*) FROM outbox WHERE channel <> 'manual'")
            .await;
        assert_eq!(queued, 0);
    }
}

#[tokio::test]
async fn an_invitation_to_a_new_account_is_emailed() {
    let Some(mail) = MailServer::start() else {
        return;
    };
    for backend in backends() {
        let transports = Transports {
            email: Some(Arc::new(mail.transport())),
            sms: None,
        };
        let app = TestApp::with_transports(backend, transports.clone()).await;
        app.user_token("admin@kbh.dk", "admin", "0101").await;
        let mut admin = Browser::logged_in(&app, "admin@kbh.dk").await;
        let r = admin
            .submit(
                "/admin/users",
                &[
                    ("name", "Ny Terapeut"),
                    ("email", "ny.terapeut@example.dk"),
                    ("role", "therapist"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let page = r.text();
        assert!(page.contains("sendes som e-mail"), "{page}");
        assert!(
            !page.contains("/password/"),
            "the link goes to the person, not the page"
        );

        let before = mail.messages().len();
        assert_eq!(send(&app, &transports).await.sent, 1);
        let m = &mail.messages()[before];
        assert_eq!(m["to"], json!(["ny.terapeut@example.dk"]));
        let body = m["body"].as_str().unwrap();
        let i = body.find("http://localhost/password/").expect("the link");
        let link = body[i + "http://localhost".len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        let mut new = Browser::new(&app);
        assert!(new.page(&link).await.contains("Ny Terapeut"));
        let r = new
            .post(
                &link,
                &[
                    ("password", "my own long password"),
                    ("repeated", "my own long password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            new.login("ny.terapeut@example.dk", "my own long password")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
}

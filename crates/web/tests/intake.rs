//! The public self-referral form and the staff intake queue, through HTTP.

mod support;

use axum::http::StatusCode;
use chrono::Datelike;
use samspor_domain::cpr::{Cpr, Sex};
use support::{Browser, Reply, TestApp, each_backend, hidden_csrf};

const KBH: &str = "0101";
const AARHUS: &str = "0751";

impl Browser<'_> {
    /// Opens the public form and sends it, as a family would.
    async fn refer(&mut self, code: &str, family: &Family) -> Reply {
        let path = format!("/henvendelse/{code}");
        let page = self.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = hidden_csrf(&page.text());
        let mut form = family.form();
        form.push(("csrf", csrf.as_str()));
        self.post(&path, &form).await
    }
}

/// What one family writes; every value is distinctive so its absence can be checked.
struct Family {
    given: &'static str,
    family: &'static str,
    cpr: String,
    contact: &'static str,
    phone: &'static str,
    email: &'static str,
    worry: &'static str,
}

impl Family {
    fn new() -> Family {
        // Ten years old today: inside 3–17 whenever the tests run.
        let today = chrono::Local::now().date_naive();
        let born = chrono::NaiveDate::from_ymd_opt(today.year() - 10, 6, 10).unwrap();
        Family {
            given: "Ingefrid",
            family: "Prøvesen",
            cpr: Cpr::synthetic(born, Sex::Female, 3).unwrap().to_string(),
            contact: "Mette Prøvesen",
            phone: "12 34 56 78",
            email: "mette.proevesen@example.org",
            worry: "Hun er bange for at gå i skole og sover dårligt.",
        }
    }

    fn form(&self) -> Vec<(&str, &str)> {
        vec![
            ("writer", "parent"),
            ("child_given_name", self.given),
            ("child_family_name", self.family),
            ("child_cpr", &self.cpr),
            ("contact_name", self.contact),
            ("phone", self.phone),
            ("email", self.email),
            ("worry", self.worry),
            ("duration", "Siden sommerferien"),
            ("tried", ""),
        ]
    }

    /// Anything that would tell who the family is.
    fn personal(&self) -> Vec<String> {
        vec![
            self.given.into(),
            self.family.into(),
            self.cpr.clone(),
            self.cpr.replace('-', ""),
            self.contact.into(),
            self.phone.into(),
            self.email.into(),
            self.worry.into(),
        ]
    }
}

async fn staff(app: &TestApp) {
    app.user_token("k@kbh.dk", "coordinator", KBH).await;
    app.user_token("a@aarhus.dk", "coordinator", AARHUS).await;
}

/// The register button's form action in the intake list, e.g. `/intake/{id}/register`.
fn register_action(html: &str) -> String {
    let i = html.find("/register\"").expect("a register button");
    let start = html[..i].rfind("action=\"").unwrap() + "action=\"".len();
    html[start..i + "/register".len()].to_string()
}

#[tokio::test]
async fn the_public_form_reaches_only_its_own_municipalitys_intake() {
    each_backend(|app| async move {
        staff(&app).await;
        let fam = Family::new();
        let mut family = Browser::new(&app);
        let page = family.get("/henvendelse/0101").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("København"));
        assert!(html.contains("112"), "the emergency number is on the form");
        assert!(html.contains("14 dage"));
        assert!(!html.contains("/logout"), "no staff navigation");
        assert!(page.header("cache-control").contains("no-store"));

        let sent = family.refer(KBH, &fam).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
        assert_eq!(sent.header("location"), "/henvendelse/0101/kvittering");

        let mut kbh = Browser::new(&app);
        kbh.sign_in("k@kbh.dk").await;
        let queue = kbh.get("/intake").await;
        assert_eq!(queue.status, StatusCode::OK);
        let html = queue.text();
        assert!(html.contains("Ingefrid Prøvesen"), "{html}");
        assert!(html.contains("Hun er bange for at gå i skole"));
        assert!(html.contains("Forælder"));
        assert!(html.contains("Opret forløb"));

        let mut aarhus = Browser::new(&app);
        aarhus.sign_in("a@aarhus.dk").await;
        let other = aarhus.get("/intake").await;
        assert_eq!(other.status, StatusCode::OK);
        assert!(!other.text().contains("Ingefrid"));
        assert!(other.text().contains("Ingen nye henvendelser"));
    })
    .await;
}

#[tokio::test]
async fn the_receipt_holds_no_personal_data() {
    each_backend(|app| async move {
        let fam = Family::new();
        let mut family = Browser::new(&app);
        let sent = family.refer(KBH, &fam).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        let location = sent.header("location");
        for p in fam.personal() {
            assert!(!location.contains(&p), "{p} in the address");
        }
        let receipt = family.get(&location).await;
        assert_eq!(receipt.status, StatusCode::OK);
        let html = receipt.text();
        for shown in ["Kvitteringsnummer", "København", "14 dage"] {
            assert!(html.contains(shown), "{shown}");
        }
        let number = html
            .split("class=\"receipt-number\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap();
        assert!(number.starts_with("H-") && number.len() == 11, "{number}");
        for p in fam.personal() {
            assert!(!html.contains(&p), "the receipt shows {p}");
        }
        assert!(receipt.header("cache-control").contains("no-store"));

        // Someone else at the address sees no receipt.
        let stranger = Browser::new(&app).get(&location).await;
        assert!(!stranger.text().contains(number));
        assert!(stranger.text().contains("Ingen kvittering"));
    })
    .await;
}

#[tokio::test]
async fn an_invalid_cpr_shows_the_form_again_and_writes_nothing() {
    each_backend(|app| async move {
        let before = app.audit_count().await;
        let fam = Family {
            cpr: "3102151234".into(),
            ..Family::new()
        };
        let mut family = Browser::new(&app);
        let r = family.refer(KBH, &fam).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(
            html.contains("class=\"error\" id=\"child_cpr-error\""),
            "{html}"
        );
        assert!(
            html.contains("href=\"#child_cpr\""),
            "the summary links to the field"
        );
        assert!(html.contains("aria-invalid=\"true\""));
        // What the family wrote is still there, so nothing has to be typed again.
        assert!(html.contains("value=\"Ingefrid\""));
        assert!(html.contains("Hun er bange for at gå i skole"));
        assert!(html.contains("value=\"parent\" required checked"));
        assert_eq!(app.audit_count().await, before, "nothing was written");

        let none = family
            .post(
                "/henvendelse/0101",
                &[("csrf", &hidden_csrf(&html)), ("worry", "x")],
            )
            .await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in [
            "writer",
            "child_given_name",
            "child_cpr",
            "contact_name",
            "phone",
        ] {
            assert!(
                none.text().contains(&format!("id=\"{field}-error\"")),
                "{field} is named"
            );
        }
        assert_eq!(app.audit_count().await, before);
    })
    .await;
}

#[tokio::test]
async fn the_public_form_needs_its_csrf_cookie() {
    each_backend(|app| async move {
        let before = app.audit_count().await;
        let fam = Family::new();
        let mut form = fam.form();
        form.push(("csrf", "made-up"));
        let mut other_site = Browser::new(&app);
        let r = other_site.post("/henvendelse/0101", &form).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.text().contains("Formularen blev ikke sendt"));
        assert!(!r.text().contains(fam.given), "a forged post is not echoed");
        assert_eq!(app.audit_count().await, before);
    })
    .await;
}

#[tokio::test]
async fn the_sixth_post_from_one_address_is_refused_while_others_get_through() {
    each_backend(|app| async move {
        let fam = Family::new();
        // Claims of another address are ignored unless a proxy is configured to make them.
        let mut flooder = Browser::from(&app, "198.51.100.20:50000");
        for i in 0..5 {
            flooder.forwarded_for = Some(format!("203.0.113.{i}"));
            let r = flooder.refer(KBH, &fam).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "post {}", i + 1);
        }
        let before = app.audit_count().await;
        let sixth = flooder.refer(KBH, &fam).await;
        assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
        let html = sixth.text();
        assert!(html.contains("har ikke modtaget denne"), "{html}");
        assert!(html.contains("ringe til kommunen"));
        assert!(html.contains("value=\"Ingefrid\""), "the words are kept");
        assert!(sixth.header("retry-after").parse::<u64>().unwrap() > 0);
        assert_eq!(app.audit_count().await, before, "nothing was written");

        let mut neighbour = Browser::from(&app, "198.51.100.21:50000");
        assert_eq!(
            neighbour.refer(KBH, &fam).await.status,
            StatusCode::SEE_OTHER
        );
        // Without a known peer (no ConnectInfo) requests share one local address.
        let mut unknown = Browser::new(&app);
        assert_eq!(unknown.refer(KBH, &fam).await.status, StatusCode::SEE_OTHER);

        let mut kbh = Browser::new(&app);
        app.user_token("k@kbh.dk", "coordinator", KBH).await;
        kbh.sign_in("k@kbh.dk").await;
        let queue = kbh.get("/intake").await.text();
        assert_eq!(queue.matches("/register\"").count(), 7);
    })
    .await;
}

#[tokio::test]
async fn registering_opens_a_course_and_a_second_time_says_already_handled() {
    each_backend(|app| async move {
        staff(&app).await;
        let mut family = Browser::new(&app);
        family.refer(KBH, &Family::new()).await;

        let mut kbh = Browser::new(&app);
        kbh.sign_in("k@kbh.dk").await;
        let html = kbh.get("/intake").await.text();
        let action = register_action(&html);
        let csrf = hidden_csrf(&html);

        let no_token = kbh.post(&action, &[("csrf", "wrong")]).await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN);

        // Another municipality cannot register it, nor learn that it exists.
        let mut aarhus = Browser::new(&app);
        aarhus.sign_in("a@aarhus.dk").await;
        let a_csrf = hidden_csrf(&aarhus.get("/intake").await.text());
        let foreign = aarhus.post(&action, &[("csrf", &a_csrf)]).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);

        let done = kbh.post(&action, &[("csrf", &csrf)]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        let course = done.header("location");
        let id = course
            .strip_prefix("/courses/")
            .expect("to the course page");
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{course}");

        let again = kbh.post(&action, &[("csrf", &csrf)]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.text().contains("allerede behandlet"));
        assert!(again.text().contains("Ingen nye henvendelser"));

        // The child now has a record in the municipality.
        let children = kbh.get("/children?q=Ingefrid").await;
        assert!(children.text().contains("Prøvesen"));
    })
    .await;
}

#[tokio::test]
async fn dismissing_takes_it_off_the_list() {
    each_backend(|app| async move {
        staff(&app).await;
        Browser::new(&app).refer(KBH, &Family::new()).await;
        let mut kbh = Browser::new(&app);
        kbh.sign_in("k@kbh.dk").await;
        let html = kbh.get("/intake").await.text();
        let action = register_action(&html).replace("/register", "/dismiss");
        // Without a reason: refused, still in the queue.
        let r = kbh
            .post(&action, &[("csrf", &hidden_csrf(&html)), ("reason", " ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Ingefrid"));
        let r = kbh
            .post(
                &action,
                &[
                    ("csrf", &hidden_csrf(&html)),
                    ("reason", "En dublet af en tidligere henvendelse"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let back = kbh.get(&r.header("location")).await.text();
        assert!(back.contains("Henvendelsen er afvist"));
        assert!(!back.contains("Opret forløb"), "the queue is empty");
        // Set aside, with why, and restorable for 30 days.
        assert!(back.contains("Afviste henvendelser"));
        assert!(back.contains("En dublet af en tidligere henvendelse"));
        let again = kbh
            .post(
                &action,
                &[("csrf", &hidden_csrf(&html)), ("reason", "igen")],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        let restore = action.replace("/dismiss", "/restore");
        let r = kbh.post(&restore, &[("csrf", &hidden_csrf(&html))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let back = kbh.get(&r.header("location")).await.text();
        assert!(back.contains("Henvendelsen er tilbage i listen."));
        assert!(back.contains("Opret forløb"), "back in the queue");
        assert!(!back.contains("Afviste henvendelser"));
        // Restoring twice, or what was never set aside, is refused.
        let twice = kbh.post(&restore, &[("csrf", &hidden_csrf(&html))]).await;
        assert_ne!(twice.status, StatusCode::SEE_OTHER);

        // Past 30 days it is no longer listed nor restorable.
        let r = kbh
            .post(
                &action,
                &[("csrf", &hidden_csrf(&html)), ("reason", "Spam")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let old = (chrono::Utc::now() - chrono::Duration::days(31)).to_rfc3339();
        // Written as the store writes times (RFC 3339), which both databases read back.
        app.db
            .exec_raw(&format!("UPDATE self_referrals SET handled_at = '{old}'"))
            .await
            .unwrap();
        let back = kbh.get("/intake").await.text();
        assert!(!back.contains("Afviste henvendelser"));
        let late = kbh.post(&restore, &[("csrf", &hidden_csrf(&html))]).await;
        assert_ne!(late.status, StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn an_unknown_municipality_is_not_found() {
    each_backend(|app| async move {
        let mut b = Browser::new(&app);
        for path in [
            "/henvendelse/9999",
            "/henvendelse/DK-84",
            "/henvendelse/9999/kvittering",
        ] {
            let r = b.get(path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(r.text().contains("Siden findes ikke"));
        }
        let before = app.audit_count().await;
        let r = b.post("/henvendelse/9999", &Family::new().form()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.audit_count().await, before);
    })
    .await;
}

#[tokio::test]
async fn the_queue_is_for_staff_who_work_with_children() {
    each_backend(|app| async move {
        app.user_token("admin@kbh.dk", "admin", KBH).await;
        let anonymous = Browser::new(&app).get("/intake").await;
        assert_eq!(anonymous.header("location"), "/login");
        let mut admin = Browser::new(&app);
        admin.sign_in("admin@kbh.dk").await;
        assert_eq!(admin.get("/intake").await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_form_is_available_in_english() {
    each_backend(|app| async move {
        let mut b = Browser::new(&app);
        b.cookies.push(("samspor_lang".into(), "en".into()));
        let html = b.get("/henvendelse/0751").await.text();
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("Ask for help"));
        assert!(html.contains("Aarhus"));
    })
    .await;
}

/// The main navigation of a page.
fn nav(html: &str) -> &str {
    let start = html.find("<nav").expect("a navigation");
    &html[start..start + html[start..].find("</nav>").unwrap()]
}

#[tokio::test]
async fn the_front_page_counts_the_new_self_referrals_for_those_who_register_them() {
    each_backend(|app| async move {
        staff(&app).await;
        app.user_token("admin@kbh.dk", "admin", KBH).await;
        let mut kbh = Browser::logged_in(&app, "k@kbh.dk").await;
        let home = kbh.page("/").await;
        assert!(
            home.contains("0 venter på at blive læst og registreret"),
            "{home}"
        );
        assert!(nav(&home).contains(r#"<a href="/intake">Nye henvendelser</a>"#));
        assert!(
            nav(&kbh.page("/intake").await)
                .contains(r#"<a href="/intake" aria-current="page">Nye henvendelser</a>"#)
        );

        let sent = Browser::new(&app).refer(KBH, &Family::new()).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        let home = kbh.page("/").await;
        assert!(
            home.contains(r#"<a href="/intake">1 venter på at blive læst og registreret</a>"#),
            "{home}"
        );
        let mut aarhus = Browser::logged_in(&app, "a@aarhus.dk").await;
        assert!(aarhus.page("/").await.contains("0 venter på"));

        let action = register_action(&kbh.page("/intake").await);
        assert_eq!(kbh.submit(&action, &[]).await.status, StatusCode::SEE_OTHER);
        assert!(kbh.page("/").await.contains("0 venter på"));

        // An administrator registers no families: neither the count nor the menu entry.
        let mut admin = Browser::logged_in(&app, "admin@kbh.dk").await;
        let home = admin.page("/").await;
        assert!(!home.contains("venter på at blive læst") && !home.contains(r#"href="/intake""#));
    })
    .await;
}

#[tokio::test]
async fn a_request_for_a_child_already_known_here_says_so_and_never_tells_of_another_municipality()
{
    each_backend(|app| async move {
        staff(&app).await;
        let family = Family::new();
        // Aarhus has the child registered: København's queue must not tell.
        let aarhus = samspor_store::accounts::create_api_token(&app.db.store, "a@aarhus.dk", "t", 30)
            .await
            .unwrap();
        let r = app
            .post(
                "/api/v1/children",
                &aarhus,
                serde_json::json!({"cpr": family.cpr, "given_name": family.given, "family_name": family.family}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        Browser::new(&app).refer(KBH, &family).await;
        let mut kbh = Browser::new(&app);
        kbh.sign_in("k@kbh.dk").await;
        let html = kbh.get("/intake").await.text();
        assert!(!html.contains("Barnet er allerede registreret hos jer."), "another municipality's child is not revealed");

        // Registered here: the next request for the same child is flagged, with a link.
        let r = kbh
            .post(&register_action(&html), &[("csrf", &hidden_csrf(&html))])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        Browser::new(&app).refer(KBH, &family).await;
        let html = kbh.get("/intake").await.text();
        assert!(html.contains("Barnet er allerede registreret hos jer."), "{html}");
        assert!(html.contains("Barnet har et åbent forløb"));
        assert!(html.contains("href=\"/children/"));
    })
    .await;
}

//! The web UI through HTTP: login, CSRF, forms shown again with their errors.

mod support;

use axum::http::{StatusCode, header};
use support::{Browser, PASSWORD, TestApp, each_backend, hidden_csrf};

async fn with_user(app: &TestApp) {
    app.user_token("k@kbh.dk", "coordinator", "0101").await;
}

#[tokio::test]
async fn login_creates_a_session_and_logout_ends_it() {
    each_backend(|app| async move {
        with_user(&app).await;
        let mut b = Browser::new(&app);
        let first = b.get("/").await;
        assert_eq!(first.status, StatusCode::SEE_OTHER);
        assert_eq!(first.header("location"), "/login");

        let wrong = b.login("k@kbh.dk", "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.text().contains("Forkert e-mail eller adgangskode"));
        let unknown = b.login("nobody@kbh.dk", "not the password").await;
        assert!(
            unknown.text().contains("Forkert e-mail eller adgangskode"),
            "same message for unknown e-mail"
        );

        let ok = b.login("k@kbh.dk", PASSWORD).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let cookie = ok
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("samspor_session="))
            .expect("session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let home = b.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.text().contains("<h1>Forside</h1>"));
        assert!(home.text().contains("Name of k@kbh.dk"));

        let csrf = hidden_csrf(&home.text());
        let out = b.post("/logout", &[("csrf", &csrf)]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(b.get("/children").await.header("location"), "/login");
    })
    .await;
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    each_backend(|app| async move {
        with_user(&app).await;
        let mut b = Browser::new(&app);
        let no_token = b
            .post("/login", &[("email", "k@kbh.dk"), ("password", PASSWORD)])
            .await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN);
        assert!(no_token.text().contains("Formularen er udløbet"));
        b.login("k@kbh.dk", PASSWORD).await;
        let before = app.audit_count().await;
        let forged = b
            .post(
                "/children",
                &[
                    ("csrf", "forged"),
                    ("cpr", "150315-4321"),
                    ("given_name", "A"),
                    ("family_name", "B"),
                ],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(app.audit_count().await, before);
    })
    .await;
}

#[tokio::test]
async fn child_form_is_shown_again_with_field_errors() {
    each_backend(|app| async move {
        with_user(&app).await;
        let mut b = Browser::new(&app);
        b.login("k@kbh.dk", PASSWORD).await;
        let form = b.get("/children/new").await;
        let csrf = hidden_csrf(&form.text());
        let r = b
            .post(
                "/children",
                &[
                    ("csrf", &csrf),
                    ("cpr", "320115-1234"),
                    ("given_name", "Testa"),
                    ("family_name", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains(r#"id="cpr-error""#));
        assert!(html.contains(r#"aria-describedby="cpr-error cpr-hint""#));
        assert!(html.contains(r#"id="family_name-error""#));
        assert!(html.contains(r#"value="Testa""#), "typed values are kept");
        assert!(html.contains("findes ikke"), "Danish message: {html}");

        let r = b
            .post(
                "/children",
                &[
                    ("csrf", &csrf),
                    ("cpr", "150315-4321"),
                    ("given_name", "Testa"),
                    ("family_name", "Testesen"),
                    ("g0-name", "Mette"),
                    ("g0-relation", "mother"),
                    ("g0-custody", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let child_path = r.header("location").split('?').next().unwrap().to_string();
        let page = b.get(&r.header("location")).await;
        let html = page.text();
        assert!(html.contains("Testa Testesen"));
        assert!(html.contains("15.03.2015"));
        assert!(html.contains("Dreng"));
        assert!(html.contains("Mette"));

        let dup = b
            .post(
                "/children",
                &[
                    ("csrf", &csrf),
                    ("cpr", "1503154321"),
                    ("given_name", "X"),
                    ("family_name", "Y"),
                ],
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(dup.text().contains("allerede registreret"));

        // A correction keeps the earlier value, shown in words on the history page.
        let edit = b.get(&format!("{child_path}/edit")).await.text();
        assert!(edit.contains(r#"name="version" value="1""#));
        let saved = b
            .post(
                &format!("{child_path}/edit"),
                &[
                    ("csrf", &csrf),
                    ("version", "1"),
                    ("cpr", "150315-4321"),
                    ("given_name", "Testa"),
                    ("family_name", "Testesen"),
                    ("school", "Byskolen"),
                    ("g0-name", "Mette"),
                    ("g0-relation", "mother"),
                    ("g0-custody", "1"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let history = b.get(&format!("{child_path}/history")).await.text();
        assert!(history.contains("<td>Skole</td>"), "{history}");
        assert!(history.contains("Skole: –"), "the school was empty before");
        let stale = b
            .post(
                &format!("{child_path}/edit"),
                &[
                    ("csrf", &csrf),
                    ("version", "1"),
                    ("cpr", "150315-4321"),
                    ("given_name", "Tessa"),
                    ("family_name", "Testesen"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.text().contains("ændret af en anden"));
    })
    .await;
}

#[tokio::test]
async fn another_organisations_child_page_is_404_in_html() {
    each_backend(|app| async move {
        with_user(&app).await;
        app.user_token("k@aarhus.dk", "coordinator", "0751").await;
        let mut kbh = Browser::new(&app);
        kbh.login("k@kbh.dk", PASSWORD).await;
        let csrf = hidden_csrf(&kbh.get("/children/new").await.text());
        let r = kbh
            .post(
                "/children",
                &[
                    ("csrf", &csrf),
                    ("cpr", "150315-4321"),
                    ("given_name", "Testa"),
                    ("family_name", "Testesen"),
                ],
            )
            .await;
        let path = r.header("location").split('?').next().unwrap().to_string();

        let mut aar = Browser::new(&app);
        aar.login("k@aarhus.dk", PASSWORD).await;
        let page = aar.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(page.header("content-type").starts_with("text/html"));
        assert!(page.text().contains("Ikke fundet"));
        assert!(!page.text().contains("Testesen"));
    })
    .await;
}

#[tokio::test]
async fn language_switch_sets_english() {
    each_backend(|app| async move {
        with_user(&app).await;
        let mut b = Browser::new(&app);
        b.login("k@kbh.dk", PASSWORD).await;
        let r = b.get("/lang?to=en&back=/children").await;
        assert_eq!(r.header("location"), "/children");
        let page = b.get("/children").await;
        assert!(page.text().contains("<h1>Children</h1>"));
        assert!(page.text().contains(r#"<html lang="en">"#));
        let evil = b.get("/lang?to=da&back=//evil.example").await;
        assert_eq!(evil.header("location"), "/");
    })
    .await;
}

#[tokio::test]
async fn unknown_pages_are_friendly_404s() {
    each_backend(|app| async move {
        let mut b = Browser::new(&app);
        let r = b.get("/no/such/page").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.text().contains("Ikke fundet"));
    })
    .await;
}

#[tokio::test]
async fn admins_edit_participation_and_add_units() {
    each_backend(|app| async move {
        app.user_token("admin@kbh.dk", "admin", "0101").await;
        let mut b = Browser::new(&app);
        b.login("admin@kbh.dk", PASSWORD).await;
        let form = b.get("/organisations/0101/participation").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = hidden_csrf(&form.text());

        let bad = b
            .post(
                "/organisations/0101/participation",
                &[
                    ("csrf", &csrf),
                    ("worry_sadness", "1. marts"),
                    ("kit", "2024-01-01"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains(r#"id="worry_sadness-error""#));
        let list = b.get("/organisations").await.text();
        assert!(
            !list.contains("KIT – Koordineret Indsats på Tværs ("),
            "a refused form saves nothing"
        );
        // Region membership is effective-dated: the page shows the regions of today.
        let today = samspor_store::courses::local(chrono::Utc::now()).date();
        if today < chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() {
            assert!(list.contains("Region Hovedstaden (DK-84)"));
            assert!(list.contains(
                "Til og med 31.12.2026; derefter hører kommunerne under Region Østdanmark."
            ));
        } else {
            assert!(!list.contains("Region Hovedstaden (DK-84)"));
            assert!(list.contains("Region Østdanmark (DK-OST)"));
            assert!(list.contains("Koden er foreløbig"));
        }

        let ok = b
            .post(
                "/organisations/0101/participation",
                &[
                    ("csrf", &csrf),
                    ("worry_sadness", "2024-08-01"),
                    ("kit", "2022-01-01"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let list = b.get(&ok.header("location")).await.text();
        assert!(list.contains("Når bekymring eller tristhed fylder for meget (01.08.2024)"));
        assert!(list.contains("Deltagelsen er gemt."));

        let other = b.get("/organisations/0751/participation").await;
        assert_eq!(
            other.status,
            StatusCode::FORBIDDEN,
            "another municipality's participation"
        );

        let unit = b
            .post(
                "/organisations/units",
                &[
                    ("csrf", &csrf),
                    ("kind", "ppr"),
                    ("name", "PPR Nord"),
                    ("parent", "0101"),
                    ("sor_code", ""),
                    ("ean_code", ""),
                ],
            )
            .await;
        assert_eq!(unit.status, StatusCode::SEE_OTHER);
        let list = b.get("/organisations").await.text();
        assert!(list.contains("U000001") && list.contains("PPR Nord"));
        let bad_unit = b
            .post(
                "/organisations/units",
                &[
                    ("csrf", &csrf),
                    ("kind", "ppr"),
                    ("name", ""),
                    ("parent", "0101"),
                    ("sor_code", "12"),
                    ("ean_code", ""),
                ],
            )
            .await;
        assert_eq!(bad_unit.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad_unit.text().contains(r#"id="name-error""#)
                && bad_unit.text().contains(r#"id="sor_code-error""#)
        );
    })
    .await;
}

/// The `Set-Cookie` header a reply gives for `name`, or empty.
fn set_cookie(r: &support::Reply, name: &str) -> String {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_default()
}

#[tokio::test]
async fn login_returns_to_the_page_asked_for() {
    each_backend(|app| async move {
        with_user(&app).await;
        let mut b = Browser::new(&app);
        let deep = "/children?q=Testesen";
        let asked = b.get(deep).await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER);
        // The search term stays out of the address bar and the login page's URL.
        assert_eq!(asked.header("location"), "/login");
        let cookie = set_cookie(&asked, "samspor_return");
        for part in ["Path=/login", "HttpOnly", "SameSite=Lax", "Max-Age="] {
            assert!(cookie.contains(part), "{part} in {cookie}");
        }
        assert!(
            !cookie.contains("Testesen") && !cookie.contains("Secure"),
            "{cookie}"
        );

        let login = b.login("k@kbh.dk", PASSWORD).await;
        assert_eq!(login.status, StatusCode::SEE_OTHER);
        assert_eq!(login.header("location"), deep);
        assert!(
            set_cookie(&login, "samspor_return").contains("Max-Age=0"),
            "the cookie is removed once used"
        );
        assert!(!b.cookies.iter().any(|(k, _)| k == "samspor_return"));
        assert_eq!(b.get(deep).await.status, StatusCode::OK);

        // A form sent without a session is not remembered: it could not be sent again anyway.
        let mut anon = Browser::new(&app);
        let post = anon.post("/children", &[("given_name", "A")]).await;
        assert_eq!(post.header("location"), "/login");
        assert_eq!(set_cookie(&post, "samspor_return"), "");
        // Nor is the front page: it is where a login lands anyway.
        assert_eq!(set_cookie(&anon.get("/").await, "samspor_return"), "");
    })
    .await;
}

#[tokio::test]
async fn a_return_address_off_this_site_or_to_the_login_itself_is_ignored() {
    each_backend(|app| async move {
        with_user(&app).await;
        for forged in [
            "//evil.example/children",
            "https://evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/login",
            "/login?x=1",
            "/logout",
            "/børn",
        ] {
            let mut b = Browser::new(&app);
            b.cookies.push(("samspor_return".into(), hex(forged)));
            let login = b.login("k@kbh.dk", PASSWORD).await;
            assert_eq!(login.status, StatusCode::SEE_OTHER, "{forged:?}");
            assert_eq!(login.header("location"), "/", "{forged:?}");
        }
        let mut b = Browser::new(&app);
        b.cookies.push(("samspor_return".into(), "not hex".into()));
        assert_eq!(b.login("k@kbh.dk", PASSWORD).await.header("location"), "/");

        // Without a page asked for, a login still lands on the front page.
        let mut plain = Browser::new(&app);
        let login = plain.login("k@kbh.dk", PASSWORD).await;
        assert_eq!(login.header("location"), "/");
        assert_eq!(set_cookie(&login, "samspor_return"), "");
    })
    .await;
}

#[tokio::test]
async fn the_return_cookie_is_secure_over_https() {
    let secure = samspor_web::Settings {
        secure_cookies: true,
        ..Default::default()
    };
    let app = TestApp::with_settings(support::backends()[0], secure).await;
    let asked = Browser::new(&app).get("/children").await;
    assert!(set_cookie(&asked, "samspor_return").contains("Secure"));
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn the_favicon_is_public_and_may_be_cached() {
    let app = TestApp::new(support::backends()[0]).await;
    let icon = app.anon_get("/static/favicon.svg").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.header("content-type"), "image/svg+xml");
    assert!(icon.header("cache-control").starts_with("public"));
    assert!(icon.text().starts_with("<svg"));
    let login = app.anon_get("/login").await.text();
    assert!(login.contains(r#"<link rel="icon" href="/static/favicon.svg""#));
}

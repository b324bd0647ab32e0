//! The administrator's user pages through HTTP: invite by a one-time link, choose a password,
//! change a role, deactivate and reactivate, reset a password, revoke an API token, each
//! audited and kept to the administrator's own organisation.

mod support;

use axum::http::StatusCode;
use support::{Browser, TestApp, backends};

const ADMIN: &str = "admin@kbh.dk";
const PASSWORD: &str = "correct horse battery";

/// The `/password/…` link on a page or in a text.
fn password_link(text: &str) -> String {
    let i = text.find("/password/").expect("a password link");
    text[i..]
        .split(|c: char| c == '<' || c == '"' || c.is_whitespace())
        .next()
        .unwrap()
        .to_string()
}

/// The account page the list links to in `name`'s row.
fn account_path(list: &str, name: &str) -> String {
    let rows = list.find("<tbody>").expect("the list");
    let i = rows + list[rows..].find(name).expect("the user is listed");
    let start = list[..i].rfind("/admin/users/").unwrap();
    list[start..].split('"').next().unwrap().to_string()
}

async fn api_status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/children", token).await.status
}

#[tokio::test]
async fn an_administrator_invites_and_the_new_user_chooses_a_password() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        app.user_token(ADMIN, "admin", "0101").await;
        let mut admin = Browser::logged_in(&app, ADMIN).await;
        let list = admin.page("/admin/users").await;
        assert!(list.contains("Name of admin@kbh.dk"));

        // A form with mistakes comes back naming each field and linking to it; nothing is made.
        let users_before = app.db.scalar("SELECT COUNT(*) FROM users").await;
        let r = admin
            .submit(
                "/admin/users",
                &[
                    ("name", ""),
                    ("email", "not an address"),
                    ("role", "analyst"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text();
        for field in ["#name", "#email", "#role"] {
            assert!(
                page.contains(&format!("href=\"{field}\"")),
                "{field}: {page}"
            );
        }
        assert!(page.contains("autofocus"), "the summary takes the focus");
        assert!(
            page.contains("value=\"not an address\""),
            "the form keeps what was typed"
        );
        assert_eq!(
            app.db.scalar("SELECT COUNT(*) FROM users").await,
            users_before
        );

        let audit_before = app.audit_count().await;
        let r = admin
            .submit(
                "/admin/users",
                &[
                    ("name", "Ny Koordinator"),
                    ("email", "ny@kbh.dk"),
                    ("role", "coordinator"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let page = r.text();
        // No e-mail is set up: the page says so and shows the link once.
        assert!(page.contains("Ikke sendt – kopiér linket"));
        let link = password_link(&page);
        assert!(
            app.audit_count().await > audit_before,
            "the invitation is audited"
        );

        // The invited person cannot log in before choosing a password.
        let mut new = Browser::new(&app);
        assert_eq!(
            new.login("ny@kbh.dk", "").await.status,
            StatusCode::UNAUTHORIZED
        );
        let form = new.page(&link).await;
        assert!(form.contains("Ny Koordinator"));
        let r = new
            .post(&link, &[("password", "short"), ("repeated", "short")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("href=\"#password\""));
        let r = new
            .post(
                &link,
                &[
                    ("password", "a long new password"),
                    ("repeated", "a long new passwort"),
                ],
            )
            .await;
        assert!(r.text().contains("href=\"#repeated\""));
        let r = new
            .post(
                &link,
                &[
                    ("password", "a long new password"),
                    ("repeated", "a long new password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("Din adgangskode er gemt"));
        // Used once: the link is gone, and the password works.
        assert_eq!(new.get(&link).await.status, StatusCode::GONE);
        assert_eq!(
            new.login("ny@kbh.dk", "a long new password").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            new.get("/password/not-a-token").await.status,
            StatusCode::GONE
        );
    }
}

#[tokio::test]
async fn an_administrator_changes_roles_deactivates_resets_and_revokes() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        app.user_token(ADMIN, "admin", "0101").await;
        let token = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let mut admin = Browser::logged_in(&app, ADMIN).await;
        let list = admin.page("/admin/users").await;
        let account = account_path(&list, "Name of t@kbh.dk");

        // A GP role does not belong in a municipality.
        let r = admin
            .submit(&format!("{account}/role"), &[("role", "gp")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("href=\"#role\""));
        let r = admin
            .submit(&format!("{account}/role"), &[("role", "coordinator")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            admin
                .page(&account)
                .await
                .contains("<dd>Visitation / tovholder</dd>")
        );
        // The administrator cannot change their own role or deactivate themselves.
        let own = account_path(&list, "Name of admin@kbh.dk");
        let r = admin
            .submit(&format!("{own}/role"), &[("role", "therapist")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = admin.submit(&format!("{own}/deactivate"), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Revoking the API token stops it at once.
        assert_eq!(api_status(&app, &token).await, StatusCode::OK);
        let page = admin.page(&account).await;
        let i = page.find("/admin/tokens/").expect("the token is listed");
        let revoke = page[i..].split('"').next().unwrap().to_string();
        assert_eq!(
            admin.submit(&revoke, &[]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(api_status(&app, &token).await, StatusCode::UNAUTHORIZED);

        // Deactivation ends the session and refuses the next login.
        let mut therapist = Browser::logged_in(&app, "t@kbh.dk").await;
        assert_eq!(therapist.get("/").await.status, StatusCode::OK);
        let r = admin.submit(&format!("{account}/deactivate"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(therapist.get("/").await.status, StatusCode::SEE_OTHER);
        assert_eq!(
            therapist.login("t@kbh.dk", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            admin
                .submit(&format!("{account}/reactivate"), &[])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let mut therapist = Browser::logged_in(&app, "t@kbh.dk").await;

        // A reset ends the old password and the session; the new link sets a new one.
        let r = admin
            .submit(&format!("{account}/reset-password"), &[])
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let link = password_link(&r.text());
        assert_eq!(therapist.get("/").await.status, StatusCode::SEE_OTHER);
        assert_eq!(
            therapist.login("t@kbh.dk", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        let r = therapist
            .post(
                &link,
                &[
                    ("password", "another long one"),
                    ("repeated", "another long one"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            therapist.login("t@kbh.dk", "another long one").await.status,
            StatusCode::SEE_OTHER
        );
        let changes = app
            .db
            .scalar("SELECT COUNT(*) FROM audit_log WHERE object_type IN ('user', 'api_token') AND action = 'update'")
            .await;
        assert!(
            changes >= 5,
            "role, revoke, deactivate, reactivate, reset: {changes}"
        );
    }
}

#[tokio::test]
async fn only_an_organisations_administrator_keeps_its_accounts() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        app.user_token(ADMIN, "admin", "0101").await;
        app.user_token("admin@aarhus.dk", "admin", "0751").await;
        app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let mut admin = Browser::logged_in(&app, ADMIN).await;
        let account = account_path(&admin.page("/admin/users").await, "Name of k@kbh.dk");

        let mut other = Browser::logged_in(&app, "admin@aarhus.dk").await;
        let list = other.page("/admin/users").await;
        assert!(
            !list.contains("k@kbh.dk"),
            "another municipality's accounts are not listed"
        );
        assert_eq!(other.get(&account).await.status, StatusCode::NOT_FOUND);
        let r = other.submit(&format!("{account}/deactivate"), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let mut coordinator = Browser::logged_in(&app, "k@kbh.dk").await;
        assert_eq!(
            coordinator.get("/admin/users").await.status,
            StatusCode::FORBIDDEN
        );
        assert!(
            !coordinator
                .page("/")
                .await
                .contains("href=\"/admin/users\"")
        );
        assert!(admin.page("/").await.contains("href=\"/admin/users\""));
    }
}

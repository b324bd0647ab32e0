//! KIT through HTTP: a plan only where the municipality takes part in KIT and only with parties
//! a basis covers, network meetings with tasks across organisations, each task owned and worked
//! by its organisation, and the overdue worklist.

mod support;

use axum::http::StatusCode;
use samspor_domain::organisation::Programme;
use samspor_store::service::Ctx;
use samspor_store::{accounts, organisations};
use serde_json::{Value, json};
use support::sharing::{basis, child_with_course, guardian, unit};
use support::{Browser, TestApp, each_backend};

struct Setup {
    kit: String,
    psychiatry: String,
    school: String,
    buc: String,
    skole: String,
    kbh: String,
    child: String,
    course: String,
}

fn day(offset: i64) -> String {
    let today = samspor_store::courses::local(chrono::Utc::now()).date();
    (today + chrono::TimeDelta::days(offset)).to_string()
}

async fn offer_kit(app: &TestApp) {
    let token = app.user_token("admin@kbh.dk", "admin", "0101").await;
    let admin = accounts::user_by_api_token(&app.db.store, &token)
        .await
        .unwrap()
        .unwrap();
    let since = chrono::NaiveDate::from_ymd_opt(2024, 1, 1);
    let ctx = Ctx::new(admin.actor, "test");
    organisations::set_participation(&app.db.store, &ctx, "0101", Programme::Kit, since)
        .await
        .unwrap();
}

async fn setup(app: &TestApp) -> Setup {
    let kit = app
        .user_token("kit@kbh.dk", "kit_coordinator", "0101")
        .await;
    let (buc, buc_code) = unit(app, "psychiatry", "BUC Testrup").await;
    let psychiatry = app.user_token("p@buc.dk", "psychiatry", &buc_code).await;
    let (skole, skole_code) = unit(app, "school", "Testskolen").await;
    let school = app
        .user_token("laerer@skole.dk", "therapist", &skole_code)
        .await;
    let (child, course) = child_with_course(app, &kit, "2013-05-06").await;
    let kbh = app
        .get("/api/v1/organisations", &kit)
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "0101")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    Setup {
        kit,
        psychiatry,
        school,
        buc,
        skole,
        kbh,
        child,
        course,
    }
}

/// Both custody holders' written consent for the course facts and the plan: to BUC for
/// treatment, and to the school for another purpose (two consents, as the law has two rules).
async fn consent(app: &TestApp, s: &Setup) {
    let view = basis(app, &s.kit, &s.child).await;
    let givers = [guardian(&view, "Mor Deling"), guardian(&view, "Far Deling")];
    for (org, kind) in [(&s.buc, "child_psychiatry"), (&s.skole, "school_ppr")] {
        let r = app
            .post(
                &format!("/api/v1/children/{}/consents", s.child),
                &s.kit,
                json!({"recipients": [{"org_id": org, "kind": kind}],
                       "categories": ["contact_and_course", "plan"], "purpose_text": "KIT-forløb",
                       "form": "written", "given_on": day(-1), "givers": givers}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
}

fn plan(s: &Setup) -> Value {
    json!({"goals": "Tilbage i skole fire dage om ugen inden jul", "next_review_on": day(14),
        "parties": [
            {"sector": "municipality", "org_id": s.kbh, "contact_name": "Kira KIT",
             "contact": "kira@kbh.dk", "responsibility": "Koordinerer og holder samtaler med familien"},
            {"sector": "psychiatry", "org_id": s.buc, "contact_name": "Per Psykolog",
             "responsibility": "Udreder og behandler angsten"},
            {"sector": "school", "org_id": s.skole, "contact_name": "Lis Lærer",
             "responsibility": "Nedsat skema og en fast voksen"}]})
}

#[tokio::test]
async fn a_kit_plan_needs_participation_and_a_basis_for_every_party() {
    each_backend(|app| async move {
        let s = setup(&app).await;
        let path = format!("/api/v1/courses/{}/kit-plan", s.course);
        let before = app.audit_count().await;
        let r = app.put(&path, &s.kit, plan(&s)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(
            app.audit_count().await,
            before,
            "a refused plan writes nothing"
        );
        let f = r.fields();
        assert!(
            f.contains(&"course".to_string()),
            "no KIT participation: {f:?}"
        );
        offer_kit(&app).await;
        let before = app.audit_count().await;
        let r = app.put(&path, &s.kit, plan(&s)).await;
        assert_eq!(
            r.fields(),
            ["parties[1].org_id", "parties[2].org_id"],
            "no basis yet"
        );
        let r = app.put(&path, &s.kit, json!({"parties": []})).await;
        assert_eq!(
            r.fields(),
            ["goals", "next_review_on", "parties", "parties"]
        );
        let mut wrong = plan(&s);
        wrong["parties"][1]["org_id"] = json!(s.skole);
        assert_eq!(
            app.audit_count().await,
            before,
            "refused plans write nothing"
        );
        consent(&app, &s).await;
        let before = app.audit_count().await;
        let r = app.put(&path, &s.kit, wrong).await;
        assert_eq!(
            r.fields(),
            ["parties[1].org_id"],
            "a school is not child psychiatry"
        );
        assert_eq!(
            app.audit_count().await,
            before,
            "a refused plan writes nothing"
        );

        let r = app.put(&path, &s.kit, plan(&s)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["version"], 1);
        let shares = basis(&app, &s.kit, &s.child).await["shares"].clone();
        assert_eq!(
            shares.as_array().unwrap().len(),
            2,
            "shared with BUC and the school"
        );

        // Every party reads the plan; a stranger does not; only the municipality writes it.
        for t in [&s.kit, &s.psychiatry, &s.school] {
            let v = app.get(&path, t).await;
            assert_eq!(v.status, StatusCode::OK, "{}", v.text());
            assert_eq!(v.json()["plan"]["parties"].as_array().unwrap().len(), 3);
        }
        let (_, other) = unit(&app, "psychiatry", "BUC Andetsted").await;
        let stranger = app.user_token("p@andet.dk", "psychiatry", &other).await;
        assert_eq!(
            app.get(&path, &stranger).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.put(&path, &s.psychiatry, plan(&s)).await.status,
            StatusCode::NOT_FOUND
        );

        // A stale version is a conflict.
        let mut stale = plan(&s);
        stale["version"] = json!(0);
        assert_eq!(
            app.put(&path, &s.kit, stale).await.status,
            StatusCode::CONFLICT
        );
    })
    .await;
}

#[tokio::test]
async fn meetings_give_tasks_that_their_owners_work_and_the_overdue_show() {
    each_backend(|app| async move {
        let s = setup(&app).await;
        offer_kit(&app).await;
        consent(&app, &s).await;
        let path = format!("/api/v1/courses/{}/kit-plan", s.course);
        assert_eq!(app.put(&path, &s.kit, plan(&s)).await.status, StatusCode::OK);
        let meetings = format!("/api/v1/courses/{}/kit-meetings", s.course);
        let tasks = format!("/api/v1/courses/{}/kit-tasks", s.course);

        // A task without owner, or owned outside the plan, changes nothing.
        let (outsider, _) = unit(&app, "gp_practice", "Lægehuset Udenfor").await;
        let before = app.audit_count().await;
        let r = app.post(&tasks, &s.kit, json!({"title": "Ring til mor", "due_on": day(3)})).await;
        assert_eq!(r.fields(), ["owner_org_id"]);
        assert!(r.text().contains("ejer") || r.text().contains("owner"));
        let r = app
            .post(&tasks, &s.kit, json!({"title": "Ring", "owner_org_id": outsider, "due_on": day(3)}))
            .await;
        assert_eq!(r.fields(), ["owner_org_id"]);
        let r = app
            .post(&meetings, &s.kit, json!({"held_on": day(1), "participants": [], "tasks": [{}]}))
            .await;
        assert_eq!(
            r.fields(),
            ["held_on", "participants", "agenda", "decisions", "tasks[0].title", "tasks[0].owner_org_id", "tasks[0].due_on"]
        );
        assert_eq!(app.audit_count().await, before);

        let r = app
            .post(&meetings, &s.kit, json!({"held_on": day(-3),
                "participants": ["Mor", "Kira KIT, København", "Per Psykolog, BUC", "Lis Lærer, Testskolen"],
                "agenda": "Skolefravær og angst", "decisions": "Nedsat skema i fire uger",
                "tasks": [{"title": "Lav nyt skema", "owner_org_id": s.skole, "due_on": day(-1)},
                          {"title": "Send udredningsplan", "owner_org_id": s.buc, "owner_name": "Per", "due_on": day(10)}]}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let view = app.get(&path, &s.psychiatry).await.json();
        assert_eq!(view["meetings"].as_array().unwrap().len(), 1);
        assert_eq!(view["tasks"].as_array().unwrap().len(), 2);

        // Each organisation sees its own open tasks; the coordinator sees all of them.
        let mine = |t: &str| {
            let t = t.to_string();
            let app = &app;
            async move { app.get("/api/v1/kit-tasks", &t).await.json() }
        };
        let school_tasks = mine(&s.school).await;
        assert_eq!(school_tasks.as_array().unwrap().len(), 1);
        assert_eq!(school_tasks[0]["title"], "Lav nyt skema");
        assert_eq!(school_tasks[0]["child_name"], "Delta Deling");
        assert_eq!(mine(&s.kit).await.as_array().unwrap().len(), 2);
        let task = school_tasks[0]["id"].as_str().unwrap().to_string();
        let buc_task = mine(&s.psychiatry).await[0]["id"].as_str().unwrap().to_string();

        // Only the owner (or the coordinator) marks a task done.
        let status = |id: &str| format!("/api/v1/kit-tasks/{id}/status");
        let done = json!({"status": "done"});
        assert_eq!(app.post(&status(&task), &s.psychiatry, done.clone()).await.status, StatusCode::NOT_FOUND);
        let r = app.post(&status(&task), &s.school, json!({"status": "finished"})).await;
        assert_eq!(r.fields(), ["status"]);
        let r = app.post(&status(&task), &s.school, done.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["status"], "done");
        assert_eq!(app.post(&status(&task), &s.school, done.clone()).await.fields(), ["status"]);
        assert!(mine(&s.school).await.as_array().unwrap().is_empty());
        assert_eq!(app.post(&status(&buc_task), &s.kit, done).await.status, StatusCode::OK);
        assert!(mine(&s.kit).await.as_array().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_kit_page_writes_the_plan_records_a_meeting_and_shows_overdue_tasks() {
    each_backend(|app| async move {
        let s = setup(&app).await;
        offer_kit(&app).await;
        consent(&app, &s).await;
        let mut k = Browser::logged_in(&app, "kit@kbh.dk").await;
        let page = format!("/courses/{}/kit", s.course);
        assert!(
            k.get(&format!("/courses/{}", s.course))
                .await
                .text()
                .contains(&page)
        );
        let form = k.get(&page).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains("Forløbet har ingen KIT-plan."));

        let bad = k
            .submit(
                &page,
                &[
                    ("goals", "Skole"),
                    ("next_review_on", &day(14)),
                    ("municipality_org_id", &s.kbh),
                    ("municipality_contact_name", "Kira"),
                    ("municipality_responsibility", "Koordinerer"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = bad.text();
        let at = text.find("error-summary").unwrap_or(0);
        assert!(
            text.contains(r#"id="parties_1__org_id">Vælg organisationen."#),
            "{}",
            &text[at..]
        );
        assert!(
            bad.text().contains("Koordinerer"),
            "the form keeps what was typed"
        );
        let ok = k
            .submit(
                &page,
                &[
                    ("goals", "Skole"),
                    ("next_review_on", &day(14)),
                    ("municipality_org_id", &s.kbh),
                    ("municipality_contact_name", "Kira"),
                    ("municipality_responsibility", "Koordinerer"),
                    ("psychiatry_org_id", &s.buc),
                    ("psychiatry_contact_name", "Per"),
                    ("psychiatry_responsibility", "Behandler"),
                    ("school_org_id", &s.skole),
                    ("school_contact_name", "Lis"),
                    ("school_responsibility", "Skema"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());

        let meeting = format!("{page}/meetings");
        let no_owner = k
            .submit(
                &meeting,
                &[
                    ("held_on", &day(-2)),
                    ("participants", "Mor\nKira"),
                    ("agenda", "Status"),
                    ("decisions", "Nyt skema"),
                    ("task0_title", "Lav skema"),
                    ("task0_due", &day(-1)),
                ],
            )
            .await;
        assert_eq!(no_owner.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_owner.text().contains("En opgave skal have en ejer"));
        let held = k
            .submit(
                &meeting,
                &[
                    ("held_on", &day(-2)),
                    ("participants", "Mor\nKira"),
                    ("agenda", "Status"),
                    ("decisions", "Nyt skema"),
                    ("task0_title", "Lav skema"),
                    ("task0_owner", &s.skole),
                    ("task0_due", &day(-1)),
                ],
            )
            .await;
        assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.text());

        // The school sees the overdue task on its front page and marks it done.
        let mut school = Browser::logged_in(&app, "laerer@skole.dk").await;
        let home = school.get("/").await.text();
        assert!(
            home.contains("KIT-opgaver") && home.contains("Lav skema"),
            "{home}"
        );
        assert!(home.contains("over frist"));
        let plan_page = school.get(&page).await.text();
        assert!(plan_page.contains("Behandler") && plan_page.contains("Nyt skema"));
        assert!(
            !plan_page.contains(r#"action="/courses/"#),
            "only the coordinator gets the forms"
        );
        let task = plan_page.split("/kit-tasks/").nth(1).unwrap()[..36].to_string();
        let r = school
            .submit(
                &format!("/kit-tasks/{task}/status"),
                &[("status", "done"), ("course_id", &s.course)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!school.get("/").await.text().contains("Lav skema"));
        assert!(school.get("/kit").await.text().contains("Ingen opgaver."));
    })
    .await;
}

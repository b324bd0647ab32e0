//! One suite for every store: each test runs on SQLite and, when configured, on PostgreSQL.

use chrono::Utc;
use samspor_domain::access::Actor;
use samspor_domain::child::{ChildInput, GuardianInput};
use samspor_store::accounts::{self, LoginFailure, SessionPolicy, UserInput};
use samspor_store::audit;
use samspor_store::children;
use samspor_store::service::{Ctx, ServiceError};
use samspor_store::testing::{Backend, TestDb, backends};
use samspor_store::{ChildQuery, Store, User};

async fn each_backend<F, Fut>(f: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for b in backends() {
        f(TestDb::new(b).await).await;
    }
}

async fn user(store: &Store, email: &str, role: &str, org: &str) -> User {
    accounts::add_user(
        store,
        UserInput {
            email,
            name: &format!("User {email}"),
            role,
            org_code: org,
            password: "long enough password",
        },
        Utc::now(),
    )
    .await
    .expect("add user")
}

async fn ctx(store: &Store, u: &User) -> Ctx {
    Ctx::new(accounts::actor_for(store, u).await.unwrap(), "test-request")
}

fn child(cpr: &str, given: &str, family: &str) -> ChildInput {
    ChildInput {
        cpr: Some(cpr.into()),
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        guardians: Some(vec![GuardianInput {
            name: Some("Mor Testesen".into()),
            relation: Some("mother".into()),
            custody: Some(true),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

#[tokio::test]
async fn reference_data_has_every_region_and_municipality() {
    each_backend(|db| async move {
        let orgs = samspor_store::organisations::list(&db.store).await.unwrap();
        let count = |k: &str| orgs.iter().filter(|o| o.kind.as_str() == k).count();
        // The five regions and Region Østdanmark, which takes over two of them in 2027.
        assert_eq!(count("region"), 6, "{:?}", db.backend);
        assert_eq!(count("municipality"), 98);
        let kbh = orgs.iter().find(|o| o.code == "0101").unwrap();
        assert_eq!(kbh.name, "København");
        assert_eq!(kbh.region_code.as_deref(), Some("DK-84"));
        let region = orgs.iter().find(|o| o.code == "DK-84").unwrap();
        assert_eq!(kbh.parent_id, Some(region.id));
    })
    .await;
}

#[tokio::test]
async fn organisation_membership_follows_the_region_changes_by_date() {
    use samspor_domain::geo::{MunicipalityCode, changes, municipalities};
    use samspor_store::organisations::{self, UnitInput};
    each_backend(|db| async move {
        let h = organisations::hierarchy(&db.store).await.unwrap();
        let days = ["2025-03-01", "2026-12-31", "2027-01-01", "2030-06-30"];
        for m in municipalities() {
            let org = h.orgs.iter().find(|o| o.code == m.code).unwrap();
            for day in days {
                let day = day.parse().unwrap();
                let expected = changes::region_on(MunicipalityCode::parse(m.code).unwrap(), day);
                let region = h.region_on(org.id, day).unwrap();
                assert_eq!(
                    region.code, expected.code,
                    "{} on {day} ({:?})",
                    m.code, db.backend
                );
            }
        }
        let oest = h
            .orgs
            .iter()
            .find(|o| o.name == "Region Østdanmark")
            .unwrap();
        assert_eq!(
            h.members_on(oest.id, "2027-01-01".parse().unwrap()).len(),
            46
        );
        assert!(
            h.members_on(oest.id, "2026-12-31".parse().unwrap())
                .is_empty()
        );

        // A unit placed under Region Hovedstaden now moves to Region Østdanmark with it.
        let secretariat = user(&db.store, "sekretariat@example.dk", "secretariat", "DK-84").await;
        let mut cx = ctx(&db.store, &secretariat).await;
        cx.now = "2026-12-05T10:00:00Z".parse().unwrap();
        let unit = |parent: &'static str| UnitInput {
            kind: "psychiatry",
            name: "BUC Testby",
            parent_code: parent,
            sor_code: None,
            ean_code: None,
        };
        let buc = organisations::create_unit(&db.store, &cx, unit("DK-84"))
            .await
            .unwrap();
        let h = organisations::hierarchy(&db.store).await.unwrap();
        assert_eq!(
            h.region_on(buc.id, "2026-12-31".parse().unwrap())
                .unwrap()
                .code,
            "DK-84"
        );
        assert_eq!(
            h.region_on(buc.id, "2027-01-01".parse().unwrap())
                .unwrap()
                .id,
            oest.id
        );
        assert!(
            h.region_on(buc.id, "2026-12-04".parse().unwrap()).is_none(),
            "not before it was made"
        );

        // From 2027 Region Hovedstaden takes no new units, and the error names its successor.
        cx.now = "2027-01-02T10:00:00Z".parse().unwrap();
        let before = h.orgs.len();
        match organisations::create_unit(&db.store, &cx, unit("DK-84")).await {
            Err(ServiceError::Invalid(e)) => {
                assert_eq!(e.0[0].field, "parent");
                assert!(
                    e.0[0].message_en.contains("Region Østdanmark"),
                    "{:?}",
                    e.0[0]
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let after = organisations::hierarchy(&db.store).await.unwrap();
        assert_eq!(after.orgs.len(), before, "nothing written");
        organisations::create_unit(&db.store, &cx, unit("DK-OST"))
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn schemas_of_both_backends_have_the_same_tables_and_columns() {
    let backends = backends();
    if backends.len() < 2 {
        eprintln!("PostgreSQL not configured: schema comparison needs both backends");
        return;
    }
    let sqlite = TestDb::new(Backend::Sqlite).await.columns().await;
    let postgres = TestDb::new(Backend::Postgres).await.columns().await;
    assert_eq!(sqlite, postgres);
    assert!(sqlite.iter().any(|(t, _)| t == "audit_log"));
}

#[tokio::test]
async fn child_lifecycle_with_history_duplicates_and_conflicts() {
    each_backend(|db| async move {
        let s = &*db.store;
        let u = user(s, "k@kbh.dk", "coordinator", "0101").await;
        let c = ctx(s, &u).await;
        let created = children::create(s, &c, &child("150315-4321", "Testa", "Testesen")).await.unwrap();
        assert_eq!(created.version, 1);
        assert_eq!(created.municipality_code.as_deref(), Some("0101"));

        let dup = children::create(s, &c, &child("1503154321", "Other", "Name")).await;
        assert!(matches!(dup, Err(ServiceError::DuplicateChild { existing_id }) if existing_id == created.id));

        let read = children::read(s, &c, created.id).await.unwrap();
        assert_eq!(read.data.guardians.len(), 1);
        assert!(read.data.guardians[0].custody);

        let patch = ChildInput { school: Some("Byskolen".into()), ..Default::default() };
        let updated = children::update(s, &c, created.id, &patch, Some(1)).await.unwrap();
        assert_eq!(updated.version, 2);
        assert_eq!(updated.data.school.as_deref(), Some("Byskolen"));

        let stale = children::update(s, &c, created.id, &ChildInput { school: Some("X".into()), ..Default::default() }, Some(1)).await;
        assert!(matches!(stale, Err(ServiceError::Conflict { current: 2 })));

        let history = children::history(s, &c, created.id).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].version, 1);
        assert_eq!(history[0].changed_fields, ["school"]);
        assert_eq!(history[0].previous["school"], serde_json::Value::Null);
        assert_eq!(history[0].changed_by_name, u.name);

        let invalid = children::update(s, &c, created.id, &ChildInput { given_name: Some(" ".into()), ..Default::default() }, None).await;
        assert!(matches!(invalid, Err(ServiceError::Invalid(e)) if e.get("given_name").is_some()));
        assert_eq!(children::read(s, &c, created.id).await.unwrap().version, 2, "a refused update changes nothing");
    })
    .await;
}

#[tokio::test]
async fn other_organisations_cannot_see_a_child() {
    each_backend(|db| async move {
        let s = &*db.store;
        let kbh = ctx(s, &user(s, "k@kbh.dk", "coordinator", "0101").await).await;
        let aar = ctx(s, &user(s, "k@aarhus.dk", "coordinator", "0751").await).await;
        let created = children::create(s, &kbh, &child("150315-4321", "Testa", "Testesen"))
            .await
            .unwrap();
        assert!(matches!(
            children::read(s, &aar, created.id).await,
            Err(ServiceError::NotFound)
        ));
        let found = children::search(
            s,
            &aar,
            &ChildQuery {
                text: Some("Testesen".into()),
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
        assert!(found.is_empty());
        // The same CPR may be registered independently by another organisation.
        children::create(s, &aar, &child("150315-4321", "Testa", "Testesen"))
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn search_by_name_or_cpr() {
    each_backend(|db| async move {
        let s = &*db.store;
        let c = ctx(s, &user(s, "k@kbh.dk", "coordinator", "0101").await).await;
        children::create(s, &c, &child("150315-4321", "Ærling", "Østergård"))
            .await
            .unwrap();
        children::create(s, &c, &child("020614-4113", "Bo", "Hansen"))
            .await
            .unwrap();
        children::create(s, &c, &child("030713-4224", "Anna", "100%_sikker"))
            .await
            .unwrap();
        let q = |t: &str| ChildQuery {
            text: Some(t.into()),
            limit: 50,
            offset: 0,
        };
        let names = |v: Vec<samspor_store::ChildSummary>| {
            v.into_iter().map(|c| c.given_name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(children::search(s, &c, &q("østergÅrd")).await.unwrap()),
            ["Ærling"]
        );
        assert_eq!(
            names(children::search(s, &c, &q("150315-4321")).await.unwrap()),
            ["Ærling"]
        );
        assert_eq!(
            names(children::search(s, &c, &q("0206")).await.unwrap()),
            ["Bo"]
        );
        assert_eq!(
            names(children::search(s, &c, &q("%_")).await.unwrap()),
            ["Anna"],
            "wildcards match literally"
        );
        assert_eq!(children::search(s, &c, &q("")).await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn every_read_and_write_is_in_the_access_log() {
    each_backend(|db| async move {
        let s = &*db.store;
        let u = user(s, "k@kbh.dk", "coordinator", "0101").await;
        let c = ctx(s, &u).await;
        let created = children::create(s, &c, &child("150315-4321", "Testa", "Testesen"))
            .await
            .unwrap();
        children::read(s, &c, created.id).await.unwrap();
        let log = audit::child_access_log(s, &c, created.id, 100)
            .await
            .unwrap();
        let actions: Vec<_> = log.iter().map(|l| l.entry.event.action.as_str()).collect();
        assert_eq!(
            actions,
            ["read", "read", "create"],
            "newest first, including this look"
        );
        assert!(
            log.iter()
                .all(|l| l.user_name.as_deref() == Some(u.name.as_str()))
        );
        let exported = audit::export_for_child(s, "cli", "1503154321")
            .await
            .unwrap();
        assert_eq!(exported.len(), 3);
        assert_eq!(s.verify_audit().await.unwrap().result, Ok(()));
    })
    .await;
}

#[tokio::test]
async fn audit_verify_finds_changed_and_removed_entries() {
    each_backend(|db| async move {
        let s = &*db.store;
        let c = ctx(s, &user(s, "k@kbh.dk", "coordinator", "0101").await).await;
        let created = children::create(s, &c, &child("150315-4321", "Testa", "Testesen"))
            .await
            .unwrap();
        for _ in 0..3 {
            children::read(s, &c, created.id).await.unwrap();
        }
        let report = s.verify_audit().await.unwrap();
        assert_eq!(report.result, Ok(()));
        assert_eq!(report.entries, 4);

        // The log refuses changes through SQL...
        assert!(
            db.exec_raw("UPDATE audit_log SET detail = 'x' WHERE seq = 2")
                .await
                .is_err()
        );
        assert!(
            db.exec_raw("DELETE FROM audit_log WHERE seq = 2")
                .await
                .is_err()
        );

        // ...so someone tampering must first remove the guard; verify still notices.
        let (disable, enable) = match db.backend {
            Backend::Sqlite => (
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
                "",
            ),
            Backend::Postgres => (
                "ALTER TABLE audit_log DISABLE TRIGGER USER;",
                "ALTER TABLE audit_log ENABLE TRIGGER USER;",
            ),
        };
        db.exec_raw(disable).await.unwrap();
        db.exec_raw("UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 2")
            .await
            .unwrap();
        let report = s.verify_audit().await.unwrap();
        assert_eq!(
            report.result.unwrap_err().to_string(),
            "chain 1: entry 2: its content does not match its hash (changed after it was written)"
        );
        db.exec_raw("UPDATE audit_log SET purpose = 'treatment' WHERE seq = 2")
            .await
            .unwrap();
        assert_eq!(s.verify_audit().await.unwrap().result, Ok(()));

        db.exec_raw("DELETE FROM audit_log WHERE seq = 3")
            .await
            .unwrap();
        assert!(
            s.verify_audit()
                .await
                .unwrap()
                .result
                .unwrap_err()
                .to_string()
                .starts_with("chain 1: entry 4:")
        );

        db.exec_raw("DELETE FROM audit_log WHERE seq >= 3")
            .await
            .unwrap();
        assert!(
            s.verify_audit()
                .await
                .unwrap()
                .result
                .unwrap_err()
                .to_string()
                .contains("removed")
        );

        // A whole chain's head row removed: its entries are reported, not skipped.
        db.exec_raw("DELETE FROM audit_chains WHERE id = 1")
            .await
            .unwrap();
        assert_eq!(
            s.verify_audit()
                .await
                .unwrap()
                .result
                .unwrap_err()
                .to_string(),
            "chain 1: it holds 2 entries but has no head (its head row was removed)"
        );
        if !enable.is_empty() {
            db.exec_raw(enable).await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account() {
    each_backend(|db| async move {
        let s = &*db.store;
        user(s, "k@kbh.dk", "coordinator", "0101").await;
        let p = SessionPolicy::default();
        for _ in 0..4 {
            let r = accounts::login(s, "k@kbh.dk", "wrong password!", "r", p)
                .await
                .unwrap();
            assert_eq!(r.unwrap_err(), LoginFailure::WrongCredentials);
        }
        let r = accounts::login(s, "K@KBH.dk", "wrong password!", "r", p)
            .await
            .unwrap();
        assert_eq!(r.unwrap_err(), LoginFailure::Locked);
        let r = accounts::login(s, "k@kbh.dk", "long enough password", "r", p)
            .await
            .unwrap();
        assert_eq!(
            r.unwrap_err(),
            LoginFailure::Locked,
            "even the right password waits out the lock"
        );
        let r = accounts::login(s, "nobody@kbh.dk", "long enough password", "r", p)
            .await
            .unwrap();
        assert_eq!(r.unwrap_err(), LoginFailure::WrongCredentials);
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_when_idle_and_end_at_logout() {
    each_backend(|db| async move {
        let s = &*db.store;
        user(s, "k@kbh.dk", "coordinator", "0101").await;
        let p = SessionPolicy::default();
        let li = accounts::login(s, "k@kbh.dk", "long enough password", "r", p)
            .await
            .unwrap()
            .unwrap();
        let u = accounts::session_user(s, &li.token, p)
            .await
            .unwrap()
            .expect("valid session");
        let zero_idle = SessionPolicy {
            idle: chrono::Duration::zero(),
            ..p
        };
        assert!(
            accounts::session_user(s, &li.token, zero_idle)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            accounts::session_user(s, &li.token, p)
                .await
                .unwrap()
                .is_none(),
            "an expired session is removed"
        );

        let li = accounts::login(s, "k@kbh.dk", "long enough password", "r", p)
            .await
            .unwrap()
            .unwrap();
        accounts::logout(s, &li.token, &u.user, "r").await.unwrap();
        assert!(
            accounts::session_user(s, &li.token, p)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            accounts::session_user(s, "not a token", p)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn api_tokens_identify_their_user() {
    each_backend(|db| async move {
        let s = &*db.store;
        let u = user(s, "k@kbh.dk", "coordinator", "0101").await;
        let token = accounts::create_api_token(s, "k@kbh.dk", "test", 30)
            .await
            .unwrap();
        let found = accounts::user_by_api_token(s, &token)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.user.id, u.id);
        assert_eq!(found.org.code, "0101");
        assert!(found.session.is_none());
        assert!(
            accounts::user_by_api_token(s, "sp_wrong")
                .await
                .unwrap()
                .is_none()
        );
        let bad = accounts::create_api_token(s, "nobody@kbh.dk", "test", 30).await;
        assert!(matches!(bad, Err(ServiceError::Invalid(_))));
        for days in [0, accounts::TOKEN_MAX_DAYS + 1] {
            let bad = accounts::create_api_token(s, "k@kbh.dk", "test", days).await;
            assert!(matches!(bad, Err(ServiceError::Invalid(_))), "{days} days");
        }

        // Revoked, a token stops working at once; the list shows it without the token itself.
        let listed = accounts::list_api_tokens(s, Some("k@kbh.dk"))
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].expires_at.is_some() && listed[0].revoked_at.is_none());
        accounts::revoke_api_token(s, listed[0].id).await.unwrap();
        assert!(
            accounts::user_by_api_token(s, &token)
                .await
                .unwrap()
                .is_none()
        );
        let again = accounts::revoke_api_token(s, listed[0].id).await;
        assert!(matches!(again, Err(ServiceError::Invalid(_))));
        let unknown = accounts::revoke_api_token(s, uuid::Uuid::now_v7()).await;
        assert!(matches!(unknown, Err(ServiceError::NotFound)));

        // An expired token is refused like a revoked one.
        let expiring = accounts::create_api_token(s, "k@kbh.dk", "kort", 1)
            .await
            .unwrap();
        db.exec_raw("UPDATE api_tokens SET expires_at = created_at WHERE label = 'kort'")
            .await
            .unwrap();
        assert!(
            accounts::user_by_api_token(s, &expiring)
                .await
                .unwrap()
                .is_none()
        );

        // Disabling a user revokes the tokens not yet revoked (the expired one too).
        let third = accounts::create_api_token(s, "k@kbh.dk", "tredje", 30)
            .await
            .unwrap();
        assert_eq!(accounts::disable_user(s, "k@kbh.dk").await.unwrap().1, 2);
        assert!(
            accounts::user_by_api_token(s, &third)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn user_input_errors_name_their_fields_and_write_nothing() {
    each_backend(|db| async move {
        let s = &*db.store;
        let r = accounts::add_user(
            s,
            UserInput {
                email: "nope",
                name: "",
                role: "boss",
                org_code: "9999",
                password: "short",
            },
            Utc::now(),
        )
        .await;
        let Err(ServiceError::Invalid(e)) = r else {
            panic!("expected invalid")
        };
        for f in ["email", "name", "role", "org", "password"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        user(s, "k@kbh.dk", "coordinator", "0101").await;
        let again = accounts::add_user(
            s,
            UserInput {
                email: "K@kbh.dk",
                name: "X",
                role: "admin",
                org_code: "0101",
                password: "long enough password",
            },
            Utc::now(),
        )
        .await;
        assert!(matches!(again, Err(ServiceError::Invalid(e)) if e.get("email").is_some()));
        // A GP or psychiatry account placed in a municipality would see its children.
        for role in ["gp", "psychiatry"] {
            let misplaced = accounts::add_user(
                s,
                UserInput {
                    email: &format!("{role}@kbh.dk"),
                    name: "X",
                    role,
                    org_code: "0101",
                    password: "long enough password",
                },
                Utc::now(),
            )
            .await;
            assert!(
                matches!(&misplaced, Err(ServiceError::Invalid(e)) if e.get("role").is_some()),
                "{role}: {misplaced:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn concurrent_appends_keep_one_unbroken_chain() {
    each_backend(|db| async move {
        let s = db.store.clone();
        let u = user(&s, "k@kbh.dk", "coordinator", "0101").await;
        let actor: Actor = accounts::actor_for(&s, &u).await.unwrap();
        let created = children::create(
            &s,
            &Ctx::new(actor.clone(), "r"),
            &child("150315-4321", "A", "B"),
        )
        .await
        .unwrap();
        let mut tasks = Vec::new();
        for i in 0..20 {
            let s = s.clone();
            let actor = actor.clone();
            tasks.push(tokio::spawn(async move {
                children::read(&s, &Ctx::new(actor, format!("r{i}")), created.id)
                    .await
                    .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let report = s.verify_audit().await.unwrap();
        assert_eq!(report.result, Ok(()));
        assert_eq!(report.entries, 21);
    })
    .await;
}

/// The KL invariants and "never a no without a way" hold in the database itself, so a bug in
/// the code above it cannot store a record that breaks them.
#[tokio::test]
async fn the_database_refuses_records_that_break_the_course_rules() {
    use samspor_domain::course::careplan::CourseStatus;
    use samspor_domain::course::contact::{ContactInput, validate_contact};
    use samspor_domain::course::encounter::{Encounter, EncounterType};
    use samspor_domain::course::visitation::Outcome;
    use samspor_store::DecisionRecord;
    use samspor_store::courses::{self, NewContact};

    each_backend(|db| async move {
        let store = &*db.store;
        let u = user(store, "k@kbh.dk", "coordinator", "0101").await;
        let ctx = ctx(store, &u).await;
        let cpr = samspor_domain::cpr::Cpr::synthetic(
            chrono::NaiveDate::from_ymd_opt(2014, 3, 5).unwrap(),
            samspor_domain::cpr::Sex::Male,
            1,
        )
        .unwrap();
        let c = children::create(store, &ctx, &child(cpr.as_str(), "Testa", "Testesen"))
            .await
            .unwrap();
        let input = ContactInput {
            source: Some("self".into()),
            reason: Some("Bekymret".into()),
            ..Default::default()
        };
        let received = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        validate_contact(&input, Some(received), c.data.birth_date(), received).unwrap();
        let course = courses::create_contact(
            store,
            &ctx,
            &NewContact {
                child_id: c.id,
                received_at: Some(received),
                contact: input,
                ..Default::default()
            },
        )
        .await
        .unwrap();

        // A Behandling without delivery type and participants.
        let bare = samspor_store::EncounterRecord {
            id: uuid::Uuid::now_v7(),
            course_id: course.id,
            encounter: Encounter {
                kind: EncounterType::Behandling,
                at: received,
                treatment: None,
            },
            staff_id: Some(u.id),
            staff_name: None,
            status: samspor_store::EncounterStatus::Held,
            created_at: Utc::now(),
        };
        assert!(
            store
                .write(async |tx| tx.insert_encounter(&bare, Some(u.id)).await)
                .await
                .is_err()
        );

        // A decision that is not a track, without a way.
        let no_way = DecisionRecord {
            id: uuid::Uuid::now_v7(),
            course_id: course.id,
            meeting_id: None,
            outcome: Outcome::Gp,
            track: None,
            way: None,
            reason_despite_signs: None,
            decided_at: Utc::now(),
            decided_by: u.id,
            decided_by_name: None,
        };
        assert!(
            store
                .write(async |tx| tx.insert_decision(&no_way).await)
                .await
                .is_err()
        );

        // A completed course without an end.
        let completed_without_end = samspor_store::CourseRecord {
            status: CourseStatus::Completed,
            ended_on: None,
            ..course.clone()
        };
        assert!(
            store
                .write(async |tx| {
                    tx.save_course(&completed_without_end, Some(u.id), Utc::now())
                        .await
                })
                .await
                .is_err()
        );

        let after = courses::course(store, &ctx, course.id).await.unwrap();
        assert!(after.decisions.is_empty());
        assert_eq!(after.course.status, CourseStatus::Active);
    })
    .await;
}

/// Many concurrent units share batches; a unit that fails after writing is rolled back to its
/// own savepoint while the others in its batch commit, and the audit chain has exactly the
/// entries of the units that succeeded.
#[tokio::test]
async fn a_failing_unit_fails_alone_in_its_batch() {
    use samspor_domain::cpr::{Cpr, Sex};
    each_backend(|db| async move {
        let s = db.store.clone();
        let c = ctx(&s, &user(&s, "k@kbh.dk", "coordinator", "0101").await).await;
        let entries_before = s.audit_length().await.unwrap();
        let batches_before = s.batches_committed();
        let units = 40u32;
        let mut tasks = Vec::new();
        for n in 0..units {
            let (s, c) = (s.clone(), c.clone());
            tasks.push(tokio::spawn(async move {
                let born = chrono::NaiveDate::from_ymd_opt(2015, 3, 2).unwrap()
                    + chrono::Days::new(u64::from(n));
                let cpr = Cpr::synthetic(born, Sex::Female, 0).unwrap();
                let input = child(cpr.as_str(), "Testa", "Testesen");
                if n % 5 == 2 {
                    // Registers the child, then fails: nothing of it may remain.
                    s.write(async |tx| {
                        let data = samspor_domain::child::parse_child(&input, c.today())?;
                        let child = samspor_store::Child {
                            id: uuid::Uuid::now_v7(),
                            org_id: c.actor.org_id,
                            municipality_code: c.actor.municipality_code.clone(),
                            data,
                            version: 1,
                            created_at: c.now,
                            created_by: c.actor.user_id,
                            updated_at: c.now,
                            updated_by: c.actor.user_id,
                        };
                        tx.insert_child(&child).await?;
                        tx.audit(
                            c.now,
                            c.event(
                                samspor_domain::audit::AuditAction::Create,
                                "child",
                                Some(child.id),
                                Some(child.id),
                                "",
                            ),
                        );
                        Err::<(), _>(ServiceError::Forbidden)
                    })
                    .await
                    .map(|_| None)
                    .map_err(|_| cpr)
                } else {
                    children::create(&s, &c, &input)
                        .await
                        .map(|created| Some(created.id))
                        .map_err(|_| cpr)
                }
            }));
        }
        let (mut stored, mut refused) = (Vec::new(), Vec::new());
        for t in tasks {
            match t.await.unwrap() {
                Ok(Some(id)) => stored.push(id),
                Ok(None) => panic!("a failing unit reported success"),
                Err(cpr) => refused.push(cpr),
            }
        }
        assert_eq!(refused.len(), 8);
        assert_eq!(stored.len(), 32);
        let batches = s.batches_committed() - batches_before;
        assert!(
            batches < u64::from(units),
            "{} units in {batches} batches: none were gathered",
            units
        );
        for cpr in &refused {
            let found = children::search(
                &s,
                &c,
                &ChildQuery {
                    text: Some(cpr.as_str().to_string()),
                    limit: 10,
                    offset: 0,
                },
            )
            .await
            .unwrap();
            assert!(found.is_empty(), "the failed unit's child was kept");
        }
        for id in &stored {
            children::read(&s, &c, *id).await.unwrap();
        }
        // 32 creates, the 8 searches and the 32 reads: nothing of the failed units.
        assert_eq!(
            s.audit_length().await.unwrap() - entries_before,
            32 + 8 + 32
        );
        assert_eq!(s.verify_audit().await.unwrap().result, Ok(()));
    })
    .await;
}

/// The door refuses a unit that records a person's access to a child without asking the
/// access policy, on reads and writes alike, and keeps nothing of it; the same unit that asks
/// goes through.
#[tokio::test]
async fn a_unit_that_audits_a_child_without_asking_the_policy_is_refused() {
    use samspor_domain::access::{Action, Resource};
    use samspor_domain::audit::AuditAction;
    each_backend(|db| async move {
        let s = db.store.clone();
        let c = ctx(&s, &user(&s, "k@kbh.dk", "coordinator", "0101").await).await;
        let kid = children::create(&s, &c, &child("150315-4321", "Ada", "Lovelace"))
            .await
            .unwrap();
        let before = s.audit_length().await.unwrap();
        let look = |asks: bool| {
            let c = c.clone();
            async move |tx: &mut samspor_store::Work<'_>| {
                let found = tx.child(kid.id).await?.ok_or(ServiceError::NotFound)?;
                if asks {
                    tx.authorize(&c.actor, Action::Read, Resource::child(found.org_id))?;
                }
                tx.audit(
                    c.now,
                    c.event(AuditAction::Read, "child", Some(kid.id), Some(kid.id), ""),
                );
                Ok::<_, ServiceError>(found.id)
            }
        };
        let refused = s.read(look(false)).await;
        assert!(
            matches!(
                refused,
                Err(ServiceError::Store(
                    samspor_store::StoreError::PolicyNotAsked
                ))
            ),
            "{refused:?}"
        );
        let refused = s.write(look(false)).await;
        assert!(
            matches!(
                refused,
                Err(ServiceError::Store(
                    samspor_store::StoreError::PolicyNotAsked
                ))
            ),
            "{refused:?}"
        );
        assert_eq!(
            s.audit_length().await.unwrap(),
            before,
            "nothing was logged"
        );
        assert_eq!(s.read(look(true)).await.unwrap(), kid.id);
        assert_eq!(s.write(look(true)).await.unwrap(), kid.id);
        assert_eq!(s.audit_length().await.unwrap(), before + 2);
    })
    .await;
}

//! The `samspor` binary run as an operator runs it, on every configured backend: the test
//! creates a fresh database, hands it to the binary through `--data-dir` or
//! `--database-url`, and checks both what the binary prints and what ended up in the store.

use chrono::{NaiveDate, Utc};
use samspor_domain::child::ChildData;
use samspor_domain::cpr::{Cpr, Sex};
use samspor_store::accounts::{self, SessionPolicy, UserInput};
use samspor_store::testing::{Backend, TestDb, backends};
use samspor_store::{ChildQuery, ChildSummary, DatabaseTarget};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_samspor");
const PASSWORD: &str = "long enough password";

/// The binary pointed at `db`, with nothing inherited that could point it elsewhere.
fn samspor(db: &TestDb) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("SAMSPOR_DATABASE_URL")
        .env("SAMSPOR_LOG", "warn");
    match &db.target {
        DatabaseTarget::SqliteDir(dir) => cmd.arg("--data-dir").arg(dir),
        DatabaseTarget::Url(url) => cmd.arg("--database-url").arg(url),
    };
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Whether stderr has the `  field: message` line the CLI prints for a refused field.
    fn names_field(&self, field: &str) -> bool {
        let prefix = format!("  {field}: ");
        self.stderr.lines().any(|l| l.starts_with(&prefix))
    }
}

fn run(db: &TestDb, args: &[&str]) -> Run {
    run_with_stdin(db, args, "")
}

fn run_with_stdin(db: &TestDb, args: &[&str], stdin: &str) -> Run {
    let mut child = samspor(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start samspor");
    // Dropping the handle closes stdin, so a reader sees the end of input.
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("run samspor");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn add_user(db: &TestDb, email: &str, role: &str, org: &str, stdin: &str) -> Run {
    run_with_stdin(
        db,
        &[
            "user",
            "add",
            "--email",
            email,
            "--name",
            "Nina Nybruger",
            "--role",
            role,
            "--org",
            org,
            "--password-stdin",
        ],
        stdin,
    )
}

fn demo(db: &TestDb, args: &[&str]) -> Run {
    let r = run(db, &[&["demo"], args].concat());
    assert_eq!(r.code, 0, "demo failed: {}", r.stderr);
    r
}

/// The children registered in the given municipalities, read straight from the store and
/// ordered by CPR number.
async fn children_of(db: &TestDb, municipalities: &[&str]) -> Vec<(ChildSummary, ChildData)> {
    db.store
        .read(async |tx| {
            let mut out = Vec::new();
            for code in municipalities {
                let org = tx
                    .organisation_by_code(code)
                    .await
                    .expect("read organisation")
                    .expect("municipality exists");
                let query = ChildQuery {
                    text: None,
                    limit: 10_000,
                    offset: 0,
                };
                for summary in tx.search_children(org.id, &query).await.expect("search") {
                    let child = tx
                        .child(summary.id)
                        .await
                        .expect("read child")
                        .expect("child");
                    out.push((summary, child.data));
                }
            }
            out.sort_by(|a, b| a.1.cpr.cmp(&b.1.cpr));
            Ok::<_, samspor_store::StoreError>(out)
        })
        .await
        .unwrap()
}

/// Removes the append-only guard of the audit log, as someone with database access could.
async fn disable_audit_guard(db: &TestDb) {
    let sql = match db.backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    };
    db.exec_raw(sql).await.expect("disable audit guard");
}

#[tokio::test]
async fn users_and_tokens_are_created_and_bad_input_changes_nothing() {
    for backend in backends() {
        let db = TestDb::new(backend).await;

        let bad = add_user(&db, "ny@kbh.dk", "boss", "9999", "short\n");
        assert_eq!(bad.code, 2, "{backend:?}: {}", bad.stderr);
        for field in ["role", "org", "password"] {
            assert!(bad.names_field(field), "{field} in {}", bad.stderr);
        }
        assert!(!bad.names_field("email"), "{}", bad.stderr);
        assert!(bad.stdout.is_empty());

        let no_user = run(&db, &["token", "create", "--email", "ny@kbh.dk"]);
        assert_eq!(no_user.code, 2, "the refused account was not created");
        assert!(no_user.names_field("email"));

        // Only the first line is the password; what follows must not become part of it.
        let ok = add_user(
            &db,
            "ny@kbh.dk",
            "coordinator",
            "0101",
            "long enough password\nmore",
        );
        assert_eq!(ok.code, 0, "{}", ok.stderr);
        let id = uuid::Uuid::parse_str(ok.stdout.trim()).expect("the new user's id");
        let stored = {
            db.store
                .read(async |tx| {
                    let u = tx
                        .user_by_email("ny@kbh.dk")
                        .await
                        .unwrap()
                        .expect("stored user");
                    Ok::<_, samspor_store::StoreError>(u)
                })
                .await
                .unwrap()
        };
        assert_eq!(stored.id, id);
        assert_eq!(stored.role.as_str(), "coordinator");
        let login = accounts::login(
            &db.store,
            "ny@kbh.dk",
            PASSWORD,
            "test",
            SessionPolicy::default(),
        )
        .await
        .unwrap();
        assert!(login.is_ok(), "the password read from stdin logs in");

        let again = add_user(
            &db,
            "NY@kbh.dk",
            "therapist",
            "0101",
            "long enough password\n",
        );
        assert_eq!(again.code, 2);
        assert!(again.names_field("email"), "{}", again.stderr);

        let token = run(
            &db,
            &["token", "create", "--email", "ny@kbh.dk", "--label", "test"],
        );
        assert_eq!(token.code, 0, "{}", token.stderr);
        assert_eq!(
            token.stdout.lines().count(),
            1,
            "the token alone: {}",
            token.stdout
        );
        let token = token.stdout.trim();
        assert!(token.starts_with("sp_"));
        let owner = accounts::user_by_api_token(&db.store, token).await.unwrap();
        assert_eq!(owner.map(|m| m.user.id), Some(id));

        // The operator lists tokens (never the token), revokes one, and disables an account,
        // which ends its sessions and revokes the rest.
        let too_long = run(
            &db,
            &[
                "token",
                "create",
                "--email",
                "ny@kbh.dk",
                "--expires-in-days",
                "9999",
            ],
        );
        assert_eq!(too_long.code, 2);
        assert!(
            too_long.names_field("expires_in_days"),
            "{}",
            too_long.stderr
        );
        let listed = run(&db, &["token", "list", "--email", "ny@kbh.dk"]);
        assert_eq!(listed.code, 0, "{}", listed.stderr);
        assert!(
            !listed.stdout.contains(token),
            "a listing never shows the token"
        );
        let token_id = listed.stdout.split('\t').next().unwrap().to_string();
        let revoked = run(&db, &["token", "revoke", "--id", &token_id]);
        assert_eq!(revoked.code, 0, "{}", revoked.stderr);
        assert!(
            accounts::user_by_api_token(&db.store, token)
                .await
                .unwrap()
                .is_none()
        );
        assert_ne!(
            run(&db, &["token", "revoke", "--id", &token_id]).code,
            0,
            "revoked once"
        );
        let second = run(&db, &["token", "create", "--email", "ny@kbh.dk"]);
        let second = second.stdout.trim().to_string();
        let disabled = run(&db, &["user", "disable", "--email", "ny@kbh.dk"]);
        assert_eq!(disabled.code, 0, "{}", disabled.stderr);
        assert!(
            disabled.stdout.contains("1 API token(s) revoked"),
            "{}",
            disabled.stdout
        );
        assert!(
            accounts::user_by_api_token(&db.store, &second)
                .await
                .unwrap()
                .is_none()
        );
        let login = accounts::login(
            &db.store,
            "ny@kbh.dk",
            PASSWORD,
            "test",
            SessionPolicy::default(),
        )
        .await
        .unwrap();
        assert!(login.is_err(), "a disabled account cannot log in");
        assert_ne!(
            run(&db, &["user", "disable", "--email", "nobody@kbh.dk"]).code,
            0
        );
    }
}

#[tokio::test]
async fn audit_verify_passes_then_names_a_changed_entry() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        demo(&db, &["--children", "3", "--municipalities", "1"]);
        let ok = run(&db, &["audit", "verify"]);
        assert_eq!(ok.code, 0, "{backend:?}: {}", ok.stderr);
        let entries = db.store.verify_audit().await.unwrap().entries;
        assert!(entries >= 3);
        assert_eq!(
            ok.stdout.trim(),
            format!("audit log intact: {entries} entries")
        );

        disable_audit_guard(&db).await;
        db.exec_raw("UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 2")
            .await
            .unwrap();
        let broken = run(&db, &["audit", "verify"]);
        assert_eq!(broken.code, 1);
        assert!(broken.stdout.is_empty());
        assert!(
            broken
                .stderr
                .contains("entry 2: its content does not match its hash"),
            "{}",
            broken.stderr
        );
    }
}

#[tokio::test]
async fn audit_verify_names_the_entry_after_a_removed_one() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        demo(&db, &["--children", "3", "--municipalities", "1"]);
        assert_eq!(run(&db, &["audit", "verify"]).code, 0);

        disable_audit_guard(&db).await;
        db.exec_raw("DELETE FROM audit_log WHERE seq = 2")
            .await
            .unwrap();
        let broken = run(&db, &["audit", "verify"]);
        assert_eq!(broken.code, 1, "{backend:?}");
        assert!(
            broken
                .stderr
                .contains("entry 3: it does not follow entry 1"),
            "{}",
            broken.stderr
        );
    }
}

#[tokio::test]
async fn audit_export_lists_one_childs_entries() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        demo(
            &db,
            &["--children", "3", "--municipalities", "1", "--seed", "5"],
        );
        let children = children_of(&db, &["0101"]).await;
        assert_eq!(children.len(), 3);
        let (summary, data) = &children[1];

        let export = |cpr: &str| {
            let r = run(&db, &["audit", "export", "--child", cpr]);
            assert_eq!(r.code, 0, "{backend:?}: {}", r.stderr);
            let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
            v.as_array().expect("a JSON array").clone()
        };
        let first = export(&data.cpr.formatted());
        assert!(!first.is_empty());
        let id = summary.id.to_string();
        assert!(
            first.iter().all(|e| e["child_id"] == id.as_str()),
            "{first:?}"
        );
        let created = first
            .iter()
            .find(|e| e["action"] == "create")
            .expect("the registration is listed");
        assert_eq!(created["purpose"], "demo");
        assert!(created["user_name"].is_string(), "names the coordinator");

        // The export itself is recorded, so the next one lists it; the compact form works too.
        let second = export(data.cpr.as_str());
        assert!(second.iter().any(|e| e["action"] == "export"));

        let taken: Vec<&Cpr> = children.iter().map(|(_, d)| &d.cpr).collect();
        let birth = NaiveDate::from_ymd_opt(2016, 6, 15).unwrap();
        let unknown = (0..)
            .filter_map(|n| Cpr::synthetic(birth, Sex::Female, n))
            .find(|c| !taken.contains(&c))
            .unwrap();
        let none = run(&db, &["audit", "export", "--child", &unknown.formatted()]);
        assert_eq!((none.code, none.stdout.trim()), (0, "[]"));

        let invalid = run(&db, &["audit", "export", "--child", "12345"]);
        assert_eq!(invalid.code, 2);
        assert!(invalid.names_field("child"), "{}", invalid.stderr);
        assert!(invalid.stderr.contains("10 digits"));
    }
}

#[tokio::test]
async fn demo_data_follows_the_seed_and_is_added_only_once() {
    let args = ["--seed", "42", "--children", "6", "--municipalities", "2"];
    let municipalities = ["0101", "0751"];
    for backend in backends() {
        let first = TestDb::new(backend).await;
        let second = TestDb::new(backend).await;
        let other_seed = TestDb::new(backend).await;
        let summary = demo(&first, &args);
        assert!(summary.stdout.contains("12 children"), "{}", summary.stdout);
        demo(&second, &args);
        demo(&other_seed, &["--seed", "43", "--children", "6"]);

        let people =
            |v: Vec<(ChildSummary, ChildData)>| v.into_iter().map(|(_, d)| d).collect::<Vec<_>>();
        let a = people(children_of(&first, &municipalities).await);
        let b = people(children_of(&second, &municipalities).await);
        let c = people(children_of(&other_seed, &municipalities).await);
        assert_eq!(a.len(), 12, "{backend:?}");
        assert_eq!(
            a, b,
            "the same seed gives the same children, guardians included"
        );
        assert_ne!(a, c, "another seed gives other children");
        assert!(a.iter().all(|d| d.cpr.is_synthetic()));

        let refused = run(&first, &["demo", "--seed", "42"]);
        assert_eq!(refused.code, 1);
        assert!(
            refused.stderr.contains("already has demo data"),
            "{}",
            refused.stderr
        );
        assert_eq!(children_of(&first, &municipalities).await.len(), 12);
    }
}

/// The demo's courses stand at every step from the first contact to the visitation decision,
/// as the worklist counts them on the day the demo is seeded, and the public form has left
/// new self-referrals in each intake queue.
/// A demo user's context, as if they had signed in.
async fn demo_ctx(db: &TestDb, local_part: &str) -> samspor_store::service::Ctx {
    let email = format!("{local_part}@demo.samspor.dk");
    let token = accounts::create_api_token(&db.store, &email, "test", 30)
        .await
        .expect("token");
    let member = accounts::user_by_api_token(&db.store, &token)
        .await
        .expect("member")
        .expect("demo user");
    samspor_store::service::Ctx::new(member.actor, "test")
}

#[tokio::test]
async fn demo_shares_courses_across_sectors_on_every_kind_of_basis() {
    use samspor_store::{children, consent};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        demo(&db, &["--municipalities", "1", "--children", "40"]);
        let all = ChildQuery {
            text: None,
            limit: 500,
            offset: 0,
        };
        let coordinator = demo_ctx(&db, "koordinator.kobenhavn").await;
        let own = children::search(&db.store, &coordinator, &all)
            .await
            .unwrap();
        let mut states = std::collections::BTreeSet::new();
        let (mut objections, mut withheld, mut emergencies) = (0, 0, 0);
        for c in &own {
            let v = consent::lawful_basis(&db.store, &coordinator, c.id)
                .await
                .unwrap();
            for line in &v.consents {
                states.insert(
                    serde_json::to_value(&line.state).unwrap()["state"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
            objections += v.objections.len();
            withheld += v
                .notifications
                .iter()
                .filter(|n| n.withheld.is_some())
                .count();
            emergencies += v.emergencies.len();
        }
        assert_eq!(
            states.into_iter().collect::<Vec<_>>(),
            ["active", "awaiting_custody_holders", "expired", "withdrawn"],
            "{backend:?}"
        );
        assert_eq!(
            (objections, withheld, emergencies),
            (1, 1, 1),
            "{backend:?}"
        );

        // Each sector sees the children shared with it on a basis in force, and no others;
        // the unit also has the children GPs referred to it in its own records.
        for (login, shared, own_records) in [
            ("psykolog.buc", 2, 3),
            ("laege.norrebro", 1, 0),
            ("ppr.kobenhavn", 1, 0),
            ("laege.valby", 1, 0),
        ] {
            let ctx = demo_ctx(&db, login).await;
            let seen = children::search(&db.store, &ctx, &all).await.unwrap();
            assert_eq!(seen.len(), shared + own_records, "{backend:?} {login}");
            let mut kept = 0;
            for c in &seen {
                let child = children::read(&db.store, &ctx, c.id).await.unwrap();
                if child.org_id == ctx.actor.org_id {
                    kept += 1;
                    continue;
                }
                assert!(
                    own.iter().any(|o| o.id == c.id),
                    "{login} sees a child that is not København's"
                );
                assert!(child.data.address.is_none());
            }
            assert_eq!(kept, own_records, "{backend:?} {login}");
        }
        assert!(
            children::search(&db.store, &demo_ctx(&db, "kit.kobenhavn").await, &all)
                .await
                .unwrap()
                .len()
                == own.len(),
            "the KIT coordinator works in the municipality and sees its children"
        );
    }
}

#[tokio::test]
async fn demo_courses_cover_the_pathway_from_contact_to_visitation() {
    use samspor_domain::course::careplan::CourseStatus;
    use samspor_domain::course::contact::Source;
    use samspor_domain::course::kl::ReferralDestination;
    use samspor_domain::course::visitation::Outcome;
    use samspor_domain::course::waiting::{GoalStatus, Waiting};
    use samspor_domain::organisation::Programme;
    use std::collections::HashSet;

    for backend in backends() {
        let db = TestDb::new(backend).await;
        let r = demo(&db, &["--municipalities", "2"]);
        // Ten scenarios and one copy entered in error in each municipality, the treatment
        // demo's courses in every offered track and state, and one parent group's members.
        assert!(
            r.stdout
                .contains("42 courses, 4 self-referrals waiting in intake"),
            "{backend:?}: {}",
            r.stdout
        );
        let today = samspor_store::courses::local(Utc::now()).date();
        db.store
            .read(async |tx| {
                for code in ["0101", "0751"] {
                    let org = tx.organisation_by_code(code).await.unwrap().unwrap();
                    let courses = tx.courses_of_org(org.id, None).await.unwrap();
                    // The ten pathway scenarios and their mistaken copy, then the treatment and group
                    // demos' courses on top.
                    assert!(courses.len() >= 11, "{code}: {}", courses.len());

                    let active = || {
                        courses
                            .iter()
                            .filter(|c| c.course.status == CourseStatus::Active)
                    };
                    let statuses: HashSet<GoalStatus> = active()
                        .flat_map(|c| {
                            let w = Waiting::new(
                                c.received_at.date(),
                                c.forsamtale.map(|t| t.date()),
                                c.screening.map(|t| t.date()),
                                today,
                            );
                            [w.first_conversation.status, w.screening.status]
                        })
                        .collect();
                    for status in [
                        GoalStatus::Open,
                        GoalStatus::DueSoon,
                        GoalStatus::OpenBreached,
                        GoalStatus::Met,
                        GoalStatus::Breached,
                    ] {
                        assert!(statuses.contains(&status), "{code}: {status:?}");
                    }
                    assert!(
                        active()
                            .any(|c| c.forsamtale.is_some() && c.screening.is_some() && !c.decided),
                        "{code}: a course waits for visitation"
                    );
                    let sources: HashSet<Source> = courses.iter().map(|c| c.source).collect();
                    for source in [
                        Source::SelfReferral,
                        Source::Gp,
                        Source::School,
                        Source::Hospital,
                        Source::SocialServices,
                        Source::PsychiatryReturn,
                    ] {
                        assert!(sources.contains(&source), "{code}: {source:?}");
                    }
                    let with_themes = courses.iter().filter(|c| !c.themes.is_empty()).count();
                    assert!(with_themes * 2 > courses.len(), "{code}: themes on most");
                    let in_error: Vec<_> = courses
                        .iter()
                        .filter(|c| c.course.status == CourseStatus::EnteredInError)
                        .collect();
                    assert_eq!(in_error.len(), 1, "{code}");
                    assert!(
                        active().any(|c| c.course.child_id == in_error[0].course.child_id),
                        "{code}: the mistaken copy sits beside the real course"
                    );
                    assert!(
                        courses
                            .iter()
                            .any(|c| c.course.track == Some(Programme::WorrySadness)),
                        "{code}: a track was decided"
                    );

                    let (mut destinations, mut outcomes) = (HashSet::new(), HashSet::new());
                    let (mut to_be_sent, mut returned, mut psychiatry_child) = (0, 0, None);
                    for c in &courses {
                        for d in tx.decisions(c.course.id).await.unwrap() {
                            if d.outcome != Outcome::Track {
                                assert!(d.meeting_id.is_some(), "{code}: decided at a meeting");
                            }
                            outcomes.insert(d.outcome);
                            if d.outcome != Outcome::Track {
                                assert_eq!(c.course.status, CourseStatus::Completed, "{code}");
                            }
                        }
                        for referral in tx.referrals(c.course.id).await.unwrap() {
                            // Without a decision only when the family was guided during treatment.
                            assert!(referral.decision_id.is_some() || c.course.track.is_some());
                            assert!(!referral.note.trim().is_empty());
                            destinations.insert(referral.destination);
                        }
                        for p in tx.psychiatry_referrals(c.course.id).await.unwrap() {
                            assert_eq!(p.status, "to_be_sent");
                            to_be_sent += 1;
                            psychiatry_child = Some(c.course.child_id);
                        }
                        let contact = tx.contact(c.course.id).await.unwrap().unwrap();
                        if contact.contact.source == Source::PsychiatryReturn {
                            assert!(contact.contact.psychiatry_reason.is_some());
                            assert!(contact.contact.psychiatry_recommendation.is_some());
                            returned += 1;
                        }
                    }
                    for outcome in [
                        Outcome::Track,
                        Outcome::Gp,
                        Outcome::CivilSociety,
                        Outcome::Psychiatry,
                    ] {
                        assert!(outcomes.contains(&outcome), "{code}: {outcome:?}");
                    }
                    for destination in [
                        ReferralDestination::Gp,
                        ReferralDestination::CivilSociety,
                        ReferralDestination::Psychiatry,
                    ] {
                        assert!(
                            destinations.contains(&destination),
                            "{code}: {destination:?}"
                        );
                    }
                    assert_eq!((to_be_sent, returned), (1, 1), "{code}");
                    if code == "0101" {
                        // The demo's one PHQ-A alert is a sign that calls for psychiatry, so that
                        // child is the one referred there.
                        let alerts = tx.open_alerts(org.id).await.unwrap();
                        assert!(alerts.iter().any(|a| Some(a.child_id) == psychiatry_child));
                    }

                    let queue = tx.new_self_referrals(org.id).await.unwrap();
                    let writers: HashSet<String> = queue
                        .iter()
                        .map(|s| format!("{:?}", s.content.writer))
                        .collect();
                    assert_eq!(queue.len(), 2, "{code}");
                    assert_eq!(writers.len(), 2, "{code}: a parent and a young person");
                    for sr in &queue {
                        assert!(sr.content.child_cpr.is_synthetic());
                        assert!(sr.course_id.is_none());
                        let registered = tx
                            .child_by_cpr(org.id, sr.content.child_cpr.as_str())
                            .await
                            .unwrap();
                        assert!(registered.is_none(), "waiting, not yet registered");
                    }
                }
                Ok::<_, samspor_store::StoreError>(())
            })
            .await
            .unwrap();

        let verified = run(&db, &["audit", "verify"]);
        assert_eq!(verified.code, 0, "{backend:?}: {}", verified.stderr);
    }
}

/// A running `samspor serve`, killed when dropped so a failing test leaves nothing behind.
struct Server {
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
    base: String,
}

impl Server {
    fn start(db: &TestDb, extra: &[&str]) -> Server {
        let mut child = samspor(db)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start samspor serve");
        let (tx, lines) = channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            stderr,
            base: String::new(),
        };
        // Seeding the demo happens before this line, so allow for a slow machine.
        let first = server.next_line(Duration::from_secs(120));
        let base = first
            .strip_prefix("Samspor is listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        assert!(
            base.starts_with("http://127.0.0.1:") && base.ends_with('/'),
            "{base}"
        );
        assert!(!base.ends_with(":0/"), "the real port is printed");
        server.base = base.to_string();
        server
    }

    fn next_line(&self, timeout: Duration) -> String {
        self.lines.recv_timeout(timeout).unwrap_or_else(|e| {
            panic!(
                "no output from samspor serve ({e}); stderr:\n{}",
                self.stderr()
            )
        })
    }

    fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Reads stdout until a line contains `last`, returning every line read.
    fn lines_until(&self, last: &str) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            let line = self.next_line(Duration::from_secs(20));
            let done = line.contains(last);
            out.push(line);
            if done {
                return out;
            }
        }
    }

    /// Asks for a graceful shutdown (SIGTERM) and waits for the exit.
    fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for samspor") {
                return status;
            }
            assert!(Instant::now() < deadline, "samspor serve ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[tokio::test]
async fn serve_with_demo_prints_where_and_who_then_answers() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let server = Server::start(&db, &["--demo"]);
        let output = server.lines_until("analytiker@demo.samspor.dk").join("\n");
        for expected in [
            "samspor-demo",
            "koordinator.kobenhavn@demo.samspor.dk",
            "terapeut.aarhus@demo.samspor.dk",
            "admin.aarhus@demo.samspor.dk",
            "sekretariat@demo.samspor.dk",
        ] {
            assert!(
                output.contains(expected),
                "{expected} missing from:\n{output}"
            );
        }
        let health = reqwest::get(server.url("healthz"))
            .await
            .expect("GET /healthz");
        assert_eq!(health.status(), reqwest::StatusCode::OK, "{backend:?}");
        assert_eq!(children_of(&db, &["0101", "0751"]).await.len(), 80);
        let status = server.terminate();
        assert!(
            status.success(),
            "a graceful shutdown exits cleanly: {status}"
        );

        // A database with users gets no second helping, but the logins are still shown.
        let again = Server::start(&db, &["--demo"]);
        let output = again.lines_until("analytiker@demo.samspor.dk").join("\n");
        assert!(output.contains("koordinator.kobenhavn@demo.samspor.dk"));
        assert_eq!(children_of(&db, &["0101", "0751"]).await.len(), 80);
    }
}

/// The `name=value` part of every cookie a response sets.
fn cookies_set(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(|v| v.trim().to_string())
        .collect()
}

/// The `value` attribute of the `<input>` whose name is `name`.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let value = tag.split("value=\"").nth(1)?;
    Some(value[..value.find('"')?].replace("&amp;", "&"))
}

fn contains_string(v: &serde_json::Value, wanted: &str) -> bool {
    match v {
        serde_json::Value::String(s) => s == wanted,
        serde_json::Value::Array(a) => a.iter().any(|v| contains_string(v, wanted)),
        serde_json::Value::Object(o) => o.values().any(|v| contains_string(v, wanted)),
        _ => false,
    }
}

#[tokio::test]
async fn a_session_from_one_server_is_valid_on_another() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!(
            "note: PostgreSQL is not configured (SAMSPOR_TEST_POSTGRES_URL); skipping the two-server test"
        );
        return;
    }
    let db = TestDb::new(Backend::Postgres).await;
    let email = "k@kbh.dk";
    accounts::add_user(
        &db.store,
        UserInput {
            email,
            name: "Karen Koordinator",
            role: "coordinator",
            org_code: "0101",
            password: PASSWORD,
        },
        Utc::now(),
    )
    .await
    .expect("add user");
    let first = Server::start(&db, &[]);
    let second = Server::start(&db, &[]);
    assert_ne!(first.base, second.base);
    // Cookies are carried by hand, so nothing but the session cookie reaches the second server.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let form = client
        .get(first.url("login"))
        .send()
        .await
        .expect("GET /login");
    assert_eq!(form.status(), reqwest::StatusCode::OK);
    let cookies = cookies_set(&form);
    assert!(!cookies.is_empty(), "the login form sets a cookie");
    let html = form.text().await.unwrap();
    let csrf = input_value(&html, "csrf").expect("hidden csrf input");

    let login = client
        .post(first.url("login"))
        .header(reqwest::header::COOKIE, cookies.join("; "))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .expect("POST /login");
    assert_eq!(
        login.status(),
        reqwest::StatusCode::SEE_OTHER,
        "stderr:\n{}",
        first.stderr()
    );
    assert_eq!(login.headers()[reqwest::header::LOCATION], "/");
    let session = cookies_set(&login)
        .into_iter()
        .find(|c| c.starts_with("samspor_session="))
        .expect("session cookie");

    let me = client
        .get(second.url("api/v1/me"))
        .header(reqwest::header::COOKIE, &session)
        .send()
        .await
        .expect("GET /api/v1/me");
    assert_eq!(
        me.status(),
        reqwest::StatusCode::OK,
        "stderr:\n{}",
        second.stderr()
    );
    let body: serde_json::Value = me.json().await.expect("JSON");
    assert!(contains_string(&body, email), "{body}");

    let anonymous = client.get(second.url("api/v1/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn licensed_texts_load_all_or_nothing() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let dir =
            std::env::temp_dir().join(format!("samspor_t_pack_{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let pack = |texts: serde_json::Value| {
            let path = dir.join(format!("{}.json", uuid::Uuid::new_v4().simple()));
            let body = serde_json::json!({"organisation": "0101", "instrument": "who5", "lang": "da", "texts": texts});
            std::fs::write(&path, body.to_string()).unwrap();
            path.display().to_string()
        };
        let bad = run(
            &db,
            &[
                "instruments",
                "load-texts",
                &pack(serde_json::json!({"q1": "Tekst et", "q42": "Findes ikke"})),
            ],
        );
        assert_eq!(bad.code, 2, "{}", bad.stderr);
        assert!(bad.names_field("texts.q42"), "{}", bad.stderr);
        let ok = run(
            &db,
            &[
                "instruments",
                "load-texts",
                &pack(serde_json::json!({"q1": "Tekst et", "q2": "Tekst to"})),
            ],
        );
        assert_eq!(ok.code, 0, "{}", ok.stderr);
        assert!(ok.stdout.starts_with("2 texts loaded"), "{}", ok.stdout);
        db.store
            .read(async |tx| {
                let org = tx.organisation_by_code("0101").await.unwrap().unwrap();
                let mut texts = tx.instrument_texts(org.id, "who5", "da").await.unwrap();
                texts.sort();
                assert_eq!(
                    texts,
                    [
                        ("q1".to_string(), "Tekst et".to_string()),
                        ("q2".to_string(), "Tekst to".to_string())
                    ]
                );
                Ok::<_, samspor_store::StoreError>(())
            })
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn serve_refuses_to_start_with_a_broken_definition() {
    let db = TestDb::new(Backend::Sqlite).await;
    let dir =
        std::env::temp_dir().join(format!("samspor_t_defs_{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("broken.json"),
        "{\"resourceType\": \"Questionnaire\"}",
    )
    .unwrap();
    let r = run(
        &db,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--instruments-dir",
            dir.to_str().unwrap(),
        ],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("broken.json"), "{}", r.stderr);
}

#[tokio::test]
async fn server_settings_come_from_flags_or_the_environment_and_are_checked() {
    let db = TestDb::new(Backend::Sqlite).await;
    let secure_of = async |server: &Server| {
        let page = reqwest::get(server.url("login")).await.expect("GET /login");
        let cookies: Vec<String> = page
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        assert!(!cookies.is_empty(), "the login form sets a cookie");
        cookies.iter().all(|c| c.contains("; Secure"))
    };
    let plain = Server::start(&db, &[]);
    assert!(
        !secure_of(&plain).await,
        "cookies are not Secure by default"
    );
    drop(plain);
    let flagged = Server::start(&db, &["--secure-cookies"]);
    assert!(
        secure_of(&flagged).await,
        "--secure-cookies marks cookies Secure"
    );
    drop(flagged);

    let refused = samspor(&db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("SAMSPOR_ALERT_ESCALATE_MINUTES", "0")
        .output()
        .expect("run samspor serve");
    assert_eq!(
        refused.status.code(),
        Some(2),
        "a bad setting stops start-up"
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("alert-escalate-minutes"), "{stderr}");
}

/// Registers children from many concurrent clients until the server is killed (SIGKILL),
/// then checks that every registration the server acknowledged is stored and that the
/// audit log still verifies: an acknowledged write survives a crash mid-batch.
#[tokio::test]
async fn a_crash_during_concurrent_writes_loses_no_acknowledged_write() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let added = add_user(&db, "k@kbh.dk", "coordinator", "0101", PASSWORD);
        assert_eq!(added.code, 0, "{}", added.stderr);
        let token = run(&db, &["token", "create", "--email", "k@kbh.dk"]);
        assert_eq!(token.code, 0, "{}", token.stderr);
        let token = token.stdout.trim().to_string();
        let mut server = Server::start(&db, &[]);
        let url = server.url("api/v1/children");

        let acknowledged = Arc::new(Mutex::new(Vec::<uuid::Uuid>::new()));
        let mut clients = Vec::new();
        for client in 0..16u32 {
            let (url, token, acknowledged) = (url.clone(), token.clone(), acknowledged.clone());
            clients.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                for n in 0..10_000u32 {
                    let born = NaiveDate::from_ymd_opt(2015, 3, 2).unwrap()
                        + chrono::Days::new(u64::from(client * 50 + n % 50));
                    let Some(cpr) = Cpr::synthetic(born, Sex::Female, n / 50) else {
                        continue;
                    };
                    let body = serde_json::json!({
                        "cpr": cpr.as_str(),
                        "given_name": "Testa",
                        "family_name": "Testesen",
                        "guardians": [{"name": "Mette Testesen", "relation": "mother", "custody": true}]
                    });
                    let Ok(r) = http.post(&url).bearer_auth(&token).json(&body).send().await
                    else {
                        return;
                    };
                    if r.status() != reqwest::StatusCode::CREATED {
                        continue;
                    }
                    let Ok(created) = r.json::<serde_json::Value>().await else {
                        return;
                    };
                    let id = created["id"].as_str().unwrap().parse().unwrap();
                    acknowledged.lock().unwrap().push(id);
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        server.child.kill().expect("kill -9 samspor serve");
        server.child.wait().expect("wait for the killed server");
        for c in clients {
            c.await.unwrap();
        }

        let acknowledged = acknowledged.lock().unwrap().clone();
        assert!(
            acknowledged.len() >= 20,
            "{backend:?}: only {} writes before the kill",
            acknowledged.len()
        );
        // A fresh process opens the database as an operator would after the crash.
        let verify = run(&db, &["audit", "verify"]);
        assert_eq!(
            verify.code, 0,
            "{backend:?}: {}{}",
            verify.stdout, verify.stderr
        );
        let reopened = samspor_store::open(&db.target).await.unwrap();
        let missing = reopened
            .read(async |tx| {
                let mut missing = 0;
                for id in &acknowledged {
                    missing += usize::from(tx.child(*id).await?.is_none());
                }
                Ok::<_, samspor_store::StoreError>(missing)
            })
            .await
            .unwrap();
        assert_eq!(
            missing,
            0,
            "{backend:?}: {missing} of {} acknowledged children are gone",
            acknowledged.len()
        );
        reopened.close().await;
    }
}

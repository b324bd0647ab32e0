//! `samspor export kl-ltt` on the demo data, on every configured backend: every report the
//! binary writes conforms to the KL profiles (the checker written from them, not a snapshot),
//! every reference resolves inside its report, and the demo's courses show up in every shape
//! KL counts.

use chrono::Utc;
use samspor_domain::audit::AuditAction;
use samspor_domain::course::kl;
use samspor_domain::klgateway::{self, check_delivery, check_report};
use samspor_store::testing::{TestDb, backends};
use samspor_store::{AuditFilter, DatabaseTarget};
use serde_json::Value;
use std::collections::HashSet;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_samspor");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(db: &TestDb, args: &[&str]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("SAMSPOR_DATABASE_URL")
        .env("SAMSPOR_LOG", "warn");
    match &db.target {
        DatabaseTarget::SqliteDir(dir) => cmd.arg("--data-dir").arg(dir),
        DatabaseTarget::Url(url) => cmd.arg("--database-url").arg(url),
    };
    let out = cmd.args(args).output().expect("run samspor");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn resources(report: &Value) -> impl Iterator<Item = &Value> {
    report["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["resource"])
}

/// Every `reference` anywhere in the report names a resource of the same report.
fn references_resolve(report: &Value) -> Result<(), String> {
    let present: HashSet<String> = resources(report)
        .map(|r| {
            format!(
                "{}/{}",
                r["resourceType"].as_str().unwrap_or(""),
                r["id"].as_str().unwrap_or("")
            )
        })
        .collect();
    fn walk(v: &Value, present: &HashSet<String>) -> Result<(), String> {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("reference")
                    && !present.contains(r)
                {
                    return Err(format!("{r} does not resolve"));
                }
                m.values().try_for_each(|x| walk(x, present))
            }
            Value::Array(a) => a.iter().try_for_each(|x| walk(x, present)),
            _ => Ok(()),
        }
    }
    resources(report).try_for_each(|r| walk(r, &present))
}

fn has_type(resource: &Value, code: &str) -> bool {
    resource["type"][0]["coding"][0]["code"] == code
}

#[tokio::test]
async fn every_report_of_the_demo_conforms_and_a_second_export_has_only_what_changed() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let demo = run(&db, &["demo", "--municipalities", "2"]);
        assert_eq!(demo.code, 0, "demo: {}", demo.stderr);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("delivery.json");
        let file_arg = file.to_str().unwrap();

        let first = run(
            &db,
            &[
                "export",
                "kl-ltt",
                "--since",
                "2000-01-01T00:00:00Z",
                "--out",
                file_arg,
            ],
        );
        assert_eq!(first.code, 0, "{backend:?}: {}", first.stderr);
        assert!(first.stdout.is_empty(), "the delivery went to the file");
        let after_first = Utc::now();
        let delivery: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();

        let found = check_delivery(&delivery);
        assert!(found.is_empty(), "{backend:?}: {found:#?}");
        let reports: Vec<&Value> = delivery["entry"]
            .as_array()
            .expect("the demo has courses to report")
            .iter()
            .map(|e| &e["resource"])
            .collect();
        let (mut behandling, mut completed, mut referral, mut in_error) = (0, 0, 0, 0);
        let mut children = HashSet::new();
        for report in &reports {
            let found = check_report(report);
            assert!(found.is_empty(), "{backend:?}: {found:#?}");
            references_resolve(report).unwrap_or_else(|e| panic!("{backend:?}: {e}"));
            for r in resources(report) {
                let profile = r["meta"]["profile"][0].as_str().unwrap_or("");
                match profile {
                    klgateway::CITIZEN_PROFILE => {
                        // Only what the profile allows: no name, birth date, gender, address.
                        let mut keys: Vec<&str> =
                            r.as_object().unwrap().keys().map(String::as_str).collect();
                        keys.sort_unstable();
                        assert_eq!(
                            keys,
                            [
                                "active",
                                "id",
                                "identifier",
                                "managingOrganization",
                                "meta",
                                "resourceType"
                            ]
                        );
                        assert!(children.insert(r["id"].as_str().unwrap().to_string()));
                    }
                    klgateway::ENCOUNTER_PROFILE if has_type(r, kl::ENC_BEHANDLING.code) => {
                        behandling += 1;
                    }
                    klgateway::CAREPLAN_PROFILE
                        if r["status"] == "completed" && r["period"]["end"].is_string() =>
                    {
                        completed += 1;
                    }
                    klgateway::REFERRAL_PROFILE => referral += 1,
                    _ => {}
                }
                if r["status"] == "entered-in-error" {
                    in_error += 1;
                }
            }
        }
        assert!(
            behandling > 0,
            "{backend:?}: no Behandling in the demo's delivery"
        );
        assert!(
            completed > 0,
            "{backend:?}: no completed course with an end"
        );
        assert!(referral > 0, "{backend:?}: no referral");
        assert!(in_error > 0, "{backend:?}: nothing entered in error");
        assert_eq!(children.len(), reports.len(), "one report per child");

        // Recorded, and one export audit entry per child reported.
        let exported = db
            .store
            .read(async |tx| {
                let exported = tx
                    .audit_entries(&AuditFilter {
                        action: Some(AuditAction::Export),
                        limit: 1_000_000,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|e| e.event.object_type == "kl_delivery")
                    .count();
                Ok::<_, samspor_store::StoreError>(exported)
            })
            .await
            .unwrap();
        assert_eq!(exported, reports.len());

        // Nothing changed since: an empty delivery, still a valid one, on standard output.
        let since = after_first.to_rfc3339();
        let second = run(&db, &["export", "kl-ltt", "--since", &since]);
        assert_eq!(second.code, 0, "{}", second.stderr);
        let empty: Value = serde_json::from_str(&second.stdout).unwrap();
        assert!(empty.get("entry").is_none(), "{empty}");
        assert!(check_delivery(&empty).is_empty());
        assert!(second.stderr.contains("0 report(s)"), "{}", second.stderr);

        // One municipality's part of the same period is a subset of the whole.
        let one = run(
            &db,
            &[
                "export",
                "kl-ltt",
                "--since",
                "2000-01-01T00:00:00Z",
                "--municipality",
                "0751",
            ],
        );
        assert_eq!(one.code, 0, "{}", one.stderr);
        let one: Value = serde_json::from_str(&one.stdout).unwrap();
        let n = one["entry"].as_array().map_or(0, Vec::len);
        assert!(n > 0 && n < reports.len(), "{n} of {}", reports.len());
    }
}

#[tokio::test]
async fn since_in_the_future_or_malformed_is_refused_and_nothing_is_recorded() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let future = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        for (since, words) in [
            (future.as_str(), "future"),
            ("yesterday", "RFC 3339"),
            ("2026-11-20", "RFC 3339"),
        ] {
            let r = run(&db, &["export", "kl-ltt", "--since", since]);
            assert_ne!(r.code, 0, "{since}");
            assert!(r.stdout.is_empty());
            assert!(
                r.stderr.lines().any(|l| l.starts_with("  since: ")) && r.stderr.contains(words),
                "{since}: {}",
                r.stderr
            );
        }
        let r = run(
            &db,
            &[
                "export",
                "kl-ltt",
                "--since",
                "2000-01-01T00:00:00Z",
                "--municipality",
                "9999",
            ],
        );
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("9999"), "{}", r.stderr);
        let r = run(&db, &["export", "kl-ltt"]);
        assert_ne!(r.code, 0, "--since is required");
        let seq = db.store.audit_length().await.unwrap();
        assert_eq!(seq, 0, "a refused export writes nothing");
    }
}

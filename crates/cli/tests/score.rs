//! `samspor score` and `samspor instruments` run as an operator runs them. They need no
//! database: the binary is given a database URL it could never open, and must not try.

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_samspor");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn samspor(args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        // Unsupported on purpose: resolving it would fail the command.
        .env("SAMSPOR_DATABASE_URL", "nowhere://no-database")
        .env("SAMSPOR_LOG", "warn")
        .output()
        .expect("run samspor");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write_json(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path.display().to_string()
}

/// The parent hand-worked case of the domain tests (see `sdq_parent_hand_worked` there):
/// emotional 7, conduct 5, hyperactivity 8, peer 4, prosocial 7, total 24, impact 4.
fn parent_answers() -> Value {
    let items = [
        2, 2, 1, 1, 2, 0, 0, 2, 2, 1, 2, 1, 1, 1, 2, 2, 1, 0, 1, 1, 0, 0, 2, 1, 1,
    ];
    let mut answers: serde_json::Map<String, Value> = items
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("q{}", i + 1), json!(v)))
        .collect();
    for (k, v) in [
        ("difficulties", json!(2)),
        ("chronicity", json!(3)),
        ("distress", json!(2)),
        ("home", json!(3)),
        ("friendships", json!(1)),
        ("classroom", json!(2)),
        ("leisure", json!(0)),
        ("burden", Value::Null),
    ] {
        answers.insert(k.into(), v);
    }
    json!({ "answers": answers })
}

#[test]
fn scores_the_sdq_parent_case_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_json(dir.path(), "answers.json", &parent_answers());
    let run = samspor(&[
        "score",
        "--instrument",
        "sdq-parent-4-17",
        "--answers",
        &file,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        out,
        json!({
            "instrument": "sdq-parent-4-17",
            "scales": {
                "emotional": {"score": 7, "band": "very_high"},
                "conduct": {"score": 5, "band": "high"},
                "hyperactivity": {"score": 8, "band": "high"},
                "peer": {"score": 4, "band": "high"},
                "prosocial": {"score": 7, "band": "slightly_lowered"},
                "total_difficulties": {"score": 24, "band": "very_high"},
                "externalising": {"score": 13, "band": null},
                "internalising": {"score": 11, "band": null},
                "impact": {"score": 4, "band": "very_high"}
            }
        })
    );
    // Pretty-printed for a person, and no "critical" key when nothing was critical.
    assert!(run.stdout.contains("\n  \"scales\": {\n"));

    // Prorating and the impact rule through the same path: three emotional items and
    // "no difficulties" with the impact items left open.
    let partial = json!({"answers": {"q3": 2, "q8": 1, "q13": 2, "q16": null, "difficulties": 0}});
    let file = write_json(dir.path(), "partial.json", &partial);
    let run = samspor(&[
        "score",
        "--instrument",
        "sdq-parent-4-17",
        "--answers",
        &file,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        out["scales"]["emotional"],
        json!({"score": 8, "band": "very_high"})
    );
    assert_eq!(
        out["scales"]["conduct"],
        json!({"score": null, "band": null})
    );
    assert_eq!(
        out["scales"]["total_difficulties"],
        json!({"score": null, "band": null})
    );
    assert_eq!(
        out["scales"]["impact"],
        json!({"score": 0, "band": "close_to_average"})
    );
}

#[test]
fn a_critical_answer_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let mut answers: serde_json::Map<String, Value> =
        (1..=9).map(|n| (format!("q{n}"), json!(0))).collect();
    answers.insert("q9".into(), json!(2));
    let file = write_json(dir.path(), "phq.json", &json!({ "answers": answers }));
    let run = samspor(&["score", "--instrument", "phq-a", "--answers", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        out["scales"]["total"],
        json!({"score": 2, "band": "minimal"})
    );
    assert_eq!(out["critical"][0]["link_id"], "q9");
    assert_eq!(out["critical"][0]["code"], "self_harm_thoughts");
}

#[test]
fn an_unknown_instrument_is_named_with_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_json(dir.path(), "answers.json", &parent_answers());
    let run = samspor(&[
        "score",
        "--instrument",
        "sdq-parent-2-4",
        "--answers",
        &file,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("unknown instrument \"sdq-parent-2-4\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sdq-parent-4-17"), "{}", run.stderr);
    assert!(run.stderr.contains("who5"), "{}", run.stderr);

    let show = samspor(&["instruments", "show", "nope"]);
    assert_eq!(show.code, 2, "{}", show.stderr);
    assert!(
        show.stderr.contains("unknown instrument \"nope\""),
        "{}",
        show.stderr
    );
}

#[test]
fn bad_answers_get_one_line_per_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = json!({"answers": {"q1": 3, "q2": 1, "home": 9, "q99": 1, "q4": "2"}});
    let file = write_json(dir.path(), "bad.json", &bad);
    let run = samspor(&[
        "score",
        "--instrument",
        "sdq-teacher-4-17",
        "--answers",
        &file,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    // A value of the wrong type is found while reading, before the definition is consulted.
    assert!(
        run.stderr
            .lines()
            .any(|l| l == "  q4: \"2\" is not a whole number or null"),
        "{}",
        run.stderr
    );

    let bad = json!({"answers": {"q1": 3, "q2": 1, "home": 9, "q99": 1}});
    let file = write_json(dir.path(), "bad.json", &bad);
    let run = samspor(&[
        "score",
        "--instrument",
        "sdq-teacher-4-17",
        "--answers",
        &file,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let field_lines: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(
        field_lines,
        [
            "  home: There is no question \"home\" in sdq-teacher-4-17.",
            "  q1: 3 is not an answer option here; choose one of 0, 1, 2.",
            "  q99: There is no question \"q99\" in sdq-teacher-4-17.",
        ],
        "{}",
        run.stderr
    );

    let file = write_json(dir.path(), "shape.json", &json!({"q1": 1}));
    let run = samspor(&[
        "score",
        "--instrument",
        "sdq-teacher-4-17",
        "--answers",
        &file,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("  answers: expected")),
        "{}",
        run.stderr
    );
}

#[test]
fn list_and_show_print_what_is_loaded() {
    let run = samspor(&["instruments", "list"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 13, "{}", run.stdout);
    let teacher = lines
        .iter()
        .find(|l| l.starts_with("sdq-teacher-4-17 "))
        .unwrap();
    for part in [
        "teacher",
        "4-17",
        "1.0.0",
        "SDQ – teacher report (4–17 years)",
    ] {
        assert!(teacher.contains(part), "{teacher}");
    }

    let run = samspor(&["instruments", "show", "sdq-self-11-17"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shown: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(shown["id"], "sdq-self-11-17");
    assert_eq!(shown["respondent"], "child");
    assert_eq!(
        shown["pages"][0]["items"][2]["label_en"],
        "I have aches or feel unwell"
    );
    assert_eq!(
        shown["pages"][0]["items"][2]["label"],
        "Jeg har ondt eller føler mig utilpas"
    );
    assert_eq!(shown["licence"]["may_render_items_electronically"], false);
    let bands = shown["bands"].as_array().unwrap();
    assert!(
        bands.iter().all(|b| b["verified"] == false),
        "self-report bands are [U]"
    );
    let impact = shown["scales"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "impact")
        .unwrap();
    assert_eq!(impact["rule"], "gated_sum");
    assert_eq!(impact["recode"], json!([0, 0, 1, 2]));
}

#[test]
fn an_instruments_dir_replaces_the_shipped_definitions() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../instruments/who5.json");
    let mut who5: Value = serde_json::from_str(&std::fs::read_to_string(shipped).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_json(dir.path(), "who5.json", &who5);
    std::fs::write(dir.path().join("README.md"), "not a definition").unwrap();
    let defs = dir.path().display().to_string();

    let run = samspor(&["instruments", "list", "--instruments-dir", &defs]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);

    let answers = write_json(
        dir.path(),
        "answers.data",
        &json!({"answers": {"q1": 3, "q2": 3, "q3": 2, "q4": 2, "q5": 2}}),
    );
    let run = samspor(&[
        "score",
        "--instrument",
        "who5",
        "--answers",
        &answers,
        "--instruments-dir",
        &defs,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        out["scales"]["percentage"],
        json!({"score": 48, "band": "poor_wellbeing"})
    );
    // Only the directory's definitions are loaded.
    let run = samspor(&[
        "score",
        "--instrument",
        "sdq-parent-4-17",
        "--answers",
        &answers,
        "--instruments-dir",
        &defs,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("known instruments: who5"),
        "{}",
        run.stderr
    );

    // A broken definition stops everything and names the file and the field.
    who5["samspor"]["derived"][0]["of"] = json!(["rw"]);
    write_json(dir.path(), "who5.json", &who5);
    for args in [
        vec!["instruments", "list", "--instruments-dir", &defs],
        vec![
            "score",
            "--instrument",
            "who5",
            "--answers",
            &answers,
            "--instruments-dir",
            &defs,
        ],
    ] {
        let run = samspor(&args);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let expected = "who5.json: samspor.derived[0].of[0]: unknown scale \"rw\" \
                        (a total can only use scales defined before it)";
        assert!(run.stderr.contains(expected), "{}", run.stderr);
        assert!(
            run.stderr.contains(&defs),
            "the path is given: {}",
            run.stderr
        );
    }

    let empty = tempfile::tempdir().unwrap();
    let run = samspor(&[
        "instruments",
        "list",
        "--instruments-dir",
        &empty.path().display().to_string(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("no instrument definitions"),
        "{}",
        run.stderr
    );
}

/// `samspor instruments list | head -1`: the reader leaves before the list is written. The
/// command stops quietly instead of panicking on the closed pipe.
#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    let mut child = std::process::Command::new(BIN)
        .args(["instruments", "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("samspor starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("samspor ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

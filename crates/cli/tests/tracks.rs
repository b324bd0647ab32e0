//! `samspor serve --tracks-dir`: the track definitions are read from disk and checked at
//! start-up; a broken one stops the server with a message naming the file and the field.

use samspor_store::DatabaseTarget;
use samspor_store::testing::{Backend, TestDb};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_samspor");

fn samspor(db: &TestDb) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("SAMSPOR_DATABASE_URL")
        .env_remove("SAMSPOR_TRACKS_DIR")
        .env("SAMSPOR_LOG", "warn");
    match &db.target {
        DatabaseTarget::SqliteDir(dir) => cmd.arg("--data-dir").arg(dir),
        DatabaseTarget::Url(url) => cmd.arg("--database-url").arg(url),
    };
    cmd
}

/// A copy of the repository's `tracks/` in a fresh temporary directory.
fn copy_of_tracks() -> (tempfile::TempDir, PathBuf) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tracks");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tracks");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    (tmp, dir)
}

fn edit(file: &Path, change: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    change(&mut v);
    std::fs::write(file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// Runs `serve` with `extra` arguments to its end (it must not start) and returns (exit code,
/// stderr).
fn refused(mut cmd: Command, extra: &[&Path]) -> (i32, String) {
    let out = cmd
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .expect("run samspor serve");
    assert!(
        out.stdout.is_empty(),
        "nothing was served: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_broken_track_file_stops_start_up_naming_file_and_field() {
    let db = TestDb::new(Backend::Sqlite).await;
    let (_tmp, dir) = copy_of_tracks();
    let worry = dir.join("worry_sadness.json");
    edit(&worry, |v| {
        v["plan"]["measurements"][2]["instrument"] = "sdq-x".into();
    });
    let expected = format!(
        "{}: plan.measurements[2].instrument: unknown instrument \"sdq-x\"",
        worry.display()
    );

    let (code, stderr) = refused(samspor(&db), &[Path::new("--tracks-dir"), &dir]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains(&expected), "{stderr}");

    // The environment names the directory just as well.
    let mut with_env = samspor(&db);
    with_env.env("SAMSPOR_TRACKS_DIR", &dir);
    let (code, stderr) = refused(with_env, &[]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains(&expected), "{stderr}");

    // A file the parser refuses is named with its field too.
    let (_tmp2, dir2) = copy_of_tracks();
    let body = dir2.join("body_food.json");
    edit(&body, |v| {
        v["ages"]["max"] = 19.into();
    });
    let (code, stderr) = refused(samspor(&db), &[Path::new("--tracks-dir"), &dir2]);
    assert_ne!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!("{}: ages: ", body.display())),
        "{stderr}"
    );

    // A missing file is named as well.
    let (_tmp3, dir3) = copy_of_tracks();
    std::fs::remove_file(dir3.join("self_harm.json")).unwrap();
    let (code, stderr) = refused(samspor(&db), &[Path::new("--tracks-dir"), &dir3]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("self_harm.json"), "{stderr}");
}

#[tokio::test]
async fn a_good_tracks_directory_serves() {
    let db = TestDb::new(Backend::Sqlite).await;
    let (_tmp, dir) = copy_of_tracks();
    std::fs::write(dir.join("README.txt"), "not a definition").unwrap();
    let mut child = samspor(&db)
        .args(["serve", "--addr", "127.0.0.1:0", "--tracks-dir"])
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start samspor serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(120));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let first = first.unwrap_or_else(|e| {
        panic!(
            "no output from samspor serve ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let base = first
        .strip_prefix("Samspor is listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
}

//! The `paperstand` binary as a user runs it: import reports, bad input, idempotence,
//! export round trips, configuration, and `serve` from a fresh data directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const FIXTURE: &str = include_str!("fixtures/papers.jsonl");

fn paperstand(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("PAPERSTAND_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run paperstand")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write file");
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// The ids of every exported paper.
fn exported_ids(data_dir: &Path) -> Vec<String> {
    let output = paperstand(data_dir, &["export"]);
    assert!(
        output.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(&output)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect()
}

#[test]
fn import_reports_each_bad_line_and_keeps_every_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let good: Vec<&str> = FIXTURE.lines().take(3).collect();
    let mut file = Vec::new();
    let push = |file: &mut Vec<u8>, line: &[u8]| {
        file.extend_from_slice(line);
        file.push(b'\n');
    };
    push(&mut file, good[0].as_bytes()); // 1
    push(
        &mut file,
        br#"{"id": "2606.00001", "title": "half a record"#,
    ); // 2: malformed
    push(
        &mut file,
        br#"{"id": "2606.00002", "abstract": "no title"}"#,
    ); // 3
    push(&mut file, br#"{"title": "no id"}"#); // 4
    push(&mut file, br#"{"id": "not-an-id", "title": "x"}"#); // 5
    push(
        &mut file,
        b"{\"id\": \"2606.00003\", \"title\": \"caf\xC3\x28\"}",
    ); // 6: invalid UTF-8
    let huge = format!(
        r#"{{"id": "2606.00004", "title": "big", "abstract": "{}"}}"#,
        "a".repeat(10 * 1024 * 1024)
    );
    push(&mut file, huge.as_bytes()); // 7
    push(&mut file, br#"{"id": "2606.00005", "title": "<script>alert(1)</script>", "comment": "javascript:alert(1)", "first_listed": "2026-06-02"}"#); // 8: accepted
    push(&mut file, b""); // 9: blank
    push(&mut file, good[1].as_bytes()); // 10
    push(&mut file, good[1].as_bytes()); // 11: same id twice
    push(&mut file, good[2].as_bytes()); // 12
    let path = write(dir.path(), "mixed.jsonl", &file);
    let output = paperstand(dir.path(), &["import", path.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(3), "{text}");
    for expected in [
        "12 lines",
        "new                 4",
        "unchanged           1",
        "rejected            6",
        "line 2: malformed JSON: EOF while parsing",
        "line 3: missing title",
        "line 4: missing id",
        "line 5: \"not-an-id\" is not an arXiv id",
        "line 6: invalid UTF-8 at byte 34",
        "line 7: abstract is 10485760 bytes long; the limit is 20000 bytes",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let ids = exported_ids(dir.path());
    assert_eq!(ids.len(), 4, "every good line landed: {ids:?}");
    assert!(
        ids.contains(&"2606.00005".to_owned()),
        "hostile text is data, stored and escaped on output"
    );
}

#[test]
fn reimporting_changes_nothing_and_newer_records_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "papers.jsonl", FIXTURE.as_bytes());
    let first = paperstand(dir.path(), &["import", path.to_str().unwrap()]);
    assert!(first.status.success());
    assert!(
        stdout(&first).contains("new                21"),
        "{}",
        stdout(&first)
    );
    let second = paperstand(dir.path(), &["import", path.to_str().unwrap()]);
    assert!(
        stdout(&second).contains("new                 0")
            && stdout(&second).contains("unchanged          21")
    );

    let mut record: serde_json::Value =
        serde_json::from_str(FIXTURE.lines().next().unwrap()).unwrap();
    record["title"] = "A revised title".into();
    record["last_listed"] = "2026-07-01".into();
    let mut stale = record.clone();
    stale["title"] = "An older title".into();
    stale["last_listed"] = "2020-01-01".into();
    let lines = format!("{record}\n{stale}\n");
    let path = write(dir.path(), "revised.jsonl", lines.as_bytes());
    let third = stdout(&paperstand(dir.path(), &["import", path.to_str().unwrap()]));
    assert!(
        third.contains("updated             1") && third.contains("older               1"),
        "{third}"
    );
    let export = stdout(&paperstand(dir.path(), &["export"]));
    assert!(export.contains("A revised title") && !export.contains("An older title"));
}

#[test]
fn a_truncated_gzip_keeps_what_came_before_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let compressed = gzip(FIXTURE.as_bytes());
    let path = write(
        dir.path(),
        "papers.jsonl.gz",
        &compressed[..compressed.len() * 2 / 3],
    );
    let output = paperstand(dir.path(), &["import", path.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("it is truncated"), "{text}");
    let imported = exported_ids(dir.path()).len();
    assert!(
        imported > 0 && imported < 21,
        "the lines before the break landed: {imported}"
    );
    assert!(
        text.contains(&format!("new        {imported:>10}")),
        "the report counts them: {text}"
    );

    let whole = write(dir.path(), "whole.jsonl.gz", &compressed);
    let again = paperstand(dir.path(), &["import", whole.to_str().unwrap()]);
    assert!(
        again.status.success(),
        "re-importing the whole file is safe"
    );
    assert_eq!(exported_ids(dir.path()).len(), 21);
}

#[test]
fn empty_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.jsonl", b"");
    let output = paperstand(dir.path(), &["import", empty.to_str().unwrap()]);
    assert!(output.status.success());
    assert!(stdout(&output).contains("0 lines"));
    let missing = paperstand(dir.path(), &["import", "/no/such/file.jsonl"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open /no/such/file.jsonl"));
}

#[test]
fn export_then_import_round_trips() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let source = write(a.path(), "papers.jsonl", FIXTURE.as_bytes());
    assert!(
        paperstand(a.path(), &["import", source.to_str().unwrap()])
            .status
            .success()
    );
    let first = a.path().join("first.jsonl.gz");
    let exported = paperstand(a.path(), &["export", first.to_str().unwrap()]);
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let leftovers: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().contains(".partial"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file left: {leftovers:?}"
    );
    assert!(
        paperstand(b.path(), &["import", first.to_str().unwrap()])
            .status
            .success()
    );
    let second = b.path().join("second.jsonl");
    assert!(
        paperstand(b.path(), &["export", second.to_str().unwrap()])
            .status
            .success()
    );
    let second_text = std::fs::read_to_string(&second).unwrap();
    let first_text = stdout(&paperstand(a.path(), &["export"]));
    assert_eq!(
        first_text, second_text,
        "import → export → import → export is stable"
    );
    // Every field of the corpus survives.
    let originals: std::collections::HashMap<String, serde_json::Value> = FIXTURE
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| (v["id"].as_str().unwrap().to_owned(), v))
        .collect();
    for line in second_text.lines() {
        let exported: serde_json::Value = serde_json::from_str(line).unwrap();
        let original = &originals[exported["id"].as_str().unwrap()];
        for field in [
            "abstract",
            "authors",
            "categories",
            "comment",
            "first_listed",
            "last_listed",
            "times_listed",
        ] {
            assert_eq!(
                exported[field], original[field],
                "{field} of {}",
                exported["id"]
            );
        }
    }
}

#[test]
fn config_print_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["config", "print"])
        .env("PAPERSTAND_BIND", "0.0.0.0:9000")
        .env("PAPERSTAND_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(text.contains("bind = \"0.0.0.0:9000\""), "{text}");
    assert!(text.contains(&dir.path().display().to_string()));
    let bad = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .args(["config", "print"])
        .env("PAPERSTAND_BIND", "nope")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("PAPERSTAND_BIND: \"nope\" is not an address")
    );
    let help = stdout(
        &Command::new(env!("CARGO_BIN_EXE_paperstand"))
            .arg("--help")
            .output()
            .unwrap(),
    );
    for command in ["serve", "import", "export", "config", "--data-dir"] {
        assert!(help.contains(command), "{help}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_ready(url: &str) {
    paperstand::ingest::fetch::install_tls_provider();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::get(format!("{url}/readyz")).await
            && response.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready at {url}");
}

/// A `serve` process, killed if a test fails before stopping it.
struct Serving(Option<std::process::Child>);

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn_serve(data_dir: &Path, port: u16, extra: &[&str]) -> Serving {
    let child = Command::new(env!("CARGO_BIN_EXE_paperstand"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start serve");
    Serving(Some(child))
}

fn terminate(mut serving: Serving) -> std::process::ExitStatus {
    let mut child = serving.0.take().expect("running");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn serve_imports_the_demo_once_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let child = spawn_serve(&data, port, &[]);
    wait_ready(&url).await;
    let home = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(
        home.contains("Papers of") && home.contains("<article class=\"card\">"),
        "a populated site"
    );
    let paper = reqwest::get(format!("{url}/papers/2503.11731"))
        .await
        .unwrap();
    assert_eq!(paper.status(), 200, "a demo paper has its page");
    assert!(
        terminate(child).success(),
        "SIGTERM ends serve with success"
    );
    assert!(data.join("paperstand.sqlite").exists());

    let count_before = exported_ids(&data).len();
    assert!(
        count_before >= 1_990,
        "the demo holds the 2,000-paper sample: {count_before}"
    );
    let child = spawn_serve(&data, port, &[]);
    wait_ready(&url).await;
    assert!(terminate(child).success());
    assert_eq!(
        exported_ids(&data).len(),
        count_before,
        "the demo is imported once"
    );
}

#[tokio::test]
async fn serve_without_demo_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let child = spawn_serve(dir.path(), port, &["--no-demo"]);
    wait_ready(&url).await;
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("No papers yet"));
    assert!(terminate(child).success());
}

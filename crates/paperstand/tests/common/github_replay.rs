//! A real HTTP server on 127.0.0.1 that answers like GitHub's REST API for
//! `GET /repos/{owner}/{repo}` and `GET /repositories/{id}`. Every repository answer is
//! the recorded one (fixtures/github/repo_get.json) with its name and count changed; the
//! error bodies are GitHub's (fixtures/github/README in ../fixtures/README.md). A path
//! has a standing answer, honouring `If-None-Match` like GitHub, and one-off answers
//! queued before it (faults). Every request is kept with its headers.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// GET /repos/dogsheep/github-to-sqlite as recorded (shared/fixtures/github_repo_get.json).
pub const REPO_GET: &str = include_str!("../fixtures/github/repo_get.json");
const MOVED: &str = include_str!("../fixtures/github/moved_301.json");
const NOT_FOUND: &str = include_str!("../fixtures/github/not_found_404.json");
const RATE_LIMITED: &str = include_str!("../fixtures/github/rate_limited_403.json");
const SECONDARY: &str = include_str!("../fixtures/github/secondary_limit_403.json");

/// One answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Headers besides the rate-limit ones every answer gets.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Answer {
    fn new(status: u16, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status,
            headers: vec![(
                "content-type".to_owned(),
                "application/json; charset=utf-8".to_owned(),
            )],
            body: body.into(),
        }
    }

    /// The recorded repository under `full_name` with `stars`, and its `ETag`.
    pub fn repo(full_name: &str, stars: u64, etag: &str) -> Answer {
        let mut json: serde_json::Value = serde_json::from_str(REPO_GET).unwrap();
        json["full_name"] = full_name.into();
        json["name"] = full_name.split('/').nth(1).unwrap_or_default().into();
        json["stargazers_count"] = stars.into();
        json["watchers_count"] = stars.into();
        Answer::new(200, serde_json::to_vec_pretty(&json).unwrap()).with("etag", etag)
    }

    /// `403` with the budget spent until `reset` (seconds since the epoch).
    pub fn primary_limit(reset: i64) -> Answer {
        Answer::new(403, RATE_LIMITED)
            .with("x-ratelimit-remaining", "0")
            .with("x-ratelimit-reset", &reset.to_string())
    }

    /// `403` for a secondary limit, with `Retry-After` when given.
    pub fn secondary_limit(retry_after: Option<u64>) -> Answer {
        let answer = Answer::new(403, SECONDARY);
        match retry_after {
            Some(seconds) => answer.with("retry-after", &seconds.to_string()),
            None => answer,
        }
    }

    /// `404 Not Found`.
    pub fn not_found() -> Answer {
        Answer::new(404, NOT_FOUND)
    }

    /// `301` to `location` (GitHub's `/repositories/{id}`).
    pub fn moved(location: &str) -> Answer {
        Answer::new(301, MOVED).with("location", location)
    }

    /// `500`.
    pub fn server_error() -> Answer {
        Answer::new(500, "")
    }

    /// A `200` whose JSON breaks off (the recorded body cut in the middle).
    pub fn malformed() -> Answer {
        Answer::new(200, &REPO_GET.as_bytes()[..REPO_GET.len() / 2]).with("etag", "\"cut\"")
    }

    /// The same answer with one more header (replacing one of that name).
    pub fn with(mut self, name: &str, value: &str) -> Answer {
        self.headers.retain(|(n, _)| n != name);
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The path.
    pub path: String,
    /// Its headers.
    pub headers: HeaderMap,
}

impl Seen {
    /// A header's value, if sent.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

#[derive(Debug, Default)]
struct Script {
    standing: HashMap<String, Answer>,
    queued: HashMap<String, VecDeque<Answer>>,
    seen: Vec<Seen>,
}

/// The running server.
#[derive(Debug, Clone)]
pub struct GithubReplay {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    script: Arc<Mutex<Script>>,
}

impl GithubReplay {
    /// Serves on 127.0.0.1:<free port>.
    pub async fn start() -> GithubReplay {
        let script: Arc<Mutex<Script>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new().fallback(answer).with_state(script.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        GithubReplay { url, script }
    }

    /// `path` answers `answer` from now on (after any queued ones).
    pub fn set(&self, path: &str, answer: Answer) {
        self.script
            .lock()
            .unwrap()
            .standing
            .insert(path.to_owned(), answer);
    }

    /// `path` answers these once each, in order, before its standing answer.
    pub fn queue(&self, path: &str, answers: impl IntoIterator<Item = Answer>) {
        self.script
            .lock()
            .unwrap()
            .queued
            .entry(path.to_owned())
            .or_default()
            .extend(answers);
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.script.lock().unwrap().seen.clone()
    }

    /// The requests to `path` so far.
    pub fn seen_at(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }
}

async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().to_owned();
    let chosen = {
        let mut script = script.lock().unwrap();
        script.seen.push(Seen {
            path: path.clone(),
            headers: headers.clone(),
        });
        let queued = script.queued.get_mut(&path).and_then(VecDeque::pop_front);
        queued.or_else(|| {
            let standing = script.standing.get(&path)?.clone();
            // GitHub's conditional requests: the same ETag is a 304 without a body.
            let asked = headers.get("if-none-match").and_then(|v| v.to_str().ok());
            Some(match (asked, standing.header("etag")) {
                (Some(asked), Some(etag)) if asked == etag => {
                    Answer::new(304, "").with("etag", etag)
                }
                _ => standing,
            })
        })
    };
    let chosen = chosen.unwrap_or_else(Answer::not_found);
    let mut response = (
        StatusCode::from_u16(chosen.status).unwrap(),
        chosen.body.clone(),
    )
        .into_response();
    let reset = (time::OffsetDateTime::now_utc().unix_timestamp() + 3600).to_string();
    let out = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", "5000"),
        ("x-ratelimit-remaining", "4999"),
        ("x-ratelimit-reset", reset.as_str()),
    ] {
        out.insert(name, value.parse().unwrap());
    }
    for (name, value) in &chosen.headers {
        out.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    response
}

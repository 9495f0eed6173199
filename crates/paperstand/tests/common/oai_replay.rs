//! A real HTTP server on 127.0.0.1 that replays arXiv's OAI-PMH: the 503 records of the
//! recorded `ListRecords` fixture (arXiv's own server code over its test database),
//! cut into pages with resumption tokens in arXiv's percent-encoded form, plus faults
//! injected on demand (503 + Retry-After, 500, slow answers, a connection reset in the
//! middle of a body, an HTML page, an oversized body, protocol errors).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The recorded ListRecords response with every record (arXivRaw).
pub const ALL_RECORDS: &str =
    include_str!("../../../core/tests/fixtures/arxiv_oaipmh_gen_listrecords_arXivRaw_all.xml");
const NO_RECORDS_MATCH: &str =
    include_str!("../../../core/tests/fixtures/arxiv_oaipmh_gen_error_noRecordsMatch.xml");
const BAD_TOKEN: &str =
    include_str!("../../../core/tests/fixtures/arxiv_oaipmh_gen_error_badResumptionToken.xml");
const BAD_ARGUMENT: &str = include_str!(
    "../../../core/tests/fixtures/arxiv_oaipmh_gen_error_badArgument_missing_prefix.xml"
);

/// A fault served instead of (or before) the next page.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 503 with `Retry-After: seconds`.
    Unavailable(u64),
    /// 500.
    ServerError,
    /// Answer after this long.
    Slow(Duration),
    /// Send half the page, then break the connection.
    ResetMidBody,
    /// A 200 HTML page instead of XML.
    HtmlPage,
    /// A 200 body of this many bytes.
    Huge(usize),
    /// The recorded badResumptionToken error (on a token request).
    BadToken,
    /// The recorded badArgument error.
    BadArgument,
}

/// The server's state.
#[derive(Debug, Default)]
pub struct Replay {
    pages: Vec<String>,
    faults: Mutex<VecDeque<Fault>>,
    /// Every raw query string received, in order.
    pub queries: Mutex<Vec<String>>,
    /// Delay before every page (to give kill tests something to interrupt).
    pub page_delay: Mutex<Duration>,
    /// Day whose `from` gets noRecordsMatch (an incremental harvest with nothing new).
    pub nothing_new_from: Mutex<Option<String>>,
}

/// The records of the fixture as XML fragments.
pub fn record_fragments() -> Vec<String> {
    let body = &ALL_RECORDS[ALL_RECORDS.find("<ListRecords>").unwrap() + "<ListRecords>".len()
        ..ALL_RECORDS.find("</ListRecords>").unwrap()];
    body.split("<record>")
        .skip(1)
        .map(|r| {
            format!(
                "<record>{}",
                &r[..r.find("</record>").unwrap() + "</record>".len()]
            )
        })
        .collect()
}

fn token(skip: usize) -> String {
    format!("verb%3DListRecords%26metadataPrefix%3DarXivRaw%26skip%3D{skip}")
}

impl Replay {
    /// Pages of `per_page` records.
    pub fn new(per_page: usize) -> Arc<Replay> {
        let records = record_fragments();
        let chunks: Vec<&[String]> = records.chunks(per_page).collect();
        let pages = chunks
            .iter()
            .enumerate()
            .map(|(n, chunk)| {
                let next = if n + 1 < chunks.len() {
                    format!("<resumptionToken cursor='{}'>{}</resumptionToken>", n * per_page, token((n + 1) * per_page))
                } else {
                    "<resumptionToken/>".to_owned()
                };
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\
                     <responseDate>2026-11-27T10:34:10Z</responseDate><request verb=\"ListRecords\">http://localhost/oai</request>\
                     <ListRecords>{}{next}</ListRecords></OAI-PMH>",
                    chunk.concat()
                )
            })
            .collect();
        Arc::new(Replay {
            pages,
            ..Replay::default()
        })
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Queues faults, served one per request before pages resume.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults.lock().unwrap().extend(faults);
    }

    /// Serves on 127.0.0.1:<free port>; returns the base URL (`…/oai`).
    pub async fn serve(self: &Arc<Self>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/oai", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/oai", get(answer))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        url
    }

    /// Which page a query asks for, or the error it deserves.
    fn page_for(&self, query: &str) -> Result<usize, &'static str> {
        if let Some(token) = query
            .split('&')
            .find_map(|p| p.strip_prefix("resumptionToken="))
        {
            // arXiv's tokens are already percent-encoded: a client that encodes them again
            // sends %253D, which the real server rejects.
            let skip = token
                .strip_prefix("verb%3DListRecords%26metadataPrefix%3DarXivRaw%26skip%3D")
                .ok_or(BAD_TOKEN)?;
            let skip: usize = skip.parse().map_err(|_| BAD_TOKEN)?;
            let per_page = self
                .pages
                .first()
                .map_or(1, |p| p.matches("<record>").count())
                .max(1);
            return Ok(skip / per_page);
        }
        if !query.contains("metadataPrefix=arXivRaw") {
            return Err(BAD_ARGUMENT);
        }
        let from = query.split('&').find_map(|p| p.strip_prefix("from="));
        if from.is_some() && from.map(str::to_owned) == *self.nothing_new_from.lock().unwrap() {
            return Err(NO_RECORDS_MATCH);
        }
        Ok(0)
    }
}

fn xml(body: impl Into<Body>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

async fn answer(State(replay): State<Arc<Replay>>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    replay.queries.lock().unwrap().push(query.clone());
    let fault = replay.faults.lock().unwrap().pop_front();
    if let Some(fault) = fault
        && let Some(response) = fault_response(&replay, fault, &query).await
    {
        return response;
    }
    let delay = *replay.page_delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    match replay.page_for(&query) {
        Ok(n) => match replay.pages.get(n) {
            Some(page) => xml(page.clone()),
            None => xml(BAD_TOKEN),
        },
        Err(error) => xml(error),
    }
}

async fn fault_response(replay: &Replay, fault: Fault, query: &str) -> Option<Response> {
    Some(match fault {
        Fault::Unavailable(seconds) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, seconds.to_string())],
            "busy",
        )
            .into_response(),
        Fault::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        Fault::Slow(wait) => {
            tokio::time::sleep(wait).await;
            return None;
        }
        Fault::ResetMidBody => {
            let page = replay.pages[replay
                .page_for(query)
                .unwrap_or(0)
                .min(replay.pages.len() - 1)]
            .clone();
            let half = Bytes::from(page.as_bytes()[..page.len() / 2].to_vec());
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(half),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "reset",
                )),
            ];
            let mut response = xml(Body::from_stream(futures_util::stream::iter(chunks)));
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, page.len().into());
            response
        }
        Fault::HtmlPage => (
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>Maintenance</h1></body></html>",
        )
            .into_response(),
        Fault::Huge(bytes) => xml(vec![b' '; bytes]),
        Fault::BadToken => xml(BAD_TOKEN),
        Fault::BadArgument => xml(BAD_ARGUMENT),
    })
}

//! Per-client request limits for the JSON API and CORS for reads. One node (SQLite)
//! keeps a token bucket per client in memory; nodes sharing PostgreSQL count in the
//! database ([`super::shared_limits`]) so a client's budget is the same on every node.
//! The client is [`Viewer::ip`](crate::web::auth::Viewer) (see `web::client`), IPv6 by
//! its /64.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use super::shared_limits::SharedLimiter;
use crate::web::AppState;
use crate::web::auth::Viewer;
use crate::web::client::limit_addr;

/// How the API limits clients: chosen at start by the store's backend.
#[derive(Debug)]
pub enum ApiLimiter {
    /// No limit (`[api] rate_per_minute = 0`).
    Unlimited,
    /// A token bucket per client in this process (one node: SQLite).
    Local(RateLimiter),
    /// Counts in the database, shared by every node (PostgreSQL).
    Shared(SharedLimiter),
}

impl ApiLimiter {
    /// `Ok` to serve a request from `client`, or the seconds to wait. A store that
    /// fails lets the request through (the request itself will then say what failed).
    pub async fn check(&self, client: IpAddr) -> Result<(), u64> {
        let client = limit_addr(client);
        match self {
            ApiLimiter::Unlimited => Ok(()),
            ApiLimiter::Local(limiter) => limiter.check(client),
            ApiLimiter::Shared(limiter) => {
                match limiter.check(client, time::OffsetDateTime::now_utc()).await {
                    Ok(verdict) => verdict,
                    Err(error) => {
                        tracing::warn!(%error, "the shared API limit could not be counted");
                        Ok(())
                    }
                }
            }
        }
    }
}

/// Buckets kept at most; the fullest (idle) ones are dropped beyond it.
const MAX_CLIENTS: usize = 100_000;

/// A token bucket per client address.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_minute` requests a minute, with bursts of up to as many.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: per_minute.max(1),
            buckets: Mutex::default(),
        }
    }

    /// `Ok` to serve, or the seconds to wait.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_CLIENTS {
            buckets.retain(|_, (tokens, at)| {
                *tokens + at.elapsed().as_secs_f64() * per_second < capacity
            });
        }
        let now = Instant::now();
        let (tokens, at) = buckets.entry(client).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_second).ceil() as u64)
        }
    }
}

/// Middleware of `/api`: CORS for reads, answers to preflights, and the rate limit.
pub async fn api_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        cors(&mut response);
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, OPTIONS"),
        );
        response.headers_mut().insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        return response;
    }
    let client = request.extensions().get::<Viewer>().map(|viewer| viewer.ip);
    if let Some(client) = client
        && let Err(wait) = state.rate_limiter.check(client).await
    {
        let mut response =
            ApiError::too_many(format!("too many requests; try again in {wait} s")).into_response();
        if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        cors(&mut response);
        return response;
    }
    let mut response = next.run(request).await;
    cors(&mut response);
    response
}

fn cors(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    // Let browser code read the headers that matter to a client.
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After, ETag"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_client_waits() {
        let limiter = RateLimiter::new(60);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..60 {
            assert!(limiter.check(ip).is_ok());
        }
        assert_eq!(limiter.check(ip), Err(1), "one token a second");
        assert!(
            limiter.check("192.0.2.2".parse().unwrap()).is_ok(),
            "other clients are not affected"
        );
    }
}

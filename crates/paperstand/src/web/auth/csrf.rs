//! CSRF protection for every state-changing request. `router.rs` puts every handler of
//! every route behind this middleware in one loop, so a route added later is covered
//! without anyone remembering to. A POST, PUT, PATCH or DELETE must carry the token of
//! its session (or form cookie) in the `csrf` form field or the `X-CSRF-Token` header,
//! and must not come from another site according to the browser (`Sec-Fetch-Site`,
//! `Origin`).
//! The only exemptions are listed in [`EXEMPT_PREFIXES`].

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;

/// The largest form body read (comments are at most 10,000 characters; a bigger body is
/// refused with a message, not cut).
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;
/// The form field that carries the token.
pub const FIELD: &str = "csrf";
/// The header that carries the token for scripts.
pub const HEADER: &str = "x-csrf-token";
/// Paths whose POSTs are exempt: RFC 8058 one-click unsubscribe, which a mail client
/// sends without cookies or a token. Its signed link is the credential, and all it can
/// do is unsubscribe the address it was made for.
pub const EXEMPT_PREFIXES: &[&str] = &["/u/"];

/// Whether a method changes state: POST, PUT, PATCH, DELETE. Routes take no other
/// method that could (an unknown method such as `QUERY` reaches no handler: 405).
pub fn changes_state(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Middleware: refuses a state-changing request without a valid token.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !changes_state(request.method()) {
        return next.run(request).await;
    }
    let path = request.uri().path();
    if EXEMPT_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return next.run(request).await;
    }
    if from_another_site(request.headers(), &state.public_url) {
        return refuse("This request came from another site.");
    }
    let viewer = request.extensions().get::<Viewer>().cloned();
    let Some(expected) = viewer.as_ref().and_then(|v| v.csrf().map(str::to_owned)) else {
        return refuse("Your session has expired.");
    };
    if let Some(sent) = request.headers().get(HEADER) {
        return if same(sent.as_bytes(), expected.as_bytes()) {
            next.run(request).await
        } else {
            refuse("The form's security token did not match.")
        };
    }
    if !is_form(request.headers()) {
        return refuse("The form's security token is missing.");
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return AppError::TooLarge(format!(
                "What you sent is larger than {} MB. Comments and forms are much smaller: shorten it and send it again.",
                MAX_FORM_BYTES / (1024 * 1024)
            ))
            .into_response();
        }
    };
    let sent = url::form_urlencoded::parse(&bytes)
        .find(|(key, _)| key == FIELD)
        .map(|(_, value)| value.into_owned());
    match sent {
        Some(token) if same(token.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Some(_) => refuse("The form's security token did not match."),
        None => refuse("The form's security token is missing."),
    }
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        })
}

/// The browser says the request came from another site: `Sec-Fetch-Site: cross-site`,
/// or an `Origin` that is neither this site's public URL nor the request's own host.
fn from_another_site(headers: &HeaderMap, public_url: &str) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == "null" {
        return true;
    }
    let public = public_url.trim_end_matches('/');
    if origin.eq_ignore_ascii_case(public) {
        return false;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    !matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

fn refuse(why: &str) -> Response {
    let mut response = AppError::Forbidden(format!(
        "{why} Nothing was changed. Go back, reload the page and try again."
    ))
    .into_response();
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn safe_methods_change_nothing() {
        assert!(!changes_state(&Method::GET));
        assert!(!changes_state(&Method::HEAD));
        assert!(changes_state(&Method::POST));
        assert!(changes_state(&Method::DELETE));
        assert!(changes_state(&Method::PUT));
        assert!(changes_state(&Method::PATCH));
        assert!(!changes_state(&Method::from_bytes(b"QUERY").unwrap()));
    }

    #[test]
    fn other_sites_are_recognised() {
        let site = "https://papers.example.org";
        let mut h = HeaderMap::new();
        assert!(!from_another_site(&h, site), "no headers: decide by token");
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://papers.example.org"),
        );
        assert!(!from_another_site(&h, site));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(from_another_site(&h, site));
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(!from_another_site(&h, site), "the request's own host");
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(from_another_site(&h, site));
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(from_another_site(&h, site));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"ab", b"abc"));
        assert!(!same(b"", b"abc"));
    }
}

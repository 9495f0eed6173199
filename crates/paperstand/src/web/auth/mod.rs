//! Who is asking. A signed-in member holds a session cookie with a random token; the
//! database keeps only the token's SHA-256, so a copy of the database signs no one in.
//! Anonymous visitors who open a form get a form cookie instead. Either one binds the
//! CSRF token that every state-changing request must carry ([`csrf`]).
//!
//! Sessions, tokens and rate-limit counters live in the database, so several nodes
//! behind a load balancer share them.

pub mod csrf;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use paperstand_store::{Store, User};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::AppState;
use super::error::AppError;
use crate::mail::{Mailer, MemoryMailer};

/// The session cookie.
pub const SESSION_COOKIE: &str = "ps_session";
/// The cookie that binds anonymous forms (sign in, sign up, password reset).
pub const FORM_COOKIE: &str = "ps_form";
/// How long a session lasts.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
/// The setting that holds the instance's secret key (shared by all nodes).
const SECRET_SETTING: &str = "auth.secret_key";

/// Limits on account actions, per client address and per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthLimits {
    /// Sign-in tries a minute from one address.
    pub signin_per_ip_minute: u64,
    /// Failed sign-ins an hour for one account (known or not).
    pub signin_failures_per_account_hour: u64,
    /// The "minute" of the per-address limit (shorter in tests that watch it unlock).
    pub signin_ip_window: Duration,
    /// The "hour" of the per-account limit.
    pub signin_failure_window: Duration,
    /// Sign-ups and reset requests an hour from one address.
    pub signups_per_ip_hour: u64,
    /// Comments a member may post in ten minutes.
    pub comments_per_ten_minutes: u64,
    /// Comments a member may post in a day.
    pub comments_per_day: u64,
    /// Submissions a member may make in a day.
    pub submissions_per_day: u64,
}

impl Default for AuthLimits {
    fn default() -> Self {
        AuthLimits {
            signin_per_ip_minute: 10,
            signin_failures_per_account_hour: 100,
            signin_ip_window: Duration::minutes(1),
            signin_failure_window: Duration::hours(1),
            signups_per_ip_hour: 20,
            comments_per_ten_minutes: 10,
            comments_per_day: 100,
            submissions_per_day: 50,
        }
    }
}

/// Keys, cookie policy, limits and the mailer: what the account pages need.
#[derive(Debug, Clone)]
pub struct Auth {
    key: Arc<[u8; 32]>,
    /// Cookies get `Secure` (the site is served over https).
    pub secure_cookies: bool,
    /// Rate limits.
    pub limits: AuthLimits,
    /// Where verification and reset e-mails go.
    pub mailer: Arc<dyn Mailer>,
}

impl Auth {
    /// Auth with a fresh random key (tests, and states built without a store), an
    /// in-memory mailer and default limits.
    pub fn ephemeral() -> Auth {
        Auth {
            key: Arc::new(random_bytes()),
            secure_cookies: false,
            limits: AuthLimits::default(),
            mailer: Arc::new(MemoryMailer::default()),
        }
    }

    /// Auth with the instance's key, made and stored on first start so that every node
    /// and every restart agree on it.
    pub async fn load(
        store: &dyn Store,
        secure_cookies: bool,
        mailer: Arc<dyn Mailer>,
    ) -> anyhow::Result<Auth> {
        let key = match store.setting(SECRET_SETTING).await? {
            Some(text) => decode_key(&text)?,
            None => {
                // Nodes starting together each propose a key; the first one stored is
                // everyone's (a later writer must not replace it).
                let proposed = URL_SAFE_NO_PAD.encode(random_bytes());
                decode_key(&store.setting_or_insert(SECRET_SETTING, &proposed).await?)?
            }
        };
        Ok(Auth {
            key: Arc::new(key),
            secure_cookies,
            limits: AuthLimits::default(),
            mailer,
        })
    }

    /// An HMAC of `data` under `purpose`, URL-safe: signed tokens and CSRF tokens.
    pub fn sign(&self, purpose: &str, data: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.as_slice())
            .expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(data.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The CSRF token bound to a session or form cookie's hash.
    fn csrf_for(&self, binding: &str) -> String {
        self.sign("csrf", binding)
    }

    /// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` over https.
    pub fn cookie(&self, name: &str, value: &str, max_age: Duration) -> HeaderValue {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        let text = format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            max_age.whole_seconds().max(0)
        );
        HeaderValue::from_str(&text).expect("cookie names and base64 values are header-safe")
    }
}

fn decode_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| anyhow::anyhow!("the stored secret key ({SECRET_SETTING}) is not base64"))?;
    bytes.try_into().map_err(|_| {
        anyhow::anyhow!("the stored secret key ({SECRET_SETTING}) is not 32 bytes long")
    })
}

fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes
}

/// A new random token (256 bits, URL-safe): session cookies, e-mail links.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes())
}

/// How a token is stored: its SHA-256 in hex.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Who is asking, worked out once per request by [`identify`].
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The signed-in member, if any.
    pub user: Option<User>,
    /// The hash of the session token, when signed in.
    session_hash: Option<String>,
    /// The CSRF token forms on this response must carry, when the request has a session
    /// or form cookie.
    csrf: Option<String>,
    /// The client's address: the TCP peer, or behind a trusted proxy the address it
    /// forwarded (`web::client`). Rate limits key on [`Viewer::limit_key`].
    pub ip: IpAddr,
}

impl Viewer {
    fn anonymous(ip: IpAddr) -> Viewer {
        Viewer {
            user: None,
            session_hash: None,
            csrf: None,
            ip,
        }
    }

    /// The signed-in member, or a redirect to the sign-in page that comes back to `next`.
    pub fn member(&self, next: &str) -> Result<&User, AppError> {
        self.user.as_ref().ok_or_else(|| AppError::SignInRequired {
            next: next.to_owned(),
        })
    }

    /// The signed-in member if they curate, else an error.
    pub fn curator(&self, next: &str) -> Result<&User, AppError> {
        let user = self.member(next)?;
        if user.role.moderates() {
            Ok(user)
        } else {
            Err(AppError::Forbidden(
                "Only curators and admins can do this.".to_owned(),
            ))
        }
    }

    /// Whether a curator or admin is signed in.
    pub fn moderates(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.moderates())
    }

    /// The CSRF token of a signed-in member (pages for members carry it in every form).
    pub fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }

    /// The CSRF token for an anonymous form, and the form cookie to set when the
    /// request had none.
    pub fn form_csrf(&self, auth: &Auth) -> (String, Option<HeaderValue>) {
        match &self.csrf {
            Some(token) => (token.clone(), None),
            None => {
                let value = random_token();
                let token = auth.csrf_for(&token_hash(&value));
                (
                    token,
                    Some(auth.cookie(FORM_COOKIE, &value, Duration::days(1))),
                )
            }
        }
    }

    /// The key per-address rate limits count under: IPv4 as is, IPv6 by its /64.
    pub fn limit_key(&self) -> String {
        super::client::limit_addr(self.ip).to_string()
    }

    /// The hash of the session token, for signing out.
    pub fn session_hash(&self) -> Option<&str> {
        self.session_hash.as_deref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .unwrap_or_else(|| Viewer::anonymous(peer_ip(parts))))
    }
}

/// The TCP peer's address (unspecified where the server runs without connection info).
fn peer_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// The value of cookie `name`, if the request has it.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty() && value.len() <= 128)
}

/// Middleware: finds the session (one store read, only for requests with a session
/// cookie) and the form cookie, and puts the [`Viewer`] in the request. A stale session
/// cookie is cleared.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let client = state
        .trusted_proxies
        .client_addr(peer_ip(&parts), &parts.headers);
    let mut viewer = Viewer::anonymous(client);
    let mut clear_session = false;
    if let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        match state
            .store
            .session_user(&hash, OffsetDateTime::now_utc())
            .await
        {
            Ok(Some(user)) => {
                viewer.csrf = Some(state.auth.csrf_for(&hash));
                viewer.user = Some(user);
                viewer.session_hash = Some(hash);
            }
            Ok(None) => clear_session = true,
            Err(error) => {
                return AppError::from(error).into_response();
            }
        }
    }
    if viewer.csrf.is_none()
        && let Some(value) = cookie_value(&parts.headers, FORM_COOKIE)
    {
        viewer.csrf = Some(state.auth.csrf_for(&token_hash(value)));
    }
    parts.extensions.insert(viewer);
    request = Request::from_parts(parts, body);
    let mut response = next.run(request).await;
    if clear_session {
        response.headers_mut().append(
            header::SET_COOKIE,
            state.auth.cookie(SESSION_COOKIE, "", Duration::ZERO),
        );
    }
    response
}

/// Starts a session for `user`: stores the token's hash and returns the cookie.
pub async fn start_session(state: &AppState, user: &User) -> Result<HeaderValue, AppError> {
    let token = random_token();
    let now = OffsetDateTime::now_utc();
    state
        .store
        .create_session(&token_hash(&token), user.id, now, now + SESSION_LIFETIME)
        .await?;
    Ok(state.auth.cookie(SESSION_COOKIE, &token, SESSION_LIFETIME))
}

/// A safe place to go back to: a local path, never another site.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed_in_hex() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits in unpadded base64");
        let hash = token_hash(&a);
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(hash, token_hash(&b));
    }

    #[test]
    fn csrf_tokens_depend_on_the_key_and_the_binding() {
        let one = Auth::ephemeral();
        let two = Auth::ephemeral();
        assert_eq!(one.csrf_for("s1"), one.csrf_for("s1"));
        assert_ne!(one.csrf_for("s1"), one.csrf_for("s2"));
        assert_ne!(one.csrf_for("s1"), two.csrf_for("s1"));
        assert_ne!(one.sign("csrf", "x"), one.sign("unsubscribe", "x"));
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(local_path(Some("/papers/2503.00001")), "/papers/2503.00001");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/a\nb")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ps_session=abc; ps_form="),
        );
        assert_eq!(cookie_value(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value(&headers, FORM_COOKIE), None);
        assert_eq!(cookie_value(&headers, "b"), None);
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_over_https() {
        let mut auth = Auth::ephemeral();
        let plain = auth.cookie(SESSION_COOKIE, "t", Duration::hours(1));
        assert_eq!(
            plain.to_str().unwrap(),
            "ps_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600"
        );
        auth.secure_cookies = true;
        assert!(
            auth.cookie(SESSION_COOKIE, "t", Duration::hours(1))
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
    }
}

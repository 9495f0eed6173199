//! Sending mail over SMTP with lettre: one [`SmtpSender`] per process, configured by an
//! [`SmtpUrl`], shared by every task that sends.
//!
//! - **Connection reuse**: idle connections wait in a small pool (at most
//!   `max_in_flight`) and carry the next message. A reused connection the server has
//!   meanwhile closed fails at `MAIL`, before anything is accepted, and the message is
//!   retried once on a fresh connection.
//! - **Limits**: at most `max_in_flight` messages in flight (a semaphore) and at most
//!   `rate_per_second` messages started per second across all tasks (each send takes
//!   the next free slot of a schedule; 0 means unlimited).
//! - **Timeouts**: every step (connect + greeting + EHLO, STARTTLS, AUTH, MAIL, RCPT,
//!   DATA, end of data) has `command_timeout`. A connection that timed out or broke is
//!   closed, never reused: a late reply must not be read as the answer to the next
//!   command. (That is why the pool is ours, over lettre's `AsyncSmtpConnection`:
//!   lettre's async pool has no read timeout and would put a connection cancelled
//!   mid-command back into the pool.)
//! - **Errors**: [`SendError`], classified transient or permanent per issue #6.

mod error;
mod mailer;
mod schedule;
mod session;
mod url;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Noop, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension};
use tokio::sync::Semaphore;

use schedule::Schedule;
use session::{step, transact};

pub use error::{Class, SendError, classify, scrub};
pub use mailer::{SmtpMailer, check_header};
pub use url::{Security, SmtpUrl, SmtpUrlError};

/// How an [`SmtpSender`] behaves; the URL says where it connects.
#[derive(Clone)]
pub struct SmtpOptions {
    /// Messages started per second, across all tasks; 0 = unlimited.
    pub rate_per_second: f64,
    /// Messages in flight at once (also the most connections kept open); at least 1.
    pub max_in_flight: usize,
    /// How long the server may take to answer any one step.
    pub command_timeout: Duration,
    /// An idle connection older than this is closed instead of reused (servers drop
    /// idle clients after a while, commonly 5 minutes or less).
    pub max_idle: Duration,
    /// The name sent with EHLO; `None`: this machine's host name.
    pub hello_name: Option<String>,
    /// PEM certificates trusted as roots in addition to the system's (a private CA,
    /// or a test's self-signed one).
    pub extra_root_certificates: Vec<Vec<u8>>,
}

impl Default for SmtpOptions {
    fn default() -> SmtpOptions {
        SmtpOptions {
            rate_per_second: 0.0,
            max_in_flight: 4,
            command_timeout: Duration::from_secs(60),
            max_idle: Duration::from_secs(30),
            hello_name: None,
            extra_root_certificates: Vec::new(),
        }
    }
}

impl std::fmt::Debug for SmtpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The certificates by count: their bytes say nothing in a log.
        f.debug_struct("SmtpOptions")
            .field("rate_per_second", &self.rate_per_second)
            .field("max_in_flight", &self.max_in_flight)
            .field("command_timeout", &self.command_timeout)
            .field("max_idle", &self.max_idle)
            .field("hello_name", &self.hello_name)
            .field(
                "extra_root_certificates",
                &self.extra_root_certificates.len(),
            )
            .finish()
    }
}

/// The server accepted the message (its reply to the end of data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The reply code (250).
    pub code: u16,
    /// The server's text, often naming its queue id (trimmed, addresses removed).
    pub text: String,
}

/// Sends messages over SMTP; cheap to clone (clones share connections and limits).
#[derive(Clone)]
pub struct SmtpSender {
    inner: Arc<Inner>,
}

struct Inner {
    url: SmtpUrl,
    options: SmtpOptions,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
    permits: Semaphore,
    schedule: Schedule,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    opened: AtomicU64,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL's Display hides the password; credentials are not shown at all.
        f.debug_struct("SmtpSender")
            .field("url", &self.inner.url)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl SmtpSender {
    /// A sender for `url`. Fails on options that make no sense, an unreadable extra
    /// root certificate, or a password that would cross the network unencrypted
    /// (`smtp://` with credentials to a host other than this machine).
    pub fn new(url: SmtpUrl, options: SmtpOptions) -> anyhow::Result<SmtpSender> {
        anyhow::ensure!(
            options.max_in_flight >= 1,
            "the SMTP concurrency limit must be at least 1"
        );
        anyhow::ensure!(
            options.rate_per_second.is_finite() && options.rate_per_second >= 0.0,
            "the SMTP rate limit must be a number of messages per second ≥ 0 (0 = unlimited)"
        );
        anyhow::ensure!(
            !options.command_timeout.is_zero(),
            "the SMTP command timeout must be more than 0"
        );
        if url.user.is_some()
            && url.security == Security::Plain
            && !crate::ingest::fetch::is_loopback(&url.host)
        {
            anyhow::bail!(
                "refusing to send the SMTP password unencrypted to {}: use smtp+starttls:// or smtps://",
                url.host
            );
        }
        let tls = match url.security {
            Security::Plain => None,
            Security::StartTls | Security::Implicit => {
                crate::ingest::fetch::install_tls_provider();
                let mut builder = TlsParameters::builder(url.host.clone());
                for pem in &options.extra_root_certificates {
                    let certificate = Certificate::from_pem(pem)
                        .context("cannot read an extra SMTP root certificate (PEM expected)")?;
                    builder = builder.add_root_certificate(certificate);
                }
                Some(
                    builder
                        .build_rustls()
                        .context("cannot set up TLS for SMTP")?,
                )
            }
        };
        let credentials = url.user.as_ref().map(|user| {
            Credentials::new(user.clone(), url.password().unwrap_or_default().to_owned())
        });
        let hello = match &options.hello_name {
            Some(name) => ClientId::Domain(name.clone()),
            None => ClientId::default(),
        };
        Ok(SmtpSender {
            inner: Arc::new(Inner {
                permits: Semaphore::new(options.max_in_flight),
                schedule: Schedule::new(options.rate_per_second),
                url,
                options,
                tls,
                credentials,
                hello,
                idle: Mutex::new(Vec::new()),
                opened: AtomicU64::new(0),
            }),
        })
    }

    /// The URL it sends to.
    pub fn url(&self) -> &SmtpUrl {
        &self.inner.url
    }

    /// Connections opened so far (connection reuse keeps this below the messages sent).
    pub fn connections_opened(&self) -> u64 {
        self.inner.opened.load(Ordering::Relaxed)
    }

    /// Sends `message` (a complete RFC 5322 message, CRLF line ends) from the envelope
    /// sender `from` to the one recipient `to`.
    pub async fn send(&self, from: &str, to: &str, message: &[u8]) -> Result<Accepted, SendError> {
        let from: Address = from
            .parse()
            .map_err(|_| SendError::invalid("the envelope sender is not a valid address"))?;
        let to: Address = to
            .parse()
            .map_err(|_| SendError::invalid("the recipient is not a valid address"))?;
        self.send_envelope(&from, std::slice::from_ref(&to), message)
            .await
    }

    /// Sends a message built with lettre's builder, to its envelope.
    pub async fn send_message(&self, message: &lettre::Message) -> Result<Accepted, SendError> {
        let envelope = message.envelope();
        let from = envelope
            .from()
            .ok_or_else(|| SendError::invalid("the message has no sender"))?;
        self.send_envelope(from, envelope.to(), &message.formatted())
            .await
    }

    /// Sends `message` from `from` to every address of `to`; a refusal of any one
    /// recipient fails the whole message.
    pub async fn send_envelope(
        &self,
        from: &Address,
        to: &[Address],
        message: &[u8],
    ) -> Result<Accepted, SendError> {
        if to.is_empty() {
            return Err(SendError::invalid("the message has no recipient"));
        }
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| SendError::invalid("the SMTP sender was closed"))?;
        self.inner.schedule.wait().await;
        for attempt in 0..2 {
            let (mut conn, reused) = match self.checkout() {
                Some(conn) => (conn, true),
                None => (self.connect().await?, false),
            };
            let result = transact(
                &mut conn,
                from,
                to,
                message,
                self.inner.options.command_timeout,
            )
            .await;
            match &result {
                Ok(_) | Err(SendError::Invalid { .. }) => self.checkin(conn),
                // A pooled connection the server closed or timed out while idle fails at
                // MAIL, before any message was accepted: retry once on a new one.
                Err(
                    SendError::Reply { stage: "MAIL", .. }
                    | SendError::Connection { stage: "MAIL", .. },
                ) if reused && attempt == 0 => {
                    drop(conn);
                    continue;
                }
                Err(SendError::Reply { code, .. }) if *code != 421 => self.reset(conn).await,
                // Broken, timed out, or told to go away (421): never reuse.
                Err(_) => drop(conn),
            }
            return result;
        }
        unreachable!("the second attempt always returns")
    }

    /// Connects, says hello (STARTTLS and AUTH as configured), and quits: a startup
    /// check. Returns a line describing the server.
    pub async fn check(&self) -> Result<String, SendError> {
        let mut conn = self.connect().await?;
        let after = self.inner.options.command_timeout;
        step(after, "NOOP", conn.command(Noop)).await?;
        let description = format!(
            "{} answered at {} ({}{})",
            scrub(conn.server_info().name()),
            self.inner.url,
            if conn.is_encrypted() { "TLS" } else { "no TLS" },
            if self.inner.credentials.is_some() {
                ", authenticated"
            } else {
                ""
            },
        );
        let _ = tokio::time::timeout(after, conn.quit()).await;
        Ok(description)
    }

    /// Says QUIT on every idle connection (a clean goodbye at shutdown).
    pub async fn close(&self) {
        let idle = std::mem::take(&mut *self.lock_idle());
        for (mut conn, _) in idle {
            let _ = tokio::time::timeout(self.inner.options.command_timeout, conn.quit()).await;
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<(AsyncSmtpConnection, Instant)>> {
        self.inner
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The most recently used idle connection that is young enough, if any.
    fn checkout(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.lock_idle();
        while let Some((conn, since)) = idle.pop() {
            if since.elapsed() <= self.inner.options.max_idle {
                return Some(conn);
            }
        }
        None
    }

    fn checkin(&self, conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        let mut idle = self.lock_idle();
        if idle.len() < self.inner.options.max_in_flight {
            idle.push((conn, Instant::now()));
        }
    }

    /// After a negative reply the connection is in step; RSET makes it reusable.
    async fn reset(&self, mut conn: AsyncSmtpConnection) {
        if step(
            self.inner.options.command_timeout,
            "RSET",
            conn.command(Rset),
        )
        .await
        .is_ok()
        {
            self.checkin(conn);
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let inner = &*self.inner;
        let after = inner.options.command_timeout;
        let implicit = match inner.url.security {
            Security::Implicit => inner.tls.clone(),
            _ => None,
        };
        let address = (inner.url.host.as_str(), inner.url.port);
        let mut conn = step(
            after,
            "connect",
            AsyncSmtpConnection::connect_tokio1(address, Some(after), &inner.hello, implicit, None),
        )
        .await?;
        if let (Security::StartTls, Some(tls)) = (inner.url.security, &inner.tls) {
            if !conn.server_info().supports_feature(Extension::StartTls) {
                return Err(SendError::Connection {
                    detail: "the server does not offer STARTTLS, which smtp+starttls:// requires"
                        .into(),
                    stage: "STARTTLS",
                });
            }
            step(after, "STARTTLS", conn.starttls(tls.clone(), &inner.hello)).await?;
        }
        if let Some(credentials) = &inner.credentials {
            step(
                after,
                "AUTH",
                conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials),
            )
            .await?;
        }
        inner.opened.fetch_add(1, Ordering::Relaxed);
        Ok(conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_crosses_the_network_in_clear() {
        let url = SmtpUrl::parse("smtp://digest:hunter2@mail.example.org").unwrap();
        let error = SmtpSender::new(url, SmtpOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("smtp+starttls://") && !error.contains("hunter2"),
            "{error}"
        );
        let local = SmtpUrl::parse("smtp://digest:hunter2@127.0.0.1:2525").unwrap();
        let sender = SmtpSender::new(local, SmtpOptions::default()).unwrap();
        assert!(!format!("{sender:?}").contains("hunter2"));
    }
}

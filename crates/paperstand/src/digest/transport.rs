//! Where digests go: `.eml` files (development, dry runs) or SMTP (production).

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;

use super::send::{DeliveryError, Transport};
use crate::config::{MailConfig, Secret};
use crate::mail::{Mailer, Message};
use crate::smtp::{SendError, SmtpMailer, SmtpOptions, SmtpSender, SmtpUrl};

/// Writes each message to `<dir>/<Message-ID>.eml` (atomically: a temporary file, then
/// a rename). The same digest overwrites its own file, so re-running is harmless.
#[derive(Debug, Clone)]
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    /// Messages go to `dir` (created when needed).
    pub fn new(dir: &Path) -> FileTransport {
        FileTransport {
            dir: dir.to_owned(),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A file name for a message: its `Message-ID` with anything but letters, digits, `.`,
/// `-` and `@` replaced.
pub fn file_name(message: &lettre::Message) -> String {
    let id = message
        .headers()
        .get_raw("Message-ID")
        .unwrap_or("<message>")
        .trim_matches(|c| c == '<' || c == '>' || c == ' ');
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '@') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.eml")
}

#[async_trait]
impl Transport for FileTransport {
    async fn deliver(&self, message: &lettre::Message) -> Result<(), DeliveryError> {
        let bytes = message.formatted();
        let name = file_name(message);
        let dir = self.dir.clone();
        let written = tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
            std::fs::create_dir_all(&dir)?;
            let path = dir.join(&name);
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, &path)?;
            Ok(path)
        })
        .await
        .map_err(|e| DeliveryError::Transient(format!("the file writer stopped: {e}")))?;
        match written {
            Ok(path) => {
                tracing::debug!(file = %path.display(), "wrote a digest file");
                Ok(())
            }
            // A full disk or a permission problem may be fixed: try again later.
            Err(e) => Err(DeliveryError::Transient(format!(
                "cannot write to {}: {e}",
                self.dir.display()
            ))),
        }
    }
}

/// Sends over SMTP: one [`SmtpSender`] (connection reuse, rate and concurrency limits)
/// for digests and account mail alike.
#[derive(Debug, Clone)]
pub struct SmtpTransport {
    sender: SmtpSender,
    mailer: SmtpMailer,
    concurrency: usize,
}

impl SmtpTransport {
    /// A transport for `[mail]` with its `smtp_url`.
    pub fn new(mail: &MailConfig, url: &Secret) -> anyhow::Result<SmtpTransport> {
        let url =
            SmtpUrl::parse(url.expose()).map_err(|e| anyhow::anyhow!("mail.smtp_url: {e}"))?;
        let concurrency = usize::try_from(mail.concurrency).unwrap_or(1).max(1);
        let options = SmtpOptions {
            rate_per_second: mail.rate_per_second,
            max_in_flight: concurrency,
            command_timeout: Duration::from_secs(mail.timeout_secs),
            ..SmtpOptions::default()
        };
        let sender = SmtpSender::new(url, options)?;
        let mailer = SmtpMailer::new(sender.clone(), &mail.from)?;
        Ok(SmtpTransport {
            sender,
            mailer,
            concurrency,
        })
    }

    /// The sender underneath (startup checks).
    pub fn sender(&self) -> &SmtpSender {
        &self.sender
    }
}

/// How a digest's SMTP failure counts. A permanent refusal of the recipient or the
/// message is a bounce; a permanent refusal at connect, AUTH or MAIL (a wrong password,
/// the sender refused) is the operator's to fix, so the message waits and is retried
/// rather than counted against the address or lost.
pub fn delivery_error(error: &SendError) -> DeliveryError {
    let text = error.to_string();
    if error.is_bounce() {
        DeliveryError::Permanent(text)
    } else if error.is_permanent() && !matches!(error, SendError::Invalid { .. }) {
        DeliveryError::Transient(format!(
            "{text} (a server-side refusal of this instance, not of the address: check [mail])"
        ))
    } else if error.is_permanent() {
        DeliveryError::Permanent(text)
    } else {
        DeliveryError::Transient(text)
    }
}

#[async_trait]
impl Transport for SmtpTransport {
    async fn deliver(&self, message: &lettre::Message) -> Result<(), DeliveryError> {
        match self.sender.send_message(message).await {
            Ok(_) => Ok(()),
            Err(error) => {
                if error.maybe_delivered() {
                    tracing::warn!(error = %error, "the connection ended after the whole message was sent: \
                        the server may have accepted it, and the retry may deliver it twice");
                }
                Err(delivery_error(&error))
            }
        }
    }

    fn concurrency(&self) -> usize {
        self.concurrency
    }
}

#[async_trait]
impl Mailer for SmtpTransport {
    async fn send(&self, message: &Message) -> anyhow::Result<()> {
        self.mailer.send(message).await
    }
}

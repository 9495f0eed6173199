//! Outgoing e-mail for accounts (address verification, password reset). Until the
//! digest issue brings the SMTP mailer, messages are written as `.eml` files to the
//! data directory's `mail/outbox/`, where an operator (or a test) can read them.
//! Addresses never appear in logs: the log names the file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use async_trait::async_trait;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

/// One plain-text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The recipient's address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// The body, plain text.
    pub text: String,
}

/// Sends messages.
#[async_trait]
pub trait Mailer: Send + Sync + std::fmt::Debug {
    /// Sends one message; an error means it was not sent.
    async fn send(&self, message: &Message) -> anyhow::Result<()>;
}

/// Writes each message as an RFC 5322 `.eml` file into a directory.
#[derive(Debug)]
pub struct FileMailer {
    dir: PathBuf,
    from: String,
}

impl FileMailer {
    /// A mailer writing into `dir` (created when needed), sending as `from`.
    pub fn new(dir: &Path, from: &str) -> FileMailer {
        FileMailer {
            dir: dir.to_owned(),
            from: from.to_owned(),
        }
    }

    /// The directory messages go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: &Message) -> anyhow::Result<()> {
        let now = OffsetDateTime::now_utc();
        let id = crate::web::auth::random_token();
        let text = render(message, &self.from, now, &id);
        let name = format!("{}-{}.eml", now.unix_timestamp_nanos(), &id[..12]);
        let dir = self.dir.clone();
        let path = dir.join(&name);
        let tmp = dir.join(format!(".{name}.tmp"));
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the mail outbox {}", dir.display()))?;
            std::fs::write(&tmp, text)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        })
        .await
        .context("the mail writer stopped")??;
        tracing::info!(file = %self.dir.join(&name).display(), subject = %message.subject, "wrote an e-mail to the outbox");
        Ok(())
    }
}

/// Keeps messages in memory (states built for tests or without a data directory).
#[derive(Debug, Default)]
pub struct MemoryMailer {
    sent: Mutex<Vec<Message>>,
}

impl MemoryMailer {
    /// Everything sent so far.
    pub fn sent(&self) -> Vec<Message> {
        self.sent.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl Mailer for MemoryMailer {
    async fn send(&self, message: &Message) -> anyhow::Result<()> {
        self.sent
            .lock()
            .map_err(|_| anyhow::anyhow!("the memory mailer's lock was poisoned"))?
            .push(message.clone());
        Ok(())
    }
}

/// The message as an RFC 5322 text with a UTF-8 plain-text body.
fn render(message: &Message, from: &str, now: OffsetDateTime, id: &str) -> String {
    let date = now
        .format(&Rfc2822)
        .unwrap_or_else(|_| "Thu, 01 Jan 1970 00:00:00 +0000".to_owned());
    let domain = from
        .rsplit_once('@')
        .map_or("localhost", |(_, d)| d.trim_end_matches('>'));
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}@{domain}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        to = header_safe(&message.to),
        subject = encode_subject(&header_safe(&message.subject)),
        body = message.text.replace("\r\n", "\n").replace('\n', "\r\n"),
    )
}

/// Header values never carry line breaks (no header injection).
fn header_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// RFC 2047 encoding for a subject that is not plain ASCII.
fn encode_subject(subject: &str) -> String {
    if subject.is_ascii() {
        return subject.to_owned();
    }
    use base64::Engine;
    format!(
        "=?utf-8?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(subject)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_message_becomes_one_eml_file_without_header_injection() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = FileMailer::new(&dir.path().join("outbox"), "Paperstand <p@example.org>");
        mailer
            .send(&Message {
                to: "ada@example.org\r\nBcc: eve@example.org".to_owned(),
                subject: "Confirm your address ✓".to_owned(),
                text: "Line one\nhttps://example.org/verify/abc".to_owned(),
            })
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("To: ada@example.org  Bcc: eve@example.org\r\n"));
        assert!(!text.contains("\r\nBcc:"));
        assert!(text.contains("Subject: =?utf-8?B?"));
        assert!(text.contains("Message-ID: <"));
        assert!(text.ends_with("Line one\r\nhttps://example.org/verify/abc\r\n"));
    }
}

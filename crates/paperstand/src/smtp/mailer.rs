//! Account mail (address verification, password reset) over SMTP: the
//! [`crate::mail::Mailer`] trait on an [`SmtpSender`].

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;

use super::{SendError, SmtpSender};
use crate::mail::{Mailer, Message};

/// Refuses a header value that could start a new header or end the header block: any
/// control character but tab (CR and LF above all). Call it on every value that
/// reaches a header.
pub fn check_header(name: &str, value: &str) -> Result<(), SendError> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(SendError::invalid(format!(
            "the {name} header contains a line break or control character"
        )));
    }
    Ok(())
}

/// Sends [`Message`]s through an [`SmtpSender`] as plain-text mail.
#[derive(Debug, Clone)]
pub struct SmtpMailer {
    sender: SmtpSender,
    from: Mailbox,
    domain: String,
}

impl SmtpMailer {
    /// A mailer sending as `from` (`"Paperstand <paperstand@example.org>"` or a bare
    /// address).
    pub fn new(sender: SmtpSender, from: &str) -> anyhow::Result<SmtpMailer> {
        check_header("From", from)?;
        let from: Mailbox = from.parse().map_err(|e| {
            anyhow::anyhow!("the sender address {from:?} is not a valid mailbox: {e}")
        })?;
        let domain = from.email.domain().to_owned();
        Ok(SmtpMailer {
            sender,
            from,
            domain,
        })
    }

    /// The sender underneath.
    pub fn sender(&self) -> &SmtpSender {
        &self.sender
    }

    /// The message as it would be sent: From, To, Subject, Date, a fresh Message-ID,
    /// a UTF-8 plain-text body. Refuses line breaks in any header value.
    pub fn build(&self, message: &Message) -> Result<lettre::Message, SendError> {
        check_header("To", &message.to)?;
        check_header("Subject", &message.subject)?;
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|_| SendError::invalid("the recipient is not a valid address"))?;
        let id = format!("<{}@{}>", crate::web::auth::random_token(), self.domain);
        lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .date_now()
            .message_id(Some(id))
            .header(ContentType::TEXT_PLAIN)
            .body(message.text.replace("\r\n", "\n"))
            .map_err(|e| SendError::invalid(format!("the message cannot be built: {e}")))
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: &Message) -> anyhow::Result<()> {
        let built = self.build(message)?;
        let accepted = self.sender.send_message(&built).await?;
        // The subject, not the address: addresses never go to logs.
        tracing::info!(subject = %message.subject, reply = %accepted.text, "sent an e-mail over SMTP");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::{SmtpOptions, SmtpUrl};

    fn mailer() -> SmtpMailer {
        let url = SmtpUrl::parse("smtp://127.0.0.1:9").unwrap();
        let sender = SmtpSender::new(url, SmtpOptions::default()).unwrap();
        SmtpMailer::new(sender, "Paperstand <paperstand@example.org>").unwrap()
    }

    #[test]
    fn the_message_has_the_headers_and_refuses_injection() {
        let mailer = mailer();
        let built = mailer
            .build(&Message {
                to: "ada@example.org".into(),
                subject: "Confirm your address ✓".into(),
                text: "Line one\nhttps://example.org/verify/abc".into(),
            })
            .unwrap();
        let text = String::from_utf8(built.formatted()).unwrap();
        for header in [
            "From: Paperstand <paperstand@example.org>\r\n",
            "To: ada@example.org\r\n",
            "Date: ",
            "Message-ID: <",
        ] {
            assert!(text.contains(header), "{header} in {text}");
        }
        assert!(text.contains("@example.org>\r\n"));
        for (to, subject) in [
            ("ada@example.org\r\nBcc: eve@example.org", "Hi"),
            ("ada@example.org", "Hi\r\nBcc: eve@example.org"),
            ("ada@example.org", "Hi\nthere"),
            ("ada@example.org", "Hi\rthere"),
        ] {
            let error = mailer
                .build(&Message {
                    to: to.into(),
                    subject: subject.into(),
                    text: "x".into(),
                })
                .unwrap_err();
            assert!(
                error.is_permanent() && error.to_string().contains("line break"),
                "{error}"
            );
        }
        assert!(
            SmtpMailer::new(mailer.sender().clone(), "P <p@example.org>\r\nBcc: e@x.org").is_err()
        );
    }
}

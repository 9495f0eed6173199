//! What a failed send means for the outbox. Issue #6's rule: **transient** (retry later
//! with backoff) is any 4xx reply, 552 (mailbox full, RFC 5321 §4.5.3.1.10 lets it be
//! treated as temporary), a refused, reset or dropped connection, a TLS or I/O error,
//! a timeout; **permanent** (never retried, counts towards marking the address as
//! bouncing) is any other 5xx reply. A message refused before anything reached the
//! server (a bad address, a line break in a header) is permanent too, with no code.
//!
//! Errors keep the reply code and the server's text, trimmed, with anything that looks
//! like an e-mail address replaced by `<address>`, so they can go to logs as they are.

use std::fmt;
use std::time::Duration;

/// Retry later, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Try again later (the same message may then be accepted).
    Transient,
    /// Do not try again.
    Permanent,
}

/// The class of an SMTP reply code that is not a success: 4xx and 552 are transient,
/// other 5xx permanent. Codes outside 400–599 (a server answering a command with an
/// unexpected 1xx–3xx, or garbage) are transient: the transaction did not complete,
/// and nothing says the address is bad.
pub fn classify(code: u16) -> Class {
    match code {
        552 => Class::Transient,
        500..=599 => Class::Permanent,
        _ => Class::Transient,
    }
}

/// Why a message was not sent (or, for [`SendError::Timeout`] and
/// [`SendError::Connection`] during `DATA`, may or may not have been).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The server answered with a negative reply.
    Reply {
        /// The reply code, e.g. 451 or 550.
        code: u16,
        /// The server's text (trimmed, addresses removed).
        text: String,
        /// The command it answered: `connect`, `AUTH`, `MAIL`, `RCPT`, `DATA` or
        /// `end of data`.
        stage: &'static str,
    },
    /// The connection could not be made or broke: refused, reset, closed, TLS, I/O,
    /// an unreadable reply, a server lacking something required (STARTTLS, an AUTH
    /// mechanism we speak).
    Connection {
        /// What happened (no addresses, no password).
        detail: String,
        /// The step it happened in.
        stage: &'static str,
    },
    /// The server did not answer within the per-command timeout.
    Timeout {
        /// The step that timed out.
        stage: &'static str,
        /// The configured timeout.
        after: Duration,
    },
    /// Refused here before anything was sent (invalid address, header injection).
    Invalid {
        /// Why.
        reason: String,
    },
}

impl SendError {
    /// Transient or permanent, per the issue's rule.
    pub fn class(&self) -> Class {
        match self {
            SendError::Reply { code, .. } => classify(*code),
            SendError::Connection { .. } | SendError::Timeout { .. } => Class::Transient,
            SendError::Invalid { .. } => Class::Permanent,
        }
    }

    /// Whether to retry later.
    pub fn is_transient(&self) -> bool {
        self.class() == Class::Transient
    }

    /// Whether never to retry.
    pub fn is_permanent(&self) -> bool {
        self.class() == Class::Permanent
    }

    /// The SMTP reply code, when the server gave one.
    pub fn code(&self) -> Option<u16> {
        match self {
            SendError::Reply { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A permanent refusal *by the server* of the recipient or the message (at `RCPT`,
    /// `DATA` or the end of data): what counts towards marking an address as bouncing.
    /// A refusal at connect, `AUTH` or `MAIL` (a wrong password, AUTH required, the
    /// sender address refused) is the operator's problem, not the address's.
    pub fn is_bounce(&self) -> bool {
        matches!(self, SendError::Reply { stage, .. } if matches!(*stage, "RCPT" | "DATA" | "end of data"))
            && self.is_permanent()
    }

    /// Whether the server may have accepted the message all the same: the connection
    /// broke or timed out after the whole message was sent, before the reply to the
    /// end of data arrived. Retrying such a message may deliver it twice (the window
    /// the outbox counts).
    pub fn maybe_delivered(&self) -> bool {
        matches!(
            self,
            SendError::Connection {
                stage: "end of data",
                ..
            } | SendError::Timeout {
                stage: "end of data",
                ..
            }
        )
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> SendError {
        SendError::Invalid {
            reason: reason.into(),
        }
    }

    /// Converts lettre's error for a step.
    pub(crate) fn from_lettre(
        error: &lettre::transport::smtp::Error,
        stage: &'static str,
    ) -> SendError {
        use std::error::Error as _;
        if let Some(code) = error.status() {
            let text = error.source().map(|s| s.to_string()).unwrap_or_default();
            return SendError::Reply {
                code: u16::from(code),
                text: scrub(&text),
                stage,
            };
        }
        // lettre's Display is "<kind>: <source>"; I/O errors carry no addresses, but a
        // reply lettre could not parse might, so scrub all the same.
        let detail = if error.is_response() {
            format!(
                "the server's reply was cut off or unreadable (the connection may have closed): {error}"
            )
        } else {
            error.to_string()
        };
        SendError::Connection {
            detail: scrub(&detail),
            stage,
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = match self.class() {
            Class::Transient => "transient",
            Class::Permanent => "permanent",
        };
        match self {
            SendError::Reply { code, text, stage } => {
                write!(
                    f,
                    "the SMTP server answered {code} at {stage} ({class}): {text}"
                )
            }
            SendError::Connection { detail, stage } => {
                write!(f, "SMTP connection failed at {stage} ({class}): {detail}")
            }
            SendError::Timeout { stage, after } => write!(
                f,
                "the SMTP server did not answer {stage} within {} s ({class})",
                after.as_secs_f64()
            ),
            SendError::Invalid { reason } => {
                write!(f, "message refused before sending ({class}): {reason}")
            }
        }
    }
}

impl std::error::Error for SendError {}

/// The server's text for logs: control characters become spaces, runs of spaces one,
/// anything with an `@` (an address, bracketed or not) becomes `<address>`, at most 300
/// characters.
pub fn scrub(text: &str) -> String {
    let mut words = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if word.contains('@') {
            // Keep punctuation that is not part of the address: "<a@b>:" → "<address>:".
            let trailing: String = word
                .chars()
                .rev()
                .take_while(|c| matches!(c, ':' | ',' | ';' | '.' | ')'))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            words.push(format!("<address>{trailing}"));
        } else {
            words.push(word.to_owned());
        }
    }
    let joined = words.join(" ");
    match joined.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_code_is_classified_per_the_issue() {
        for code in 0..1000u16 {
            let expected = if (500..=599).contains(&code) && code != 552 {
                Class::Permanent
            } else {
                Class::Transient
            };
            assert_eq!(classify(code), expected, "{code}");
        }
        for code in [421, 450, 451, 452, 552] {
            assert_eq!(classify(code), Class::Transient, "{code}");
        }
        for code in [500, 501, 503, 530, 535, 550, 551, 553, 554, 556] {
            assert_eq!(classify(code), Class::Permanent, "{code}");
        }
    }

    #[test]
    fn other_failures_have_their_class() {
        let refused = SendError::Connection {
            detail: "connection refused".into(),
            stage: "connect",
        };
        assert!(refused.is_transient() && refused.code().is_none());
        let slow = SendError::Timeout {
            stage: "end of data",
            after: Duration::from_secs(2),
        };
        assert!(slow.is_transient() && slow.maybe_delivered());
        assert!(!refused.maybe_delivered());
        assert_eq!(
            slow.to_string(),
            "the SMTP server did not answer end of data within 2 s (transient)"
        );
        assert!(SendError::invalid("line break in Subject").is_permanent());
        let rejected = SendError::Reply {
            code: 550,
            text: "no such user".into(),
            stage: "RCPT",
        };
        assert!(rejected.is_permanent() && rejected.is_bounce());
        let wrong_password = SendError::Reply {
            code: 535,
            text: "bad credentials".into(),
            stage: "AUTH",
        };
        assert!(wrong_password.is_permanent() && !wrong_password.is_bounce());
        let full = SendError::Reply {
            code: 552,
            text: "mailbox full".into(),
            stage: "end of data",
        };
        assert!(full.is_transient() && !full.is_bounce());
    }

    #[test]
    fn server_text_loses_addresses_and_line_breaks() {
        assert_eq!(
            scrub("5.1.1 <ada@example.org>: Recipient address rejected:\r\n user unknown  "),
            "5.1.1 <address>: Recipient address rejected: user unknown"
        );
        assert_eq!(
            scrub("mailbox bob@example.org, full."),
            "mailbox <address>, full."
        );
        assert!(scrub(&"x".repeat(1000)).chars().count() <= 301);
    }
}

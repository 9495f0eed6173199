//! One SMTP transaction on an open connection, each step under the timeout.

use std::future::Future;
use std::time::Duration;

use lettre::Address;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};

use super::{Accepted, SendError, scrub};

/// MAIL, RCPT for each recipient, DATA and the message; the server's acceptance.
pub(super) async fn transact(
    conn: &mut AsyncSmtpConnection,
    from: &Address,
    to: &[Address],
    message: &[u8],
    after: Duration,
) -> Result<Accepted, SendError> {
    let info = conn.server_info();
    let mut parameters = Vec::new();
    if !message.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            return Err(SendError::invalid(
                "the message has 8-bit content and the server does not offer 8BITMIME",
            ));
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let ascii = |a: &Address| AsRef::<str>::as_ref(a).is_ascii();
    let non_ascii = !ascii(from) || !to.iter().all(ascii);
    if non_ascii {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            return Err(SendError::invalid(
                "an address is not ASCII and the server does not offer SMTPUTF8",
            ));
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    step(
        after,
        "MAIL",
        conn.command(Mail::new(Some(from.clone()), parameters)),
    )
    .await?;
    for recipient in to {
        step(
            after,
            "RCPT",
            conn.command(Rcpt::new(recipient.clone(), Vec::new())),
        )
        .await?;
    }
    step(after, "DATA", conn.command(Data)).await?;
    // The message and its terminating dot go in one write: lettre's `message()`
    // writes them separately, and on a connection without TCP_NODELAY (lettre sets
    // none) the small second write waits for the server's delayed ACK, about 40 ms
    // a message. `command()` writes one string and reads the reply.
    let block = data_block(message);
    let reply = match String::from_utf8(block) {
        Ok(block) => step(after, "end of data", conn.command(Verbatim(block))).await?,
        Err(_) => step(after, "end of data", conn.message(message)).await?,
    };
    Ok(Accepted {
        code: u16::from(reply.code()),
        text: scrub(&reply.message().collect::<Vec<_>>().join(" ")),
    })
}

/// The DATA content as sent: line ends made CRLF (RFC 5321 allows no bare CR or LF), a
/// dot doubled at the start of a line (§4.5.2), then the terminating `.` line.
fn data_block(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 50 + 5);
    let mut line_start = true;
    let mut bytes = message.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        match b {
            b'\r' | b'\n' => {
                if b == b'\r' && bytes.peek() == Some(&b'\n') {
                    bytes.next();
                }
                out.extend_from_slice(b"\r\n");
                line_start = true;
            }
            _ => {
                if line_start && b == b'.' {
                    out.push(b'.');
                }
                out.push(b);
                line_start = false;
            }
        }
    }
    if !line_start {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// Text written to the server as it is (see `transact`).
struct Verbatim(String);

impl std::fmt::Display for Verbatim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One step with its timeout, its errors converted.
pub(super) async fn step<T>(
    after: Duration,
    stage: &'static str,
    future: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
) -> Result<T, SendError> {
    match tokio::time::timeout(after, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(SendError::from_lettre(&error, stage)),
        Err(_) => Err(SendError::Timeout { stage, after }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_gets_crlf_line_ends_dot_stuffing_and_its_terminator() {
        assert_eq!(data_block(b"a\r\nb\r\n"), b"a\r\nb\r\n.\r\n");
        assert_eq!(data_block(b"a\nb"), b"a\r\nb\r\n.\r\n");
        assert_eq!(
            data_block(b".x\r\n.\r\nend\r\n..\n"),
            b"..x\r\n..\r\nend\r\n...\r\n.\r\n"
        );
        assert_eq!(data_block(b"a.b\rc"), b"a.b\r\nc\r\n.\r\n");
        assert_eq!(data_block(b""), b".\r\n");
    }
}

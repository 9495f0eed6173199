//! Sends digest-sized messages to an SMTP sink and prints messages per second (issue
//! #6's target: ≥ 200/s with connection reuse).
//!
//! Usage: cargo run --release --example smtp_bench -- [URL|start] [N] [CONCURRENCY] [--raw] [--no-fsync]
//!
//! - `URL` (`smtp://127.0.0.1:2525`, …) sends to a running sink; `start` (the default)
//!   starts tests/python/smtp_server.py from the test venv in a temporary directory.
//! - `N` messages (default 2,000), `CONCURRENCY` in flight (default 4).
//! - `--raw` sends the same bytes with a minimal hand-written SMTP client instead of
//!   `SmtpSender`: the sink's own ceiling, to tell the sender's cost from the sink's.
//! - `--no-fsync` starts the sink without its fsync before each 250.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use paperstand::smtp::{SmtpOptions, SmtpSender, SmtpUrl};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const FROM: &str = "digest@paperstand.example";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flags: Vec<&str> = args
        .iter()
        .filter(|a| a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let positional: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let target = positional.first().copied().unwrap_or("start");
    let n: usize = positional
        .get(1)
        .map_or(Ok(2_000), |s| s.parse())
        .context("N")?;
    let concurrency: usize = positional
        .get(2)
        .map_or(Ok(4), |s| s.parse())
        .context("CONCURRENCY")?;
    let raw = flags.contains(&"--raw");
    let no_fsync = flags.contains(&"--no-fsync");

    let _sink;
    let url = if target == "start" {
        let sink = Sink::start(no_fsync)?;
        let url = format!("smtp://127.0.0.1:{}", sink.port);
        _sink = Some(sink);
        url
    } else {
        _sink = None;
        target.to_owned()
    };
    let url = SmtpUrl::parse(&url)?;
    let messages: Vec<Vec<u8>> = (0..n).map(digest).collect::<anyhow::Result<_>>()?;
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let messages = Arc::new(messages);
    let next = Arc::new(AtomicUsize::new(0));
    let sender = SmtpSender::new(
        url.clone(),
        SmtpOptions {
            max_in_flight: concurrency,
            command_timeout: Duration::from_secs(30),
            hello_name: Some("bench.paperstand.example".to_owned()),
            ..SmtpOptions::default()
        },
    )?;

    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (messages, next, sender, url) =
            (messages.clone(), next.clone(), sender.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut raw_conn = if raw {
                Some(RawClient::connect(&url).await?)
            } else {
                None
            };
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(message) = messages.get(i) else {
                    break;
                };
                let to = format!("reader{i}@example.org");
                match raw_conn.as_mut() {
                    Some(client) => client.send(&to, message).await?,
                    None => {
                        sender.send(FROM, &to, message).await?;
                    }
                }
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{n} messages ({} KB each on average) with concurrency {concurrency} via {}: {seconds:.2} s, {:.0} messages/s, {} connections",
        bytes / n.max(1) / 1024,
        if raw {
            "the raw client (sink alone)"
        } else {
            "SmtpSender"
        },
        n as f64 / seconds,
        if raw {
            concurrency as u64
        } else {
            sender.connections_opened()
        },
    );
    Ok(())
}

/// A multipart/alternative message the size of a ten-paper digest.
fn digest(i: usize) -> anyhow::Result<Vec<u8>> {
    let mut text = String::new();
    let mut html = String::from("<html><body style=\"font-family:sans-serif\">");
    for paper in 0..10 {
        text.push_str(&format!(
            "{paper}. A study of sparse attention for long documents, part {i}\n   \
             https://paperstand.example/papers/2611.{i:05} · 42 upvotes\n   \
             We show that a simple change to the attention pattern keeps quality while \
             cutting memory by half on documents of 100k tokens.\n\n"
        ));
        html.push_str(&format!(
            "<div style=\"margin:12px 0\"><a href=\"https://paperstand.example/papers/2611.{i:05}\" \
             style=\"color:#1a0dab\">A study of sparse attention for long documents, part {i}</a>\
             <p style=\"color:#444\">We show that a simple change to the attention pattern keeps \
             quality while cutting memory by half on documents of 100k tokens.</p></div>"
        ));
    }
    html.push_str("</body></html>");
    let message = lettre::Message::builder()
        .from(FROM.parse::<Mailbox>()?)
        .to(format!("reader{i}@example.org").parse::<Mailbox>()?)
        .subject(format!("Trending papers, digest {i}"))
        .message_id(Some(format!("<bench-{i}@paperstand.example>")))
        .date_now()
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )?;
    Ok(message.formatted())
}

/// The Python sink as a child process.
struct Sink {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Sink {
    fn start(no_fsync: bool) -> anyhow::Result<Sink> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let python = format!("{root}/.venv-test/bin/python");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/smtp_server.py");
        let dir = tempfile::tempdir()?;
        let mut command = Command::new(&python);
        command
            .arg(script)
            .args(["--port", "0", "--out"])
            .arg(dir.path())
            .stdout(Stdio::piped());
        if no_fsync {
            command.arg("--no-fsync");
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {python} (run scripts/install-test-deps)"))?;
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().context("stdout")?),
            &mut line,
        )?;
        let Some(port) = line.trim().strip_prefix("LISTENING ") else {
            bail!("the sink did not start: {line:?}");
        };
        Ok(Sink {
            port: port.parse()?,
            child,
            _dir: dir,
        })
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The least SMTP that delivers: one connection, one command and reply at a time.
struct RawClient {
    stream: BufReader<TcpStream>,
}

impl RawClient {
    async fn connect(url: &SmtpUrl) -> anyhow::Result<RawClient> {
        let stream = TcpStream::connect((url.host.as_str(), url.port)).await?;
        stream.set_nodelay(true)?;
        let mut client = RawClient {
            stream: BufReader::new(stream),
        };
        client.reply(220).await?;
        client
            .command(b"EHLO bench.paperstand.example\r\n", 250)
            .await?;
        Ok(client)
    }

    async fn send(&mut self, to: &str, message: &[u8]) -> anyhow::Result<()> {
        self.command(
            format!("MAIL FROM:<{FROM}> BODY=8BITMIME\r\n").as_bytes(),
            250,
        )
        .await?;
        self.command(format!("RCPT TO:<{to}>\r\n").as_bytes(), 250)
            .await?;
        self.command(b"DATA\r\n", 354).await?;
        // lettre's output has no line starting with a dot to escape in these messages;
        // it ends with CRLF. One write with the terminator (no wait for a delayed ACK).
        let mut block = Vec::with_capacity(message.len() + 3);
        block.extend_from_slice(message);
        block.extend_from_slice(b".\r\n");
        self.command(&block, 250).await
    }

    async fn command(&mut self, line: &[u8], expect: u16) -> anyhow::Result<()> {
        self.stream.get_mut().write_all(line).await?;
        self.reply(expect).await
    }

    async fn reply(&mut self, expect: u16) -> anyhow::Result<()> {
        let mut line = String::new();
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                bail!("the sink closed the connection");
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                break;
            }
        }
        if !line.starts_with(&expect.to_string()) {
            bail!("expected {expect}, got {line:?}");
        }
        Ok(())
    }
}

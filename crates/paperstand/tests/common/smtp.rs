//! A real SMTP server for tests: `tests/python/smtp_server.py` (aiosmtpd) as a child
//! process on 127.0.0.1, recording what it accepts in `DIR/received.jsonl` (on disk
//! before it replies 250). Recipients named `fault-…@` make it fail on purpose (see the
//! script). Killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use paperstand::smtp::{SmtpOptions, SmtpSender, SmtpUrl};

/// The envelope sender the SMTP tests use.
pub const FROM: &str = "digest@paperstand.example";

/// Sender options for tests: a 10 s timeout, a fixed EHLO name.
pub fn test_options() -> SmtpOptions {
    SmtpOptions {
        command_timeout: Duration::from_secs(10),
        hello_name: Some("paperstand.test".to_owned()),
        ..SmtpOptions::default()
    }
}

/// A small plain-text message whose Message-ID is `<ID@paperstand.example>`.
pub fn test_message(to: &str, id: &str) -> Vec<u8> {
    format!(
        "From: {FROM}\r\nTo: {to}\r\nSubject: test {id}\r\nMessage-ID: <{id}@paperstand.example>\r\n\
         Date: Fri, 27 Nov 2026 21:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Papers of the day for {id}.\r\n"
    )
    .into_bytes()
}

/// One message the server accepted.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    /// 1, 2, … in the order accepted (counting restarts anew).
    pub seq: u64,
    /// Which connection carried it (the `seq` of `connections.jsonl`).
    pub connection: u64,
    /// The envelope sender (MAIL FROM).
    pub mail_from: String,
    /// The envelope recipients (RCPT TO).
    pub rcpt_tos: Vec<String>,
    /// The Message-ID header, as written.
    pub message_id: Option<String>,
    /// The whole message (headers and body, CRLF line ends) as text.
    pub data: String,
}

impl Received {
    /// The header block (before the first empty line).
    pub fn head(&self) -> &str {
        self.data
            .split_once("\r\n\r\n")
            .map_or(&self.data, |(head, _)| head)
    }

    /// The body (after the first empty line).
    pub fn body(&self) -> &str {
        self.data
            .split_once("\r\n\r\n")
            .map_or("", |(_, body)| body)
    }

    /// The first header called `name` (case-insensitive), its folded lines joined.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut value: Option<String> = None;
        for line in self.head().split("\r\n") {
            if let Some(current) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    current.push_str(line);
                    continue;
                }
                break;
            }
            if let Some((key, rest)) = line.split_once(':')
                && key.eq_ignore_ascii_case(name)
            {
                value = Some(rest.trim_start().to_owned());
            }
        }
        value
    }

    /// [`Received::header`] with RFC 2047 encoded words (UTF-8, `B` or `Q`) decoded.
    pub fn header_decoded(&self, name: &str) -> Option<String> {
        self.header(name).map(|value| decode_words(&value))
    }
}

/// Decodes `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words; whitespace between two encoded
/// words is dropped (RFC 2047 §6.2).
pub fn decode_words(value: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut previous_encoded = false;
    let mut pending_space = String::new();
    for token in value.split_inclusive([' ', '\t']) {
        let word = token.trim_end_matches([' ', '\t']);
        let trailing = &token[word.len()..];
        let decoded = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .and_then(|w| {
                let mut parts = w.splitn(3, '?');
                let (charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
                if !charset.eq_ignore_ascii_case("utf-8") {
                    return None;
                }
                let bytes = match encoding {
                    "b" | "B" => base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .ok()?,
                    "q" | "Q" => {
                        let text = text.replace('_', " ");
                        let mut bytes = Vec::new();
                        let mut rest = text.as_bytes();
                        while let Some((&first, tail)) = rest.split_first() {
                            if first == b'=' && tail.len() >= 2 {
                                bytes.push(
                                    u8::from_str_radix(std::str::from_utf8(&tail[..2]).ok()?, 16)
                                        .ok()?,
                                );
                                rest = &tail[2..];
                            } else {
                                bytes.push(first);
                                rest = tail;
                            }
                        }
                        bytes
                    }
                    _ => return None,
                };
                String::from_utf8(bytes).ok()
            });
        match decoded {
            Some(text) => {
                if !previous_encoded {
                    out.push_str(&pending_space);
                }
                out.push_str(&text);
                previous_encoded = true;
            }
            None => {
                out.push_str(&pending_space);
                out.push_str(word);
                previous_encoded = false;
            }
        }
        pending_space = trailing.to_owned();
    }
    out
}

/// TLS for the server: implicit (`smtps://`) or STARTTLS (`smtp+starttls://`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte.
    Implicit,
    /// Plain, then STARTTLS (required by the server before MAIL).
    StartTls,
}

/// A test CA and a certificate it signed for `localhost` and 127.0.0.1 (made with the
/// `openssl` command).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The CA certificate (PEM): what a client must trust.
    pub ca: PathBuf,
    /// The server's certificate (PEM).
    pub cert: PathBuf,
    /// The server's private key (PEM).
    pub key: PathBuf,
}

impl TlsFiles {
    /// Generates them into `dir`.
    pub fn generate(dir: &Path) -> TlsFiles {
        std::fs::create_dir_all(dir).expect("tls dir");
        let run = |args: &[&str]| {
            let output = Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()
                .expect("the openssl command (needed for the SMTP TLS tests)");
            assert!(
                output.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        run(&[
            &["req", "-x509"][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
            &[
                "-subj",
                "/CN=Paperstand test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
            ],
            &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ]
        .concat());
        run(&[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "key.pem",
                "-out",
                "leaf.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat());
        std::fs::write(
            dir.join("leaf.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .expect("leaf.ext");
        run(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
        ]);
        TlsFiles {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }
}

/// How to start the server.
#[derive(Debug, Clone, Default)]
pub struct SmtpServerOptions {
    /// Require AUTH (PLAIN or LOGIN, allowed without TLS) with this user and password.
    pub auth: Option<(String, String)>,
    /// Serve TLS with these files.
    pub tls: Option<(TlsMode, TlsFiles)>,
    /// Skip the fsync before each 250 (benchmarks of the sink alone).
    pub no_fsync: bool,
}

/// The running server.
pub struct SmtpServer {
    dir: PathBuf,
    port: u16,
    options: SmtpServerOptions,
    child: Option<Child>,
}

impl SmtpServer {
    /// A plain server recording into `dir`. `None` only when the test venv is missing
    /// and `PAPERSTAND_SKIP_PYTHON` is set (see `common::venv_program`).
    pub fn start(dir: &Path) -> Option<SmtpServer> {
        SmtpServer::start_with(dir, SmtpServerOptions::default())
    }

    /// A server with these options, recording into `dir`.
    pub fn start_with(dir: &Path, options: SmtpServerOptions) -> Option<SmtpServer> {
        super::venv_program("python")?;
        let mut server = SmtpServer {
            dir: dir.to_owned(),
            port: 0,
            options,
            child: None,
        };
        server.spawn();
        Some(server)
    }

    fn spawn(&mut self) {
        let python = super::venv_program("python").expect("the test venv's python");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/smtp_server.py");
        std::fs::create_dir_all(&self.dir).expect("server dir");
        let log = self.dir.join("server.stderr.log");
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log");
        let mut command = Command::new(python);
        command
            .arg(script)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                "--out",
            ])
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        if let Some((user, password)) = &self.options.auth {
            command.arg("--auth").arg(format!("{user}:{password}"));
        }
        if let Some((mode, files)) = &self.options.tls {
            command
                .arg("--tls")
                .arg(&files.cert)
                .arg(&files.key)
                .arg("--tls-mode")
                .arg(match mode {
                    TlsMode::Implicit => "implicit",
                    TlsMode::StartTls => "starttls",
                });
        }
        if self.options.no_fsync {
            command.arg("--no-fsync");
        }
        let mut child = command.spawn().expect("start the SMTP test server");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Some(port) = line.strip_prefix("LISTENING ") {
                    let _ = tx.send(port.trim().parse::<u16>().ok());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Some(port)) => self.port = port,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the SMTP test server did not start ({other:?}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        }
        self.child = Some(child);
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL an `SmtpSender` uses: `smtp://127.0.0.1:PORT`, or with TLS
    /// `smtps://localhost:PORT` / `smtp+starttls://localhost:PORT` (the certificate's
    /// name), with the credentials when the server wants AUTH.
    pub fn url(&self) -> String {
        let (scheme, host) = match &self.options.tls {
            None => ("smtp", "127.0.0.1"),
            Some((TlsMode::Implicit, _)) => ("smtps", "localhost"),
            Some((TlsMode::StartTls, _)) => ("smtp+starttls", "localhost"),
        };
        let credentials = self
            .options
            .auth
            .as_ref()
            .map(|(user, password)| format!("{user}:{password}@"))
            .unwrap_or_default();
        format!("{scheme}://{credentials}{host}:{}", self.port)
    }

    /// A sender to this server with these options.
    pub fn sender(&self, options: SmtpOptions) -> SmtpSender {
        SmtpSender::new(SmtpUrl::parse(&self.url()).expect("url"), options).expect("sender")
    }

    /// The directory it records into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every message accepted so far, over all restarts, in order.
    pub fn received(&self) -> Vec<Received> {
        read_lines(&self.dir.join("received.jsonl"))
            .iter()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    /// Waits until at least `count` messages were accepted (another process sending),
    /// at most `within`; returns them all. Panics on the timeout, saying how many came.
    pub fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = std::time::Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the SMTP test server accepted {} messages within {within:?}, not {count}",
                received.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Connections accepted so far, over all restarts.
    pub fn connections(&self) -> usize {
        read_lines(&self.dir.join("connections.jsonl")).len()
    }

    /// Kills it (SIGKILL) and waits for it to go; connections break mid-command.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills it if running and starts it again on the same port and directory.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn read_lines(path: &Path) -> Vec<String> {
    match std::fs::read_to_string(path) {
        // A line is whole once its newline is there (the server writes each in one write).
        Ok(text) => {
            let whole = text.rfind('\n').map_or("", |end| &text[..end]);
            whole
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

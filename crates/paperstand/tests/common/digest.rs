//! Digest runs against a test instance, and reading the messages back.

use std::sync::Arc;

use base64::Engine;
use paperstand::config::{DigestConfig, MailConfig, Secret};
use paperstand::digest::render::Site;
use paperstand::digest::send::Transport;
use paperstand::digest::transport::SmtpTransport;
use paperstand::digest::{DigestService, signer};
use paperstand::ranking::Ranking;
use paperstand::web::auth::Auth;

use super::TestApp;

/// The sender of test digests.
pub const FROM: &str = "Paperstand <digest@example.org>";

/// `[mail]` for an SMTP server at `url`, with a short timeout.
pub fn mail_config(url: &str, timeout_secs: u64) -> MailConfig {
    MailConfig {
        from: FROM.to_owned(),
        smtp_url: Some(Secret::new(url)),
        timeout_secs,
        rate_per_second: 0.0,
        ..MailConfig::default()
    }
}

/// A digest service of `app` sending through `transport` with `config`.
pub fn service(
    app: &TestApp,
    config: DigestConfig,
    transport: Arc<dyn Transport>,
) -> DigestService {
    let signer = signer(&config, &Auth::ephemeral(), &app.url);
    DigestService {
        store: app.store.clone(),
        ranking: Arc::new(Ranking::default()),
        config,
        site: Arc::new(Site {
            public_url: app.url.clone(),
            from: FROM.parse().expect("sender"),
            signer,
        }),
        transport,
        owner: paperstand::jobs::node_id().to_owned(),
        personal: None,
    }
}

/// A digest service of `app` sending over SMTP to `smtp_url`.
pub fn smtp_service(
    app: &TestApp,
    config: DigestConfig,
    smtp_url: &str,
    timeout_secs: u64,
) -> DigestService {
    let mail = mail_config(smtp_url, timeout_secs);
    let transport =
        SmtpTransport::new(&mail, mail.smtp_url.as_ref().expect("url")).expect("transport");
    service(app, config, Arc::new(transport))
}

/// The parts of a MIME message: (content type, decoded body).
pub fn parts(raw: &str) -> Vec<(String, String)> {
    let (head, body) = split_head(raw);
    let content_type = header_value(head, "content-type").unwrap_or_default();
    if let Some(boundary) = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
    {
        let boundary = boundary.trim_matches('"');
        let marker = format!("--{boundary}");
        return body
            .split(marker.as_str())
            .skip(1)
            .filter(|p| !p.starts_with("--"))
            .flat_map(|p| parts(p.trim_start_matches(['\r', '\n'])))
            .collect();
    }
    let encoding = header_value(head, "content-transfer-encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let decoded = match encoding.as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .expect("base64 body"),
            )
            .expect("utf-8 body")
        }
        "quoted-printable" => quoted_printable(body),
        _ => body.to_owned(),
    };
    let kind = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    vec![(kind, decoded)]
}

fn split_head(raw: &str) -> (&str, &str) {
    raw.split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""))
}

/// A header of a message head (unfolded), by name.
pub fn header_value(head: &str, name: &str) -> Option<String> {
    let unfolded = head
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ")
        .replace("\n ", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

fn quoted_printable(text: &str) -> String {
    let mut out = Vec::new();
    let bytes = text.replace("=\r\n", "").replace("=\n", "").into_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8 after quoted-printable")
}

/// Every `http(s)://` URL in `text`, in order.
pub fn urls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("http") {
        let candidate = &rest[at..];
        if candidate.starts_with("http://") || candidate.starts_with("https://") {
            let end = candidate
                .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
                .unwrap_or(candidate.len());
            found.push(
                candidate[..end]
                    .trim_end_matches(['.', ',', ';', ')'])
                    .to_owned(),
            );
            rest = &candidate[end..];
        } else {
            rest = &candidate[4..];
        }
    }
    found
}

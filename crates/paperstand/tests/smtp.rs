//! The SMTP sender against a real SMTP server process (aiosmtpd, tests/python/
//! smtp_server.py) over TCP: messages arrive and parse back; connections are reused;
//! AUTH, TLS, the rate limit; the password never shows. Faults: tests/smtp_faults.rs.

mod common;

use std::time::Instant;

use common::smtp::{
    FROM, SmtpServer, SmtpServerOptions, TlsFiles, TlsMode, test_message, test_options,
};
use paperstand::mail::{Mailer, Message};
use paperstand::smtp::{SendError, SmtpMailer, SmtpOptions, SmtpSender, SmtpUrl};

#[tokio::test]
async fn an_account_mail_arrives_and_parses_back() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = SmtpServer::start(dir.path()) else {
        return;
    };
    let mailer = SmtpMailer::new(
        server.sender(test_options()),
        "Paperstand <digest@paperstand.example>",
    )
    .unwrap();
    mailer
        .send(&Message {
            to: "ada@example.org".to_owned(),
            subject: "Confirm your address ✓".to_owned(),
            text: "Hello Ada,\n\nhttps://paperstand.example/verify/abc\n.\nA line with a dot."
                .to_owned(),
        })
        .await
        .unwrap();
    let received = server.received();
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(message.mail_from, "digest@paperstand.example");
    assert_eq!(message.rcpt_tos, ["ada@example.org"]);
    assert_eq!(
        message.header("From").as_deref(),
        Some("Paperstand <digest@paperstand.example>")
    );
    assert_eq!(message.header("To").as_deref(), Some("ada@example.org"));
    // Non-ASCII subjects are RFC 2047 encoded (the raw header is ASCII).
    assert!(message.header("Subject").unwrap().is_ascii());
    assert_eq!(
        message.header_decoded("Subject").as_deref(),
        Some("Confirm your address ✓")
    );
    let id = message.message_id.clone().unwrap();
    assert!(
        id.starts_with('<') && id.ends_with("@paperstand.example>"),
        "{id}"
    );
    assert_eq!(message.header("Message-ID").as_deref(), Some(id.as_str()));
    let date = message.header("Date").unwrap();
    let parsed =
        time::OffsetDateTime::parse(&date, &time::format_description::well_known::Rfc2822).unwrap();
    assert!(
        (time::OffsetDateTime::now_utc() - parsed).abs() < time::Duration::minutes(5),
        "{date}"
    );
    assert!(
        message
            .header("Content-Type")
            .unwrap()
            .starts_with("text/plain")
    );
    // The body survives transfer (including a line holding just a dot).
    let body = message.body();
    let text = if message.header("Content-Transfer-Encoding").as_deref() == Some("quoted-printable")
    {
        body.replace("=\r\n", "")
    } else {
        body.to_owned()
    };
    assert!(
        text.contains("https://paperstand.example/verify/abc\r\n.\r\nA line with a dot."),
        "{body}"
    );
}

#[tokio::test]
async fn a_multipart_message_arrives_byte_for_byte() {
    use lettre::message::{MultiPart, SinglePart, header::ContentType};
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = SmtpServer::start(dir.path()) else {
        return;
    };
    let sender = server.sender(test_options());
    let text = "Trending today — naïve Bayes returns\n.\n..a line of dots\nhttps://paperstand.example/papers/2611.00001\n";
    let html = "<p>Trending today — <a href=\"https://paperstand.example/papers/2611.00001\">naïve Bayes</a></p>\n.\n";
    let message = lettre::Message::builder()
        .from(FROM.parse().unwrap())
        .to("Ada <ada@example.org>".parse().unwrap())
        .subject("Your digest")
        .message_id(Some("<digest-1@paperstand.example>".to_owned()))
        .date_now()
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text.to_owned()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html.to_owned()),
                ),
        )
        .unwrap();
    let accepted = sender.send_message(&message).await.unwrap();
    assert_eq!(accepted.code, 250);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_tos, ["ada@example.org"]);
    assert_eq!(
        received[0].message_id.as_deref(),
        Some("<digest-1@paperstand.example>")
    );
    let mut sent = String::from_utf8(message.formatted()).unwrap();
    if !sent.ends_with("\r\n") {
        sent.push_str("\r\n");
    }
    assert_eq!(
        received[0].data, sent,
        "the server holds exactly what was sent"
    );
    assert!(
        received[0]
            .header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_reused_across_messages_and_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = SmtpServer::start(dir.path()) else {
        return;
    };
    let sender = server.sender(SmtpOptions {
        max_in_flight: 3,
        ..test_options()
    });
    for i in 0..10 {
        sender
            .send(
                FROM,
                &format!("reader{i}@example.org"),
                &test_message("r@example.org", &format!("seq{i}")),
            )
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for i in 0..40 {
        let sender = sender.clone();
        tasks.push(tokio::spawn(async move {
            sender
                .send(
                    FROM,
                    &format!("many{i}@example.org"),
                    &test_message("m@example.org", &format!("par{i}")),
                )
                .await
        }));
    }
    for task in tasks {
        let accepted = task.await.unwrap().unwrap();
        assert_eq!(accepted.code, 250);
        assert!(accepted.text.contains("queued as"), "{}", accepted.text);
    }
    let received = server.received();
    assert_eq!(received.len(), 50);
    let connections = server.connections();
    assert!(
        connections <= 3,
        "{connections} connections for 50 messages"
    );
    assert_eq!(sender.connections_opened() as usize, connections);
    let distinct: std::collections::HashSet<_> =
        received.iter().map(|r| r.message_id.clone()).collect();
    assert_eq!(distinct.len(), 50, "every message exactly once");
    // close() says goodbye to the idle connections; the next message opens a new one.
    sender.close().await;
    let before = sender.connections_opened();
    sender
        .send(
            FROM,
            "after@example.org",
            &test_message("after@example.org", "after"),
        )
        .await
        .unwrap();
    assert_eq!(sender.connections_opened(), before + 1);
}

#[tokio::test]
async fn auth_with_the_right_and_wrong_password() {
    let dir = tempfile::tempdir().unwrap();
    let auth = SmtpServerOptions {
        auth: Some(("digest".to_owned(), "s3cret-pässword".to_owned())),
        ..SmtpServerOptions::default()
    };
    let Some(server) = SmtpServer::start_with(dir.path(), auth) else {
        return;
    };
    let url = SmtpUrl::parse(&format!(
        "smtp://digest:s3cret-p%C3%A4ssword@127.0.0.1:{}",
        server.port()
    ))
    .unwrap();
    let right = SmtpSender::new(url.clone(), test_options()).unwrap();
    right
        .send(
            FROM,
            "a@example.org",
            &test_message("a@example.org", "authed"),
        )
        .await
        .unwrap();

    let wrong_url = url.clone().with_credentials("digest", "not-it-hunter2");
    let wrong = SmtpSender::new(wrong_url, test_options()).unwrap();
    let error = wrong
        .send(
            FROM,
            "a@example.org",
            &test_message("a@example.org", "nope"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SendError::Reply {
                code: 535,
                stage: "AUTH",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.is_permanent() && !error.is_bounce(),
        "a wrong password is not the address's fault"
    );

    let anonymous = SmtpSender::new(
        SmtpUrl::parse(&format!("smtp://127.0.0.1:{}", server.port())).unwrap(),
        test_options(),
    )
    .unwrap();
    let error = anonymous
        .send(
            FROM,
            "a@example.org",
            &test_message("a@example.org", "anon"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.is_permanent(), error.is_bounce()),
        (Some(530), true, false),
        "{error}"
    );

    // The password shows nowhere.
    let mailer = SmtpMailer::new(wrong.clone(), FROM).unwrap();
    for shown in [
        url.to_string(),
        format!("{url:?}"),
        format!("{right:?}"),
        format!("{wrong:?}"),
        format!("{mailer:?}"),
        error.to_string(),
        format!("{error:?}"),
    ] {
        assert!(
            !shown.contains("s3cret") && !shown.contains("hunter2"),
            "{shown}"
        );
    }
    assert_eq!(server.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_holds_across_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = SmtpServer::start(dir.path()) else {
        return;
    };
    let (n, rate) = (16u32, 20.0);
    let sender = server.sender(SmtpOptions {
        rate_per_second: rate,
        max_in_flight: 4,
        ..test_options()
    });
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..n {
        let sender = sender.clone();
        tasks.push(tokio::spawn(async move {
            sender
                .send(
                    FROM,
                    "r@example.org",
                    &test_message("r@example.org", &format!("rate{i}")),
                )
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let took = start.elapsed().as_secs_f64();
    let floor = f64::from(n - 1) / rate;
    assert!(
        took >= floor,
        "{n} messages at {rate}/s took {took:.3} s, less than {floor:.3} s"
    );
    assert_eq!(server.received().len(), n as usize);
}

#[tokio::test]
async fn implicit_tls_and_starttls_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let files = TlsFiles::generate(&dir.path().join("tls"));
    let ca = std::fs::read(&files.ca).unwrap();
    for mode in [TlsMode::Implicit, TlsMode::StartTls] {
        let server_dir = dir.path().join(format!("{mode:?}"));
        let tls = SmtpServerOptions {
            tls: Some((mode, files.clone())),
            ..SmtpServerOptions::default()
        };
        let Some(server) = SmtpServer::start_with(&server_dir, tls) else {
            return;
        };
        let trusting = server.sender(SmtpOptions {
            extra_root_certificates: vec![ca.clone()],
            ..test_options()
        });
        let description = trusting.check().await.unwrap();
        assert!(description.contains("(TLS"), "{description}");
        trusting
            .send(FROM, "a@example.org", &test_message("a@example.org", "tls"))
            .await
            .unwrap();
        assert_eq!(server.received().len(), 1, "{mode:?}");
        // Without the CA the certificate is not trusted: a TLS failure, transient.
        let error = server
            .sender(test_options())
            .send(FROM, "a@example.org", &test_message("a@example.org", "x"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, SendError::Connection { .. }) && error.is_transient(),
            "{mode:?}: {error:?}"
        );
        assert_eq!(server.received().len(), 1, "{mode:?}");
    }
}

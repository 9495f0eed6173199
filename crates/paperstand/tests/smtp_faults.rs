//! The SMTP sender against a real SMTP server process that fails on purpose (issue
//! #6's faults): each classified transient or permanent with its code, nothing lost,
//! nothing sent twice; a stalled server, a server down at start or restarted, header
//! injection refused before anything is sent.

mod common;

use std::time::{Duration, Instant};

use common::smtp::{FROM, SmtpServer, test_message, test_options};
use paperstand::mail::{Mailer, Message};
use paperstand::smtp::{Class, SendError, SmtpMailer, SmtpOptions};

#[tokio::test]
async fn every_fault_is_classified_and_good_mail_still_goes_through() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = SmtpServer::start(dir.path()) else {
        return;
    };
    let sender = server.sender(test_options());
    let cases: &[(&str, Option<u16>, Class, &str)] = &[
        ("fault-421", Some(421), Class::Transient, "RCPT"),
        ("fault-450", Some(450), Class::Transient, "RCPT"),
        ("fault-451", Some(451), Class::Transient, "RCPT"),
        ("fault-452", Some(452), Class::Transient, "RCPT"),
        ("fault-550", Some(550), Class::Permanent, "RCPT"),
        ("fault-552", Some(552), Class::Transient, "end of data"),
        ("fault-554", Some(554), Class::Permanent, "end of data"),
        ("fault-drop", None, Class::Transient, "end of data"),
    ];
    let mut good = 0;
    for (local, code, class, stage) in cases {
        let to = format!("{local}@example.org");
        let error = sender
            .send(FROM, &to, &test_message(&to, local))
            .await
            .unwrap_err();
        assert_eq!(error.code(), *code, "{local}: {error}");
        assert_eq!(error.class(), *class, "{local}: {error}");
        let error_stage = match &error {
            SendError::Reply { stage, .. } | SendError::Connection { stage, .. } => *stage,
            other => panic!("{local}: {other:?}"),
        };
        assert_eq!(error_stage, *stage, "{local}: {error}");
        assert!(
            !error.to_string().contains("example.org"),
            "no address in {error}"
        );
        assert_eq!(error.is_bounce(), *class == Class::Permanent, "{local}");
        assert_eq!(error.maybe_delivered(), *local == "fault-drop", "{local}");
        // The next message, on the same sender, goes through.
        good += 1;
        sender
            .send(
                FROM,
                "ok@example.org",
                &test_message("ok@example.org", &format!("good{good}")),
            )
            .await
            .unwrap();
    }
    // Greylisting: transient the first time, accepted the second.
    let to = "fault-once-451@example.org";
    let first = sender
        .send(FROM, to, &test_message(to, "grey"))
        .await
        .unwrap_err();
    assert_eq!(
        (first.code(), first.is_transient()),
        (Some(451), true),
        "{first}"
    );
    sender
        .send(FROM, to, &test_message(to, "grey"))
        .await
        .unwrap();
    // After a refusal the connection is reset (RSET) and reused; after 421 and the
    // dropped connection a new one is made: three in all.
    assert_eq!((sender.connections_opened(), server.connections()), (3, 3));
    let ids: Vec<String> = server
        .received()
        .iter()
        .map(|r| r.message_id.clone().unwrap())
        .collect();
    let mut expected: Vec<String> = (1..=good)
        .map(|i| format!("<good{i}@paperstand.example>"))
        .collect();
    expected.push("<grey@paperstand.example>".to_owned());
    assert_eq!(ids, expected, "only the good messages, each once");
}

#[tokio::test]
async fn a_stalled_server_ends_by_timeout_as_transient() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = SmtpServer::start(dir.path()) else {
        return;
    };
    let timeout = Duration::from_millis(800);
    let sender = server.sender(SmtpOptions {
        command_timeout: timeout,
        ..test_options()
    });
    let to = "fault-stall@example.org";
    let start = Instant::now();
    let error = sender
        .send(FROM, to, &test_message(to, "stall"))
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(
            error,
            SendError::Timeout {
                stage: "end of data",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_transient() && error.maybe_delivered());
    assert!(
        took >= timeout && took < timeout + Duration::from_secs(2),
        "{took:?}"
    );
    // The stalled connection is dropped, never reused: the next message gets a new one.
    sender
        .send(
            FROM,
            "ok@example.org",
            &test_message("ok@example.org", "after"),
        )
        .await
        .unwrap();
    assert_eq!(sender.connections_opened(), 2);
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_server_down_at_start_is_transient_and_a_restart_is_survived() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut server) = SmtpServer::start(dir.path()) else {
        return;
    };
    let sender = server.sender(test_options());
    server.kill();
    let error = sender
        .send(
            FROM,
            "a@example.org",
            &test_message("a@example.org", "down"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SendError::Connection {
                stage: "connect",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_transient() && error.code().is_none());
    assert!(sender.check().await.is_err());
    server.restart();
    let description = sender.check().await.unwrap();
    assert!(
        description.contains("paperstand-test-sink"),
        "{description}"
    );
    sender
        .send(FROM, "a@example.org", &test_message("a@example.org", "one"))
        .await
        .unwrap();
    // The pooled connection dies with the server; the next message finds that out at
    // MAIL, before anything was accepted, and goes over a new connection.
    server.restart();
    sender
        .send(FROM, "a@example.org", &test_message("a@example.org", "two"))
        .await
        .unwrap();
    let ids: Vec<_> = server
        .received()
        .into_iter()
        .map(|r| r.message_id.unwrap())
        .collect();
    assert_eq!(
        ids,
        ["<one@paperstand.example>", "<two@paperstand.example>"]
    );
    assert_eq!(sender.connections_opened(), 3, "check, one, two");
}

#[tokio::test]
async fn header_injection_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = SmtpServer::start(dir.path()) else {
        return;
    };
    let mailer = SmtpMailer::new(server.sender(test_options()), FROM).unwrap();
    for (to, subject) in [
        ("ada@example.org\r\nBcc: eve@example.org", "Hello"),
        ("ada@example.org", "Hello\r\nBcc: eve@example.org"),
        ("ada@example.org", "Hello\nBcc: eve@example.org"),
        ("ada@example.org\n", "Hello"),
        ("not an address", "Hello"),
    ] {
        let error = mailer
            .send(&Message {
                to: to.to_owned(),
                subject: subject.to_owned(),
                text: "x".to_owned(),
            })
            .await
            .unwrap_err();
        let error = error.downcast::<SendError>().unwrap();
        assert!(
            matches!(error, SendError::Invalid { .. }) && error.is_permanent(),
            "{error:?}"
        );
    }
    let error = mailer
        .sender()
        .send(FROM, "eve@example.org>\r\nRCPT TO:<x@example.org", b"x")
        .await
        .unwrap_err();
    assert!(matches!(error, SendError::Invalid { .. }), "{error:?}");
    assert_eq!(server.connections(), 0, "nothing reached the server");
    assert!(server.received().is_empty());
}

//! Issue #9's fault "PostgreSQL restarted during a run": two `paperstand serve` nodes send
//! digests to a real SMTP server process while their PostgreSQL restarts (`pg_ctl restart
//! -m fast`, which ends every connection). The nodes' pools replace the connections, the
//! run completes, every subscriber has their digest, and a second copy is possible only
//! for what was in flight when the connections broke (a send the server accepted but
//! could not be recorded is re-driven after its claim expires).
//!
//! The shared test PostgreSQL is not restarted (other test runs use it): the test runs
//! a PostgreSQL cluster of its own (initdb in a temporary directory, a free port, run as
//! the `postgres` user when the tests run as root), stopped and deleted at the end.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::pgnodes::{CONCURRENCY, free_port, node, seed, tally, wait_all_sent, wait_ready};
use common::smtp::SmtpServer;
use paperstand_store::PostgresStore;

/// A PostgreSQL cluster of this test's own.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn start() -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's programs under /usr/lib/postgresql/VERSION/bin")
            .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
            .filter(|bin| bin.join("initdb").exists())
            .max()
            .expect("initdb under /usr/lib/postgresql/VERSION/bin");
        let uid = Command::new("id").arg("-u").output().expect("id -u");
        let as_postgres = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        let dir = tempfile::tempdir().unwrap();
        if as_postgres {
            let chown = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(chown.success());
        }
        let cluster = Cluster {
            dir,
            bin,
            port: free_port(),
            as_postgres,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            cluster.port,
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("server.log");
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let output = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .current_dir(self.dir.path())
                .output()
        } else {
            Command::new(&path)
                .args(args)
                .current_dir(self.dir.path())
                .output()
        }
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            output.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Restarts the server: `-m fast` ends every client connection.
    fn restart(&self) {
        let data = self.data();
        // With its log in a file: a server holding pg_ctl's stdout would keep this
        // waiting for the pipe to close.
        let log = self.dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "restart",
            ],
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let path = self.bin.join("pg_ctl");
        let args = ["-D", data.to_str().unwrap(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .output()
        } else {
            Command::new(&path).args(args).output()
        };
    }
}

async fn page_status(url: &str) -> u16 {
    reqwest::get(format!("{url}/"))
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_run_completes_across_a_postgres_restart() {
    let dir = tempfile::tempdir().unwrap();
    let Some(smtp) = SmtpServer::start(&dir.path().join("smtp")) else {
        panic!("the SMTP test server needs the test venv (scripts/install-test-deps)");
    };
    let cluster = Cluster::start();
    let url = cluster.url();
    let store = PostgresStore::open(&url, Duration::from_secs(10))
        .await
        .expect("the test's own PostgreSQL");
    seed(&store).await;
    let a = node(dir.path(), "a", &url, &smtp.url());
    let b = node(dir.path(), "b", &url, &smtp.url());
    wait_ready(&a.url).await;
    wait_ready(&b.url).await;

    let deadline = Instant::now() + Duration::from_secs(60);
    while smtp.received().len() < 60 {
        assert!(Instant::now() < deadline, "the nodes never sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let restarted = Instant::now();
    cluster.restart();
    let at_restart = smtp.received().len();
    let down = restarted.elapsed();
    assert!(
        at_restart < common::pgnodes::SUBSCRIBERS,
        "everything was sent before the restart: the test did not test a restart mid-run"
    );

    let received = wait_all_sent(&store, &smtp, Duration::from_secs(90)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = {
        let again = smtp.received();
        assert!(again.len() >= received.len());
        again
    };
    // Both nodes serve pages from the restarted server.
    assert_eq!(page_status(&a.url).await, 200, "node A after the restart");
    assert_eq!(page_status(&b.url).await, 200, "node B after the restart");
    drop(a);
    drop(b);
    store.close().await;
    let tally = tally(&received);
    println!(
        "PostgreSQL restarted ({:.1} s) after {at_restart} messages; {} messages for {} \
         subscribers: {} from A, {} from B, {} missing, {} duplicate(s)",
        down.as_secs_f64(),
        tally.messages,
        tally.per_recipient.len(),
        tally.sent_by("a"),
        tally.sent_by("b"),
        tally.missing().len(),
        tally.duplicates()
    );
    assert!(tally.missing().is_empty(), "missing: {:?}", tally.missing());
    tally.assert_one_digest_each();
    assert!(
        tally.duplicates() <= 2 * CONCURRENCY,
        "{} duplicates: more than the two nodes' in-flight messages",
        tally.duplicates()
    );
}

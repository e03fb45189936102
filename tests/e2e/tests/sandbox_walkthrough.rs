//! README "First requests", run as written: `make sandbox` (the app as `make run` serves it —
//! with `spin up` where Spin is installed — against the `mirror-sandbox` stand-ins and the
//! local signer), then the walkthrough's commands with bash, from the checkout. Only the port
//! moves (a free one instead of 3000), and the sandbox gets this test's own database and Redis
//! database. A copy must happen end to end: DRY first, then LIVE and accepted by the fake CLOB.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mirror_e2e::{repo_root, Services};

/// How long `make sandbox` may take to serve: it checks every build and starts every process.
const STARTUP: Duration = Duration::from_secs(300);

/// The shell blocks of README's "First requests" section, in order.
fn walkthrough_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = readme.split("\n## First requests\n").nth(1).expect("README has a First requests section");
    let section = section.split("\n## ").next().unwrap();
    section.split("```sh\n").skip(1).map(|block| block.split("\n```").next().unwrap().to_string()).collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `make sandbox` in a process group of its own, so that the whole tree (make, the scripts, the
/// fakes, the signer, the app) is stopped together.
struct Sandbox {
    child: Child,
    log: std::path::PathBuf,
}

impl Sandbox {
    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let stopped = Command::new("kill").args(["-TERM", "--", &group]).status();
        assert!(stopped.is_ok_and(|s| s.success()) || std::thread::panicking(), "could not stop make sandbox");
        self.child.wait().expect("make sandbox stops");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_requests_in_the_readme_copy_a_trade_in_the_sandbox_dry_then_live() {
    let blocks = walkthrough_blocks();
    assert_eq!(blocks.len(), 2, "First requests has two shell blocks: make sandbox, then the requests");
    assert_eq!(blocks[0].trim(), "make sandbox");

    let services = Services::from_env().unwrap();
    let database = services.fresh_database().await.unwrap();
    let redis_db = services.fresh_redis_db().await.unwrap();
    let (port, signer_port) = (free_port(), free_port());
    let url = format!("http://127.0.0.1:{port}");
    let root = repo_root();
    let log = root.join(format!("target/sandbox-walkthrough-{}.log", std::process::id()));
    let output = std::fs::File::create(&log).unwrap();

    let mut make = Command::new("make");
    make.arg("sandbox")
        .current_dir(&root)
        .env("MIRROR_DATABASE", &database)
        .env("MIRROR_REDIS_DB", redis_db.to_string())
        .env("MIRROR_LISTEN", format!("127.0.0.1:{port}"))
        .env("SIGNER_LISTEN", format!("127.0.0.1:{signer_port}"))
        .env(
            "MIRROR_HOST_BIN",
            std::env::var_os("MIRROR_HOST_BIN").unwrap_or(root.join("target/debug/mirror-host").into()),
        )
        .env("MIRROR_SANDBOX_BIN", root.join("target/debug/mirror-sandbox"))
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(output.try_clone().unwrap())
        .stderr(output)
        .process_group(0);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SPIN_VARIABLE_") {
            make.env_remove(name);
        }
    }
    let mut sandbox = Sandbox { child: make.spawn().expect("make sandbox"), log };

    let started = Instant::now();
    loop {
        if let Some(status) = sandbox.child.try_wait().unwrap() {
            panic!("make sandbox exited ({status}) before serving:\n{}", sandbox.log_text());
        }
        if reqwest_like_get(&format!("{url}/health")).await == Some(200) {
            break;
        }
        assert!(started.elapsed() < STARTUP, "make sandbox did not serve within {STARTUP:?}:\n{}", sandbox.log_text());
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let script = blocks[1].replace("http://127.0.0.1:3000", &url);
    let run = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&root)
        .env("MIRROR_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).to_string();
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(run.status.success(), "the walkthrough failed:\n{stdout}\n{stderr}\nsandbox:\n{}", sandbox.log_text());

    let (db, connection) =
        tokio_postgres::connect(&services.pg_url_for(&database), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let rows = db
        .query(
            "SELECT a.status, o.status, o.side, o.price = 0.52 FROM copy_attempts a JOIN orders o ON o.copy_attempt_id = a.id \
             ORDER BY a.created_at",
            &[],
        )
        .await
        .unwrap();
    let seen: Vec<(String, String, String, bool)> =
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
    let row = |status: &str| (status.to_string(), status.to_string(), "BUY".to_string(), true);
    assert_eq!(seen, vec![row("DRY_RUN"), row("FILLED")], "{stdout}");
    assert!(stdout.contains(r#""status":"DRY_RUN""#), "GET /copy-attempts shows the DRY_RUN attempt:\n{stdout}");
    assert!(stdout.contains(r#""status":"FILLED""#), "GET /orders shows the FILLED order:\n{stdout}");
}

/// The status of `GET url`, or `None` while nothing answers.
async fn reqwest_like_get(url: &str) -> Option<u16> {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let response = tokio::time::timeout(Duration::from_secs(2), client.get(url.parse().unwrap())).await.ok()?.ok()?;
    Some(response.status().as_u16())
}

//! README "First requests", run as written: `make sandbox` (the app as `make run` serves it —
//! with `spin up` where Spin is installed — against the `mirror-sandbox` stand-ins and the
//! local signer), then the walkthrough's commands with bash, from the checkout. Only the port
//! moves (a free one instead of 3000), and the sandbox gets this test's own database and Redis
//! database. A copy must happen end to end: DRY first, then LIVE and accepted by the fake CLOB.

use std::process::{Command, Stdio};
use std::time::Duration;

use mirror_e2e::{repo_root, Services, ServingProcess};

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
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();

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
        .stderr(output);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SPIN_VARIABLE_") {
            make.env_remove(name);
        }
    }
    // The whole tree (make, the scripts, the fakes, the signer, the app) is stopped together.
    let mut sandbox = ServingProcess::spawn(&mut make).unwrap();
    sandbox.wait_until_serving(&url, STARTUP, log_text).await.unwrap();

    let script = blocks[1].replace("http://127.0.0.1:3000", &url);
    let run = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&root)
        .env("MIRROR_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).to_string();
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(run.status.success(), "the walkthrough failed:\n{stdout}\n{stderr}\nsandbox:\n{}", log_text());

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

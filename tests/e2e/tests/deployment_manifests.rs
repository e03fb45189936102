//! `deploy/kubernetes/` agrees with spin.toml, and its CronJob script ticks the real app: the
//! SpinApp runs every HTTP component and binds every variable that has no usable default (each
//! secret one from the Secret), and there is one CronJob per cron worker at its own interval.
//! No Kubernetes here: what can be checked without a cluster is checked against the manifest and
//! by running the jobs' shell script against the app.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use mirror_e2e::{repo_root, TestApp};
use serde_yaml::Value;

fn spin_toml() -> toml::Table {
    std::fs::read_to_string(repo_root().join("spin.toml")).unwrap().parse().unwrap()
}

fn documents(file: &str) -> Vec<Value> {
    let path: PathBuf = repo_root().join("deploy/kubernetes").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::Deserializer::from_str(&text).map(|d| serde::Deserialize::deserialize(d).unwrap()).collect()
}

/// The components of the `kind` triggers, each once (a component may serve several routes).
fn trigger_components(manifest: &toml::Table, kind: &str) -> Vec<String> {
    let mut components: Vec<String> = Vec::new();
    for trigger in manifest["trigger"][kind].as_array().unwrap() {
        let component = trigger["component"].as_str().unwrap().to_string();
        if !components.contains(&component) {
            components.push(component);
        }
    }
    components
}

/// `(name, is secret, needs a value)` of every spin.toml variable: a value is needed when there
/// is no default, or the default points at a service on this machine.
fn variables(manifest: &toml::Table) -> Vec<(String, bool, bool)> {
    manifest["variables"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(name, decl)| {
            let secret = decl.get("secret").and_then(|v| v.as_bool()).unwrap_or(false);
            let local = decl.get("default").and_then(|v| v.as_str()).is_some_and(|d| d.contains("127.0.0.1"));
            let required = decl.get("required").and_then(|v| v.as_bool()).unwrap_or(false);
            (name.clone(), secret, required || local)
        })
        .collect()
}

#[test]
fn the_spinapp_runs_every_http_component_and_binds_every_variable_it_must() {
    let manifest = spin_toml();
    let app = &documents("spinapp.yaml")[0];
    assert_eq!(app["kind"], "SpinApp");
    let components: Vec<String> =
        app["spec"]["components"].as_sequence().unwrap().iter().map(|c| c.as_str().unwrap().into()).collect();
    assert_eq!(components, trigger_components(&manifest, "http"), "the HTTP components, and no cron one");

    let bound = app["spec"]["variables"].as_sequence().unwrap();
    let declared = variables(&manifest);
    for binding in bound {
        let name = binding["name"].as_str().unwrap();
        assert!(declared.iter().any(|(n, ..)| n == name), "{name} is not a spin.toml variable");
    }
    for (name, secret, needed) in declared {
        let binding = bound.iter().find(|b| b["name"] == name.as_str());
        if secret {
            let reference =
                &binding.unwrap_or_else(|| panic!("secret {name} is not bound"))["valueFrom"]["secretKeyRef"];
            assert_eq!(
                (reference["name"].as_str(), reference["key"].as_str()),
                (Some("mirror-variables"), Some(name.as_str()))
            );
        } else if needed {
            assert!(binding.is_some_and(|b| b["value"].is_string()), "{name} needs a value");
        }
    }
    let secret = &documents("secret.example.yaml")[0];
    let keys: BTreeSet<&str> = secret["stringData"].as_mapping().unwrap().keys().map(|k| k.as_str().unwrap()).collect();
    let secrets: BTreeSet<String> = variables(&manifest).into_iter().filter(|(_, s, _)| *s).map(|(n, ..)| n).collect();
    assert_eq!(keys, secrets.iter().map(String::as_str).collect(), "one Secret key per secret variable");
}

/// `(component, every N seconds)` of each `[[trigger.cron]]` (`*/N * * * * *`).
fn cron_workers() -> Vec<(String, u64)> {
    let manifest = spin_toml();
    manifest["trigger"]["cron"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let expression = t["cron_expression"].as_str().unwrap();
            let every = expression
                .strip_prefix("*/")
                .and_then(|rest| rest.strip_suffix(" * * * * *"))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{expression}: workers.yaml maps `*/N * * * * *` only"));
            (t["component"].as_str().unwrap().to_string(), every)
        })
        .collect()
}

fn env(container: &Value, name: &str) -> Value {
    container["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("env {name}"))
        .clone()
}

fn job_container(job: &Value) -> &Value {
    &job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
}

#[test]
fn one_cronjob_per_worker_ticks_at_the_workers_interval_with_the_admin_token() {
    let jobs = documents("workers.yaml");
    let workers = cron_workers();
    assert_eq!(jobs.len(), workers.len());
    for (component, every) in workers {
        let job = jobs
            .iter()
            .find(|j| j["metadata"]["name"] == format!("mirror-worker-{component}").as_str())
            .expect("a CronJob");
        assert_eq!((job["kind"].as_str(), job["spec"]["schedule"].as_str()), (Some("CronJob"), Some("* * * * *")));
        let container = job_container(job);
        assert_eq!(
            env(container, "WORKER_URL")["value"].as_str().unwrap(),
            format!("http://mirror/internal/workers/{component}")
        );
        assert_eq!(env(container, "EVERY_SECONDS")["value"].as_str(), Some(every.to_string().as_str()));
        assert_eq!(60 % every, 0, "{component}: a whole number of ticks per minute");
        let token = &env(container, "ADMIN_TOKEN")["valueFrom"]["secretKeyRef"];
        assert_eq!((token["name"].as_str(), token["key"].as_str()), (Some("mirror-variables"), Some("admin_token")));
    }
}

/// The jobs' script, run as the pod runs it (`/bin/sh -c`), against the app: each tick reaches
/// the worker route, a wrong token fails the job, and the token appears in no output.
#[tokio::test]
async fn the_cronjob_script_ticks_the_app_and_never_prints_the_token() {
    let app = TestApp::start().await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = match app.spin() {
        Some(spin) => spin.base_url.clone(),
        None => format!("http://127.0.0.1:{port}"),
    };
    let script = job_container(&documents("workers.yaml")[0])["args"][0].as_str().unwrap().to_string();
    let run = |token: String| {
        let mut command = tokio::process::Command::new("/bin/sh");
        command
            .args(["-c", &script])
            .env("WORKER_URL", format!("{base}/internal/workers/copy-trading"))
            .env("EVERY_SECONDS", "1")
            .env("WINDOW_SECONDS", "3")
            .env("ADMIN_TOKEN", token)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.output()
    };
    let runs = async {
        let authority = base.trim_start_matches("http://").to_string();
        while tokio::net::TcpStream::connect(&authority).await.is_err() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let good = run(app.admin_token.clone()).await.unwrap();
        let bad = run("wrong-token".into()).await.unwrap();
        (good, bad)
    };
    let (good, bad) = match app.spin() {
        Some(_) => runs.await,
        None => {
            let addr = ([127, 0, 0, 1], port).into();
            tokio::select! {
                served = app.host().serve(addr) => panic!("the host stopped serving: {served:?}"),
                outputs = tokio::time::timeout(Duration::from_secs(60), runs) => outputs.expect("the script finished"),
            }
        }
    };
    let text = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    };
    assert!(good.status.success(), "{}", text(&good));
    assert!(text(&good).contains("3 ticks, 0 failed"), "{}", text(&good));
    assert!(app.redis_get("worker:copy-trading:last-ping").await.is_some(), "the ticks ran the worker");
    assert!(!bad.status.success() && text(&bad).contains("3 ticks, 3 failed"), "{}", text(&bad));
    for output in [&good, &bad] {
        assert!(!text(output).contains(&app.admin_token) && !text(output).contains("wrong-token"), "{}", text(output));
    }
}

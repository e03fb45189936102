//! `mirror-test-host`: a Spin-compatible host on wasmtime (docs/architecture.md §2).
//!
//! It reads a `spin.toml`, routes HTTP requests to components, fires cron components, and
//! implements the Spin interfaces the app's components import — Postgres, Redis, variables,
//! outbound HTTP with `allowed_outbound_hosts` enforced — on real services, counting each
//! invocation's round trips. See README.md for where it deliberately differs from Spin.

mod allowed_hosts;
mod counters;
mod cron;
mod engine;
mod http_outbound;
mod http_trigger;
mod manifest;
pub mod migrate;
mod postgres;
mod redis;
mod routing;
mod serve;
mod state;
mod variables;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use tokio::sync::OnceCell;
use wasmtime::Store;
use wasmtime::component::{Instance, InstancePre};

pub use counters::RoundTrips;

use allowed_hosts::AllowedHosts;
use counters::Counters;
use engine::Runtime;
use manifest::Manifest;
use routing::Router;
use state::{Policy, Shared, State};
use variables::{Sources, Variables};

/// How to load an application.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The `spin.toml`; component sources resolve against its folder.
    pub manifest: PathBuf,
    /// Application variable values that win over everything else.
    pub variables: HashMap<String, String>,
    /// Whether `SPIN_VARIABLE_<NAME>` environment variables provide values (below overrides).
    pub env_variables: bool,
    /// Where compiled components are cached; default `<temp dir>/mirror-host-cache`.
    pub cache_dir: Option<PathBuf>,
    /// Wall-clock limit of one invocation.
    pub invocation_timeout: Duration,
}

impl HostConfig {
    /// Defaults: no overrides, no environment, the default cache, a 30 s deadline.
    pub fn new(manifest: impl Into<PathBuf>) -> Self {
        Self {
            manifest: manifest.into(),
            variables: HashMap::new(),
            env_variables: false,
            cache_dir: None,
            invocation_timeout: Duration::from_secs(30),
        }
    }
}

/// The result of one invocation and what it cost.
#[derive(Debug)]
pub struct Invocation<T> {
    /// The component that ran (empty when none matched).
    pub component: String,
    pub output: T,
    pub round_trips: RoundTrips,
}

/// A loaded application. Cheap to clone and share.
#[derive(Clone)]
pub struct Host {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: Runtime,
    shared: Arc<Shared>,
    router: Router,
    components: HashMap<String, Slot>,
    cron: Vec<(String, String)>,
    timeout: Duration,
}

/// A component, compiled and its allow-list resolved on first use.
struct Slot {
    source: PathBuf,
    allowed_outbound_hosts: Vec<String>,
    pre: OnceCell<InstancePre<State>>,
    policy: OnceLock<Policy>,
}

/// Extra time allowed after the deadline for a guest blocked in a host call to be stopped.
const GRACE: Duration = Duration::from_secs(1);

impl Host {
    /// Reads and checks the manifest. Components are compiled when first invoked.
    pub async fn load(cfg: HostConfig) -> anyhow::Result<Host> {
        let manifest = Manifest::load(&cfg.manifest)?;
        let variables = Variables::new(
            &manifest.variables,
            &manifest.components,
            Sources { overrides: &cfg.variables, environment: cfg.env_variables },
        )?;
        for (id, c) in &manifest.components {
            AllowedHosts::validate(&c.allowed_outbound_hosts)
                .with_context(|| format!("component {id:?}: invalid allowed_outbound_hosts"))?;
        }
        let router = Router::build(&manifest.http)?;
        let cache_dir = cfg.cache_dir.unwrap_or_else(|| std::env::temp_dir().join("mirror-host-cache"));
        let components = manifest
            .components
            .into_iter()
            .map(|(id, c)| {
                let slot = Slot {
                    source: c.source,
                    allowed_outbound_hosts: c.allowed_outbound_hosts,
                    pre: OnceCell::new(),
                    policy: OnceLock::new(),
                };
                (id, slot)
            })
            .collect();
        let inner = Inner {
            runtime: Runtime::new(cache_dir)?,
            shared: Arc::new(Shared { variables, pg: Default::default(), redis: Default::default() }),
            router,
            components,
            cron: manifest.cron.into_iter().map(|c| (c.component, c.cron_expression)).collect(),
            timeout: cfg.invocation_timeout,
        };
        Ok(Host { inner: Arc::new(inner) })
    }

    /// Routes `req` by its path and runs the matching component. No route: 404. A component
    /// that traps, fails to load or runs past the deadline: 500 with an empty body (as Spin),
    /// the error logged. A `SocketAddr` in the request's extensions is the client address
    /// (`spin-client-addr`); the authority comes from the URI, else `Host`, else `localhost`.
    pub async fn handle(&self, req: http::Request<Bytes>) -> Invocation<http::Response<Bytes>> {
        let start = Instant::now();
        let path = req.uri().path().to_owned();
        let method = req.method().clone();
        let Some(route) = self.inner.router.route(&path) else {
            let response = status_only(http::StatusCode::NOT_FOUND);
            tracing::info!(component = "", trigger = %format!("http {method} {path}"), status = 404,
                duration_ms = start.elapsed().as_millis() as u64, "no route");
            return Invocation { component: String::new(), output: response, round_trips: RoundTrips::default() };
        };
        let component = route.component().to_owned();
        let counters = Arc::new(Counters::default());
        let run = http_trigger::invoke(self, &route, req, counters.clone());
        let output = match self.deadline(run).await {
            Ok(response) => response,
            Err(e) => {
                self.log_failure(&component, &e);
                status_only(http::StatusCode::INTERNAL_SERVER_ERROR)
            }
        };
        let round_trips = counters.snapshot();
        tracing::info!(component = %component, trigger = %format!("http {method} {path} ({})", route.raw_route()),
            status = output.status().as_u16(), duration_ms = start.elapsed().as_millis() as u64,
            round_trips = %round_trips, "invocation");
        Invocation { component, output, round_trips }
    }

    /// Runs one tick of a cron component now. `Err` carries the guest's error, a trap, a load
    /// failure or a timeout.
    pub async fn fire_cron(&self, component_id: &str) -> Invocation<Result<(), String>> {
        let start = Instant::now();
        let counters = Arc::new(Counters::default());
        let run = async {
            let (mut store, instance) = self.instantiate(component_id, counters.clone()).await?;
            cron::call(&mut store, &instance).await
        };
        let output = match self.deadline(run).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => {
                let message = self.inner.shared.variables.redact(&message);
                tracing::error!(component = %component_id, "Component {component_id} failed: {message}");
                Err(message)
            }
            Err(e) => {
                self.log_failure(component_id, &e);
                Err(self.inner.shared.variables.redact(&format!("{e:#}")))
            }
        };
        let round_trips = counters.snapshot();
        tracing::info!(component = %component_id, trigger = "cron", status = if output.is_ok() { "ok" } else { "error" },
            duration_ms = start.elapsed().as_millis() as u64, round_trips = %round_trips, "invocation");
        Invocation { component: component_id.to_owned(), output, round_trips }
    }

    /// Every `[[trigger.cron]]`: (component, expression).
    pub fn cron_components(&self) -> Vec<(String, String)> {
        self.inner.cron.clone()
    }

    /// Serves HTTP on `addr` and fires cron components on their schedules, until ctrl-c.
    pub async fn serve(&self, addr: SocketAddr) -> anyhow::Result<()> {
        serve::serve(self.clone(), addr).await
    }

    /// A fresh store and instance of `id`, with the invocation deadline set.
    async fn instantiate(&self, id: &str, counters: Arc<Counters>) -> anyhow::Result<(Store<State>, Instance)> {
        let inner = &self.inner;
        let slot = inner.components.get(id).with_context(|| format!("unknown component {id:?}"))?;
        let pre = slot.pre.get_or_try_init(|| inner.runtime.prepare(id, &slot.source)).await?;
        let policy = slot.policy.get_or_init(|| {
            Arc::new(
                AllowedHosts::resolve(&slot.allowed_outbound_hosts, &inner.shared.variables)
                    .map_err(|e| format!("{e:#}")),
            )
        });
        let state = State::new(inner.shared.clone(), id.into(), policy.clone(), counters);
        let mut store = Store::new(&inner.runtime.engine, state);
        store.set_epoch_deadline(Runtime::ticks(inner.timeout));
        store.epoch_deadline_trap();
        let instance = pre.instantiate_async(&mut store).await.map_err(anyhow::Error::from)?;
        Ok((store, instance))
    }

    /// Runs `f` under the invocation deadline (plus a grace period for host calls: a guest
    /// running wasm is stopped by the epoch deadline itself).
    async fn deadline<T>(&self, f: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
        let limit = self.inner.timeout + GRACE;
        tokio::time::timeout(limit, f)
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("invocation exceeded its deadline of {:?}", self.inner.timeout)))
    }

    fn log_failure(&self, component: &str, e: &anyhow::Error) {
        let text = self.inner.shared.variables.redact(&format!("{e:?}"));
        tracing::error!(component = %component, "invocation failed: {text}");
    }
}

fn status_only(status: http::StatusCode) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = status;
    response
}

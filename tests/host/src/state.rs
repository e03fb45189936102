//! What one invocation's `Store` holds, and the linker that gives guests their imports:
//! WASI 0.2 (stdout and stderr go to the host's stderr; no sockets), `wasi:http`, and the Spin
//! interfaces of `wit/host` (Postgres v4, Redis v2, variables v2). Any other import fails
//! instantiation with wasmtime's message naming it; nothing is stubbed to trap later.

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::allowed_hosts::AllowedHosts;
use crate::counters::Counters;
use crate::http_outbound::OutboundHttp;
use crate::postgres::PgPools;
use crate::redis::RedisPools;
use crate::variables::{VarError, Variables};

wasmtime::component::bindgen!({
    path: "wit/host",
    world: "spin-host",
    imports: { default: async },
    with: {
        "spin:postgres/postgres.connection": crate::postgres::PgConnection,
        "fermyon:spin/redis.connection": crate::redis::RedisConnection,
    },
});

/// What every invocation of an application shares.
pub(crate) struct Shared {
    pub variables: Variables,
    pub pg: PgPools,
    pub redis: RedisPools,
}

/// A component's resolved `allowed_outbound_hosts`, or why it could not be resolved.
pub(crate) type Policy = Arc<Result<AllowedHosts, String>>;

/// The data of one invocation's `Store`.
pub(crate) struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: OutboundHttp,
    pub table: ResourceTable,
    pub shared: Arc<Shared>,
    pub component: Arc<str>,
    policy: Policy,
    pub counters: Arc<Counters>,
}

impl State {
    pub(crate) fn new(shared: Arc<Shared>, component: Arc<str>, policy: Policy, counters: Arc<Counters>) -> Self {
        let wasi = WasiCtx::builder().stdout(std::io::stderr()).stderr(std::io::stderr()).build();
        let hooks = OutboundHttp { policy: policy.clone(), counters: counters.clone(), component: component.clone() };
        Self { wasi, http: WasiHttpCtx::new(), hooks, table: ResourceTable::new(), shared, component, policy, counters }
    }

    /// The component's allow-list, or the error that made it unusable.
    pub(crate) fn policy(&self) -> anyhow::Result<&AllowedHosts> {
        self.policy.as_ref().as_ref().map_err(|e| anyhow::anyhow!("{e}"))
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

impl fermyon::spin::variables::Host for State {
    async fn get(&mut self, name: String) -> Result<String, fermyon::spin::variables::Error> {
        use fermyon::spin::variables::Error;
        self.shared.variables.get(&self.component, &name).map_err(|e| match e {
            VarError::InvalidName(m) => Error::InvalidName(m),
            VarError::Undefined(m) => Error::Undefined(m),
            VarError::Provider(m) => Error::Provider(m),
        })
    }
}

/// The linker every component is instantiated with.
pub(crate) fn linker(engine: &wasmtime::Engine) -> anyhow::Result<Linker<State>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    SpinHost::add_to_linker::<_, HasSelf<State>>(&mut linker, |s| s)?;
    Ok(linker)
}

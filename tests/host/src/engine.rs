//! The wasmtime engine: compilation with an on-disk cache of compiled components, and the
//! epoch ticker behind per-invocation deadlines.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Config, Engine};

use crate::state::{self, State};

/// How often the engine's epoch advances; deadlines are counted in these ticks.
const TICK: Duration = Duration::from_millis(10);

pub(crate) struct Runtime {
    pub engine: Engine,
    linker: Linker<State>,
    cache_dir: PathBuf,
}

impl Runtime {
    pub(crate) fn new(cache_dir: PathBuf) -> anyhow::Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model(true).epoch_interruption(true);
        let engine = Engine::new(&config).map_err(anyhow::Error::from)?;
        let weak = engine.weak();
        std::thread::Builder::new()
            .name("mirror-host-epoch".into())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(TICK);
                }
            })
            .context("starting the epoch thread")?;
        let linker = state::linker(&engine)?;
        Ok(Self { engine, linker, cache_dir })
    }

    /// Epoch ticks for a wall-clock deadline.
    pub(crate) fn ticks(timeout: Duration) -> u64 {
        (timeout.as_millis() / TICK.as_millis()).max(1) as u64
    }

    /// Compiles (or loads from the cache) the component at `source` and links it. Fails with
    /// the name of the first import this host does not implement.
    pub(crate) async fn prepare(&self, id: &str, source: &Path) -> anyhow::Result<InstancePre<State>> {
        let wasm =
            tokio::fs::read(source).await.with_context(|| format!("component {id:?}: reading {}", source.display()))?;
        let engine = self.engine.clone();
        let cached = self.cache_path(&wasm);
        let component = tokio::task::spawn_blocking(move || load_or_compile(&engine, &wasm, &cached))
            .await?
            .with_context(|| format!("component {id:?}: compiling {}", source.display()))?;
        self.linker.instantiate_pre(&component).map_err(|e| {
            anyhow::Error::from(e)
                .context(format!("component {id:?} imports an interface this host does not implement"))
        })
    }

    fn cache_path(&self, wasm: &[u8]) -> PathBuf {
        let digest: String = Sha256::digest(wasm).iter().map(|b| format!("{b:02x}")).collect();
        let mut compat = DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut compat);
        self.cache_dir.join(format!("{digest}-{:016x}.cwasm", compat.finish()))
    }
}

fn load_or_compile(engine: &Engine, wasm: &[u8], cached: &Path) -> anyhow::Result<Component> {
    if let Ok(bytes) = std::fs::read(cached) {
        // SAFETY: the file was written by `Component::serialize` of this host, named by the
        // hash of its source and of the engine's configuration and version.
        if let Ok(component) = unsafe { Component::deserialize(engine, &bytes) } {
            return Ok(component);
        }
    }
    let component = Component::new(engine, wasm).map_err(anyhow::Error::from)?;
    if let Err(e) = write_cache(&component, cached) {
        tracing::warn!("could not cache compiled component at {}: {e:#}", cached.display());
    }
    Ok(component)
}

/// Writes atomically: other processes may be reading or writing the same entry.
fn write_cache(component: &Component, path: &Path) -> anyhow::Result<()> {
    let dir = path.parent().context("cache path has no folder")?;
    std::fs::create_dir_all(dir)?;
    let bytes = component.serialize().map_err(anyhow::Error::from)?;
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.{}-{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("component"),
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

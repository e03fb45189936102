//! The cron trigger (`fermyon:spin-cron@2.0.0`): schedules, and one tick of a component.

use std::str::FromStr;
use std::sync::Arc;

use chrono::Utc;

use crate::Host;

mod bindings {
    wasmtime::component::bindgen!({
        path: "wit/cron",
        world: "spin-cron",
        exports: { default: async },
    });
}

use bindings::SpinCron;
use bindings::fermyon::spin_cron::cron_types::{Error, Metadata};

/// Parses a `sec min hour day-of-month month day-of-week [year]` expression, in UTC.
pub(crate) fn parse_schedule(expression: &str) -> anyhow::Result<cron::Schedule> {
    cron::Schedule::from_str(expression).map_err(|e| anyhow::anyhow!("invalid cron expression {expression:?}: {e}"))
}

/// Calls `handle-cron-event` of an instantiated component.
pub(crate) async fn call(
    store: &mut wasmtime::Store<crate::state::State>,
    instance: &wasmtime::component::Instance,
) -> anyhow::Result<Result<(), String>> {
    let cron = SpinCron::new(&mut *store, instance)
        .map_err(|e| anyhow::Error::from(e).context("the component does not export handle-cron-event"))?;
    let timestamp = Utc::now().timestamp().try_into().unwrap_or_default();
    let result = cron
        .call_handle_cron_event(&mut *store, Metadata { timestamp })
        .await
        .map_err(|e| anyhow::Error::from(e).context("cron handler trapped"))?;
    Ok(result.map_err(|Error::Other(message)| message))
}

/// Fires every cron component on its schedule until the task is dropped. Ticks of the same
/// component may overlap, as with Spin's scheduler.
pub(crate) async fn run_scheduler(host: Host) {
    let mut tasks = tokio::task::JoinSet::new();
    for (component, expression) in host.cron_components() {
        let Ok(schedule) = parse_schedule(&expression) else {
            continue;
        };
        let host = host.clone();
        tasks.spawn(async move {
            let component: Arc<str> = component.into();
            while let Some(next) = schedule.upcoming(Utc).next() {
                let wait = (next - Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
                let (host, component) = (host.clone(), component.clone());
                tokio::spawn(async move { host.fire_cron(&component).await });
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

use std::time::Duration;

use mirror_core::ports::{Clock, Config, Platform, Random};

use crate::clock::WasiClock;
use crate::config::SpinVariables;
use crate::db::SpinDb;
use crate::outbound::SpinHttp;
use crate::random::WasiRandom;
use crate::redis::SpinRedis;
use crate::timer::sleep;

/// The ports for one invocation. Connections open on first use, so a handler that never
/// touches Postgres never connects to it.
pub struct SpinPlatform {
    db: SpinDb,
    redis: SpinRedis,
}

impl SpinPlatform {
    pub fn new() -> Self {
        SpinPlatform { db: SpinDb::new(), redis: SpinRedis::new() }
    }
}

impl Default for SpinPlatform {
    fn default() -> Self {
        Self::new()
    }
}

impl Platform for SpinPlatform {
    type Db = SpinDb;
    type Redis = SpinRedis;
    type Http = SpinHttp;

    fn db(&self) -> &SpinDb {
        &self.db
    }

    fn redis(&self) -> &SpinRedis {
        &self.redis
    }

    fn http(&self) -> &SpinHttp {
        &SpinHttp
    }

    fn clock(&self) -> &dyn Clock {
        &WasiClock
    }

    fn config(&self) -> &dyn Config {
        &SpinVariables
    }

    fn random(&self) -> &dyn Random {
        &WasiRandom
    }

    async fn sleep(&self, duration: Duration) {
        sleep(duration).await
    }
}

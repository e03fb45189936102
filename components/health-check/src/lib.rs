mirror_spin::cron_component!(async |platform| mirror_core::health::run_health_check(platform).await);

mirror_spin_cron::cron_component!(async |platform| mirror_core::health::run_health_check(platform).await);

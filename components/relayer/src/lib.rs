mirror_spin_cron::cron_component!(async |platform| mirror_core::relayer::run_relayer(platform).await);

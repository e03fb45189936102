mirror_spin_cron::cron_component!(async |platform| mirror_core::copy::run_copy_trading(platform).await);

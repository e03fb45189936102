mirror_spin::cron_component!(async |platform| mirror_core::copy::run_copy_trading(platform).await);

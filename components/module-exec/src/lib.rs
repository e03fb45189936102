mirror_spin_cron::cron_component!(async |platform| mirror_core::module_exec::run_module_exec(platform).await);

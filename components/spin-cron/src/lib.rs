//! The cron trigger's world (`fermyon:spin-cron@2.0.0`, from `wit/cron.wit`) and the wrapper
//! every cron component uses. Only cron components depend on this crate: an HTTP component that
//! linked it would carry the cron world too (as every one did while this was a cargo feature of
//! `mirror-spin`, which a build of several components at once turned on for all of them).
//! The trigger calls `handle-cron-event` synchronously, so the tick's future is driven to
//! completion here with spin-executor.

use mirror_core::api::ApiError;
use mirror_spin::SpinPlatform;

/// The bindings, in a module of their own: wit-bindgen's export macro cannot live at a crate root.
pub mod world {
    wit_bindgen::generate!({
        world: "spin-cron",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_cron_world",
        default_bindings_module: "mirror_spin_cron::world",
    });
}

use world::Error;

/// Runs one tick with fresh ports; a failed tick is logged and reported to the trigger.
pub fn run_tick<T>(tick: impl AsyncFnOnce(&SpinPlatform) -> Result<T, ApiError>) -> Result<(), Error> {
    let platform = SpinPlatform::new();
    spin_executor::run(tick(&platform)).map(|_| ()).map_err(|e| {
        eprintln!("tick failed: {}", e.log_line());
        Error::Other(e.to_string())
    })
}

/// Declares a cron component whose tick is the given async closure over the ports.
#[macro_export]
macro_rules! cron_component {
    ($tick:expr) => {
        struct CronComponent;

        impl $crate::world::Guest for CronComponent {
            fn handle_cron_event(_: $crate::world::Metadata) -> Result<(), $crate::world::Error> {
                $crate::run_tick($tick)
            }
        }

        $crate::world::export_cron_world!(CronComponent);
    };
}

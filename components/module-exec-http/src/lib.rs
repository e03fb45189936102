use mirror_core::ports::Platform;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
async fn handle(request: Request) -> Response {
    mirror_spin::http::respond(request, async |platform, request| {
        mirror_core::workers::tick_over_http(&request, platform.config(), || {
            mirror_core::module_exec::run_module_exec(platform)
        })
        .await
    })
    .await
}

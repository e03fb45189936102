use mirror_core::api::render;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
async fn handle(request: Request) -> Response {
    mirror_spin::http::respond(request, async |platform, request| {
        render(mirror_core::module_exec::admin::handle(platform, &request).await)
    })
    .await
}

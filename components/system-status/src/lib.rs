use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
async fn handle(request: Request) -> Response {
    mirror_spin::http::respond(request, async |platform, request| {
        mirror_core::status::system_status(platform, &request)
    })
    .await
}

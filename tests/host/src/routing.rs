//! HTTP routing, as Spin 3's router does it (it is built on the same `routefinder` crate):
//! exact segments beat `:name` parameters, which beat wildcards; `/prefix/...` matches
//! `/prefix` and everything below it, and the longest prefix wins. Also computes the
//! `spin-*` headers Spin adds to the request a component receives.

use std::net::SocketAddr;

use anyhow::anyhow;

use crate::manifest::{HttpTrigger, Route};

/// The application's routes. `{ private = true }` routes are not routable.
#[derive(Debug)]
pub(crate) struct Router(routefinder::Router<Handler>);

#[derive(Debug, Clone)]
struct Handler {
    component: String,
    /// The route as written in the manifest.
    raw_route: String,
    /// The route joined to the application base (always `/` in manifest v2).
    based_route: String,
}

/// A path matched to a component.
#[derive(Debug)]
pub(crate) struct RouteMatch {
    handler: Handler,
    params: Vec<(String, String)>,
    /// `spin-path-info`: what the trailing wildcard matched.
    path_info: String,
}

impl Router {
    pub(crate) fn build(triggers: &[HttpTrigger]) -> anyhow::Result<Self> {
        // A later trigger with the same route replaces an earlier one, as in Spin.
        let mut by_route: Vec<Handler> = Vec::new();
        for t in triggers {
            let Route::Path(raw) = &t.route else { continue };
            let handler =
                Handler { component: t.component.clone(), raw_route: raw.clone(), based_route: with_base(raw) };
            match by_route.iter_mut().find(|h| h.raw_route == *raw) {
                Some(existing) => {
                    tracing::warn!(
                        "route {raw} of component {} is a duplicate of component {}'s and will never be used",
                        existing.component,
                        t.component
                    );
                    *existing = handler;
                }
                None => by_route.push(handler),
            }
        }
        let mut router = routefinder::Router::new();
        for handler in by_route {
            let spec = match handler.based_route.strip_suffix("/...") {
                Some(prefix) => format!("{prefix}/*"),
                None => handler.based_route.clone(),
            };
            router.add(spec.as_str(), handler.clone()).map_err(|e| {
                anyhow!(
                    "Error parsing route {} associated with component {}: {e}",
                    handler.based_route,
                    handler.component
                )
            })?;
        }
        Ok(Self(router))
    }

    /// The best route for `path`, if any.
    pub(crate) fn route(&self, path: &str) -> Option<RouteMatch> {
        let m = self.0.best_match(path)?;
        let captures = m.captures();
        let params = captures.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        // Spin keeps the trailing slash that routefinder drops from the wildcard capture.
        let path_info = match (captures.wildcard(), path.ends_with('/')) {
            (None, _) => String::new(),
            (Some(""), false) => String::new(),
            (Some(""), true) => "/".to_owned(),
            (Some(w), false) => format!("/{w}"),
            (Some(w), true) => format!("/{w}/"),
        };
        Some(RouteMatch { handler: m.handler().clone(), params, path_info })
    }
}

/// Joins a route to the application base `/`, dropping one trailing slash.
fn with_base(route: &str) -> String {
    let route = if route.starts_with('/') { route.to_owned() } else { format!("/{route}") };
    route.strip_suffix('/').map(str::to_owned).unwrap_or(route)
}

impl RouteMatch {
    pub(crate) fn component(&self) -> &str {
        &self.handler.component
    }

    pub(crate) fn raw_route(&self) -> &str {
        &self.handler.raw_route
    }

    /// The headers Spin sets on the request: `(name, value)`.
    pub(crate) fn spin_headers(
        &self,
        scheme: &str,
        host: &str,
        path_and_query: &str,
        client: SocketAddr,
    ) -> Vec<(String, String)> {
        let raw = &self.handler.raw_route;
        let mut headers = vec![
            ("spin-path-info".to_owned(), self.path_info.clone()),
            ("spin-full-url".to_owned(), format!("{scheme}://{host}{path_and_query}")),
            ("spin-matched-route".to_owned(), self.handler.based_route.clone()),
            ("spin-base-path".to_owned(), "/".to_owned()),
            ("spin-raw-component-route".to_owned(), raw.clone()),
            ("spin-component-route".to_owned(), raw.strip_suffix("/...").unwrap_or(raw).to_owned()),
            ("spin-client-addr".to_owned(), client.to_string()),
        ];
        for (name, value) in &self.params {
            let header = format!("SPIN_PATH_MATCH_{}", name.to_ascii_uppercase());
            headers.push((header.replace('_', "-").to_ascii_lowercase(), value.clone()));
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        let triggers: Vec<HttpTrigger> = routes
            .iter()
            .map(|(route, c)| HttpTrigger { route: Route::Path(route.to_string()), component: c.to_string() })
            .collect();
        Router::build(&triggers).unwrap()
    }

    fn component(r: &Router, path: &str) -> Option<String> {
        r.route(path).map(|m| m.component().to_owned())
    }

    #[test]
    fn precedence_is_spins() {
        let r = router(&[
            ("/...", "all"),
            ("/orders/...", "orders_any"),
            ("/orders/:id", "order"),
            ("/orders/latest", "latest"),
            ("/orders/:id/items/...", "items"),
            ("/health", "health"),
        ]);
        assert_eq!(component(&r, "/health").as_deref(), Some("health"));
        assert_eq!(component(&r, "/health/x").as_deref(), Some("all"));
        assert_eq!(component(&r, "/orders").as_deref(), Some("orders_any"));
        assert_eq!(component(&r, "/orders/latest").as_deref(), Some("latest"));
        assert_eq!(component(&r, "/orders/42").as_deref(), Some("order"));
        assert_eq!(component(&r, "/orders/42/items/7").as_deref(), Some("items"));
        assert_eq!(component(&r, "/orders/42/other").as_deref(), Some("orders_any"));
        assert_eq!(component(&r, "/").as_deref(), Some("all"));
    }

    #[test]
    fn no_route_and_path_info() {
        let r = router(&[("/api/...", "api"), ("/exact", "exact")]);
        assert_eq!(component(&r, "/other"), None);
        assert_eq!(r.route("/api").unwrap().path_info, "");
        assert_eq!(r.route("/api/").unwrap().path_info, "/");
        assert_eq!(r.route("/api/a/b").unwrap().path_info, "/a/b");
        assert_eq!(r.route("/api/a/b/").unwrap().path_info, "/a/b/");
        assert_eq!(r.route("/exact").unwrap().path_info, "");
    }

    #[test]
    fn headers_match_spins() {
        let r = router(&[("/foo/:user_id/...", "c")]);
        let m = r.route("/foo/42/bar").unwrap();
        let h = m.spin_headers("http", "example.com", "/foo/42/bar?x=1", "127.0.0.1:8777".parse().unwrap());
        let get = |k: &str| h.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("spin-full-url"), Some("http://example.com/foo/42/bar?x=1"));
        assert_eq!(get("spin-path-info"), Some("/bar"));
        assert_eq!(get("spin-matched-route"), Some("/foo/:user_id/..."));
        assert_eq!(get("spin-raw-component-route"), Some("/foo/:user_id/..."));
        assert_eq!(get("spin-component-route"), Some("/foo/:user_id"));
        assert_eq!(get("spin-base-path"), Some("/"));
        assert_eq!(get("spin-client-addr"), Some("127.0.0.1:8777"));
        assert_eq!(get("spin-path-match-user-id"), Some("42"));
    }
}

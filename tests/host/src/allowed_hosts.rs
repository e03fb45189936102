//! `allowed_outbound_hosts`: the policy, apart from the mechanisms that enforce it (HTTP,
//! Postgres, Redis). The rules are Spin's (`spin-outbound-networking-config`):
//!
//! - an entry is `scheme://host[:port]`, with nothing after the port but an optional `/`;
//! - `*` may stand for the scheme, the host or the port; `*.example.com` matches subdomains;
//!   a host may be a CIDR range (`10.0.0.0/8`); a port may be a range (`8000..8100`);
//! - a missing port means the scheme's well-known port (postgres 5432, redis 6379, http 80,
//!   https 443, mysql 3306, mqtt 1883); other schemes must name a port;
//! - `{{ variable }}` templates are resolved over the application variables;
//! - matching is exact: `localhost` is not `127.0.0.1`, and the port must match.

use anyhow::{Context, bail, ensure};
use ipnet::IpNet;

use crate::variables::{Template, VarError, Variables};

/// A component's resolved allow-list.
#[derive(Debug, Clone, Default)]
pub(crate) struct AllowedHosts(Vec<AllowedHost>);

#[derive(Debug, Clone)]
struct AllowedHost {
    /// `None`: any scheme.
    scheme: Option<String>,
    host: HostPattern,
    /// `None`: any port.
    ports: Option<Vec<(u16, u16)>>,
}

#[derive(Debug, Clone)]
enum HostPattern {
    Any,
    /// `*.example.com`, stored as `.example.com`.
    Subdomain(String),
    /// `self` / `self.alt`: requests to the app itself (relative URLs).
    ToSelf,
    Exact(String),
    Cidr(IpNet),
}

impl AllowedHosts {
    /// Checks the literal entries of a manifest list (templates are checked once resolved).
    pub(crate) fn validate(entries: &[String]) -> anyhow::Result<()> {
        reject_allow_all(entries)?;
        for entry in entries {
            if Template::parse(entry)?.is_literal() {
                AllowedHost::parse(entry)?;
            }
        }
        Ok(())
    }

    /// Resolves templates and parses every entry. Fails, as in Spin, when any application
    /// variable cannot be resolved.
    pub(crate) fn resolve(entries: &[String], vars: &Variables) -> anyhow::Result<Self> {
        reject_allow_all(entries)?;
        vars.check_all_resolved().map_err(|e: VarError| anyhow::anyhow!("{e}"))?;
        let hosts = entries
            .iter()
            .map(|entry| {
                let text = vars.render(&Template::parse(entry)?).map_err(|e| anyhow::anyhow!("{e}"))?;
                AllowedHost::parse(&text)
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self(hosts))
    }

    /// Whether `url` may be reached; a URL without a scheme gets `default_scheme`.
    pub(crate) fn allows_url(&self, url: &str, default_scheme: &str) -> anyhow::Result<bool> {
        let url = OutboundUrl::parse(url, default_scheme)?;
        Ok(self.0.iter().any(|h| h.allows(&url)))
    }

    /// Whether a relative URL (a request to the app itself) may be sent.
    pub(crate) fn allows_relative(&self, schemes: &[&str]) -> bool {
        self.0.iter().any(|h| {
            schemes.iter().any(|s| h.scheme.as_deref().is_none_or(|hs| hs == *s))
                && matches!(h.host, HostPattern::Any | HostPattern::ToSelf)
        })
    }
}

fn reject_allow_all(entries: &[String]) -> anyhow::Result<()> {
    if entries.len() == 1 && entries[0] == "insecure:allow-all" {
        bail!(
            "'insecure:allow-all' is not allowed - use '*://*:*' instead if you really want to allow all outbound traffic'"
        );
    }
    Ok(())
}

fn well_known_port(scheme: &str) -> Option<u16> {
    match scheme {
        "postgres" => Some(5432),
        "mysql" => Some(3306),
        "redis" => Some(6379),
        "mqtt" => Some(1883),
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl AllowedHost {
    fn parse(entry: &str) -> anyhow::Result<Self> {
        let url = entry.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            if matches!(url, "*" | ":" | "" | "?") {
                bail!(
                    "{url:?} is not an allowed outbound host format.\nHosts must be in the form <scheme>://<host>[:<port>], with '*' wildcards allowed for each.\nIf you intended to allow all outbound networking, you can use '*://*:*' - this will obviate all network sandboxing."
                );
            }
            bail!("{url:?} does not contain a scheme (e.g., 'http://' or '*://')");
        };
        let (host, rest) = rest.rsplit_once(':').unwrap_or((rest, ""));
        let port = match rest.split_once('/') {
            Some((_, path)) if !path.is_empty() => {
                bail!("{url:?} has a path but is not allowed to")
            }
            Some((port, _)) => port,
            None => rest,
        };
        let scheme_pattern = match scheme {
            "*" => None,
            s if s.starts_with('{') => bail!("scheme lists are not yet supported"),
            s if s.chars().any(|c| !c.is_alphabetic()) => {
                bail!(" scheme {s:?} contains non alphabetic character")
            }
            s => Some(s.to_owned()),
        };
        Ok(Self { scheme: scheme_pattern, host: HostPattern::parse(host)?, ports: parse_ports(port, scheme)? })
    }

    fn allows(&self, url: &OutboundUrl) -> bool {
        let scheme_ok = self.scheme.as_deref().is_none_or(|s| s == url.scheme);
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Subdomain(suffix) => url.host.ends_with(suffix.as_str()),
            HostPattern::ToSelf => false,
            HostPattern::Exact(h) => *h == url.host,
            HostPattern::Cidr(net) => url.host.parse::<std::net::IpAddr>().is_ok_and(|ip| net.contains(&ip)),
        };
        let port_ok = match &self.ports {
            None => true,
            Some(ranges) => url
                .port
                .or_else(|| well_known_port(&url.scheme))
                .is_some_and(|p| ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&p))),
        };
        scheme_ok && host_ok && port_ok
    }
}

impl HostPattern {
    fn parse(host: &str) -> anyhow::Result<Self> {
        let host = host.trim();
        if host == "*" {
            return Ok(Self::Any);
        }
        if host == "self" || host == "self.alt" {
            return Ok(Self::ToSelf);
        }
        if host.starts_with('{') {
            ensure!(host.ends_with('}'), "invalid host list {host:?}");
            bail!("host lists are not yet supported");
        }
        if let Ok(net) = host.parse::<IpNet>() {
            return Ok(Self::Cidr(net.trunc()));
        }
        if matches!(host.split('/').nth(1), Some(path) if !path.is_empty()) {
            bail!("hosts must not contain paths");
        }
        if let Some(domain) = host.strip_prefix("*.") {
            ensure!(!domain.contains('*'), "Invalid allowed host {host}: wildcards are allowed only as prefixes");
            return Ok(Self::Subdomain(format!(".{domain}")));
        }
        ensure!(!host.contains('*'), "Invalid allowed host {host}: wildcards are allowed only as subdomains");
        Ok(Self::Exact(host.trim_end_matches('/').to_owned()))
    }
}

/// `None` means any port; a missing port is the scheme's well-known one.
fn parse_ports(port: &str, scheme: &str) -> anyhow::Result<Option<Vec<(u16, u16)>>> {
    if port.is_empty() {
        let p = well_known_port(scheme).with_context(|| {
            format!("no port was provided and the scheme {scheme:?} does not have a known default port number")
        })?;
        return Ok(Some(vec![(p, p)]));
    }
    if port == "*" {
        return Ok(None);
    }
    if port.starts_with('{') {
        bail!("port lists are not yet supported");
    }
    let number =
        |s: &str| -> anyhow::Result<u16> { s.parse().with_context(|| format!("port {port:?} is not a number")) };
    let range = match port.split_once("..") {
        // Spin's ranges are half-open: `8000..8100` allows 8000 through 8099.
        Some((lo, hi)) => match number(hi)?.checked_sub(1) {
            Some(last) => (number(lo)?, last),
            None => bail!("port range {port:?} is empty"),
        },
        None => {
            let p = number(port)?;
            (p, p)
        }
    };
    Ok(Some(vec![range]))
}

/// The scheme, host and port of an outbound address.
struct OutboundUrl {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl OutboundUrl {
    /// Parses `url`; if it has no scheme or host, retries as `{default_scheme}://{url}`.
    fn parse(url: &str, default_scheme: &str) -> anyhow::Result<Self> {
        let url = encode_userinfo(url);
        let parsed = match url::Url::parse(&url) {
            Ok(u) if u.has_host() => u,
            first => match url::Url::parse(&format!("{default_scheme}://{url}")) {
                Ok(u) => u,
                Err(second) => return Err(first.err().map_or(second, |e| e).into()),
            },
        };
        Ok(Self {
            scheme: parsed.scheme().to_owned(),
            host: parsed.host_str().with_context(|| format!("{url:?} does not have a host component"))?.to_owned(),
            port: parsed.port(),
        })
    }
}

/// Percent-encodes the user-info part so that passwords with reserved characters parse.
fn encode_userinfo(url: &str) -> String {
    let Some(at) = url.find('@') else {
        return url.to_owned();
    };
    let start = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[start..].find('/').map_or(usize::MAX, |i| i + start);
    if at >= path_start || at < start {
        return url.to_owned();
    }
    let encoded: String = percent_encoding::utf8_percent_encode(&url[start..at], USERINFO).to_string();
    format!("{}{encoded}{}", &url[..start], &url[at..])
}

const USERINFO: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(entries: &[&str]) -> AllowedHosts {
        let vars = Variables::new(
            &Default::default(),
            &Default::default(),
            crate::variables::Sources { overrides: &std::collections::HashMap::new(), environment: false },
        )
        .unwrap();
        let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        AllowedHosts::resolve(&entries, &vars).unwrap()
    }

    #[test]
    fn exact_scheme_host_and_port() {
        let h = literal(&["postgres://127.0.0.1:5432", "https://api.example.com", "redis://localhost"]);
        assert!(h.allows_url("127.0.0.1:5432", "postgres").unwrap());
        assert!(h.allows_url("127.0.0.1", "postgres").unwrap());
        assert!(!h.allows_url("localhost:5432", "postgres").unwrap());
        assert!(!h.allows_url("127.0.0.1:5433", "postgres").unwrap());
        assert!(h.allows_url("https://api.example.com/x?y", "https").unwrap());
        assert!(h.allows_url("https://api.example.com:443/", "https").unwrap());
        assert!(!h.allows_url("http://api.example.com/", "https").unwrap());
        assert!(!h.allows_url("https://api.example.com:8443/", "https").unwrap());
        assert!(h.allows_url("redis://localhost:6379/3", "redis").unwrap());
        assert!(!h.allows_url("redis://127.0.0.1:6379", "redis").unwrap());
        assert!(h.allows_url("redis://u:p#ss@localhost:6379", "redis").unwrap());
    }

    #[test]
    fn wildcards_ranges_and_cidrs() {
        let h = literal(&["*://*.example.com:*", "http://10.0.0.0/8:8000..8002", "https://*:443"]);
        assert!(h.allows_url("tcp://a.b.example.com:1", "https").unwrap());
        assert!(h.allows_url("http://10.1.2.3:8001/", "https").unwrap());
        assert!(!h.allows_url("http://10.1.2.3:8002/", "https").unwrap());
        assert!(!h.allows_url("http://11.1.2.3:8001/", "https").unwrap());
        assert!(h.allows_url("https://anything.org/", "https").unwrap());
        assert!(!literal(&["http://localhost:3000"]).allows_relative(&["http", "https"]));
        assert!(literal(&["http://self"]).allows_relative(&["http", "https"]));
    }

    #[test]
    fn rejects_bad_entries() {
        for (entry, expect) in [
            ("example.com", "does not contain a scheme"),
            ("*", "not an allowed outbound host format"),
            ("https://example.com/path", "must not contain paths"),
            ("https://example.com:443/path", "has a path"),
            ("tcp://example.com", "does not have a known default port"),
            ("https://ex*ample.com", "only as subdomains"),
            ("https://*.ex*.com", "only as prefixes"),
            ("https://example.com:http", "is not a number"),
        ] {
            let err = AllowedHosts::validate(&[entry.to_owned()]).unwrap_err().to_string();
            assert!(err.contains(expect), "{entry}: {err}");
        }
        assert!(AllowedHosts::validate(&["insecure:allow-all".to_owned()]).is_err());
        assert!(AllowedHosts::validate(&["https://{{ host }}".to_owned()]).is_ok());
        assert!(AllowedHosts::validate(&["https://example.com/".to_owned()]).is_ok());
    }
}

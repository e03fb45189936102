//! `spin.toml` (manifest version 2): the parts this host runs.
//!
//! Read: `[variables]`, `[[trigger.http]]`, `[[trigger.cron]]`, `[component.<id>]` with `source`,
//! `allowed_outbound_hosts` and `[component.<id>.variables]`. Ignored, as a runtime ignores them:
//! `[application]` metadata and `[component.<id>.build]`. Anything that would change how a
//! component runs but is not supported here (inline components, remote sources, `files`,
//! `environment`, `key_value_stores`, ...) is an error rather than silently dropped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use serde::Deserialize;

/// A parsed and checked manifest.
#[derive(Debug)]
pub(crate) struct Manifest {
    pub variables: BTreeMap<String, VariableDecl>,
    pub http: Vec<HttpTrigger>,
    pub cron: Vec<CronTrigger>,
    pub components: BTreeMap<String, ComponentDecl>,
}

/// An application variable: exactly one of a default or `required = true`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VariableDecl {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default, rename = "description")]
    _description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Path(String),
    Private,
}

#[derive(Debug)]
pub(crate) struct HttpTrigger {
    pub route: Route,
    pub component: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CronTrigger {
    pub component: String,
    pub cron_expression: String,
    #[serde(default, rename = "id")]
    _id: Option<String>,
}

#[derive(Debug)]
pub(crate) struct ComponentDecl {
    /// Absolute path of the `.wasm`.
    pub source: PathBuf,
    pub allowed_outbound_hosts: Vec<String>,
    /// Component variable name -> template over application variables.
    pub variables: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawManifest {
    spin_manifest_version: i64,
    #[serde(default, rename = "application")]
    _application: Option<toml::Table>,
    #[serde(default)]
    variables: BTreeMap<String, VariableDecl>,
    #[serde(default)]
    trigger: RawTriggers,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTriggers {
    #[serde(default)]
    http: Vec<RawHttpTrigger>,
    #[serde(default)]
    cron: Vec<CronTrigger>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttpTrigger {
    route: RawRoute,
    component: toml::Value,
    #[serde(default, rename = "id")]
    _id: Option<String>,
    #[serde(default, rename = "executor")]
    executor: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRoute {
    Path(String),
    Private { private: bool },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    source: toml::Value,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    #[serde(default, rename = "build")]
    _build: Option<toml::Table>,
    #[serde(default, rename = "description")]
    _description: Option<String>,
}

impl Manifest {
    /// Reads and checks the manifest at `path`; component sources resolve against its folder.
    pub(crate) fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading manifest {}", path.display()))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        Self::parse(&text, &dir).with_context(|| format!("invalid manifest {}", path.display()))
    }

    fn parse(text: &str, dir: &Path) -> anyhow::Result<Self> {
        let raw: RawManifest = toml::from_str(text)?;
        ensure!(raw.spin_manifest_version == 2, "spin_manifest_version must be 2, found {}", raw.spin_manifest_version);
        for (name, decl) in &raw.variables {
            crate::variables::validate_name(name)?;
            match (&decl.default, decl.required) {
                (Some(_), true) => {
                    bail!("variable {name:?}: `default` and `required` are exclusive")
                }
                (None, false) => bail!("variable {name:?}: needs a `default` or `required = true`"),
                _ => {}
            }
        }
        let mut components = BTreeMap::new();
        for (id, c) in raw.component {
            let source = match c.source {
                toml::Value::String(s) => dir.join(s),
                _ => bail!("component {id:?}: only a local file `source` is supported"),
            };
            components.insert(
                id,
                ComponentDecl { source, allowed_outbound_hosts: c.allowed_outbound_hosts, variables: c.variables },
            );
        }
        let known = |id: &str, trigger: &str| -> anyhow::Result<String> {
            ensure!(components.contains_key(id), "{trigger} trigger refers to unknown component {id:?}");
            Ok(id.to_owned())
        };
        let mut http = Vec::new();
        for t in raw.trigger.http {
            ensure!(t.executor.is_none(), "http trigger executors (wagi, ...) are not supported by this host");
            let toml::Value::String(id) = t.component else {
                bail!("inline trigger components are not supported: use `component = \"id\"`");
            };
            let route = match t.route {
                RawRoute::Path(p) => Route::Path(p),
                RawRoute::Private { private: true } => Route::Private,
                RawRoute::Private { private: false } => bail!(
                    "route must be a string pattern or '{{ private = true }}': component '{id}' has {{ private = false }}"
                ),
            };
            http.push(HttpTrigger { route, component: known(&id, "http")? });
        }
        let mut cron = Vec::new();
        for t in raw.trigger.cron {
            known(&t.component, "cron")?;
            crate::cron::parse_schedule(&t.cron_expression)
                .with_context(|| format!("cron trigger of component {:?}", t.component))?;
            cron.push(t);
        }
        Ok(Self { variables: raw.variables, http, cron, components })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> anyhow::Result<Manifest> {
        Manifest::parse(text, Path::new("/app"))
    }

    #[test]
    fn reads_triggers_components_and_variables() {
        let m = parse(
            r#"
            spin_manifest_version = 2
            [application]
            name = "x"
            [variables]
            db = { required = true, secret = true }
            level = { default = "1" }
            [[trigger.http]]
            route = "/a/..."
            component = "a"
            [[trigger.http]]
            route = { private = true }
            component = "a"
            [[trigger.cron]]
            component = "a"
            cron_expression = "*/5 * * * * *"
            [component.a]
            source = "target/a.wasm"
            allowed_outbound_hosts = ["https://example.com"]
            [component.a.variables]
            url = "{{ db }}"
            [component.a.build]
            command = "cargo build"
            watch = ["src/**/*.rs"]
            "#,
        )
        .unwrap();
        assert_eq!(m.http.len(), 2);
        assert_eq!(m.http[1].route, Route::Private);
        assert_eq!(m.cron[0].cron_expression, "*/5 * * * * *");
        assert_eq!(m.components["a"].source, Path::new("/app/target/a.wasm"));
        assert!(m.variables["db"].secret);
    }

    #[test]
    fn rejects_bad_declarations() {
        let base = "spin_manifest_version = 2\n[component.a]\nsource = \"a.wasm\"\n";
        for (extra, expect) in [
            ("[variables]\nx = { default = \"1\", required = true }", "exclusive"),
            ("[variables]\nx = {}", "needs a `default`"),
            ("[variables]\nBad = { default = \"1\" }", "invalid variable name"),
            ("[[trigger.http]]\nroute = \"/\"\ncomponent = \"b\"", "unknown component"),
            ("[[trigger.http]]\nroute = { private = false }\ncomponent = \"a\"", "private = false"),
            ("[[trigger.cron]]\ncomponent = \"a\"\ncron_expression = \"nope\"", "cron trigger"),
        ] {
            let err = format!("{:#}", parse(&format!("{base}{extra}")).unwrap_err());
            assert!(err.contains(expect), "{extra}: {err}");
        }
    }
}

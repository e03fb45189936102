//! Application and component variables, resolved as Spin's `spin-expressions` resolves them.
//!
//! Component variables are templates (`"literal {{ app_var }} literal"`) over application
//! variables. An application variable's value comes from, highest first: the caller's
//! overrides, `SPIN_VARIABLE_<UPPERCASE_NAME>` (when enabled), its default. A required variable
//! without a value is an error only when something asks for it, with Spin's message
//! (`no provider resolved required variable "name"`).

use std::collections::{BTreeMap, HashMap};

use anyhow::bail;

use crate::manifest::{ComponentDecl, VariableDecl};

/// A variable lookup failure, as `fermyon:spin/variables@2.0.0#error` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VarError {
    InvalidName(String),
    Undefined(String),
    Provider(String),
}

impl std::fmt::Display for VarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidName(m) => write!(f, "invalid variable name: {m}"),
            Self::Undefined(m) => write!(f, "undefined variable: {m}"),
            Self::Provider(m) => write!(f, "provider error: {m}"),
        }
    }
}

/// A parsed template: literal text and `{{ name }}` references.
#[derive(Debug, Clone)]
pub(crate) struct Template(Vec<Part>);

#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Var(String),
}

impl Template {
    pub(crate) fn parse(text: &str) -> anyhow::Result<Self> {
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("{{") {
                let Some((expr, tail)) = after.split_once("}}") else {
                    bail!("invalid variable template: unmatched '{{{{' in template");
                };
                parts.push(Part::Var(expr.trim().to_owned()));
                rest = tail;
            } else {
                let end = rest.find("{{").unwrap_or(rest.len());
                parts.push(Part::Lit(rest[..end].to_owned()));
                rest = &rest[end..];
            }
        }
        Ok(Self(parts))
    }

    pub(crate) fn is_literal(&self) -> bool {
        self.0.iter().all(|p| matches!(p, Part::Lit(_)))
    }

    fn vars(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v.as_str()),
            Part::Lit(_) => None,
        })
    }
}

/// Checks a variable name as Spin does: lower-case ASCII letters, digits and single
/// underscores, starting with a letter and ending with a letter or digit.
pub(crate) fn validate_name(name: &str) -> anyhow::Result<()> {
    check_name(name).map_err(|e| anyhow::anyhow!("{e}"))
}

fn check_name(key: &str) -> Result<(), VarError> {
    let reason = if key.is_empty() {
        Some("must not be empty".to_owned())
    } else if let Some(c) = key.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')) {
        Some(format!(
            "invalid character {c:?}. Variable names may contain only lower-case letters, numbers, and underscores."
        ))
    } else if !key.as_bytes()[0].is_ascii_lowercase() {
        Some("must start with a lowercase ASCII letter".to_owned())
    } else if !key.as_bytes()[key.len() - 1].is_ascii_alphanumeric() {
        Some("must end with a lowercase ASCII letter or digit".to_owned())
    } else if key.contains("__") {
        Some("must not contain multiple consecutive underscores".to_owned())
    } else {
        None
    };
    match reason {
        Some(r) => Err(VarError::InvalidName(format!("{key:?}: {r}"))),
        None => Ok(()),
    }
}

/// Where application variable values come from besides defaults.
pub(crate) struct Sources<'a> {
    pub overrides: &'a HashMap<String, String>,
    pub environment: bool,
}

/// Every variable of an application, ready to resolve.
#[derive(Debug)]
pub(crate) struct Variables {
    /// Application variable -> value, if it has one (override, environment or default).
    values: HashMap<String, Option<String>>,
    /// Values of `secret = true` variables, for redaction.
    secrets: Vec<String>,
    /// Component -> component variable -> template.
    components: HashMap<String, HashMap<String, Template>>,
}

impl Variables {
    pub(crate) fn new(
        app: &BTreeMap<String, VariableDecl>,
        components: &BTreeMap<String, ComponentDecl>,
        sources: Sources<'_>,
    ) -> anyhow::Result<Self> {
        for name in sources.overrides.keys() {
            if !app.contains_key(name) {
                bail!("variable override {name:?} is not declared in the manifest's [variables]");
            }
        }
        let values: HashMap<String, Option<String>> = app
            .iter()
            .map(|(name, decl)| {
                let env = || {
                    sources
                        .environment
                        .then(|| std::env::var(format!("SPIN_VARIABLE_{}", name.to_uppercase())).ok())
                        .flatten()
                };
                let value = sources.overrides.get(name).cloned().or_else(env).or_else(|| decl.default.clone());
                (name.clone(), value)
            })
            .collect();
        let secrets = app
            .iter()
            .filter(|(_, d)| d.secret)
            .filter_map(|(n, _)| values[n].clone())
            .filter(|v| !v.is_empty())
            .collect();
        let mut templates = HashMap::new();
        for (id, component) in components {
            let mut vars = HashMap::new();
            for (name, text) in &component.variables {
                validate_name(name).map_err(|e| anyhow::anyhow!("component {id:?} variable: {e}"))?;
                let template = Template::parse(text)?;
                if let Some(unknown) = template.vars().find(|v| !app.contains_key(*v)) {
                    bail!(
                        "component {id:?} variable {name:?}: invalid variable template: unknown variable {unknown:?}"
                    );
                }
                vars.insert(name.clone(), template);
            }
            templates.insert(id.clone(), vars);
        }
        Ok(Self { values, secrets, components: templates })
    }

    /// `fermyon:spin/variables#get` for `component`.
    pub(crate) fn get(&self, component: &str, key: &str) -> Result<String, VarError> {
        check_name(key)?;
        let template = self
            .components
            .get(component)
            .and_then(|vars| vars.get(key))
            .ok_or_else(|| VarError::Undefined(format!("no variable for {component:?}.{key:?}")))?;
        self.render(template)
    }

    /// Renders a template over application variables.
    pub(crate) fn render(&self, template: &Template) -> Result<String, VarError> {
        template.0.iter().try_fold(String::new(), |mut out, part| {
            match part {
                Part::Lit(l) => out.push_str(l),
                Part::Var(v) => out.push_str(&self.app_value(v)?),
            }
            Ok(out)
        })
    }

    /// Resolves every application variable, as Spin does before it checks an outbound
    /// address: one unresolved required variable fails the whole check.
    pub(crate) fn check_all_resolved(&self) -> Result<(), VarError> {
        let mut names: Vec<&String> = self.values.keys().collect();
        names.sort();
        names.into_iter().try_for_each(|n| self.app_value(n).map(drop))
    }

    fn app_value(&self, name: &str) -> Result<String, VarError> {
        match self.values.get(name) {
            None => Err(VarError::InvalidName(name.to_owned())),
            Some(Some(v)) => Ok(v.clone()),
            Some(None) => Err(VarError::Provider(format!("no provider resolved required variable {name:?}"))),
        }
    }

    /// `text` with the value of every `secret = true` variable replaced by `***`.
    pub(crate) fn redact(&self, text: &str) -> String {
        self.secrets.iter().fold(text.to_owned(), |t, secret| t.replace(secret.as_str(), "***"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(default: Option<&str>, secret: bool) -> VariableDecl {
        toml::from_str(&match default {
            Some(d) => format!("default = {d:?}\nsecret = {secret}"),
            None => format!("required = true\nsecret = {secret}"),
        })
        .unwrap()
    }

    fn vars(overrides: &[(&str, &str)]) -> Variables {
        let app = BTreeMap::from([
            ("host".to_owned(), decl(Some("example.com"), false)),
            ("token".to_owned(), decl(None, true)),
            ("needed".to_owned(), decl(None, false)),
        ]);
        let component = ComponentDecl {
            source: "x.wasm".into(),
            allowed_outbound_hosts: vec![],
            variables: BTreeMap::from([
                ("url".to_owned(), "https://{{ host }}/v1".to_owned()),
                ("auth".to_owned(), "Bearer {{token}}".to_owned()),
                ("need".to_owned(), "{{ needed }}".to_owned()),
                ("plain".to_owned(), "literal".to_owned()),
            ]),
        };
        let overrides: HashMap<String, String> =
            overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let components = BTreeMap::from([("c".to_owned(), component)]);
        Variables::new(&app, &components, Sources { overrides: &overrides, environment: false }).unwrap()
    }

    #[test]
    fn renders_templates_with_defaults_and_overrides() {
        let v = vars(&[("token", "s3cret")]);
        assert_eq!(v.get("c", "url").unwrap(), "https://example.com/v1");
        assert_eq!(v.get("c", "auth").unwrap(), "Bearer s3cret");
        assert_eq!(v.get("c", "plain").unwrap(), "literal");
        assert_eq!(v.redact("token=s3cret!"), "token=***!");
    }

    #[test]
    fn reports_errors_like_spin() {
        let v = vars(&[]);
        assert_eq!(
            v.get("c", "need"),
            Err(VarError::Provider("no provider resolved required variable \"needed\"".into()))
        );
        assert_eq!(v.get("c", "other"), Err(VarError::Undefined("no variable for \"c\".\"other\"".into())));
        assert!(matches!(v.get("c", "Bad"), Err(VarError::InvalidName(_))));
        assert!(v.check_all_resolved().is_err());
    }

    #[test]
    fn templates_parse_like_spin() {
        assert!(Template::parse("a {{ b").is_err());
        assert!(Template::parse("plain").unwrap().is_literal());
        assert!(!Template::parse("x{{y}}").unwrap().is_literal());
    }
}

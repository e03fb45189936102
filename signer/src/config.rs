//! The signer's configuration, read from environment variables. A missing or malformed variable
//! is an error naming the variable and never echoing its value.

use std::fmt;
use std::net::SocketAddr;

use crate::secret::Secret;

const DEFAULT_LISTEN: &str = "127.0.0.1:3100";
const MIN_AUTH_TOKEN_LEN: usize = 32;

/// Everything the signer needs to start.
#[derive(Clone, Debug)]
pub struct SignerConfig {
    pub listen: SocketAddr,
    /// The shared secret every `/v1/*` call presents as `Authorization: Bearer <token>`.
    pub auth_token: Secret<String>,
    pub backend: BackendConfig,
}

/// Which backend holds the keys, with its own settings.
#[derive(Clone, Debug)]
pub enum BackendConfig {
    Local(LocalConfig),
    #[cfg(feature = "dynamic")]
    Dynamic(DynamicConfig),
}

/// The local backend: k256 keys sealed with AES-256-GCM under the signer's own key.
#[derive(Clone, Debug)]
pub struct LocalConfig {
    pub key: Secret<[u8; 32]>,
    /// Recorded in every sealed key so a later key rotation can tell which key sealed it.
    pub key_version: u32,
}

/// The Dynamic MPC backend.
#[cfg(feature = "dynamic")]
#[derive(Clone, Debug)]
pub struct DynamicConfig {
    pub environment_id: String,
    pub api_key: Secret<String>,
    /// Encrypts the server key share before it is uploaded to Dynamic's backup.
    pub wallet_password: Secret<String>,
    pub environment: DynamicEnvironment,
}

/// Dynamic's sandbox or live environment (`DYNAMIC_SERVER_WALLET_ENV`).
#[cfg(feature = "dynamic")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DynamicEnvironment {
    Sandbox,
    Production,
}

#[cfg(feature = "dynamic")]
impl DynamicEnvironment {
    pub fn as_str(self) -> &'static str {
        match self {
            DynamicEnvironment::Sandbox => "sandbox",
            DynamicEnvironment::Production => "production",
        }
    }
}

/// A variable that is missing or malformed; its value is never part of the message.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

fn problem(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { variable, problem: problem.into() }
}

impl SignerConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<SignerConfig, ConfigError> {
        SignerConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`; an empty value counts as missing.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<SignerConfig, ConfigError> {
        let vars = Vars(&lookup);
        let listen = match vars.optional("SIGNER_LISTEN") {
            None => DEFAULT_LISTEN.parse().expect("default listen address"),
            Some(raw) => raw
                .parse()
                .map_err(|_| problem("SIGNER_LISTEN", "must be an IP address and port, e.g. 127.0.0.1:3100"))?,
        };
        let auth_token = parse_auth_token(vars.required("SIGNER_AUTH_TOKEN")?)?;
        let backend = match vars.required("SIGNER_BACKEND")?.as_str() {
            "local" => BackendConfig::Local(local_config(&vars)?),
            "dynamic" => dynamic_backend(&vars)?,
            _ => return Err(problem("SIGNER_BACKEND", "must be `local` or `dynamic`")),
        };
        Ok(SignerConfig { listen, auth_token, backend })
    }
}

struct Vars<'a, F: Fn(&str) -> Option<String>>(&'a F);

impl<F: Fn(&str) -> Option<String>> Vars<'_, F> {
    fn optional(&self, name: &'static str) -> Option<String> {
        (self.0)(name).filter(|v| !v.is_empty())
    }

    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or_else(|| problem(name, "is required"))
    }
}

fn parse_auth_token(raw: String) -> Result<Secret<String>, ConfigError> {
    if raw.len() < MIN_AUTH_TOKEN_LEN {
        return Err(problem("SIGNER_AUTH_TOKEN", format!("must be at least {MIN_AUTH_TOKEN_LEN} characters")));
    }
    if !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(problem("SIGNER_AUTH_TOKEN", "must be printable ASCII without spaces"));
    }
    Ok(Secret::new(raw))
}

fn local_config<F: Fn(&str) -> Option<String>>(vars: &Vars<'_, F>) -> Result<LocalConfig, ConfigError> {
    let raw = vars.required("SIGNER_LOCAL_KEY")?;
    let mut key = [0u8; 32];
    if raw.len() != 64 || hex::decode_to_slice(&raw, &mut key).is_err() {
        return Err(problem("SIGNER_LOCAL_KEY", "must be 64 hex characters (a 256-bit key)"));
    }
    let key_version = match vars.optional("SIGNER_LOCAL_KEY_VERSION") {
        None => 1,
        Some(v) => v
            .parse()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| problem("SIGNER_LOCAL_KEY_VERSION", "must be a positive integer"))?,
    };
    Ok(LocalConfig { key: Secret::new(key), key_version })
}

#[cfg(not(feature = "dynamic"))]
fn dynamic_backend<F: Fn(&str) -> Option<String>>(_: &Vars<'_, F>) -> Result<BackendConfig, ConfigError> {
    Err(problem("SIGNER_BACKEND", "`dynamic` needs a signer built with the `dynamic` cargo feature (on by default)"))
}

#[cfg(feature = "dynamic")]
fn dynamic_backend<F: Fn(&str) -> Option<String>>(vars: &Vars<'_, F>) -> Result<BackendConfig, ConfigError> {
    let environment = match vars.optional("DYNAMIC_SERVER_WALLET_ENV").as_deref() {
        None | Some("sandbox") => DynamicEnvironment::Sandbox,
        Some("production") => DynamicEnvironment::Production,
        Some(_) => return Err(problem("DYNAMIC_SERVER_WALLET_ENV", "must be `sandbox` or `production`")),
    };
    let environment_id = vars.required("DYNAMIC_ENVIRONMENT_ID")?;
    if !environment_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(problem("DYNAMIC_ENVIRONMENT_ID", "must be a Dynamic environment id (letters, digits, dashes)"));
    }
    Ok(BackendConfig::Dynamic(DynamicConfig {
        environment_id,
        api_key: Secret::new(vars.required("DYNAMIC_API_KEY")?),
        wallet_password: Secret::new(vars.required("DYNAMIC_WALLET_PASSWORD")?),
        environment,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TOKEN: &str = "t0ken-with-at-least-thirty-two-characters";
    const KEY: &str = "8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63";

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    fn local_env() -> Vec<(&'static str, &'static str)> {
        vec![("SIGNER_AUTH_TOKEN", TOKEN), ("SIGNER_BACKEND", "local"), ("SIGNER_LOCAL_KEY", KEY)]
    }

    fn error_for(pairs: &[(&str, &str)]) -> ConfigError {
        SignerConfig::from_lookup(lookup(pairs)).expect_err("config should be refused")
    }

    #[test]
    #[allow(irrefutable_let_patterns)] // refutable in builds with the dynamic backend
    fn local_config_reads_defaults() {
        let config = SignerConfig::from_lookup(lookup(&local_env())).unwrap();
        assert_eq!(config.listen, "127.0.0.1:3100".parse().unwrap());
        let BackendConfig::Local(local) = config.backend else { panic!("local backend expected") };
        assert_eq!(local.key_version, 1);
        assert_eq!(hex::encode(local.key.expose()), KEY);
    }

    #[test]
    fn each_missing_required_variable_is_named() {
        for name in ["SIGNER_AUTH_TOKEN", "SIGNER_BACKEND", "SIGNER_LOCAL_KEY"] {
            let env: Vec<_> = local_env().into_iter().filter(|(k, _)| *k != name).collect();
            let err = error_for(&env);
            assert_eq!(err.variable, name);
            assert_eq!(err.to_string(), format!("{name}: is required"));
        }
    }

    #[test]
    fn malformed_values_are_named_but_never_echoed() {
        let cases = [
            ("SIGNER_LISTEN", "not-an-address-zz9"),
            ("SIGNER_AUTH_TOKEN", "short-zz9"),
            ("SIGNER_AUTH_TOKEN", "has spaces in it but is long enough zz9"),
            ("SIGNER_BACKEND", "vault-zz9"),
            ("SIGNER_LOCAL_KEY", "zz9f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be"),
            ("SIGNER_LOCAL_KEY", "8f2a5594"),
            ("SIGNER_LOCAL_KEY_VERSION", "0"),
        ];
        for (name, bad) in cases {
            let mut env = local_env();
            env.retain(|(k, _)| *k != name);
            env.push((name, bad));
            let err = error_for(&env);
            assert_eq!(err.variable, name);
            assert!(!err.to_string().contains("zz9"), "{err} echoes the value");
            assert!(!format!("{err:?}").contains("zz9"), "{err:?} echoes the value");
        }
    }

    #[test]
    fn debug_of_the_config_redacts_secrets() {
        let config = SignerConfig::from_lookup(lookup(&local_env())).unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains(TOKEN));
        assert!(!debug.contains(KEY));
        assert!(!debug.contains("143, 42"), "key bytes leak through Debug: {debug}");
    }

    #[cfg(not(feature = "dynamic"))]
    #[test]
    fn dynamic_backend_needs_the_feature() {
        let err = error_for(&[("SIGNER_AUTH_TOKEN", TOKEN), ("SIGNER_BACKEND", "dynamic")]);
        assert_eq!(err.variable, "SIGNER_BACKEND");
    }

    #[cfg(feature = "dynamic")]
    #[test]
    fn dynamic_config_requires_its_variables_and_defaults_to_sandbox() {
        let full = [
            ("SIGNER_AUTH_TOKEN", TOKEN),
            ("SIGNER_BACKEND", "dynamic"),
            ("DYNAMIC_ENVIRONMENT_ID", "3f1c8e2a-0000-4000-8000-000000000001"),
            ("DYNAMIC_API_KEY", "dyn_secret_api_key"),
            ("DYNAMIC_WALLET_PASSWORD", "correct horse battery staple"),
        ];
        let config = SignerConfig::from_lookup(lookup(&full)).unwrap();
        let BackendConfig::Dynamic(dynamic) = &config.backend else { panic!("dynamic backend expected") };
        assert_eq!(dynamic.environment, DynamicEnvironment::Sandbox);
        let debug = format!("{config:?}");
        assert!(!debug.contains("dyn_secret_api_key") && !debug.contains("battery"));

        for name in ["DYNAMIC_ENVIRONMENT_ID", "DYNAMIC_API_KEY", "DYNAMIC_WALLET_PASSWORD"] {
            let env: Vec<_> = full.iter().copied().filter(|(k, _)| *k != name).collect();
            assert_eq!(error_for(&env).variable, name);
        }
        let mut env = full.to_vec();
        env.push(("DYNAMIC_SERVER_WALLET_ENV", "staging"));
        assert_eq!(error_for(&env).variable, "DYNAMIC_SERVER_WALLET_ENV");
    }
}

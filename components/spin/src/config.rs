use mirror_core::ports::{Config, ConfigError};
use spin_sdk::variables;

/// Spin variables, as declared in the component's `[component.x.variables]`.
pub struct SpinVariables;

impl Config for SpinVariables {
    fn get(&self, name: &str) -> Result<String, ConfigError> {
        variables::get(name).map_err(|e| match e {
            variables::Error::Undefined(_) => ConfigError::Missing(name.into()),
            other => ConfigError::Invalid { name: name.into(), reason: describe(other) },
        })
    }
}

// Only the kind of error, never a provider message that might quote a value.
fn describe(error: variables::Error) -> String {
    match error {
        variables::Error::InvalidName(_) => "not a valid variable name".into(),
        variables::Error::Provider(_) => "the variables provider failed".into(),
        _ => "could not be read".into(),
    }
}

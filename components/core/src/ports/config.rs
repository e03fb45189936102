use std::fmt;

/// Named configuration values (Spin variables in production).
pub trait Config {
    /// The value of `name`, or why there is none.
    fn get(&self, name: &str) -> Result<String, ConfigError>;
}

/// Why a configuration value could not be had. Always names the variable, never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    Missing(String),
    Invalid { name: String, reason: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing(name) => write!(f, "variable `{name}` is not set"),
            ConfigError::Invalid { name, reason } => write!(f, "variable `{name}` is invalid: {reason}"),
        }
    }
}

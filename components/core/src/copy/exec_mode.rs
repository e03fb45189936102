//! Execution mode (runbook 003): `exec_mode` in Redis, `{"mode":"LIVE|DRY","emergency_stop":bool}`,
//! read at the start of every invocation, so `redis-cli SET exec_mode ...` or the admin route
//! takes effect on the next invocation with no restart. Without the key, the variables
//! `copy_execution_mode` and `emergency_stop` decide.

use serde::{Deserialize, Serialize};

use crate::ports::{Config, ConfigError};
use crate::settings;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    #[serde(rename = "LIVE")]
    Live,
    #[serde(rename = "DRY")]
    Dry,
}

/// The stored document, exactly the runbook's JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecMode {
    pub mode: Mode,
    pub emergency_stop: bool,
}

impl ExecMode {
    /// What to do, from the stored document if there is one. A document that cannot be read
    /// stops everything: an operator wrote it to change behaviour, and guessing could trade.
    pub fn resolve(stored: Option<&str>, config: &dyn Config) -> Result<ExecMode, ConfigError> {
        match stored {
            Some(text) => Ok(serde_json::from_str(text).unwrap_or(ExecMode { mode: Mode::Dry, emergency_stop: true })),
            None => ExecMode::default_from(config),
        }
    }

    pub fn default_from(config: &dyn Config) -> Result<ExecMode, ConfigError> {
        let mode = match settings::text(config, settings::COPY_EXECUTION_MODE)?.trim() {
            "LIVE" => Mode::Live,
            "DRY" => Mode::Dry,
            _ => {
                return Err(ConfigError::Invalid {
                    name: settings::COPY_EXECUTION_MODE.into(),
                    reason: "must be LIVE or DRY".into(),
                })
            }
        };
        let emergency_stop = match settings::text(config, settings::EMERGENCY_STOP)?.trim() {
            "true" => true,
            "false" => false,
            _ => {
                return Err(ConfigError::Invalid {
                    name: settings::EMERGENCY_STOP.into(),
                    reason: "must be true or false".into(),
                })
            }
        };
        Ok(ExecMode { mode, emergency_stop })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Vars(HashMap<&'static str, &'static str>);
    impl Config for Vars {
        fn get(&self, name: &str) -> Result<String, ConfigError> {
            self.0.get(name).map(|v| v.to_string()).ok_or_else(|| ConfigError::Missing(name.into()))
        }
    }

    fn vars(mode: &'static str, stop: &'static str) -> Vars {
        Vars(HashMap::from([(settings::COPY_EXECUTION_MODE, mode), (settings::EMERGENCY_STOP, stop)]))
    }

    #[test]
    fn the_runbook_document_is_read_as_written() {
        let live = ExecMode::resolve(Some(r#"{"mode":"LIVE","emergency_stop":false}"#), &vars("DRY", "false")).unwrap();
        assert_eq!(live, ExecMode { mode: Mode::Live, emergency_stop: false });
        let stop = ExecMode::resolve(Some(r#"{"mode":"DRY","emergency_stop":true}"#), &vars("LIVE", "false")).unwrap();
        assert!(stop.emergency_stop);
    }

    #[test]
    fn without_a_document_the_variables_decide_and_a_bad_document_stops_everything() {
        assert_eq!(ExecMode::resolve(None, &vars("LIVE", "false")).unwrap().mode, Mode::Live);
        assert!(ExecMode::resolve(Some("{\"mode\":\"FAST\"}"), &vars("LIVE", "false")).unwrap().emergency_stop);
        assert!(ExecMode::resolve(None, &vars("FAST", "false")).is_err());
    }
}

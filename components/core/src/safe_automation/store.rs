//! Every statement on `safe_automations`.

use crate::ports::{Db, DbError, Row, SqlValue};

/// The row, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutomationRow {
    pub id: String,
    pub safe_address: String,
    pub module_address: String,
    pub module_installed: bool,
    pub installed_at: Option<String>,
}

const COLUMNS: &str = "id, safe_address, module_address, module_installed, \
    to_char(installed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS installed_at";

fn parse(row: &Row) -> Result<AutomationRow, DbError> {
    Ok(AutomationRow {
        id: row.text("id")?,
        safe_address: row.text("safe_address")?,
        module_address: row.text("module_address")?,
        module_installed: row.bool("module_installed")?,
        installed_at: row.opt_text("installed_at")?,
    })
}

fn text(value: &str) -> SqlValue {
    SqlValue::Text(value.into())
}

pub fn find(db: &impl Db, user_id: &str) -> Result<Option<AutomationRow>, DbError> {
    let rows = db.query(&format!("SELECT {COLUMNS} FROM safe_automations WHERE user_id = $1"), &[text(user_id)])?;
    let found = rows.iter().next().map(|row| parse(&row)).transpose();
    found
}

/// The user's row, created with `module_installed = false` the first time (runbook step 2). A
/// row for another Safe or module that has nothing installed and nothing open follows the
/// account; an installed one is kept as it is.
pub fn open(db: &impl Db, user_id: &str, safe: &str, module: &str) -> Result<AutomationRow, DbError> {
    let sql = format!(
        "INSERT INTO safe_automations AS a (user_id, safe_address, module_address) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET safe_address = EXCLUDED.safe_address,
           module_address = EXCLUDED.module_address, updated_at = now()
         WHERE NOT a.module_installed
           AND (a.safe_address <> EXCLUDED.safe_address OR a.module_address <> EXCLUDED.module_address)
           AND NOT EXISTS (SELECT 1 FROM safe_owner_txs o WHERE o.safe_automation_id = a.id
                           AND o.status IN ('AWAITING_SIGNATURE', 'SUBMITTED'))
         RETURNING {COLUMNS}"
    );
    let rows = db.query(&sql, &[text(user_id), text(safe), text(module)])?;
    if let Some(row) = rows.first() {
        return parse(&row);
    }
    find(db, user_id)?.ok_or_else(|| DbError::Conversion("safe_automations row vanished".into()))
}

//! Every statement on `safe_automations` for the installation flow.

use crate::ports::{Db, DbError, Row, SqlValue};

/// The row, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutomationRow {
    pub id: String,
    pub safe_address: String,
    pub module_address: String,
    pub module_installed: bool,
    pub installed_at: Option<String>,
    pub proposal: Option<Proposal>,
    pub install_tx_id: Option<String>,
    pub install_error: Option<String>,
    pub install_attempt: i64,
    pub owner_signature: Option<String>,
}

/// The SafeTx last shown to the owner: its nonce (decimal), MultiSend data and hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub nonce: String,
    pub data: Vec<u8>,
    pub hash: String,
}

const COLUMNS: &str = "id, safe_address, module_address, module_installed, \
    to_char(installed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS installed_at, \
    proposal_nonce::text AS proposal_nonce, proposal_data, proposal_hash, install_tx_id, install_error, \
    install_attempt::int8 AS install_attempt, owner_signature";

fn parse(row: &Row) -> Result<AutomationRow, DbError> {
    let proposal =
        match (row.opt_text("proposal_nonce")?, row.opt_bytes("proposal_data")?, row.opt_text("proposal_hash")?) {
            (Some(nonce), Some(data), Some(hash)) => Some(Proposal { nonce, data, hash }),
            (None, None, None) => None,
            _ => return Err(DbError::Conversion("safe_automations: a partial proposal".into())),
        };
    Ok(AutomationRow {
        id: row.text("id")?,
        safe_address: row.text("safe_address")?,
        module_address: row.text("module_address")?,
        module_installed: row.bool("module_installed")?,
        installed_at: row.opt_text("installed_at")?,
        proposal,
        install_tx_id: row.opt_text("install_tx_id")?,
        install_error: row.opt_text("install_error")?,
        install_attempt: row.int("install_attempt")?,
        owner_signature: row.opt_text("owner_signature")?,
    })
}

fn first(db: &impl Db, sql: &str, params: &[SqlValue]) -> Result<Option<AutomationRow>, DbError> {
    let rows = db.query(sql, params)?;
    let found = rows.iter().next().map(|row| parse(&row)).transpose();
    found
}

fn text(value: &str) -> SqlValue {
    SqlValue::Text(value.into())
}

pub fn find(db: &impl Db, user_id: &str) -> Result<Option<AutomationRow>, DbError> {
    first(db, &format!("SELECT {COLUMNS} FROM safe_automations WHERE user_id = $1"), &[text(user_id)])
}

pub fn by_id(db: &impl Db, id: &str) -> Result<Option<AutomationRow>, DbError> {
    first(db, &format!("SELECT {COLUMNS} FROM safe_automations WHERE id = $1"), &[text(id)])
}

/// The user's row for this Safe and module, created with `module_installed = false` the first
/// time (runbook step 2). A row for another Safe or module that is not installed follows the
/// account; an installed one is kept as it is.
pub fn open(db: &impl Db, user_id: &str, safe: &str, module: &str) -> Result<AutomationRow, DbError> {
    let sql = format!(
        "INSERT INTO safe_automations AS a (user_id, safe_address, module_address) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET safe_address = EXCLUDED.safe_address,
           module_address = EXCLUDED.module_address, proposal_nonce = NULL, proposal_data = NULL,
           proposal_hash = NULL, install_tx_id = NULL, updated_at = now()
         WHERE NOT a.module_installed AND a.install_tx_id IS NULL
           AND (a.safe_address <> EXCLUDED.safe_address OR a.module_address <> EXCLUDED.module_address)
         RETURNING {COLUMNS}"
    );
    match first(db, &sql, &[text(user_id), text(safe), text(module)])? {
        Some(row) => Ok(row),
        None => find(db, user_id)?.ok_or_else(|| DbError::Conversion("safe_automations row vanished".into())),
    }
}

/// Stores the SafeTx shown to the owner, unless its installation is already under way.
pub fn propose(db: &impl Db, id: &str, proposal: &Proposal) -> Result<bool, DbError> {
    let changed = db.execute(
        "UPDATE safe_automations SET proposal_nonce = $2::text::numeric, proposal_data = $3, proposal_hash = $4,
           install_error = NULL, updated_at = now()
         WHERE id = $1 AND NOT module_installed AND install_tx_id IS NULL",
        &[text(id), text(&proposal.nonce), SqlValue::Bytes(proposal.data.clone()), text(&proposal.hash)],
    )?;
    Ok(changed == 1)
}

/// Records the accepted signature and the relayer transaction that executes the proposal.
pub fn submitted(db: &impl Db, id: &str, hash: &str, signature: &str, tx_id: &str) -> Result<(), DbError> {
    db.execute(
        "UPDATE safe_automations SET owner_signature = $3, install_tx_id = $4, install_error = NULL, updated_at = now()
         WHERE id = $1 AND proposal_hash = $2 AND NOT module_installed AND (install_tx_id IS NULL OR install_tx_id = $4)",
        &[text(id), text(hash), text(signature), text(tx_id)],
    )?;
    Ok(())
}

/// The receipt confirmed it and the Safe says the module is enabled (runbook step 5).
pub fn installed(db: &impl Db, id: &str, tx_id: &str) -> Result<(), DbError> {
    db.execute(
        "UPDATE safe_automations SET module_installed = true, installed_at = now(), proposal_nonce = NULL,
           proposal_data = NULL, proposal_hash = NULL, install_error = NULL, updated_at = now()
         WHERE id = $1 AND install_tx_id = $2 AND NOT module_installed",
        &[text(id), text(tx_id)],
    )?;
    Ok(())
}

/// The installation transaction ended without installing: a new proposal is needed.
pub fn install_failed(db: &impl Db, id: &str, tx_id: &str, why: &str) -> Result<(), DbError> {
    db.execute(
        "UPDATE safe_automations SET install_tx_id = NULL, proposal_nonce = NULL, proposal_data = NULL,
           proposal_hash = NULL, install_error = $3, owner_signature = NULL,
           install_attempt = install_attempt + 1, updated_at = now()
         WHERE id = $1 AND install_tx_id = $2 AND NOT module_installed",
        &[text(id), text(tx_id), text(why)],
    )?;
    Ok(())
}

/// Takes the row's lease (signWithAuthority signs once however many calls race): false while
/// another request holds it.
pub fn lease(db: &impl Db, id: &str, owner: &str, ms: i64) -> Result<bool, DbError> {
    let changed = db.execute(
        "UPDATE safe_automations SET lease_owner = $2, lease_expires_at = now() + $3::int8 * interval '1 millisecond'
         WHERE id = $1 AND (lease_expires_at IS NULL OR lease_expires_at < now())",
        &[text(id), text(owner), SqlValue::Int(ms)],
    )?;
    Ok(changed == 1)
}

pub fn release(db: &impl Db, id: &str, owner: &str) -> Result<(), DbError> {
    db.execute(
        "UPDATE safe_automations SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2",
        &[text(id), text(owner)],
    )?;
    Ok(())
}

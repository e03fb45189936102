//! Dynamic server wallets: created on first use, rotated, revoked (runbook 000 "Key Lifecycle").

use serde_json::Value;

use super::text;
use crate::api::{ApiError, ErrorCode};
use crate::ports::{Db, DbError, Platform, Rows, SqlValue};
use crate::signing::signer_client::{self, WalletRef};
use crate::signing::signer_endpoint;

/// A READY server wallet.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerWallet {
    pub id: String,
    pub wallet: WalletRef,
}

/// A reservation older than this is taken to belong to a creator that died.
const CREATION_LEASE_SECS: i64 = 60;

/// The user's READY server wallet, created on first call. Racing calls create one wallet: the
/// first reserves the creation, the others get CONFLICT with `Retry-After` until it is READY.
pub async fn get_or_create(platform: &impl Platform, user_id: &str) -> Result<ServerWallet, ApiError> {
    let db = platform.db();
    if let Some(wallet) = current(db, user_id).map_err(ApiError::from)? {
        return Ok(wallet);
    }
    if revoked(db, user_id).map_err(ApiError::from)?.is_some() {
        return Err(revoked_error());
    }
    let Some((reservation, created)) = reserve_and_create(platform, user_id, Reservation::Creating).await? else {
        // Someone else holds the user's live row: their wallet, or their creation of it.
        return current(db, user_id).map_err(ApiError::from)?.ok_or_else(creation_in_progress);
    };
    let promoted = db.execute(PROMOTE_SQL, &promote_params(&reservation, &created)).map_err(ApiError::from)?;
    if promoted == 0 {
        return Err(creation_in_progress());
    }
    Ok(ServerWallet { id: reservation, wallet: created })
}

/// Replaces the user's wallet with a new one in one statement: a READY old one becomes ROTATED,
/// a revoked (FAILED) one stays FAILED, and the new one is READY. Rotating is the way back from
/// a revocation: it also lifts the revocation's hold on the user's copy trading. Moving the proxy
/// wallet's ownership to the new address is recorded as an `ownership_transfers` row awaiting the
/// old owner's signature: it becomes a relayer transaction only once signed.
pub async fn rotate(platform: &impl Platform, user_id: &str, actor: &str) -> Result<ServerWallet, ApiError> {
    let db = platform.db();
    let old = match current(db, user_id).map_err(ApiError::from)? {
        Some(ready) => ready,
        None => revoked(db, user_id).map_err(ApiError::from)?.ok_or_else(|| no_wallet(user_id))?,
    };
    let (reservation, created) =
        reserve_and_create(platform, user_id, Reservation::Rotating).await?.ok_or_else(creation_in_progress)?;
    let mut params = promote_params(&reservation, &created);
    params.extend([text(&old.id), text(actor)]);
    let rotated = db.execute(ROTATE_SQL, &params).map_err(ApiError::from)?;
    if rotated == 0 {
        return Err(ApiError::new(ErrorCode::Conflict, "the server wallet changed during rotation; retry"));
    }
    Ok(ServerWallet { id: reservation, wallet: created })
}

/// Marks the user's wallet FAILED and pauses their copy trading, in one statement.
pub fn revoke(db: &impl Db, user_id: &str, actor: &str) -> Result<(), ApiError> {
    match db.execute(REVOKE_SQL, &[text(user_id), text(actor)]).map_err(ApiError::from)? {
        0 => Err(no_wallet(user_id)),
        _ => Ok(()),
    }
}

/// The user's READY server wallet, if any.
pub fn find_ready(db: &impl Db, user_id: &str) -> Result<Option<ServerWallet>, ApiError> {
    current(db, user_id).map_err(ApiError::from)
}

/// The user's revoked wallet when revocation is their wallets' last word: one FAILED and none
/// READY or being created. Such a user has no trading authority until an operator rotates.
pub fn find_revoked(db: &impl Db, user_id: &str) -> Result<Option<ServerWallet>, ApiError> {
    revoked(db, user_id).map_err(ApiError::from)
}

fn revoked(db: &impl Db, user_id: &str) -> Result<Option<ServerWallet>, DbError> {
    let rows = db.query(
        "SELECT id, address, dynamic_wallet_id, wallet_properties FROM server_wallets f
         WHERE user_id = $1 AND status = 'FAILED'
           AND NOT EXISTS (SELECT 1 FROM server_wallets r WHERE r.user_id = f.user_id AND r.status IN ('READY', 'CREATING'))
         ORDER BY created_at DESC, id LIMIT 1",
        &[text(user_id)],
    )?;
    first_wallet(&rows)
}

fn current(db: &impl Db, user_id: &str) -> Result<Option<ServerWallet>, DbError> {
    let rows = db.query(
        "SELECT id, address, dynamic_wallet_id, wallet_properties FROM server_wallets WHERE user_id = $1 AND status = 'READY'",
        &[text(user_id)],
    )?;
    first_wallet(&rows)
}

fn first_wallet(rows: &Rows) -> Result<Option<ServerWallet>, DbError> {
    let Some(row) = rows.first() else { return Ok(None) };
    let properties = row.opt_json("wallet_properties")?.unwrap_or(Value::Null);
    Ok(Some(ServerWallet {
        id: row.text("id")?,
        wallet: WalletRef {
            wallet_id: row.text("dynamic_wallet_id")?,
            address: row.text("address")?,
            wallet_properties: properties,
        },
    }))
}

/// What a reservation is for: a user's first wallet, or the next one in a rotation.
#[derive(Clone, Copy)]
enum Reservation {
    Creating,
    Rotating,
}

impl Reservation {
    fn status(self) -> &'static str {
        match self {
            Reservation::Creating => "CREATING",
            Reservation::Rotating => "ROTATING",
        }
    }
}

/// Inserts the user's reservation, or takes over one whose creator died. `None` when the
/// schema refuses it: another live wallet or creation (CREATING) or rotation (ROTATING) exists.
fn reserve(db: &impl Db, user_id: &str, kind: Reservation) -> Result<Option<String>, DbError> {
    let params = [text(user_id), SqlValue::Int(CREATION_LEASE_SECS), text(kind.status())];
    let rows = match db.query(RESERVE_SQL, &params) {
        Ok(rows) => rows,
        Err(DbError::Query { code: Some(code), .. }) if code == "23505" || code == "23P01" => return Ok(None),
        Err(e) => return Err(e),
    };
    rows.first().map(|r| r.text("id")).transpose()
}

/// Reserves and creates the wallet at the signer; `None` when the reservation is refused. A
/// failed creation gives the reservation back.
async fn reserve_and_create(
    platform: &impl Platform,
    user_id: &str,
    kind: Reservation,
) -> Result<Option<(String, WalletRef)>, ApiError> {
    let db = platform.db();
    let endpoint = signer_endpoint(platform.config())?;
    let Some(reservation) = reserve(db, user_id, kind).map_err(ApiError::from)? else {
        return Ok(None);
    };
    match signer_client::create_wallet(platform.http(), &endpoint, user_id).await {
        Ok(wallet) => Ok(Some((reservation, wallet))),
        Err(e) => {
            let failed = ApiError::new(ErrorCode::SigningUnavailable, "could not create a server wallet");
            // A reservation not given back is taken over after its lease: say so in the log.
            let given_back = db.execute(
                "DELETE FROM server_wallets WHERE id = $1 AND status = $2",
                &[text(&reservation), text(kind.status())],
            );
            Err(match given_back {
                Ok(_) => failed.with_detail(format!("signer: {e:?}")),
                Err(db_error) => failed.with_detail(format!(
                    "signer: {e:?}; reservation {reservation} kept until its lease ends: {db_error}"
                )),
            })
        }
    }
}

// Every statement that makes a wallet live (CREATING, READY) or changes a live one first locks
// the user's row (FOR NO KEY UPDATE: rows referencing the user can still be written), so these
// statements run one at a time per user. Left to the deferred one-live-wallet constraint alone,
// two of them in flight together can each wait at commit for the other's uncommitted row — two
// racing reservations, or a reservation and the promotion of the wallet it lost to — and
// Postgres aborts one as a deadlock. Serialised, the later one sees the committed row and is
// refused (23P01) or finds the READY wallet.

const RESERVE_SQL: &str = "\
WITH owner AS (
  SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE
), taken AS (
  UPDATE server_wallets SET updated_at = now()
  WHERE user_id = (SELECT id FROM owner) AND status = $3 AND updated_at < now() - make_interval(secs => $2::int8)
  RETURNING id
), inserted AS (
  INSERT INTO server_wallets (user_id, status)
  SELECT id, $3 FROM owner WHERE NOT EXISTS (SELECT 1 FROM taken)
  RETURNING id
)
SELECT id FROM taken UNION ALL SELECT id FROM inserted";

const PROMOTE_SQL: &str = "\
WITH owner AS (
  SELECT id FROM users WHERE id = (SELECT user_id FROM server_wallets WHERE id = $1) FOR NO KEY UPDATE
), w AS (
  UPDATE server_wallets
  SET status = 'READY', address = $2, dynamic_wallet_id = $3, wallet_properties = $4::jsonb
  WHERE id = $1 AND status = 'CREATING' AND user_id = (SELECT id FROM owner)
  RETURNING id, user_id, address
)
INSERT INTO audit_logs (user_id, action, details)
SELECT user_id, 'SERVER_WALLET_CREATED', jsonb_build_object('serverWalletId', id, 'address', address) FROM w";

// The old wallet is the READY one, or the revoked one (which stays FAILED); the one-live-wallet
// constraint refuses a second READY. The user's revocation hold goes, and each profile it held
// gets what remains: another hold's reason, else the user's own switch.
const ROTATE_SQL: &str = "\
WITH owner AS (
  SELECT id FROM users WHERE id = (SELECT user_id FROM server_wallets WHERE id = $5) FOR NO KEY UPDATE
), old AS (
  UPDATE server_wallets SET status = CASE status WHEN 'READY' THEN 'ROTATED' ELSE status END
  WHERE id = $5 AND status IN ('READY', 'FAILED') AND user_id = (SELECT id FROM owner)
  RETURNING id, user_id, address, status
), new AS (
  UPDATE server_wallets
  SET status = 'READY', address = $2, dynamic_wallet_id = $3, wallet_properties = $4::jsonb
  WHERE id = $1 AND status = 'ROTATING' AND EXISTS (SELECT 1 FROM old)
  RETURNING id, user_id, address
), transfer AS (
  INSERT INTO ownership_transfers (user_id, safe_address, from_wallet_id, to_wallet_id)
  SELECT new.user_id, proxy.address, old.id, new.id
  FROM new JOIN old ON true JOIN wallets proxy ON proxy.user_id = new.user_id AND proxy.type = 'PROXY'
  RETURNING id
), unheld AS (
  DELETE FROM copy_trading_holds WHERE scope = (SELECT user_id FROM new) AND kind = 'SERVER_WALLET_REVOKED'
  RETURNING scope
), resumed AS (
  UPDATE copy_profiles p
  SET status = CASE WHEN p.paused_by_user OR remaining.reason IS NOT NULL THEN 'PAUSED' ELSE 'ENABLED' END,
      paused_reason = coalesce(remaining.reason, CASE WHEN p.paused_by_user THEN 'USER' END)
  FROM (SELECT (SELECT reason FROM copy_trading_holds h
                WHERE h.scope IN ((SELECT user_id FROM new), '*') AND h.kind <> 'SERVER_WALLET_REVOKED'
                ORDER BY h.scope = '*', h.kind LIMIT 1) AS reason) remaining
  WHERE p.user_id = (SELECT user_id FROM new) AND p.status = 'PAUSED' AND p.paused_reason = 'SERVER_WALLET_REVOKED'
  RETURNING p.status
)
INSERT INTO audit_logs (user_id, action, actor, details)
SELECT new.user_id, 'SERVER_WALLET_ROTATED', $6, jsonb_build_object(
  'fromServerWalletId', old.id, 'fromAddress', old.address, 'toServerWalletId', new.id, 'toAddress', new.address,
  'ownershipTransferId', (SELECT id FROM transfer), 'fromRevoked', old.status = 'FAILED',
  'resumedCopyProfiles', (SELECT count(*) FROM resumed WHERE status = 'ENABLED'))
FROM new, old";

const REVOKE_SQL: &str = "\
WITH owner AS (
  SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE
), w AS (
  UPDATE server_wallets SET status = 'FAILED'
  WHERE user_id = (SELECT id FROM owner) AND status = 'READY'
  RETURNING id, address
), hold AS (
  INSERT INTO copy_trading_holds (scope, reason, kind)
  SELECT $1, 'SERVER_WALLET_REVOKED', 'SERVER_WALLET_REVOKED' WHERE EXISTS (SELECT 1 FROM w)
  ON CONFLICT (scope, kind) DO NOTHING
  RETURNING scope
), paused AS (
  UPDATE copy_profiles SET status = 'PAUSED', paused_reason = 'SERVER_WALLET_REVOKED'
  WHERE user_id = $1 AND (status = 'ENABLED' OR paused_reason = 'USER') AND EXISTS (SELECT 1 FROM w)
  RETURNING paused_by_user
)
INSERT INTO audit_logs (user_id, action, actor, details)
SELECT $1, 'SERVER_WALLET_REVOKED', $2, jsonb_build_object(
  'serverWalletId', w.id, 'address', w.address, 'pausedCopyProfiles', (SELECT count(*) FROM paused WHERE NOT paused_by_user))
FROM w";

fn promote_params(reservation: &str, wallet: &WalletRef) -> Vec<SqlValue> {
    vec![
        text(reservation),
        text(&wallet.address),
        text(&wallet.wallet_id),
        SqlValue::Json(wallet.wallet_properties.clone()),
    ]
}

fn creation_in_progress() -> ApiError {
    ApiError::new(ErrorCode::Conflict, "a server wallet is being created for this user; retry shortly")
        .retry_after_ms(2000)
}

/// A revoked authority is not replaced by a user's call: an operator rotates it.
pub(super) fn revoked_error() -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        "this account's server wallet was revoked by an operator; it is replaced only by an operator's rotation",
    )
}

pub(super) fn no_wallet(user_id: &str) -> ApiError {
    ApiError::new(ErrorCode::NotFound, format!("user {user_id} has no READY server wallet"))
}

//! `POST /admin/reconcile` (runbook: "Reconcile Stale Orders"): orders left PENDING, SUBMITTED
//! or PARTIALLY_FILLED longer than a threshold are looked up on the CLOB and settled to what it
//! says — FILLED, PARTIALLY_FILLED, CANCELLED, still live, or FAILED when the CLOB never had
//! them. Their copy attempts follow. Optional body `{"olderThanSeconds": n}`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::{invalid, parse_json_object, ApiError, Request, Response};
use crate::auth::require_admin;
use crate::ports::{Db, Platform, SqlValue};
use crate::settings;
use crate::trading::clob::RemoteOrder;
use crate::trading::{Account, OrderStatus, Session, StoredProxy};
use crate::trading_authority;

/// Most orders one call reconciles; the rest wait for the next call.
const BATCH: i64 = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Body {
    older_than_seconds: Option<i64>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reconciled {
    pub checked: usize,
    pub filled: usize,
    pub partially_filled: usize,
    pub cancelled: usize,
    pub live: usize,
    pub failed: usize,
    /// Could not be checked now (no credentials, CLOB unavailable), taken up by a tick or
    /// changed while the CLOB was asked, or partly filled orders the CLOB no longer knows:
    /// left as they were.
    pub unchecked: usize,
}

const STALE_SQL: &str = "\
SELECT id, user_id, status, order_hash, copy_attempt_id,
  (SELECT w.address FROM wallets w WHERE w.user_id = orders.user_id AND w.type = 'PROXY') AS proxy_wallet,
  (SELECT w.proxy_type FROM wallets w WHERE w.user_id = orders.user_id AND w.type = 'PROXY') AS proxy_type
FROM orders
WHERE status IN ('PENDING', 'SUBMITTED', 'PARTIALLY_FILLED') AND updated_at < now() - $1::int8 * interval '1 second'
  AND NOT EXISTS (SELECT 1 FROM copy_attempts ca WHERE ca.id = orders.copy_attempt_id AND ca.lease_expires_at > now())
ORDER BY updated_at LIMIT $2";

/// Settles an order only if it is as it was read ($6) and no tick holds its copy attempt: what
/// the CLOB said may be stale once a tick has (re)posted it. The attempt is locked before the
/// order, the order the copy path's own transitions take them in.
const SETTLE_SQL: &str = "\
WITH attempt AS (
  SELECT id, lease_expires_at > now() AS leased FROM copy_attempts
  WHERE id = (SELECT copy_attempt_id FROM orders WHERE id = $1)
  FOR UPDATE
), o AS (
  UPDATE orders SET status = $2, error_code = $3, error_message = $4
  WHERE id = $1 AND status = $6 AND NOT EXISTS (SELECT 1 FROM attempt WHERE leased)
  RETURNING copy_attempt_id
), a AS (
  UPDATE copy_attempts SET status = $5, error_code = $3, error_message = $4, lease_owner = NULL, lease_expires_at = NULL
  WHERE id IN (SELECT copy_attempt_id FROM o) AND $5::text IS NOT NULL
)
SELECT count(*)::int8 AS settled FROM o";

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.require_method(&["POST"])?;
    require_admin(request, platform.config())?;
    request.query_params(&[])?;
    let body: Body = if request.body.iter().all(u8::is_ascii_whitespace) {
        Body::default()
    } else {
        parse_json_object(&request.body)?
    };
    let older_than = match body.older_than_seconds {
        Some(secs) if !(0..=30 * 86_400).contains(&secs) => {
            return Err(invalid("olderThanSeconds", "must be 0 to 2592000"))
        }
        Some(secs) => secs,
        None => settings::number::<i64>(platform.config(), settings::RECONCILE_STALE_AFTER_SECS)?,
    };
    let db = platform.db();
    let stale = db.query(STALE_SQL, &[SqlValue::Int(older_than), SqlValue::Int(BATCH)])?;
    let mut session = Session::new(platform, false)?;
    let mut report = Reconciled::default();
    for row in stale.iter() {
        report.checked += 1;
        let (id, user_id, hash) = (row.text("id")?, row.text("user_id")?, row.text("order_hash")?);
        let read_status = row.parsed("status", OrderStatus::parse)?;
        let is_copy = row.opt_text("copy_attempt_id")?.is_some();
        let Some(authority) = trading_authority::find(platform, &user_id)? else {
            report.unchecked += 1;
            continue;
        };
        let Ok(account) = session.account(&authority, StoredProxy::from_row(&row)?.as_ref()) else {
            report.unchecked += 1;
            continue;
        };
        let remote = match lookup(&mut session, &account, &hash).await {
            Some(found) => found,
            None => {
                report.unchecked += 1;
                continue;
            }
        };
        let Some((status, attempt_status, code)) = classify(remote.as_ref(), read_status) else {
            report.unchecked += 1;
            continue;
        };
        let attempt_status = attempt_status.filter(|_| is_copy);
        let settled = db.query(
            SETTLE_SQL,
            &[
                SqlValue::Text(id),
                SqlValue::Text(status.as_str().into()),
                code.map(|c| SqlValue::Text(c.into())).unwrap_or(SqlValue::Null),
                code.map(|_| SqlValue::Text("settled by reconcile".into())).unwrap_or(SqlValue::Null),
                attempt_status.map(|s| SqlValue::Text(s.into())).unwrap_or(SqlValue::Null),
                SqlValue::Text(read_status.as_str().into()),
            ],
        )?;
        if settled.first().map(|row| row.int("settled")).transpose()? != Some(1) {
            report.unchecked += 1;
            continue;
        }
        match status {
            OrderStatus::Filled => report.filled += 1,
            OrderStatus::PartiallyFilled => report.partially_filled += 1,
            OrderStatus::Cancelled => report.cancelled += 1,
            OrderStatus::Failed => report.failed += 1,
            _ => report.live += 1,
        }
    }
    session.record_breaker(&platform.random().id())?;
    Ok(Response::json(200, &json!(report)))
}

/// The CLOB's view of the order: `Some(None)` when it does not know it, `None` when it could
/// not be asked.
async fn lookup(
    session: &mut Session<'_, impl Platform>,
    account: &Account,
    hash: &str,
) -> Option<Option<RemoteOrder>> {
    let credentials = session.stored_credentials(account).ok()??;
    let address = account.key_owner;
    let now_secs = (session.now_ms() / 1000).max(0) as u64;
    session.clob().order_status(&credentials, address, hash, now_secs).await.ok()
}

/// (order status, copy attempt status, error code).
type Settlement = (OrderStatus, Option<&'static str>, Option<&'static str>);

/// What to settle an order read as `read_status` to, from what the CLOB said; `None` leaves it
/// as it is. A copy that was partly filled is not a failed one: when the rest is cancelled its
/// attempt stays SUBMITTED (shares were bought or sold), and if the CLOB stops knowing it
/// nothing can be concluded.
fn classify(remote: Option<&RemoteOrder>, read_status: OrderStatus) -> Option<Settlement> {
    use OrderStatus::{Cancelled, Failed, Filled, PartiallyFilled, Pending, Submitted};
    let Some(order) = remote else {
        return (read_status != PartiallyFilled).then_some((Failed, Some("FAILED"), Some("NOT_ON_CLOB")));
    };
    let partly_matched = order.size_matched.is_some_and(|m| m > 0);
    Some(match order.status.as_str() {
        "MATCHED" | "FILLED" => (Filled, Some("FILLED"), None),
        "CANCELED" | "CANCELLED" if partly_matched => {
            (Cancelled, Some("SUBMITTED"), Some("CANCELLED_PARTIALLY_FILLED"))
        }
        "CANCELED" | "CANCELLED" => (Cancelled, Some("FAILED"), Some("CANCELLED")),
        _ if partly_matched => (PartiallyFilled, Some("SUBMITTED"), None),
        _ if read_status == Pending => (Submitted, Some("SUBMITTED"), None),
        _ if read_status == PartiallyFilled => (PartiallyFilled, None, None),
        _ => (Submitted, None, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(status: &str, matched: i128) -> RemoteOrder {
        RemoteOrder { status: status.into(), size_matched: Some(matched), original_size: Some(10) }
    }

    #[test]
    fn the_clob_answer_maps_to_order_and_attempt_statuses() {
        let submitted = |r: Option<&RemoteOrder>| classify(r, OrderStatus::Submitted);
        assert_eq!(submitted(None), Some((OrderStatus::Failed, Some("FAILED"), Some("NOT_ON_CLOB"))));
        assert_eq!(
            classify(None, OrderStatus::Pending),
            Some((OrderStatus::Failed, Some("FAILED"), Some("NOT_ON_CLOB")))
        );
        assert_eq!(submitted(Some(&remote("MATCHED", 10))), Some((OrderStatus::Filled, Some("FILLED"), None)));
        assert_eq!(
            submitted(Some(&remote("CANCELED", 0))),
            Some((OrderStatus::Cancelled, Some("FAILED"), Some("CANCELLED")))
        );
        assert_eq!(submitted(Some(&remote("LIVE", 4))), Some((OrderStatus::PartiallyFilled, Some("SUBMITTED"), None)));
        assert_eq!(submitted(Some(&remote("LIVE", 0))), Some((OrderStatus::Submitted, None, None)));
        assert_eq!(
            classify(Some(&remote("LIVE", 0)), OrderStatus::Pending),
            Some((OrderStatus::Submitted, Some("SUBMITTED"), None))
        );
    }

    #[test]
    fn a_partly_filled_order_is_never_called_failed() {
        let partial = |r: Option<&RemoteOrder>| classify(r, OrderStatus::PartiallyFilled);
        assert_eq!(partial(None), None, "the CLOB no longer knows it: nothing to conclude");
        assert_eq!(partial(Some(&remote("LIVE", 4))), Some((OrderStatus::PartiallyFilled, Some("SUBMITTED"), None)));
        assert_eq!(partial(Some(&remote("LIVE", 0))), Some((OrderStatus::PartiallyFilled, None, None)));
        assert_eq!(partial(Some(&remote("MATCHED", 10))), Some((OrderStatus::Filled, Some("FILLED"), None)));
        assert_eq!(
            partial(Some(&remote("CANCELED", 4))),
            Some((OrderStatus::Cancelled, Some("SUBMITTED"), Some("CANCELLED_PARTIALLY_FILLED")))
        );
    }
}

//! `/orders`: the caller's orders (copies and manual ones), and `POST /orders`, a manual order
//! through the same path copies take — execution mode, the user's authority, the signing
//! pipeline (its limits apply), persisted before it is posted, posted with L2 auth.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{invalid, parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::auth::authenticate;
use crate::copy::controls::{Controls, Verdict};
use crate::money::{format_micro, parse_micro, ONE};
use crate::orders::{validate_price, OrderType};
use crate::ports::{Db, DbError, Platform, SqlValue};
use crate::trading::clob::{BalanceAsset, ClobError};
use crate::trading::{OrderIntent, Session, StoredProxy, TradingError};
use crate::trading_authority::get_or_create_authority;

/// `POST /orders` body. Price and size as decimal text or numbers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManualOrder {
    pub token_id: String,
    pub side: String,
    pub price: Value,
    pub size: Value,
    #[serde(default)]
    pub order_type: Option<String>,
}

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    let id = request.path.trim_end_matches('/').strip_prefix("/orders").unwrap_or("").trim_start_matches('/');
    let listing = request.method == "GET" && id.is_empty();
    request.require_method(if id.is_empty() { &["GET", "POST"] } else { &["GET"] })?;
    let limit = page_limit(&request.query_params(if listing { &["limit"] } else { &[] })?)?;
    let user = authenticate(platform, request)?;
    match (request.method.as_str(), id) {
        ("GET", "") => list(platform.db(), &user.id, limit),
        ("GET", id) => one(platform.db(), &user.id, id),
        _ => place(platform, &user.id, parse_json_object(&request.body)?).await,
    }
}

/// The validated order: micro-units, a known side and order type.
struct Validated {
    intent: OrderIntent,
}

fn validate(body: ManualOrder) -> Result<Validated, ApiError> {
    if body.token_id.is_empty() || body.token_id.len() > 80 || !body.token_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("tokenId", "must be the decimal id of an outcome token"));
    }
    let buy = match body.side.as_str() {
        "BUY" => true,
        "SELL" => false,
        _ => return Err(invalid("side", "must be BUY or SELL")),
    };
    let decimal = |field: &str, value: &Value| -> Result<i128, ApiError> {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(invalid(field, "must be a decimal number")),
        };
        parse_micro(&text).ok_or_else(|| invalid(field, "must be a positive decimal number"))
    };
    let price = decimal("price", &body.price)?;
    if price <= 0 || price >= ONE {
        return Err(invalid("price", "must be between 0 and 1"));
    }
    let size = decimal("size", &body.size)?;
    if size <= 0 || size > 10_000_000 * ONE || size % 10_000 != 0 {
        return Err(invalid("size", "must be a positive number of shares with at most 2 decimals, up to 10,000,000"));
    }
    let order_type = match body.order_type.as_deref() {
        None => OrderType::Gtc,
        Some(text) => text.parse().map_err(|_| invalid("orderType", "must be GTC, FOK, GTD or FAK"))?,
    };
    Ok(Validated { intent: OrderIntent { token_id: body.token_id, buy, price, size, order_type } })
}

async fn place(platform: &impl Platform, user_id: &str, body: ManualOrder) -> Result<Response, ApiError> {
    let Validated { intent } = validate(body)?;
    let controls = Controls::read(platform)?;
    match controls.verdict {
        Verdict::EmergencyStop => {
            return Err(ApiError::new(ErrorCode::ServiceUnavailable, "emergency stop: no orders are signed or posted"))
        }
        Verdict::SigningUnavailable => {
            return Err(ApiError::new(ErrorCode::SigningUnavailable, "signing unavailable: orders are paused"))
        }
        Verdict::Dry | Verdict::Live => {}
    }
    let dry = controls.verdict == Verdict::Dry;
    let authority = get_or_create_authority(platform, user_id).await?;
    let proxy = proxy_wallet(platform.db(), user_id)?;
    let mut session = Session::new(platform, controls.polymarket_open)?;
    let result = place_with(platform, &mut session, user_id, &authority, proxy.as_ref(), &intent, dry).await;
    // The order's fate is already decided: a breaker that could not hear of it is logged, not
    // turned into a failure of an order that may be on the CLOB.
    match session.record_breaker(&platform.random().id()) {
        Ok(()) => result,
        Err(e) => result.map(|response| response.with_log(format!("Polymarket breaker not updated: {}", e.log_line()))),
    }
}

async fn place_with(
    platform: &impl Platform,
    session: &mut Session<'_, impl Platform>,
    user_id: &str,
    authority: &crate::trading_authority::Authority,
    proxy: Option<&StoredProxy>,
    intent: &OrderIntent,
    dry: bool,
) -> Result<Response, ApiError> {
    let book = match session.book(&intent.token_id).await {
        Err(TradingError::Clob(e)) => return Err(clob_error(e)),
        other => other.map_err(trading_error)?,
    };
    let price = format_micro(intent.price).parse().map_err(|_| invalid("price", "is not a decimal"))?;
    validate_price(price, book.tick_size).map_err(|_| {
        invalid("price", &format!("must be on the market's tick grid ({}) within [tick, 1 - tick]", book.tick_size))
    })?;
    if intent.size < book.min_order_size {
        return Err(invalid(
            "size",
            &format!("is below the market's minimum of {} shares", format_micro(book.min_order_size)),
        ));
    }
    let account = session.account(authority, proxy).map_err(trading_error)?;
    if !intent.buy && !dry {
        let credentials = session.credentials(user_id, authority, &account, false).await.map_err(trading_error)?;
        let credentials =
            credentials.ok_or_else(|| ApiError::new(ErrorCode::ServiceUnavailable, "no CLOB credentials"))?;
        let held = session
            .balance(&credentials, &account, BalanceAsset::Conditional(intent.token_id.clone()))
            .await
            .map_err(trading_error)?;
        if intent.size > held {
            return Err(invalid("size", &format!("exceeds your position of {} shares", format_micro(held))));
        }
    }
    let placement = session.prepare(intent, &account, &book).await.map_err(trading_error)?;
    let notional = intent.size * intent.price / ONE;
    if dry {
        let record = placement.record(intent, notional, None)?;
        let id = insert(platform.db(), user_id, &record, "DRY_RUN")?;
        return Ok(Response::json(
            201,
            &json!({ "id": id, "status": "DRY_RUN", "orderHash": record.order_hash, "dryRun": true }),
        ));
    }
    let signed = session.sign(user_id, authority, &account, &placement).await.map_err(trading_error)?;
    let record = placement.record(intent, notional, Some(signed))?;
    let id = insert(platform.db(), user_id, &record, "PENDING")?;
    let credentials = session.credentials(user_id, authority, &account, false).await.map_err(trading_error)?;
    let credentials = credentials.ok_or_else(|| ApiError::new(ErrorCode::ServiceUnavailable, "no CLOB credentials"))?;
    match session.post(&credentials, account.key_owner, &record.signed_order, &record.order_hash).await {
        Ok(posted) => {
            let status = if posted.status.eq_ignore_ascii_case("matched") { "FILLED" } else { "SUBMITTED" };
            settle(platform.db(), &id, status, Some(&posted.order_id), None)?;
            Ok(Response::json(
                201,
                &json!({ "id": id, "status": status, "orderHash": record.order_hash, "clobOrderId": posted.order_id }),
            ))
        }
        Err(e) => {
            let error = trading_error(e);
            settle(platform.db(), &id, "FAILED", None, Some(&error))?;
            Err(error)
        }
    }
}

fn clob_error(e: ClobError) -> ApiError {
    match e {
        ClobError::Rejected { status: 400..=404, .. } => invalid("tokenId", "is not a market the CLOB knows"),
        other => clob_unavailable(&other),
    }
}

/// The CLOB could not be asked: the caller gets that, the log gets why.
fn clob_unavailable(e: &ClobError) -> ApiError {
    ApiError::new(ErrorCode::ServiceUnavailable, "the Polymarket CLOB is unavailable; try again later")
        .with_detail(e.message())
}

fn trading_error(e: TradingError) -> ApiError {
    match e {
        TradingError::Signing(e) | TradingError::Invalid(e) => e,
        TradingError::PolymarketPaused => {
            ApiError::new(ErrorCode::ServiceUnavailable, "Polymarket circuit breaker open")
        }
        TradingError::Clob(ClobError::Rejected { message, .. }) => {
            ApiError::new(ErrorCode::Conflict, format!("the CLOB refused the order: {message}"))
        }
        TradingError::Clob(other) => clob_unavailable(&other),
    }
}

fn proxy_wallet(db: &impl Db, user_id: &str) -> Result<Option<StoredProxy>, ApiError> {
    let rows = db.query(
        "SELECT address AS proxy_wallet, proxy_type FROM wallets WHERE user_id = $1 AND type = 'PROXY'",
        &[SqlValue::Text(user_id.into())],
    )?;
    Ok(match rows.first() {
        Some(row) => StoredProxy::from_row(&row)?,
        None => None,
    })
}

const INSERT_SQL: &str = "\
INSERT INTO orders (user_id, order_hash, token_id, side, price, size, maker_amount, taker_amount, order_type, signed_order, status)
VALUES ($1, $2, $3, $4, $5::text::numeric, $6::text::numeric, $7, $8, $9, $10, $11)
RETURNING id";

fn insert(
    db: &impl Db,
    user_id: &str,
    record: &crate::trading::PreparedOrder,
    status: &str,
) -> Result<String, ApiError> {
    let mut params = vec![SqlValue::Text(user_id.into())];
    params.extend(record.column_values());
    params.push(SqlValue::Text(status.into()));
    let rows = db.query(INSERT_SQL, &params)?;
    match rows.first().map(|r| r.get("id").cloned()) {
        Some(Ok(SqlValue::Text(id))) => Ok(id),
        _ => Err(ApiError::new(ErrorCode::InternalError, "order was not recorded")),
    }
}

fn settle(
    db: &impl Db,
    id: &str,
    status: &str,
    clob_order_id: Option<&str>,
    error: Option<&ApiError>,
) -> Result<(), ApiError> {
    let text = |v: Option<&str>| v.map(|s| SqlValue::Text(s.into())).unwrap_or(SqlValue::Null);
    db.execute(
        "UPDATE orders SET status = $2, clob_order_id = $3, error_code = $4, error_message = $5, \
         submitted_at = CASE WHEN $3::text IS NULL THEN submitted_at ELSE now() END WHERE id = $1",
        &[
            SqlValue::Text(id.into()),
            SqlValue::Text(status.into()),
            text(clob_order_id),
            text(error.map(|e| e.code.as_str())),
            text(error.map(|e| e.message.as_str())),
        ],
    )?;
    Ok(())
}

const COLUMNS: &str = "id, copy_attempt_id, order_hash, clob_order_id, token_id, side, price::text AS price, \
  size::text AS size, maker_amount, taker_amount, order_type, status, error_code, \
  (extract(epoch FROM created_at) * 1000)::int8 AS created_at_ms";

/// `limit` of `GET /orders`: 1 to 100, 20 when absent.
fn page_limit(params: &[(String, String)]) -> Result<i64, ApiError> {
    Ok(params
        .iter()
        .find(|(name, _)| name == "limit")
        .map(|(_, v)| {
            v.parse::<i64>().ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| invalid("limit", "must be 1 to 100"))
        })
        .transpose()?
        .unwrap_or(20))
}

fn list(db: &impl Db, user_id: &str, limit: i64) -> Result<Response, ApiError> {
    let rows = db.query(
        &format!("SELECT {COLUMNS} FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2"),
        &[SqlValue::Text(user_id.into()), SqlValue::Int(limit)],
    )?;
    let orders = rows.iter().map(|r| render(&r)).collect::<Result<Vec<Value>, DbError>>()?;
    Ok(Response::json(200, &json!({ "orders": orders })))
}

fn one(db: &impl Db, user_id: &str, id: &str) -> Result<Response, ApiError> {
    let rows = db.query(
        &format!("SELECT {COLUMNS} FROM orders WHERE user_id = $1 AND id = $2"),
        &[SqlValue::Text(user_id.into()), SqlValue::Text(id.into())],
    )?;
    match rows.first() {
        Some(row) => Ok(Response::json(200, &render(&row)?)),
        None => Err(ApiError::new(ErrorCode::NotFound, "no such order")),
    }
}

fn render(row: &crate::ports::Row<'_>) -> Result<Value, DbError> {
    Ok(json!({
        "id": row.text("id")?, "copyAttemptId": row.opt_text("copy_attempt_id")?, "orderHash": row.text("order_hash")?,
        "clobOrderId": row.opt_text("clob_order_id")?, "tokenId": row.text("token_id")?, "side": row.text("side")?,
        "price": row.text("price")?, "size": row.text("size")?, "makerAmount": row.int("maker_amount")?,
        "takerAmount": row.int("taker_amount")?, "orderType": row.text("order_type")?, "status": row.text("status")?,
        "errorCode": row.opt_text("error_code")?,
        "createdAt": crate::time::Timestamp::from_millis(row.int("created_at_ms")?).to_string(),
    }))
}

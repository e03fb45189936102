//! `GET /copy-attempts` (user JWT): the caller's copy history, newest first, each attempt with
//! the leader trade it copied and the order it placed, if any — runbook 000 "Check User's Copy
//! Attempts", in one statement. Paged with `?limit=` (1..=100, default 20) and `?before=<id>`
//! (the last attempt of the previous page; `nextBefore` in the response).

use serde_json::{json, Value};

use crate::api::{invalid, ApiError, Request, Response};
use crate::auth::authenticate;
use crate::money::format_micro;
use crate::ports::{Db, DbError, Platform, Row, SqlValue};
use crate::time::Timestamp;

/// Attempts per page unless `limit` says otherwise.
const DEFAULT_LIMIT: i64 = 20;

/// Largest page.
const MAX_LIMIT: i64 = 100;

// `before` names an attempt of the caller's: an id that is not theirs matches nothing, so the
// page is empty rather than a hint that the id exists.
const LIST_SQL: &str = "\
SELECT ca.id, ca.copy_profile_id, ca.status, ca.skip_reason, ca.side, ca.size, ca.price, ca.amount, ca.error_code,
       (extract(epoch FROM ca.created_at) * 1000)::int8 AS created_at_ms,
       le.id AS event_id, le.leader_address, le.side AS event_side, le.size AS event_size, le.price AS event_price,
       le.market_slug, le.asset, le.transaction_hash,
       (extract(epoch FROM le.traded_at) * 1000)::int8 AS traded_at_ms,
       o.id AS order_id, o.status AS order_status, o.order_hash, o.clob_order_id
FROM copy_attempts ca
JOIN leader_events le ON le.id = ca.leader_event_id
LEFT JOIN orders o ON o.copy_attempt_id = ca.id
WHERE ca.user_id = $1
  AND ($2::text IS NULL OR (ca.created_at, ca.id) <
       (SELECT c.created_at, c.id FROM copy_attempts c WHERE c.id = $2::text AND c.user_id = $1))
ORDER BY ca.created_at DESC, ca.id DESC
LIMIT $3::int8";

/// A page request.
#[derive(Debug, PartialEq, Eq)]
struct Page {
    limit: i64,
    before: Option<String>,
}

/// `limit` and `before` from the query string; anything else is a VALIDATION_ERROR. A `before`
/// that cannot be an attempt id (ids are UUIDs) is refused, not read as an empty page.
fn parse_page(request: &Request) -> Result<Page, ApiError> {
    let mut page = Page { limit: DEFAULT_LIMIT, before: None };
    for (name, value) in request.query_params(&["limit", "before"])? {
        match name.as_str() {
            "limit" => {
                page.limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or_else(|| invalid("limit", "must be an integer from 1 to 100"))?;
            }
            _ if is_uuid(&value) => page.before = Some(value.to_ascii_lowercase()),
            _ => return Err(invalid("before", "must be the id of a copy attempt (a nextBefore value)")),
        }
    }
    Ok(page)
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The caller's attempts for this page, and the cursor of the next one (null on the last).
fn list(db: &impl Db, user_id: &str, page: &Page) -> Result<Value, ApiError> {
    let before = page.before.clone().map_or(SqlValue::Null, SqlValue::Text);
    let rows = db.query(LIST_SQL, &[SqlValue::Text(user_id.into()), before, SqlValue::Int(page.limit)])?;
    let attempts = rows.iter().map(|r| attempt_json(&r)).collect::<Result<Vec<Value>, DbError>>()?;
    let next = (attempts.len() as i64 == page.limit).then(|| attempts.last().map(|a| a["id"].clone())).flatten();
    Ok(json!({ "copyAttempts": attempts, "nextBefore": next }))
}

/// One row as the API shows it: decimals as strings, amounts in dollars, times ISO-8601 UTC.
fn attempt_json(row: &Row<'_>) -> Result<Value, DbError> {
    let time = |c: &str| row.int(c).map(|ms| Timestamp::from_millis(ms).to_string());
    let order = match row.opt_text("order_id")? {
        None => Value::Null,
        Some(id) => json!({
            "id": id,
            "status": row.text("order_status")?,
            "orderHash": row.text("order_hash")?,
            "clobOrderId": row.opt_text("clob_order_id")?,
        }),
    };
    Ok(json!({
        "id": row.text("id")?,
        "copyProfileId": row.opt_text("copy_profile_id")?,
        "status": row.text("status")?,
        "skipReason": row.opt_text("skip_reason")?,
        "side": row.opt_text("side")?,
        "size": row.opt_decimal("size")?,
        "price": row.opt_decimal("price")?,
        "amountUsd": row.opt_int("amount")?.map(|u| format_micro(i128::from(u))),
        "errorCode": row.opt_text("error_code")?,
        "createdAt": time("created_at_ms")?,
        "leaderEvent": {
            "id": row.text("event_id")?,
            "leaderAddress": row.text("leader_address")?,
            "side": row.text("event_side")?,
            "size": row.opt_decimal("event_size")?,
            "price": row.opt_decimal("event_price")?,
            "marketSlug": row.opt_text("market_slug")?,
            "asset": row.text("asset")?,
            "transactionHash": row.text("transaction_hash")?,
            "tradedAt": time("traded_at_ms")?,
        },
        "order": order,
    }))
}

/// `GET /copy-attempts`.
pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.require_method(&["GET"])?;
    let page = parse_page(request)?;
    let user = authenticate(platform, request)?;
    Ok(Response::json(200, &list(platform.db(), &user.id, &page)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(query: &str) -> Result<Page, ApiError> {
        parse_page(&Request { query: query.into(), ..Request::default() })
    }

    #[test]
    fn paging_parameters_are_checked() {
        let id = "0B2C6A1E-5D7F-4C3A-9E8B-1F2A3B4C5D6E";
        assert_eq!(page("").unwrap(), Page { limit: 20, before: None });
        assert_eq!(
            page(&format!("limit=5&before={id}")).unwrap(),
            Page { limit: 5, before: Some(id.to_ascii_lowercase()) }
        );
        for bad in
            ["limit=0", "limit=101", "limit=x", "limit=", "before=", "page=2", "before=garbage", "limit=1&limit=2"]
        {
            assert!(page(bad).is_err(), "{bad}");
        }
        assert!(page("limit=0").unwrap_err().message.starts_with("`limit`"));
        assert!(page("before=garbage").unwrap_err().message.starts_with("`before`"));
    }
}

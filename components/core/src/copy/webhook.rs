//! `POST /webhooks/leader-trades`: pushed leader fills (the Data API's trade objects under
//! `trades`), authenticated by an HMAC over the timestamp and the exact body, recorded once per
//! fill like polled ones, then executed at once so a pushed fill does not wait for the next
//! tick. Polling stays the fallback: a fill the push missed is recorded by the poller.
//!
//! Headers: `X-Mirror-Timestamp` (Unix seconds, within 5 minutes of now) and
//! `X-Mirror-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::execute::run_pass;
use super::ingest::{record, Source};
use super::trades::{parse_trade, LeaderTrade};
use crate::api::{invalid, quoted, ApiError, ErrorCode, Request, Response};
use crate::ports::Platform;
use crate::settings;

/// How far the sender's timestamp may be from ours.
const MAX_SKEW_SECS: u64 = 300;
/// Most fills one delivery may carry, and the body that can hold them.
const MAX_TRADES: usize = 500;
const MAX_BODY_BYTES: usize = 512 * 1024;

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.require_method(&["POST"])?;
    request.query_params(&[])?;
    if request.body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge, format!("body exceeds {MAX_BODY_BYTES} bytes")));
    }
    let secret = settings::text(platform.config(), settings::LEADER_WEBHOOK_SECRET)?;
    verify(request, secret.as_bytes(), platform.clock().now_ms() / 1000)?;

    let body: Value = serde_json::from_slice(&request.body)
        .map_err(|_| ApiError::new(ErrorCode::ValidationError, "malformed JSON"))?;
    let Some(object) = body.as_object() else { return Err(invalid("trades", "body must be an object")) };
    if let Some(unknown) = object.keys().find(|k| *k != "trades") {
        return Err(invalid(&quoted(unknown), "unknown field"));
    }
    let items = object.get("trades").and_then(Value::as_array).ok_or_else(|| invalid("trades", "must be an array"))?;
    if items.is_empty() || items.len() > MAX_TRADES {
        return Err(invalid("trades", "must hold 1 to 500 trades"));
    }
    let trades = parse_all(items)?;

    let recorded = record(platform.db(), &trades, Source::Webhook)?;
    let executed =
        if recorded.event_ids.is_empty() { None } else { Some(run_pass(platform, Some(&recorded.event_ids)).await?) };
    Ok(Response::json(200, &json!({ "received": trades.len(), "recorded": recorded, "executed": executed })))
}

/// Most bad trades one refusal names.
const NAMED_REFUSALS: usize = 10;

/// Every trade, or a refusal naming the bad ones: a delivery is recorded whole or not at all, so
/// the sender's corrected redelivery records each fill once. Validation admits only what the
/// schema stores, so a delivery it passes cannot fail in Postgres (where a 503 would have the
/// sender retry it forever); polling stays the fallback for the fills of a refused delivery.
fn parse_all(items: &[Value]) -> Result<Vec<LeaderTrade>, ApiError> {
    let (trades, refused): (Vec<_>, Vec<_>) =
        items.iter().enumerate().map(|(i, t)| parse_trade(i, t)).partition(Result::is_ok);
    if refused.is_empty() {
        return Ok(trades.into_iter().flatten().collect());
    }
    let mut named: Vec<String> =
        refused.iter().take(NAMED_REFUSALS).filter_map(|r| r.as_ref().err()).map(ToString::to_string).collect();
    if refused.len() > NAMED_REFUSALS {
        named.push(format!("and {} more", refused.len() - NAMED_REFUSALS));
    }
    Err(ApiError::new(ErrorCode::ValidationError, format!("nothing recorded: {}", named.join("; "))))
}

/// Checks the delivery's signature and freshness; UNAUTHORIZED without saying which part failed.
fn verify(request: &Request, secret: &[u8], now_secs: i64) -> Result<(), ApiError> {
    let denied = || ApiError::new(ErrorCode::Unauthorized, "webhook signature missing or invalid");
    let timestamp = request.header("x-mirror-timestamp").ok_or_else(denied)?.trim();
    let sent_at: i64 = timestamp.parse().map_err(|_| denied())?;
    if now_secs.abs_diff(sent_at) > MAX_SKEW_SECS {
        return Err(denied());
    }
    let signature = request.header("x-mirror-signature").ok_or_else(denied)?.trim();
    let hex_signature = signature.strip_prefix("sha256=").unwrap_or(signature);
    let expected = alloy_primitives::hex::decode(hex_signature).map_err(|_| denied())?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| denied())?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&request.body);
    mac.verify_slice(&expected).map_err(|_| denied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(body: &[u8], secret: &[u8], timestamp: &str) -> Request {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        let signature = alloy_primitives::hex::encode(mac.finalize().into_bytes());
        Request {
            method: "POST".into(),
            headers: vec![
                ("x-mirror-timestamp".into(), timestamp.into()),
                ("x-mirror-signature".into(), format!("sha256={signature}")),
            ],
            body: body.to_vec(),
            ..Request::default()
        }
    }

    /// `now - sent_at` once overflowed to i64::MIN, whose abs() is negative: inside the window.
    #[test]
    fn freshness_cannot_be_overflowed_into_the_window() {
        let now: i64 = 1_796_151_851;
        assert_eq!(now.wrapping_add(i64::MIN), -9_223_372_035_058_623_957, "the attack's value, at its second");
        for sent_at in [now.wrapping_add(i64::MIN), i64::MIN, i64::MAX] {
            let timestamp = sent_at.to_string();
            assert!(verify(&signed(b"{}", b"s3cret", &timestamp), b"s3cret", now).is_err(), "{timestamp}");
        }
    }

    #[test]
    fn a_refusal_names_every_bad_trade_up_to_ten() {
        let err = parse_all(&vec![serde_json::json!({}); 12]).unwrap_err();
        assert!(
            err.message.starts_with("nothing recorded: `trades[0].proxyWallet` is missing or invalid; `trades[1]"),
            "{}",
            err.message
        );
        assert!(err.message.ends_with("; and 2 more"), "{}", err.message);
    }

    #[test]
    fn accepts_its_own_signature_and_nothing_else() {
        let ok = signed(b"{\"trades\":[]}", b"s3cret", "1000");
        assert!(verify(&ok, b"s3cret", 1000).is_ok());
        assert!(verify(&ok, b"other", 1000).is_err());
        let mut altered = ok.clone();
        altered.body.push(b' ');
        assert!(verify(&altered, b"s3cret", 1000).is_err());
        assert!(verify(&ok, b"s3cret", 1000 + MAX_SKEW_SECS as i64 + 1).is_err());
        let mut unsigned = ok.clone();
        unsigned.headers.retain(|(n, _)| n != "x-mirror-signature");
        assert!(verify(&unsigned, b"s3cret", 1000).is_err());
    }
}

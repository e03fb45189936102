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
use super::trades::parse_trade;
use crate::api::{invalid, ApiError, ErrorCode, Request, Response};
use crate::ports::Platform;
use crate::settings;

/// How far the sender's timestamp may be from ours.
const MAX_SKEW_SECS: i64 = 300;
/// Most fills one delivery may carry, and the body that can hold them.
const MAX_TRADES: usize = 500;
const MAX_BODY_BYTES: usize = 512 * 1024;

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    if request.method != "POST" {
        return Err(ApiError::new(ErrorCode::MethodNotAllowed, "use POST"));
    }
    if request.body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge, format!("body exceeds {MAX_BODY_BYTES} bytes")));
    }
    let secret = settings::text(platform.config(), settings::LEADER_WEBHOOK_SECRET)?;
    verify(request, secret.as_bytes(), platform.clock().now_ms() / 1000)?;

    let body: Value = serde_json::from_slice(&request.body)
        .map_err(|_| ApiError::new(ErrorCode::ValidationError, "malformed JSON"))?;
    let Some(object) = body.as_object() else { return Err(invalid("trades", "body must be an object")) };
    if let Some(unknown) = object.keys().find(|k| *k != "trades") {
        return Err(ApiError::new(ErrorCode::ValidationError, format!("`{unknown}`: unknown field")));
    }
    let items = object.get("trades").and_then(Value::as_array).ok_or_else(|| invalid("trades", "must be an array"))?;
    if items.is_empty() || items.len() > MAX_TRADES {
        return Err(invalid("trades", "must hold 1 to 500 trades"));
    }
    let trades = items
        .iter()
        .enumerate()
        .map(|(i, t)| parse_trade(i, t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::new(ErrorCode::ValidationError, e.to_string()))?;

    let recorded = record(platform.db(), &trades, Source::Webhook)?;
    let executed = if recorded.event_ids.is_empty() { None } else { Some(run_pass(platform, Some(&recorded.event_ids)).await?) };
    Ok(Response::json(200, &json!({ "received": trades.len(), "recorded": recorded, "executed": executed })))
}

/// Checks the delivery's signature and freshness; UNAUTHORIZED without saying which part failed.
fn verify(request: &Request, secret: &[u8], now_secs: i64) -> Result<(), ApiError> {
    let denied = || ApiError::new(ErrorCode::Unauthorized, "webhook signature missing or invalid");
    let timestamp = request.header("x-mirror-timestamp").ok_or_else(denied)?.trim();
    let sent_at: i64 = timestamp.parse().map_err(|_| denied())?;
    if (now_secs - sent_at).abs() > MAX_SKEW_SECS {
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

    #[test]
    fn accepts_its_own_signature_and_nothing_else() {
        let ok = signed(b"{\"trades\":[]}", b"s3cret", "1000");
        assert!(verify(&ok, b"s3cret", 1000).is_ok());
        assert!(verify(&ok, b"other", 1000).is_err());
        let mut altered = ok.clone();
        altered.body.push(b' ');
        assert!(verify(&altered, b"s3cret", 1000).is_err());
        assert!(verify(&ok, b"s3cret", 1000 + MAX_SKEW_SECS + 1).is_err());
        let mut unsigned = ok.clone();
        unsigned.headers.retain(|(n, _)| n != "x-mirror-signature");
        assert!(verify(&unsigned, b"s3cret", 1000).is_err());
    }
}

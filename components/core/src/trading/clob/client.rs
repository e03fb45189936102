//! Polymarket's CLOB over the Http port: market data, L1 key derivation, L2-authenticated
//! balance, order posting and order status. Every answer is classified once: an availability
//! failure (feeds the Polymarket breaker, worth retrying) or an answer (a rejection is one).

use std::time::Duration;

use alloy_primitives::Address;
use serde_json::Value;

use crate::money::json_micro;
use crate::orders::{l2_headers, ApiCredentials, TickSize};
use crate::ports::{Http, HttpRequest, HttpResponse};

/// Why a CLOB call did not give the answer asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClobError {
    /// 5xx, 429, timeout, no connection or a body the CLOB would never send: try later.
    Unavailable { detail: String, retry_after_ms: Option<i64> },
    /// The order was signed for another exchange version (`order_version_mismatch`).
    VersionMismatch,
    /// The CLOB already has an order with this hash: a re-post of an order it accepted.
    Duplicate,
    /// A definite refusal, with the CLOB's message.
    Rejected { status: u16, message: String },
}

impl ClobError {
    pub fn is_availability_failure(&self) -> bool {
        matches!(self, ClobError::Unavailable { .. })
    }

    /// The wait the CLOB asked for, if any.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            ClobError::Unavailable { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ClobError::Unavailable { .. } => "CLOB_UNAVAILABLE",
            ClobError::VersionMismatch => "ORDER_VERSION_MISMATCH",
            ClobError::Duplicate => "DUPLICATE_ORDER",
            ClobError::Rejected { .. } => "CLOB_REJECTED",
        }
    }

    pub fn message(&self) -> String {
        match self {
            ClobError::Unavailable { detail, .. } => format!("CLOB unavailable: {detail}"),
            ClobError::VersionMismatch => "order signed for another exchange version".into(),
            ClobError::Duplicate => "order already on the CLOB".into(),
            ClobError::Rejected { status, message } => format!("CLOB refused ({status}): {message}"),
        }
    }
}

/// The top of a token's book and its trading rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Book {
    pub tick_size: TickSize,
    pub neg_risk: bool,
    /// Smallest order, in share micro-units.
    pub min_order_size: i128,
    /// Best bid and best ask prices, in micro-units.
    pub best_bid: Option<i128>,
    pub best_ask: Option<i128>,
}

/// Balance kinds of `GET /balance-allowance`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BalanceAsset {
    Collateral,
    Conditional(String),
}

/// An order as the CLOB reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteOrder {
    /// LIVE, MATCHED, CANCELED, ... as the CLOB says it.
    pub status: String,
    pub size_matched: Option<i128>,
    pub original_size: Option<i128>,
}

/// What `POST /order` answered when it took the order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posted {
    pub order_id: String,
    /// `live`, `matched`, `delayed`, `unmatched`.
    pub status: String,
}

/// One CLOB endpoint set, as configured.
pub struct Clob<'a, H: Http> {
    pub http: &'a H,
    pub base_url: String,
    pub timeout: Duration,
}

impl<H: Http> Clob<'_, H> {
    /// `GET /book?token_id=`: tick size, neg-risk, minimum size and the top of the book.
    pub async fn book(&self, token_id: &str) -> Result<Book, ClobError> {
        let body = self.get_json(&format!("/book?token_id={token_id}"), Vec::new()).await?;
        let garbage = |what: &str| unavailable(format!("book: {what}"));
        let tick_text = text_of(&body["tick_size"]).ok_or_else(|| garbage("tick_size"))?;
        let tick_size: TickSize = tick_text.parse().map_err(|_| garbage("tick_size"))?;
        let min_order_size = json_micro(&body["min_order_size"]).ok_or_else(|| garbage("min_order_size"))?;
        let prices = |side: &str| -> Vec<i128> {
            body[side]
                .as_array()
                .map(|levels| levels.iter().filter_map(|l| json_micro(&l["price"])).collect())
                .unwrap_or_default()
        };
        Ok(Book {
            tick_size,
            neg_risk: body["neg_risk"].as_bool().unwrap_or(false),
            min_order_size,
            best_bid: prices("bids").into_iter().max(),
            best_ask: prices("asks").into_iter().min(),
        })
    }

    /// `GET /version`: the exchange version orders must be signed for.
    pub async fn version(&self) -> Result<u64, ClobError> {
        let body = self.get_json("/version", Vec::new()).await?;
        body.get("version")
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
            .or_else(|| body.as_u64())
            .ok_or_else(|| unavailable("version: no version".into()))
    }

    /// `POST /auth/api-key` (create) with L1 headers; `GET /auth/derive-api-key` when the key
    /// exists already.
    pub async fn create_or_derive_api_key(
        &self,
        l1_headers: Vec<(String, String)>,
    ) -> Result<ApiCredentials, ClobError> {
        let created = self.send("POST", "/auth/api-key", l1_headers.clone(), Vec::new()).await;
        let body = match created {
            Ok(body) => body,
            Err(ClobError::Rejected { .. }) => self.get_json("/auth/derive-api-key", l1_headers).await?,
            Err(other) => return Err(other),
        };
        let field =
            |name: &str| body[name].as_str().map(str::to_string).ok_or_else(|| unavailable(format!("api key: {name}")));
        Ok(ApiCredentials { api_key: field("apiKey")?, secret: field("secret")?, passphrase: field("passphrase")? })
    }

    /// `GET /balance-allowance` (L2): the balance in micro-units.
    pub async fn balance(
        &self,
        creds: &ApiCredentials,
        address: Address,
        asset: &BalanceAsset,
        signature_type: u8,
        now_secs: u64,
    ) -> Result<i128, ClobError> {
        let query = match asset {
            BalanceAsset::Collateral => format!("asset_type=COLLATERAL&signature_type={signature_type}"),
            BalanceAsset::Conditional(token) => {
                format!("asset_type=CONDITIONAL&token_id={token}&signature_type={signature_type}")
            }
        };
        let headers = self.l2(creds, address, now_secs, "GET", "/balance-allowance", b"")?;
        let body = self.get_json(&format!("/balance-allowance?{query}"), headers).await?;
        // The balance is in raw units (6 decimals): raw units are micro-units.
        text_of(&body["balance"])
            .and_then(|b| b.parse::<i128>().ok())
            .ok_or_else(|| unavailable("balance: no balance".into()))
    }

    /// `POST /order` (L2) with the exact body bytes the HMAC covers.
    pub async fn post_order(
        &self,
        creds: &ApiCredentials,
        address: Address,
        body: &Value,
        now_secs: u64,
    ) -> Result<Posted, ClobError> {
        let bytes = body.to_string().into_bytes();
        let headers = self.l2(creds, address, now_secs, "POST", "/order", &bytes)?;
        let answer = self.send("POST", "/order", headers, bytes).await?;
        if answer["success"].as_bool() == Some(false) {
            return Err(refusal(400, &answer));
        }
        let order_id = answer["orderID"].as_str().filter(|s| !s.is_empty());
        match order_id {
            Some(id) => {
                Ok(Posted { order_id: id.to_string(), status: answer["status"].as_str().unwrap_or("live").to_string() })
            }
            None => Err(unavailable("order: no orderID".into())),
        }
    }

    /// `GET /data/order/{id}` (L2); `None` when the CLOB does not know the order.
    pub async fn order_status(
        &self,
        creds: &ApiCredentials,
        address: Address,
        order_id: &str,
        now_secs: u64,
    ) -> Result<Option<RemoteOrder>, ClobError> {
        let path = format!("/data/order/{order_id}");
        let headers = self.l2(creds, address, now_secs, "GET", &path, b"")?;
        match self.get_json(&path, headers).await {
            Ok(body) if body.is_null() || body.as_object().is_some_and(|o| o.is_empty()) => Ok(None),
            Ok(body) => Ok(Some(RemoteOrder {
                status: body["status"].as_str().unwrap_or("").to_ascii_uppercase(),
                size_matched: json_micro(&body["size_matched"]),
                original_size: json_micro(&body["original_size"]),
            })),
            Err(ClobError::Rejected { status: 404, .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    fn l2(
        &self,
        creds: &ApiCredentials,
        address: Address,
        now_secs: u64,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<Vec<(String, String)>, ClobError> {
        l2_headers(creds, address, now_secs, method, path, body)
            .map_err(|e| ClobError::Rejected { status: 0, message: format!("cannot sign the request: {e}") })
    }

    async fn get_json(&self, path_and_query: &str, headers: Vec<(String, String)>) -> Result<Value, ClobError> {
        self.send("GET", path_and_query, headers, Vec::new()).await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<Value, ClobError> {
        let mut request = HttpRequest { method: method.into(), url: format!("{}{path}", self.base_url), headers, body };
        if !request.body.is_empty() {
            request.headers.push(("content-type".into(), "application/json".into()));
        }
        let response = self.http.send(request, self.timeout).await.map_err(|e| unavailable(e.to_string()))?;
        classify(response)
    }
}

fn classify(response: HttpResponse) -> Result<Value, ClobError> {
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    match response.status {
        200..=299 => body.ok_or_else(|| unavailable("a body that is not JSON".into())),
        429 => Err(ClobError::Unavailable {
            detail: "rate limited (429)".into(),
            retry_after_ms: retry_after_ms(&response.headers),
        }),
        500..=599 => Err(ClobError::Unavailable { detail: format!("HTTP {}", response.status), retry_after_ms: None }),
        status => Err(refusal(status, &body.unwrap_or(Value::Null))),
    }
}

/// A refusal, recognising the two the pipeline acts on.
fn refusal(status: u16, body: &Value) -> ClobError {
    let message = body["error"].as_str().or_else(|| body["errorMsg"].as_str()).unwrap_or("").to_string();
    let lower = message.to_ascii_lowercase();
    if lower.contains("order_version_mismatch") {
        ClobError::VersionMismatch
    } else if lower.contains("duplicate") {
        ClobError::Duplicate
    } else {
        ClobError::Rejected { status, message: message.chars().take(300).collect() }
    }
}

fn unavailable(detail: String) -> ClobError {
    ClobError::Unavailable { detail, retry_after_ms: None }
}

fn retry_after_ms(headers: &[(String, String)]) -> Option<i64> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .map(|secs| secs.saturating_mul(1000))
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

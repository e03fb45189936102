//! What the CLOB checks before it takes an order, in its order, with its error texts (from
//! Polymarket's error-code reference): owner and signer belong to the API key, the market
//! exists, the signature is valid for the configured exchange version, the order is new, its
//! amounts fit the tick size and minimum size, the maker can pay, and the order type's rules
//! about crossing the book hold.

use std::time::Instant;

use serde_json::{json, Value};

use super::decimal::from_raw;
use super::market::{AmountError, Market};
use super::order::{exchange_domain, order_hash, NewOrder};
use super::signature::order_signature_valid;
use super::state::{now_secs, IssuedKey, OrderRecord, Shared};
use super::{AcceptedOrder, BalanceAsset};

/// A refusal: HTTP status and the real CLOB's message.
pub(crate) struct Refusal {
    pub status: u16,
    pub message: String,
}

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal { status: 400, message: message.into() }
}

/// Places one order element of a `POST /order(s)` body for `key`; the answer is the real
/// CLOB's success object.
pub(crate) async fn place(shared: &Shared, key: &IssuedKey, body: &Value) -> Result<Value, Refusal> {
    let new = NewOrder::parse(body).ok_or_else(|| refuse("Invalid order payload"))?;
    if new.owner != key.creds.api_key {
        return Err(refuse("the order owner has to be the owner of the API KEY"));
    }
    if new.order.signer != key.address && !owner_signs_for_wallet(shared, key, &new).await {
        return Err(refuse("the order signer address has to be the address of the API KEY"));
    }
    if new.post_only && !matches!(new.order_type.as_str(), "GTC" | "GTD") {
        return Err(refuse("Invalid order payload"));
    }
    let market = shared.state.lock().unwrap().markets.get(&new.token_id).cloned();
    let market = market.ok_or(Refusal { status: 404, message: "market not found".into() })?;
    let hash = verified_hash(shared, &new, &market).await?;
    let id = hash.to_string();
    let (collateral, shares) = new.collateral_and_shares().ok_or_else(|| refuse("Invalid order payload"))?;
    if shared.state.lock().unwrap().records.contains_key(&id) {
        return Err(refuse(format!("order {id} is invalid. Duplicated.")));
    }
    market.check_amounts(collateral, shares).map_err(|e| match e {
        AmountError::OffTick { price } => refuse(format!(
            "order {id} is invalid. Price ({price}) breaks minimum tick size rule: {}",
            market.tick_size
        )),
        AmountError::BelowMinimum { size } => refuse(format!(
            "order {id} is invalid. Size ({size}) lower than the minimum: {}",
            from_raw(market.min_order_size)
        )),
    })?;
    if new.order_type == "GTD" && new.expiration <= now_secs() {
        return Err(refuse("invalid expiration"));
    }
    let crosses = market.crosses(new.is_buy(), collateral, shares);
    match (new.order_type.as_str(), crosses) {
        (_, true) if new.post_only => return Err(refuse("invalid post-only order: order crosses book")),
        ("FOK", false) => return Err(refuse("order couldn't be fully filled. FOK orders are fully filled or killed.")),
        ("FAK", false) => return Err(refuse(
            "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.",
        )),
        _ => {}
    }
    accept(shared, key, body, &new, &id, (collateral, shares), crosses)
}

/// A POLY_1271 order whose signer is a contract wallet may go under the API key of the wallet's
/// owner: Polymarket's clients derive every key for the signing EOA (L1 and L2 `POLY_ADDRESS`
/// are always the EOA), and for a deposit wallet the order's signer is the wallet. The CLOB is
/// taken to accept the owner's key when the wallet itself names that owner on chain.
async fn owner_signs_for_wallet(shared: &Shared, key: &IssuedKey, new: &NewOrder) -> bool {
    match shared.rpc.as_ref() {
        Some(rpc) if new.order.signatureType == 3 => rpc.owns(new.order.signer, key.address).await,
        _ => false,
    }
}

/// The order hash, once the signature verifies under the configured exchange version. A
/// signature valid only under the other version is the real CLOB's `order_version_mismatch`,
/// which tells clients to re-read `/version` and sign again.
async fn verified_hash(shared: &Shared, new: &NewOrder, market: &Market) -> Result<alloy_primitives::B256, Refusal> {
    let chain_id = shared.config.chain_id;
    let version = shared.exchange_version.load(std::sync::atomic::Ordering::SeqCst);
    let o = &new.order;
    let valid = |version: u8| {
        let hash = order_hash(o, &exchange_domain(chain_id, version, market.neg_risk));
        async move {
            let ok = order_signature_valid(
                o.signatureType,
                o.maker,
                o.signer,
                hash,
                &new.signature,
                shared.rpc.as_ref(),
                shared.config.safe_factory,
            )
            .await;
            ok.then_some(hash)
        }
    };
    if let Some(hash) = valid(version).await {
        return Ok(hash);
    }
    let other = if version == 3 { 2 } else { 3 };
    match valid(other).await {
        Some(_) => Err(refuse("order_version_mismatch")),
        None => Err(refuse("invalid signature")),
    }
}

/// Checks the maker's balance net of its live orders, then books the order.
fn accept(
    shared: &Shared,
    key: &IssuedKey,
    body: &Value,
    new: &NewOrder,
    id: &str,
    (collateral, shares): (u64, u64),
    matched: bool,
) -> Result<Value, Refusal> {
    let maker = new.order.maker;
    let buy = new.is_buy();
    let asset = if buy { BalanceAsset::Collateral } else { BalanceAsset::Conditional(new.token_id.clone()) };
    let mut state = shared.state.lock().unwrap();
    let reserved: u64 = state
        .accepted
        .iter()
        .filter(|o| o.maker == maker && (o.side == "BUY") == buy && (buy || o.token_id == new.token_id))
        .filter(|o| state.records.get(&o.order_hash).is_some_and(|r| r.status == "LIVE"))
        .map(|o| o.maker_amount)
        .sum();
    let balance = state.balance(&shared.config, maker, asset);
    let needed = if buy { collateral } else { shares };
    if balance < reserved.saturating_add(needed) {
        return Err(refuse("not enough balance / allowance"));
    }
    state.accepted.push(AcceptedOrder {
        order_hash: id.to_owned(),
        owner_api_key: key.creds.api_key.clone(),
        maker,
        signer: new.order.signer,
        token_id: new.token_id.clone(),
        maker_amount: needed,
        taker_amount: if buy { shares } else { collateral },
        side: if buy { "BUY" } else { "SELL" }.to_owned(),
        signature_type: new.order.signatureType,
        order_type: new.order_type.clone(),
        body: body.clone(),
        received_at: Instant::now(),
    });
    state.records.insert(
        id.to_owned(),
        OrderRecord {
            status: if matched { "MATCHED" } else { "LIVE" }.to_owned(),
            size_matched: if matched { shares } else { 0 },
            shares,
            collateral,
            created_at: now_secs(),
            expiration: new.expiration,
        },
    );
    // A resting order reports no amounts; a matched one what changed hands (here: all of it).
    let (making, taking, status) = match (matched, buy) {
        (false, _) => (String::new(), String::new(), "live"),
        (true, true) => (from_raw(collateral), from_raw(shares), "matched"),
        (true, false) => (from_raw(shares), from_raw(collateral), "matched"),
    };
    let transactions: Vec<String> =
        if matched { vec![alloy_primitives::keccak256(id.as_bytes()).to_string()] } else { Vec::new() };
    Ok(json!({
        "success": true,
        "errorMsg": "",
        "orderID": id,
        "status": status,
        "makingAmount": making,
        "takingAmount": taking,
        "transactionsHashes": transactions,
        "tradeIDs": [],
    }))
}

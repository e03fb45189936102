//! The fake Polymarket over real HTTP: what it accepts and refuses, and its hashing anchored to
//! vectors computed with the reference client `@polymarket/clob-client-v2` 1.1.0 (and viem for
//! the Safe address), so it checks Mirror's order code against Polymarket rather than itself.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alloy_primitives::{address, b256, keccak256, Address, B256, U256};
use alloy_sol_types::SolValue;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use k256::ecdsa::SigningKey;
use mirror_fakes::polymarket::{
    clob_auth_hash, exchange_domain, l2_signature, order_hash, safe_of, ApiCreds, BalanceAsset, Endpoint,
    FakePolymarket, FakePolymarketConfig, Order,
};
use mirror_fakes::{Behaviour, LocalChain};
use serde_json::{json, Value};

const TOKEN: &str = "1234";
const ZERO32: &str = "0x0000000000000000000000000000000000000000000000000000000000000000";

/// A local key that signs prehashed EIP-712 digests as `r ‖ s ‖ v` with v 27/28.
struct Wallet {
    key: SigningKey,
    address: Address,
}

impl Wallet {
    fn new(secret: B256) -> Wallet {
        let key = SigningKey::from_bytes(&secret.0.into()).expect("key");
        let point = key.verifying_key().to_encoded_point(false);
        let address = Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..]);
        Wallet { key, address }
    }

    /// Hardhat/anvil's first dev key, 0xf39F…2266 — the key the reference vectors use.
    fn anvil0() -> Wallet {
        Wallet::new(b256!("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"))
    }

    fn numbered(n: u8) -> Wallet {
        Wallet::new(B256::with_last_byte(n))
    }

    fn sign(&self, hash: B256) -> Vec<u8> {
        let (signature, recovery) = self.key.sign_prehash_recoverable(hash.as_slice()).expect("sign");
        let mut bytes = signature.to_bytes().to_vec();
        bytes.push(27 + recovery.to_byte());
        bytes
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", alloy_primitives::hex::encode(bytes))
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    json: Value,
}

async fn send(method: Method, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Answer {
    let mut request = Request::builder().method(method).uri(url).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let client = Client::builder(TokioExecutor::new()).build_http::<Body>();
    let response = client.request(request.body(Body::from(body)).unwrap()).await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, json: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
}

/// L1 headers proving `address` (an EOA, or a Safe when `signer` is its owner and the
/// signature is wrapped as a Safe message).
fn l1_headers(address: Address, signature: Vec<u8>, timestamp: u64) -> Vec<(&'static str, String)> {
    vec![
        ("POLY_ADDRESS", address.to_string()),
        ("POLY_SIGNATURE", hex(&signature)),
        ("POLY_TIMESTAMP", timestamp.to_string()),
        ("POLY_NONCE", "0".to_owned()),
    ]
}

async fn create_key(fake: &FakePolymarket, wallet: &Wallet) -> ApiCreds {
    let ts = now();
    let signature = wallet.sign(clob_auth_hash(137, wallet.address, &ts.to_string(), U256::ZERO));
    let answer = send(
        Method::POST,
        &format!("{}/auth/api-key", fake.clob_url()),
        &l1_headers(wallet.address, signature, ts),
        vec![],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    creds(&answer.json)
}

fn creds(json: &Value) -> ApiCreds {
    ApiCreds {
        api_key: json["apiKey"].as_str().unwrap().to_owned(),
        secret: json["secret"].as_str().unwrap().to_owned(),
        passphrase: json["passphrase"].as_str().unwrap().to_owned(),
    }
}

fn l2_headers(
    address: Address,
    creds: &ApiCreds,
    method: &str,
    path: &str,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let ts = now().to_string();
    vec![
        ("POLY_ADDRESS", address.to_string()),
        ("POLY_SIGNATURE", l2_signature(&creds.secret, &ts, method, path, body)),
        ("POLY_TIMESTAMP", ts),
        ("POLY_API_KEY", creds.api_key.clone()),
        ("POLY_PASSPHRASE", creds.passphrase.clone()),
    ]
}

/// An order of `shares` at `collateral` (raw units) for `maker`, signed by `signer_address`.
fn order(
    maker: Address,
    signer: Address,
    buy: bool,
    collateral: u64,
    shares: u64,
    signature_type: u8,
    salt: u64,
) -> Order {
    let (maker_amount, taker_amount) = if buy { (collateral, shares) } else { (shares, collateral) };
    Order {
        salt: U256::from(salt),
        maker,
        signer,
        tokenId: TOKEN.parse().unwrap(),
        makerAmount: U256::from(maker_amount),
        takerAmount: U256::from(taker_amount),
        side: if buy { 0 } else { 1 },
        signatureType: signature_type,
        timestamp: U256::from(now() * 1000),
        metadata: B256::ZERO,
        builder: B256::ZERO,
    }
}

/// The `POST /order` body the TypeScript client v2 sends.
fn order_body(order: &Order, signature: &[u8], owner: &str, order_type: &str) -> Value {
    json!({
        "deferExec": false,
        "postOnly": false,
        "order": {
            "salt": order.salt.to::<u64>(),
            "maker": order.maker.to_string(),
            "signer": order.signer.to_string(),
            "tokenId": order.tokenId.to_string(),
            "makerAmount": order.makerAmount.to_string(),
            "takerAmount": order.takerAmount.to_string(),
            "side": if order.side == 0 { "BUY" } else { "SELL" },
            "signatureType": order.signatureType,
            "timestamp": order.timestamp.to_string(),
            "expiration": "0",
            "metadata": ZERO32,
            "builder": ZERO32,
            "signature": hex(signature),
        },
        "owner": owner,
        "orderType": order_type,
    })
}

fn v2_hash(order: &Order) -> B256 {
    order_hash(order, &exchange_domain(137, 2, false))
}

async fn post_order(fake: &FakePolymarket, address: Address, creds: &ApiCreds, body: &Value) -> Answer {
    let bytes = serde_json::to_vec(body).unwrap();
    let headers = l2_headers(address, creds, "POST", "/order", &bytes);
    send(Method::POST, &format!("{}/order", fake.clob_url()), &headers, bytes).await
}

/// A fake with one 0.01-tick market (min size 5, best bid 0.48, best ask 0.52) and a funded
/// EOA holding an API key.
async fn funded_eoa() -> (FakePolymarket, Wallet, ApiCreds) {
    let fake = FakePolymarket::start(FakePolymarketConfig::default()).await;
    fake.add_market(TOKEN, "0.01", false, "5", &[("0.48", "100")], &[("0.52", "100")]);
    let wallet = Wallet::numbered(7);
    fake.set_balance(wallet.address, BalanceAsset::Collateral, 1_000_000_000);
    let creds = create_key(&fake, &wallet).await;
    (fake, wallet, creds)
}

/// A resting BUY of 10 shares at 0.50, signed as type 0.
fn resting_buy(wallet: &Wallet, creds: &ApiCreds, salt: u64) -> (Order, Value) {
    let order = order(wallet.address, wallet.address, true, 5_000_000, 10_000_000, 0, salt);
    let body = order_body(&order, &wallet.sign(v2_hash(&order)), &creds.api_key, "GTC");
    (order, body)
}

#[test]
fn order_hashes_and_signatures_match_the_reference_client() {
    let wallet = Wallet::anvil0();
    let order = Order {
        salt: U256::from(12345),
        maker: wallet.address,
        signer: wallet.address,
        tokenId: U256::from(1234),
        makerAmount: U256::from(5_000_000),
        takerAmount: U256::from(10_000_000),
        side: 0,
        signatureType: 0,
        timestamp: U256::from(1_700_000_000_000u64),
        metadata: B256::ZERO,
        builder: B256::ZERO,
    };
    let cases = [
        (2, false, "0xce784de4ef263fe00ac31650a19beaae152a1f736b1d1f592fd9381fe95d549b", "0x26f297e8ebe206e031c6efcef142eb61c38914d616041979f9da8f12843fb9894d0ba118d0ec67f888ed9215bc4ac124d4d2c6548e0ecbc023bf832ec77e80901c"),
        (2, true, "0x227dd53c25f959c18bcd297bf03ea1ca494fada53ac37168e7e6e7c2a8123f45", "0x3b4609ca23caa75ec3b0f0096cd6675c1b15b12e3204d164e36c8f8ce474a4ef21c4a2309d984f3c8332b9d16b893ce5872d80b643400603507a0921897690831c"),
        (3, false, "0x24897ce3d780e21212d16e0aa4bd8ad1ec970b09d5c54a6deaaf79787774fa47", "0xa8c11ea6bb33a54be416701a26058bd593eb449aeec2c56a2fe1429491de4f7800b0b3ab553006a992bbf57658289f4fa095a1b6f571d8f0d93078f15963f5751c"),
    ];
    for (version, neg_risk, hash, signature) in cases {
        let computed = order_hash(&order, &exchange_domain(137, version, neg_risk));
        assert_eq!(computed.to_string(), hash, "version {version}, neg risk {neg_risk}");
        assert_eq!(hex(&wallet.sign(computed)), signature);
    }
}

#[test]
fn clob_auth_signature_matches_the_reference_client() {
    let wallet = Wallet::anvil0();
    let hash = clob_auth_hash(137, wallet.address, "1700000000", U256::ZERO);
    assert_eq!(
        hex(&wallet.sign(hash)),
        "0x659ed4b28ae28e0f038fdf0023c00863c9559caacb9ebc83f44eea87059a099a36f1e1dee110e7faa1c4f65d17489b2da1333ebef78bbe2116d81207b975052d1c"
    );
}

#[test]
fn l2_hmac_matches_the_reference_client() {
    let signature =
        l2_signature("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYg==", "1700000000", "POST", "/order", br#"{"a":1}"#);
    assert_eq!(signature, "QxH8hSqhFn512SMRvvsC1OAtUjpyIKtzgbrf7XMDl8A=");
}

#[test]
fn safe_address_matches_the_relayer_clients_derivation() {
    assert_eq!(safe_of(Wallet::anvil0().address), address!("d93B25cb943D14d0d34FBaF01Fc93a0f8b5F6E47"));
}

#[tokio::test]
async fn valid_type0_order_is_accepted_and_recorded() {
    let (fake, wallet, creds) = funded_eoa().await;
    let (order, body) = resting_buy(&wallet, &creds, 1);
    let answer = post_order(&fake, wallet.address, &creds, &body).await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    let hash = v2_hash(&order).to_string();
    assert_eq!(answer.json["success"], true);
    assert_eq!(answer.json["orderID"], hash.as_str());
    assert_eq!(answer.json["status"], "live");
    assert_eq!(answer.json["errorMsg"], "");
    let accepted = fake.accepted_orders();
    assert_eq!(accepted.len(), 1);
    assert_eq!((accepted[0].maker_amount, accepted[0].taker_amount), (5_000_000, 10_000_000));
    assert_eq!(accepted[0].owner_api_key, creds.api_key);
}

#[tokio::test]
async fn marketable_buy_is_matched() {
    let (fake, wallet, creds) = funded_eoa().await;
    let order = order(wallet.address, wallet.address, true, 5_200_000, 10_000_000, 0, 1);
    let body = order_body(&order, &wallet.sign(v2_hash(&order)), &creds.api_key, "FOK");
    let answer = post_order(&fake, wallet.address, &creds, &body).await;
    assert_eq!(answer.json["status"], "matched", "{}", answer.json);
    assert_eq!(answer.json["makingAmount"], "5.2");
    assert_eq!(answer.json["takingAmount"], "10");
}

#[tokio::test]
async fn tampered_amount_wrong_key_and_wrong_domain_version_are_refused() {
    let (fake, wallet, creds) = funded_eoa().await;
    let (_, mut tampered) = resting_buy(&wallet, &creds, 1);
    tampered["order"]["takerAmount"] = json!("20000000");
    let answer = post_order(&fake, wallet.address, &creds, &tampered).await;
    assert_eq!((answer.status, answer.json["error"].as_str()), (400, Some("invalid signature")));

    let order = order(wallet.address, wallet.address, true, 5_000_000, 10_000_000, 0, 2);
    let other_key = order_body(&order, &Wallet::numbered(8).sign(v2_hash(&order)), &creds.api_key, "GTC");
    let answer = post_order(&fake, wallet.address, &creds, &other_key).await;
    assert_eq!(answer.json["error"], "invalid signature");

    let v3 =
        order_body(&order, &wallet.sign(order_hash(&order, &exchange_domain(137, 3, false))), &creds.api_key, "GTC");
    let answer = post_order(&fake, wallet.address, &creds, &v3).await;
    assert_eq!(answer.json["error"], "order_version_mismatch");
    assert!(fake.accepted_orders().is_empty());
}

#[tokio::test]
async fn neg_risk_market_orders_must_be_signed_for_the_neg_risk_exchange() {
    let (fake, wallet, creds) = funded_eoa().await;
    fake.add_market(TOKEN, "0.01", true, "5", &[], &[]);
    let (order, plain) = resting_buy(&wallet, &creds, 1);
    assert_eq!(post_order(&fake, wallet.address, &creds, &plain).await.json["error"], "invalid signature");
    let neg_risk =
        order_body(&order, &wallet.sign(order_hash(&order, &exchange_domain(137, 2, true))), &creds.api_key, "GTC");
    assert_eq!(post_order(&fake, wallet.address, &creds, &neg_risk).await.status, 200);
}

#[tokio::test]
async fn duplicate_order_is_refused() {
    let (fake, wallet, creds) = funded_eoa().await;
    let (order, body) = resting_buy(&wallet, &creds, 1);
    assert_eq!(post_order(&fake, wallet.address, &creds, &body).await.status, 200);
    let again = post_order(&fake, wallet.address, &creds, &body).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.json["error"], format!("order {} is invalid. Duplicated.", v2_hash(&order)));
}

#[tokio::test]
async fn off_tick_price_and_below_minimum_size_are_refused() {
    let (fake, wallet, creds) = funded_eoa().await;
    let off_tick = order(wallet.address, wallet.address, true, 5_550_000, 10_000_000, 0, 1);
    let body = order_body(&off_tick, &wallet.sign(v2_hash(&off_tick)), &creds.api_key, "GTC");
    let answer = post_order(&fake, wallet.address, &creds, &body).await;
    let expected =
        format!("order {} is invalid. Price (0.555) breaks minimum tick size rule: 0.01", v2_hash(&off_tick));
    assert_eq!(answer.json["error"], expected);

    let small = order(wallet.address, wallet.address, true, 2_000_000, 4_000_000, 0, 2);
    let body = order_body(&small, &wallet.sign(v2_hash(&small)), &creds.api_key, "GTC");
    let answer = post_order(&fake, wallet.address, &creds, &body).await;
    let expected = format!("order {} is invalid. Size (4) lower than the minimum: 5", v2_hash(&small));
    assert_eq!(answer.json["error"], expected);
}

#[tokio::test]
async fn market_buy_amounts_rounded_by_the_client_are_on_tick() {
    let (fake, wallet, creds) = funded_eoa().await;
    // $10 at 0.52: the client sends maker 10 and taker 10/0.52 rounded down to 4 decimals.
    let order = order(wallet.address, wallet.address, true, 10_000_000, 19_230_700, 0, 1);
    let body = order_body(&order, &wallet.sign(v2_hash(&order)), &creds.api_key, "FAK");
    let answer = post_order(&fake, wallet.address, &creds, &body).await;
    assert_eq!(answer.json["status"], "matched", "{}", answer.json);
}

#[tokio::test]
async fn buy_beyond_the_balance_and_sell_without_shares_are_refused() {
    let (fake, wallet, creds) = funded_eoa().await;
    fake.set_balance(wallet.address, BalanceAsset::Collateral, 4_000_000);
    let (_, body) = resting_buy(&wallet, &creds, 1);
    assert_eq!(post_order(&fake, wallet.address, &creds, &body).await.json["error"], "not enough balance / allowance");

    let sell = order(wallet.address, wallet.address, false, 6_000_000, 10_000_000, 0, 2);
    let body = order_body(&sell, &wallet.sign(v2_hash(&sell)), &creds.api_key, "GTC");
    assert_eq!(post_order(&fake, wallet.address, &creds, &body).await.json["error"], "not enough balance / allowance");
    fake.set_balance(wallet.address, BalanceAsset::Conditional(TOKEN.into()), 10_000_000);
    assert_eq!(post_order(&fake, wallet.address, &creds, &body).await.status, 200);
}

#[tokio::test]
async fn bad_hmac_wrong_passphrase_and_altered_body_are_unauthorized() {
    let (fake, wallet, creds) = funded_eoa().await;
    let (_, body) = resting_buy(&wallet, &creds, 1);
    let bytes = serde_json::to_vec(&body).unwrap();
    let url = format!("{}/order", fake.clob_url());

    let wrong_secret = ApiCreds { secret: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYg==".into(), ..creds.clone() };
    let headers = l2_headers(wallet.address, &wrong_secret, "POST", "/order", &bytes);
    let answer = send(Method::POST, &url, &headers, bytes.clone()).await;
    assert_eq!((answer.status, answer.json["error"].as_str()), (401, Some("Unauthorized/Invalid api key")));

    let wrong_passphrase = ApiCreds { passphrase: "nope".into(), ..creds.clone() };
    let headers = l2_headers(wallet.address, &wrong_passphrase, "POST", "/order", &bytes);
    assert_eq!(send(Method::POST, &url, &headers, bytes.clone()).await.status, 401);

    let headers = l2_headers(wallet.address, &creds, "POST", "/order", &bytes);
    let mut altered = bytes.clone();
    altered.push(b' ');
    assert_eq!(send(Method::POST, &url, &headers, altered).await.status, 401);
    assert_eq!(send(Method::POST, &url, &headers, bytes).await.status, 200);
}

#[tokio::test]
async fn l1_create_then_derive_returns_the_same_credentials() {
    let fake = FakePolymarket::start(FakePolymarketConfig::default()).await;
    let wallet = Wallet::numbered(9);
    let derive_url = format!("{}/auth/derive-api-key", fake.clob_url());
    let signed = |ts: u64| wallet.sign(clob_auth_hash(137, wallet.address, &ts.to_string(), U256::ZERO));

    let before = send(Method::GET, &derive_url, &l1_headers(wallet.address, signed(now()), now()), vec![]).await;
    assert_eq!((before.status, before.json["error"].as_str()), (400, Some("Could not derive api key!")));
    let created = create_key(&fake, &wallet).await;
    assert_eq!(alloy_primitives::hex::decode(&created.passphrase).unwrap().len(), 32);
    let derived = send(Method::GET, &derive_url, &l1_headers(wallet.address, signed(now()), now()), vec![]).await;
    assert_eq!(creds(&derived.json), created);
    let again = send(
        Method::POST,
        &format!("{}/auth/api-key", fake.clob_url()),
        &l1_headers(wallet.address, signed(now()), now()),
        vec![],
    )
    .await;
    assert_eq!((again.status, again.json["error"].as_str()), (400, Some("Could not create api key")));
    assert_eq!(fake.api_keys(), vec![(wallet.address, created)]);

    let stale = now() - 3600;
    let answer = send(Method::GET, &derive_url, &l1_headers(wallet.address, signed(stale), stale), vec![]).await;
    assert_eq!((answer.status, answer.json["error"].as_str()), (401, Some("Invalid L1 Request headers")));
}

#[tokio::test]
async fn type2_order_needs_the_signers_polymarket_safe_as_maker() {
    let (fake, wallet, creds) = funded_eoa().await;
    let safe = safe_of(wallet.address);
    fake.set_balance(safe, BalanceAsset::Collateral, 100_000_000);
    let order_for = |maker: Address, salt: u64| {
        let order = order(maker, wallet.address, true, 5_000_000, 10_000_000, 2, salt);
        order_body(&order, &wallet.sign(v2_hash(&order)), &creds.api_key, "GTC")
    };
    assert_eq!(post_order(&fake, wallet.address, &creds, &order_for(safe, 1)).await.status, 200);
    let answer = post_order(&fake, wallet.address, &creds, &order_for(Wallet::numbered(3).address, 2)).await;
    assert_eq!(answer.json["error"], "invalid signature");
}

#[tokio::test]
async fn order_signer_must_be_the_api_keys_address() {
    let (fake, wallet, creds) = funded_eoa().await;
    let other = Wallet::numbered(8);
    let order = order(other.address, other.address, true, 5_000_000, 10_000_000, 0, 1);
    let body = order_body(&order, &other.sign(v2_hash(&order)), &creds.api_key, "GTC");
    let answer = post_order(&fake, wallet.address, &creds, &body).await;
    assert_eq!(answer.json["error"], "the order signer address has to be the address of the API KEY");
}

/// The digest a Safe owner signs for ERC-1271 `isValidSignature(hash, …)` through the
/// compatibility fallback handler: EIP-712 `SafeMessage(bytes message)` with
/// message = abi.encode(hash), under the Safe's domain {chainId, verifyingContract}.
fn safe_message_digest(safe: Address, hash: B256) -> B256 {
    let domain_type = keccak256("EIP712Domain(uint256 chainId,address verifyingContract)");
    let domain = keccak256((domain_type, U256::from(137), safe).abi_encode());
    let message = keccak256((keccak256("SafeMessage(bytes message)"), keccak256(hash)).abi_encode());
    keccak256([&[0x19, 0x01][..], domain.as_slice(), message.as_slice()].concat())
}

#[tokio::test]
async fn type3_order_is_checked_by_the_safe_itself_on_chain() {
    let chain = LocalChain::start().await;
    let owner = Wallet::numbered(11);
    let safe = chain.deploy_safe(owner.address).await;
    let config = FakePolymarketConfig { rpc_url: Some(chain.rpc_url()), ..FakePolymarketConfig::default() };
    let fake = FakePolymarket::start(config).await;
    fake.add_market(TOKEN, "0.01", false, "5", &[], &[]);
    fake.set_balance(safe, BalanceAsset::Collateral, 100_000_000);

    // The Safe's own API key, proved by its owner through ERC-1271.
    let ts = now();
    let auth = owner.sign(safe_message_digest(safe, clob_auth_hash(137, safe, &ts.to_string(), U256::ZERO)));
    let created =
        send(Method::POST, &format!("{}/auth/api-key", fake.clob_url()), &l1_headers(safe, auth, ts), vec![]).await;
    assert_eq!(created.status, 200, "{}", created.json);
    let creds = creds(&created.json);

    let order_signed_by = |wallet: &Wallet, salt: u64| {
        let order = order(safe, safe, true, 5_000_000, 10_000_000, 3, salt);
        let hash = v2_hash(&order);
        assert!(!hash.is_zero());
        order_body(&order, &wallet.sign(safe_message_digest(safe, hash)), &creds.api_key, "GTC")
    };
    let answer = post_order(&fake, safe, &creds, &order_signed_by(&owner, 1)).await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    let answer = post_order(&fake, safe, &creds, &order_signed_by(&Wallet::numbered(12), 2)).await;
    assert_eq!(answer.json["error"], "invalid signature");
}

#[tokio::test]
async fn local_chain_safe_answers_erc1271_only_for_its_owner() {
    let chain = LocalChain::start().await;
    let owner = Wallet::numbered(21);
    let safe = chain.deploy_safe(owner.address).await;
    let hash = keccak256("anything");
    assert!(chain.is_valid_signature(safe, hash, &owner.sign(safe_message_digest(safe, hash))).await);
    assert!(!chain.is_valid_signature(safe, hash, &Wallet::numbered(22).sign(safe_message_digest(safe, hash))).await);
}

#[tokio::test]
async fn order_status_follows_scripting_and_cancel() {
    let (fake, wallet, creds) = funded_eoa().await;
    let (order, body) = resting_buy(&wallet, &creds, 1);
    post_order(&fake, wallet.address, &creds, &body).await;
    let id = v2_hash(&order).to_string();
    let path = format!("/data/order/{id}");
    let status = || async {
        let headers = l2_headers(wallet.address, &creds, "GET", &path, b"");
        send(Method::GET, &format!("{}{path}", fake.clob_url()), &headers, vec![]).await.json
    };
    let live = status().await;
    assert_eq!(
        (live["status"].as_str(), live["original_size"].as_str(), live["price"].as_str()),
        (Some("LIVE"), Some("10"), Some("0.5"))
    );

    let cancel = serde_json::to_vec(&json!({ "orderID": id })).unwrap();
    let headers = l2_headers(wallet.address, &creds, "DELETE", "/order", &cancel);
    let answer = send(Method::DELETE, &format!("{}/order", fake.clob_url()), &headers, cancel).await;
    assert_eq!(answer.json["canceled"], json!([id]));
    assert_eq!(status().await["status"], "CANCELED");

    fake.set_order_status(&id, "MATCHED", "4");
    let matched = status().await;
    assert_eq!((matched["status"].as_str(), matched["size_matched"].as_str()), (Some("MATCHED"), Some("4")));
}

#[tokio::test]
async fn balance_allowance_reports_the_scripted_balance() {
    let (fake, wallet, creds) = funded_eoa().await;
    let headers = l2_headers(wallet.address, &creds, "GET", "/balance-allowance", b"");
    let url = format!("{}/balance-allowance?asset_type=COLLATERAL&signature_type=0", fake.clob_url());
    let answer = send(Method::GET, &url, &headers, vec![]).await;
    assert_eq!(answer.json["balance"], "1000000000");
    assert!(answer.json["allowances"]["0xE111180000d2663C0091e4f400237545B87B996B"].is_string());
}

#[tokio::test]
async fn scripted_rate_limit_and_server_error_are_answered_then_cleared() {
    let (fake, wallet, creds) = funded_eoa().await;
    let (_, body) = resting_buy(&wallet, &creds, 1);
    fake.set_behaviour(Endpoint::PostOrder, Behaviour::RateLimited { retry_after_secs: 7 });
    let answer = post_order(&fake, wallet.address, &creds, &body).await;
    assert_eq!((answer.status, answer.headers["retry-after"].to_str().unwrap()), (429, "7"));
    fake.set_behaviour(Endpoint::Any, Behaviour::Status(503));
    fake.set_behaviour(Endpoint::PostOrder, Behaviour::Healthy);
    let book = send(Method::GET, &format!("{}/book?token_id={TOKEN}", fake.clob_url()), &[], vec![]).await;
    assert_eq!(book.status, 503);
    assert_eq!(post_order(&fake, wallet.address, &creds, &body).await.status, 200);
    fake.set_behaviour(Endpoint::Any, Behaviour::Delay(Duration::from_millis(1)));
    let book = send(Method::GET, &format!("{}/book?token_id={TOKEN}", fake.clob_url()), &[], vec![]).await;
    assert_eq!(
        (book.json["bids"][0]["price"].as_str(), book.json["asks"][0]["price"].as_str()),
        (Some("0.48"), Some("0.52"))
    );
    assert_eq!(fake.request_count(Endpoint::PostOrder), 2);
    assert_eq!(fake.request_count(Endpoint::Book), 2);
}

#[tokio::test]
async fn public_routes_answer_in_the_real_shapes() {
    let (fake, _, _) = funded_eoa().await;
    let clob = fake.clob_url();
    let get = |path: String| {
        let url = format!("{clob}{path}");
        async move { send(Method::GET, &url, &[], vec![]).await }
    };
    assert_eq!(get("/".into()).await.json, "OK");
    assert_eq!(get("/version".into()).await.json, json!({ "version": 2 }));
    assert_eq!(get(format!("/tick-size?token_id={TOKEN}")).await.json, json!({ "minimum_tick_size": 0.01 }));
    assert_eq!(get(format!("/neg-risk?token_id={TOKEN}")).await.json, json!({ "neg_risk": false }));
    let book = get(format!("/book?token_id={TOKEN}")).await.json;
    assert_eq!(
        (book["min_order_size"].as_str(), book["tick_size"].as_str(), book["asset_id"].as_str()),
        (Some("5"), Some("0.01"), Some(TOKEN))
    );
    assert_eq!(get("/book?token_id=999".into()).await.status, 404);
}

#[tokio::test]
async fn data_api_hides_maker_fills_unless_taker_only_is_false() {
    let fake = FakePolymarket::start(FakePolymarketConfig::default()).await;
    let leader = "0x00000000000000000000000000000000000000aa";
    let trade = |timestamp: u64, maker: bool| {
        json!({ "proxyWallet": leader, "side": "BUY", "asset": TOKEN, "conditionId": "0x01", "size": 10, "price": 0.5,
                "timestamp": timestamp, "outcome": "Yes", "outcomeIndex": 0, "transactionHash": format!("0x{timestamp}"),
                "slug": "m", "eventSlug": "e", "maker": maker })
    };
    fake.push_trade(trade(100, false));
    fake.push_trade(trade(200, true));
    let trades = |query: &str| {
        let url = format!("{}/trades?user={leader}{query}", fake.data_url());
        async move { send(Method::GET, &url, &[], vec![]).await.json }
    };
    let default = trades("").await;
    assert_eq!(default.as_array().unwrap().len(), 1);
    assert_eq!(default[0]["timestamp"], 100);
    let all = trades("&takerOnly=false&limit=10").await;
    assert_eq!((all[0]["timestamp"].as_u64(), all[1]["timestamp"].as_u64()), (Some(200), Some(100)));
    assert!(all[0].get("maker").is_none());
    let positions = send(Method::GET, &format!("{}/positions?user={leader}", fake.data_url()), &[], vec![]).await.json;
    assert_eq!(positions[0]["size"], 20.0);
}

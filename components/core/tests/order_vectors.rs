//! `mirror_core::orders` against vectors made by Polymarket's own clients
//! (`tools/vectors/generate.mjs`: @polymarket/clob-client-v2, @polymarket/builder-relayer-client,
//! ethers' EIP-712 encoder; versions recorded in each file's `source`). Signatures are remade
//! here with k256 from the vectors' fixed development key, so a match means our digest is the
//! very one the client signed.

use alloy_dyn_abi::TypedData;
use alloy_primitives::{Address, Bytes, Signature, B256, U256};
use k256::ecdsa::SigningKey;
use mirror_core::orders::{
    clob_auth_hash, clob_auth_typed_data, deposit_wallet_digest, deposit_wallet_signature, deposit_wallet_typed_data,
    l1_headers, l2_headers, l2_signature, limit_order_amounts, market_order_amounts, polymarket_safe_address,
    safe_message_hash, safe_message_typed_data, ApiCredentials, Chain, Decimal, Exchange, OrderType, SafeFactory, Side,
    SignatureType, SignedOrder, TickSize, UnsignedOrder, POLYMARKET_SAFE_INIT_CODE_HASH,
};
use serde_json::Value;

fn vectors(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read vector file")).expect("vector file is JSON")
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("`{key}` is a string in {v}"))
}

fn number(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("`{key}` is a number in {v}"))
}

fn parsed<T: std::str::FromStr>(v: &Value, key: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    text(v, key).parse().unwrap_or_else(|e| panic!("`{key}` of {v}: {e:?}"))
}

/// An Ethereum signature (r ‖ s ‖ v with v = 27/28) over `digest` by the vectors' key.
fn sign(key: &SigningKey, digest: B256) -> Bytes {
    let (signature, recovery) = key.sign_prehash_recoverable(digest.as_slice()).expect("sign digest");
    let mut bytes = signature.to_bytes().to_vec();
    bytes.push(27 + recovery.to_byte());
    bytes.into()
}

fn signing_key(file: &Value) -> SigningKey {
    let bytes: B256 = parsed(file, "private_key");
    SigningKey::from_slice(bytes.as_slice()).expect("private key")
}

fn assert_signed_by(signature: &Bytes, digest: B256, signer: Address) {
    let signature = Signature::try_from(signature.as_ref()).expect("65-byte signature");
    assert_eq!(signature.recover_address_from_prehash(&digest).expect("recoverable"), signer);
}

fn typed_data_hash(typed_data: Value) -> B256 {
    let typed: TypedData = serde_json::from_value(typed_data).expect("typed data JSON");
    typed.eip712_signing_hash().expect("typed data hashes")
}

fn header_pairs(headers: &Value) -> Vec<(String, String)> {
    headers
        .as_object()
        .expect("headers object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("header value").to_string()))
        .collect()
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

#[test]
fn amounts_match_the_typescript_client() {
    let file = vectors("amounts.json");
    let all = file["vectors"].as_array().expect("vectors");
    assert!(all.len() > 1000, "the generator writes every combination");
    let mut mismatches = Vec::new();
    for v in all {
        let side: Side = parsed(v, "side");
        let tick: TickSize = parsed(v, "tick");
        let price: Decimal = parsed(v, "price");
        let got = match text(v, "kind") {
            "limit" => limit_order_amounts(side, parsed(v, "size"), price, tick),
            "market" => market_order_amounts(side, parsed(v, "amount"), price, tick),
            other => panic!("unknown kind {other}"),
        };
        let expected = (parsed::<u64>(v, "maker_amount"), parsed::<u64>(v, "taker_amount"));
        match got {
            Ok(a) if (a.maker_amount, a.taker_amount) == expected => {}
            other => mismatches.push(format!("{v}: got {other:?}")),
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} differ, e.g.\n{}",
        mismatches.len(),
        all.len(),
        mismatches[..mismatches.len().min(5)].join("\n")
    );
}

#[test]
fn the_clients_rounding_config_is_ours() {
    let file = vectors("amounts.json");
    for (tick_text, config) in file["rounding_config"].as_object().expect("rounding config") {
        let tick: TickSize = tick_text.parse().expect("known tick size");
        assert_eq!(
            (u64::from(tick.price_decimals()), u64::from(tick.size_decimals()), u64::from(tick.amount_decimals())),
            (number(config, "price"), number(config, "size"), number(config, "amount")),
            "{tick_text}"
        );
    }
}

fn exchange(v: &Value) -> Exchange {
    match text(v, "exchange") {
        "v2" => Exchange::V2 { neg_risk: false },
        "v2_neg_risk" => Exchange::V2 { neg_risk: true },
        "v3" => Exchange::V3,
        other => panic!("unknown exchange {other}"),
    }
}

fn signature_type(n: u64) -> SignatureType {
    match n {
        0 => SignatureType::Eoa,
        1 => SignatureType::PolyProxy,
        2 => SignatureType::PolyGnosisSafe,
        3 => SignatureType::Poly1271,
        other => panic!("unknown signature type {other}"),
    }
}

fn unsigned_order(o: &Value) -> UnsignedOrder {
    UnsignedOrder {
        salt: parsed(o, "salt"),
        maker: parsed(o, "maker"),
        signer: parsed(o, "signer"),
        token_id: parsed::<U256>(o, "tokenId"),
        maker_amount: parsed(o, "makerAmount"),
        taker_amount: parsed(o, "takerAmount"),
        side: parsed(o, "side"),
        signature_type: signature_type(number(o, "signatureType")),
        timestamp_ms: parsed(o, "timestamp"),
        metadata: parsed(o, "metadata"),
        builder: parsed(o, "builder"),
        expiration: parsed(o, "expiration"),
    }
}

#[test]
fn orders_hash_sign_and_post_as_the_client_does() {
    let file = vectors("orders.json");
    let key = signing_key(&file);
    let address: Address = parsed(&file, "address");
    let orders = file["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 12);
    for v in orders {
        let chain = Chain::try_from(number(v, "chain_id")).expect("chain");
        let exchange = exchange(v);
        assert_eq!(exchange.verifying_contract(chain), parsed::<Address>(v, "verifying_contract"));
        let order = unsigned_order(&v["order"]);
        let hash: B256 = parsed(v, "hash");
        assert_eq!(order.hash(exchange, chain), hash, "{v}");
        assert_eq!(typed_data_hash(order.typed_data(exchange, chain)), hash, "typed data of {v}");

        let signature: Bytes = parsed(v, "signature");
        assert_eq!(sign(&key, hash), signature);
        assert_signed_by(&signature, hash, address);

        let post = &v["post"];
        let body = SignedOrder { order, signature }
            .post_body(
                text(post, "owner"),
                parsed::<OrderType>(post, "order_type"),
                post["post_only"] == true,
                post["defer_exec"] == true,
            )
            .expect("post body");
        assert_eq!(body, post["body"]);
    }
}

/// Deposit wallets (type 3, ERC-7739): the owner's signature over our `TypedDataSign` digest,
/// wrapped as we wrap it, is byte for byte the signature clob-client-v2 built (and
/// py-clob-client-v2, per tools/vectors/check_python.py), and it posts as the client posts it.
#[test]
fn deposit_wallet_orders_sign_and_post_as_the_clients_do() {
    let file = vectors("deposit_wallet.json");
    let key = signing_key(&file);
    let owner: Address = parsed(&file, "owner");
    let wallet: Address = parsed(&file, "wallet");
    let orders = file["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 6);
    for v in orders {
        let chain = Chain::try_from(number(v, "chain_id")).expect("chain");
        let exchange = exchange(v);
        let order = unsigned_order(&v["order"]);
        assert_eq!((order.maker, order.signer, order.signature_type), (wallet, wallet, SignatureType::Poly1271));
        assert_eq!(order.hash(exchange, chain), parsed::<B256>(v, "hash"), "{v}");
        let digest = deposit_wallet_digest(&order, exchange, chain);
        assert_eq!(typed_data_hash(deposit_wallet_typed_data(&order, exchange, chain)), digest);
        let inner = sign(&key, digest);
        assert_signed_by(&inner, digest, owner);
        let signature = deposit_wallet_signature(&order, exchange, chain, &inner);
        assert_eq!(signature, parsed::<Bytes>(v, "signature"), "{v}");
        let post = &v["post"]["body"];
        let body = SignedOrder { order, signature }
            .post_body(
                text(post, "owner"),
                parsed::<OrderType>(post, "orderType"),
                post["postOnly"] == true,
                post["deferExec"] == true,
            )
            .expect("post body");
        assert_eq!(body, *post);
    }
}

#[test]
fn poly_1271_orders_hash_as_the_client_does() {
    let file = vectors("orders.json");
    for v in file["poly_1271_hashes"].as_array().expect("POLY_1271 vectors") {
        let order = unsigned_order(&v["order"]);
        assert_eq!(order.signer, order.maker, "the client signs type 3 with signer = maker");
        let chain = Chain::try_from(number(v, "chain_id")).expect("chain");
        assert_eq!(order.hash(exchange(v), chain), parsed::<B256>(v, "hash"));
    }
}

#[test]
fn clob_auth_hashes_signs_and_heads_as_the_client_does() {
    let file = vectors("clob_auth.json");
    let key = signing_key(&file);
    let address: Address = parsed(&file, "address");
    for v in file["vectors"].as_array().expect("vectors") {
        let (timestamp, nonce, chain_id) = (number(v, "timestamp"), number(v, "nonce"), number(v, "chain_id"));
        let hash: B256 = parsed(v, "hash");
        assert_eq!(clob_auth_hash(address, timestamp, nonce, chain_id), hash);
        assert_eq!(typed_data_hash(clob_auth_typed_data(address, timestamp, nonce, chain_id)), hash);
        let signature: Bytes = parsed(v, "signature");
        assert_eq!(sign(&key, hash), signature);
        assert_signed_by(&signature, hash, address);
        assert_eq!(sorted(l1_headers(address, &signature, timestamp, nonce)), sorted(header_pairs(&v["headers"])));
    }
}

#[test]
fn l2_hmacs_match_the_client() {
    let file = vectors("l2_hmac.json");
    for v in file["vectors"].as_array().expect("vectors") {
        let got = l2_signature(
            text(v, "secret"),
            number(v, "timestamp"),
            text(v, "method"),
            text(v, "request_path"),
            text(v, "body").as_bytes(),
        );
        assert_eq!(got.as_deref(), Ok(text(v, "signature")), "{v}");
    }
    let creds = &file["credentials"];
    let creds = ApiCredentials {
        api_key: text(creds, "key").into(),
        secret: text(creds, "secret").into(),
        passphrase: text(creds, "passphrase").into(),
    };
    let first = &file["vectors"][0];
    let headers = l2_headers(
        &creds,
        parsed(&file, "address"),
        number(first, "timestamp"),
        text(first, "method"),
        text(first, "request_path"),
        text(first, "body").as_bytes(),
    )
    .expect("headers");
    assert_eq!(sorted(headers), sorted(header_pairs(&file["headers_for_first"])));
}

#[test]
fn safes_derive_and_vouch_as_the_clients_do() {
    let file = vectors("safe.json");
    for v in file["derived"].as_array().expect("derived safes") {
        assert_eq!(polymarket_safe_address(parsed(v, "owner")), parsed::<Address>(v, "safe"), "{v}");
    }
    let key = signing_key(&file);
    let owner = Address::from_private_key(&key);
    for v in file["safe_messages"].as_array().expect("safe messages") {
        let (safe, chain_id, order_hash) =
            (parsed::<Address>(v, "safe"), number(v, "chain_id"), parsed::<B256>(v, "order_hash"));
        let hash: B256 = parsed(v, "safe_message_hash");
        assert_eq!(safe_message_hash(safe, chain_id, order_hash), hash);
        assert_eq!(typed_data_hash(safe_message_typed_data(safe, chain_id, order_hash)), hash);
        let signature: Bytes = parsed(v, "signature");
        assert_eq!(sign(&key, hash), signature);
        assert_signed_by(&signature, hash, owner);
    }
    for v in file["create_proxy"].as_array().expect("createProxy signatures") {
        let factory = SafeFactory { address: parsed(v, "factory"), init_code_hash: POLYMARKET_SAFE_INIT_CODE_HASH };
        let chain_id = number(v, "chain_id");
        let hash: B256 = parsed(v, "hash");
        assert_eq!(factory.create_proxy_hash(chain_id), hash, "{v}");
        assert_eq!(typed_data_hash(factory.create_proxy_typed_data(chain_id)), hash);
        assert_eq!(sign(&key, hash), parsed::<Bytes>(v, "signature"), "builder-relayer-client's SAFE-CREATE signature");
        assert_eq!(factory.safe_of(owner), parsed::<Address>(v, "proxy_wallet"));
    }
}

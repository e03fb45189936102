//! Every signature the signer returns verifies against the wallet address it returned, checked
//! with code independent of the signer's own hashing.

mod common;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use alloy_consensus::TxEnvelope;
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{keccak256, Address, PrimitiveSignature, TxKind, B256, U256};
use common::{clob_auth, hex0x, start_signer, transfer_transaction, Wallet, LOCAL_KEY};
use k256::ecdsa::SigningKey;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn signature_of(body: &Value) -> PrimitiveSignature {
    let raw = hex::decode(body["signature"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    assert_eq!(raw.len(), 65);
    assert!(raw[64] == 27 || raw[64] == 28, "v = {}", raw[64]);
    let signature = PrimitiveSignature::from_raw(&raw).unwrap();
    assert!(signature.normalize_s().is_none(), "s must be in the lower half of the curve order");
    signature
}

fn address_of(wallet: &Wallet) -> Address {
    wallet.address.parse().unwrap()
}

/// The EIP-712 digest of a ClobAuth, hashed by hand from the EIP's definitions.
fn clob_auth_digest(address: Address, chain_id: u64, nonce: u64, timestamp: &str, message: &str) -> B256 {
    let word = |v: u64| U256::from(v).to_be_bytes::<32>();
    let domain_type = keccak256("EIP712Domain(string name,string version,uint256 chainId)");
    let domain = keccak256(
        [domain_type.as_slice(), keccak256("ClobAuthDomain").as_slice(), keccak256("1").as_slice(), &word(chain_id)]
            .concat(),
    );
    let struct_type = keccak256("ClobAuth(address address,string timestamp,uint256 nonce,string message)");
    let mut padded_address = [0u8; 32];
    padded_address[12..].copy_from_slice(address.as_slice());
    let structure = keccak256(
        [
            struct_type.as_slice(),
            &padded_address,
            keccak256(timestamp).as_slice(),
            &word(nonce),
            keccak256(message).as_slice(),
        ]
        .concat(),
    );
    keccak256([&[0x19u8, 0x01][..], domain.as_slice(), structure.as_slice()].concat())
}

#[tokio::test]
async fn created_wallet_has_a_checksummed_address_and_a_uuid() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    assert_eq!(address_of(&wallet).to_checksum(None), wallet.address);
    assert_eq!(wallet.id.len(), 36);
    assert_eq!(wallet.properties["backend"], "local");
    assert_eq!(wallet.properties["keyVersion"], 1);
    let other = signer.create_wallet("user-1").await;
    assert_ne!(other.address, wallet.address, "each call creates a new wallet");
}

#[tokio::test]
async fn personal_sign_recovers_to_the_wallet_for_text_and_binary_messages() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    for message in [b"hello mirror".to_vec(), vec![0x00, 0xff, 0x19, 0x01], Vec::new()] {
        let answer = signer.post("/v1/sign/message", &wallet.request(json!({ "message": hex0x(&message) }))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let recovered = signature_of(&answer.json()).recover_address_from_msg(&message).unwrap();
        assert_eq!(recovered, address_of(&wallet));
    }
}

#[tokio::test]
async fn clob_auth_typed_data_digest_matches_the_hand_computed_one_and_recovers() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    let expected = clob_auth_digest(
        address_of(&wallet),
        137,
        0,
        "1700000000",
        "This message attests that I control the given wallet",
    );
    for (chain_id, nonce) in [(json!(137), json!(0)), (json!("137"), json!("0")), (json!("0x89"), json!("0x0"))] {
        let typed_data = clob_auth(&wallet.address, chain_id, nonce);
        let answer = signer.post("/v1/sign/typed-data", &wallet.request(json!({ "typedData": typed_data }))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let body = answer.json();
        assert_eq!(body["digest"].as_str().unwrap(), hex0x(expected.as_slice()));
        let recovered = signature_of(&body).recover_address_from_prehash(&expected).unwrap();
        assert_eq!(recovered, address_of(&wallet));
    }
}

#[tokio::test]
async fn eip1559_raw_transaction_decodes_to_the_request_and_recovers_the_sender() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    let answer =
        signer.post("/v1/sign/transaction", &wallet.request(json!({ "transaction": transfer_transaction() }))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let body = answer.json();
    let raw = hex::decode(body["rawTransaction"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    assert_eq!(raw[0], 0x02, "type-2 envelope");
    assert_eq!(body["hash"].as_str().unwrap(), hex0x(keccak256(&raw).as_slice()));

    let TxEnvelope::Eip1559(signed) = TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap() else {
        panic!("not an EIP-1559 transaction")
    };
    assert_eq!(signed.recover_signer().unwrap(), address_of(&wallet));
    assert_eq!(signed.signature().as_bytes(), signature_of(&body).as_bytes());
    let tx = signed.tx();
    assert_eq!((tx.chain_id, tx.nonce, tx.gas_limit), (137, 7, 100_000));
    assert_eq!((tx.max_fee_per_gas, tx.max_priority_fee_per_gas), (50_000_000_000, 30_000_000_000));
    assert_eq!(tx.to, TxKind::Call("0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB".parse().unwrap()));
    assert_eq!(tx.value, U256::ZERO);
    assert_eq!(hex0x(&tx.input), transfer_transaction()["data"].as_str().unwrap());
    assert!(tx.access_list.is_empty());
}

#[tokio::test]
async fn wallet_properties_hold_the_key_only_sealed_to_the_wallet_id() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    let hex_field =
        |name: &str| hex::decode(wallet.properties[name].as_str().unwrap().trim_start_matches("0x")).unwrap();
    let (nonce, ciphertext) = (hex_field("nonce"), hex_field("ciphertext"));
    assert_eq!(nonce.len(), 12, "96-bit nonce");
    assert_eq!(ciphertext.len(), 32 + 16, "the key plus the GCM tag");

    // Opened independently: AES-256-GCM under SIGNER_LOCAL_KEY with the wallet id as associated data.
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&hex::decode(LOCAL_KEY).unwrap()));
    let open = |aad: &str| cipher.decrypt(Nonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: aad.as_bytes() });
    let secret = open(&wallet.id).expect("opens under its own wallet id");
    let key = SigningKey::from_slice(&secret).unwrap();
    assert_eq!(Address::from_private_key(&key), address_of(&wallet));
    assert!(open("another-wallet-id").is_err(), "a ciphertext moved to another wallet id must not open");

    let properties = wallet.properties.to_string().to_lowercase();
    assert!(!properties.contains(&hex::encode(&secret)), "private key in clear in walletProperties");
    assert!(!properties.contains(LOCAL_KEY));
}

#[tokio::test]
async fn properties_moved_to_another_wallet_do_not_sign() {
    let signer = start_signer().await;
    let first = signer.create_wallet("user-1").await;
    let second = signer.create_wallet("user-2").await;
    let moved = json!({ "walletId": second.id, "address": first.address, "walletProperties": first.properties, "message": "0x01" });
    let answer = signer.post("/v1/sign/message", &moved).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.error().0, "WALLET_MISMATCH");
    let moved = json!({ "walletId": second.id, "address": second.address, "walletProperties": first.properties, "message": "0x01" });
    assert_eq!(signer.post("/v1/sign/message", &moved).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_address_that_is_not_the_wallets_is_refused_on_every_sign_route() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    let someone_else = signer.create_wallet("user-2").await;
    let requests = [
        ("/v1/sign/message", json!({ "message": "0x01" })),
        ("/v1/sign/typed-data", json!({ "typedData": clob_auth(&wallet.address, json!(137), json!(0)) })),
        ("/v1/sign/transaction", json!({ "transaction": transfer_transaction() })),
    ];
    for (path, extra) in requests {
        let mut body = wallet.request(extra);
        body["address"] = json!(someone_else.address);
        let answer = signer.post(path, &body).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{path}: {}", answer.text);
        assert_eq!(answer.error().0, "WALLET_MISMATCH");
    }
}

//! A whole session against the signer, with every log line (all crates, TRACE level) captured:
//! no private key, SIGNER_LOCAL_KEY or bearer token appears in the logs or in any response.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use common::{clob_auth, hex0x, start_signer, transfer_transaction, Answer, Wallet, LOCAL_KEY, TOKEN};
use reqwest::StatusCode;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

const WRONG_TOKEN: &str = "wrong-token-7d0c4e2b9a1f3c5e7a9b0d2f4e6a8c0b";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// The wallet's private key, opened from its properties the way the signer seals it.
fn private_key_hex(wallet: &Wallet) -> String {
    let field = |name: &str| hex::decode(wallet.properties[name].as_str().unwrap().trim_start_matches("0x")).unwrap();
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&hex::decode(LOCAL_KEY).unwrap()));
    let secret = cipher
        .decrypt(Nonce::from_slice(&field("nonce")), Payload { msg: &field("ciphertext"), aad: wallet.id.as_bytes() })
        .unwrap();
    hex::encode(secret)
}

#[tokio::test]
async fn no_secret_reaches_a_log_line_or_a_response_in_a_full_session() {
    let logs = Capture::default();
    tracing_subscriber::fmt().with_writer(logs.clone()).with_max_level(tracing::Level::TRACE).with_ansi(false).init();

    let signer = start_signer().await;
    let mut answers: Vec<Answer> = vec![signer.get("/health").await];
    let wallet = signer.create_wallet("user-1").await;
    let other = signer.create_wallet("user-2").await;
    let requests = [
        ("/v1/sign/message", wallet.request(json!({ "message": hex0x(b"hello") }))),
        (
            "/v1/sign/typed-data",
            wallet.request(json!({ "typedData": clob_auth(&wallet.address, json!(137), json!(1)) })),
        ),
        ("/v1/sign/transaction", wallet.request(json!({ "transaction": transfer_transaction() }))),
        ("/v1/sign/message", other.request(json!({ "message": "0x00" }))),
        (
            "/v1/sign/message",
            json!({ "walletId": other.id, "address": wallet.address, "walletProperties": wallet.properties, "message": "0x01" }),
        ),
        ("/v1/sign/message", wallet.request(json!({ "message": "not hex" }))),
        ("/v1/sign/transaction", wallet.request(json!({ "transaction": { "nonce": 1 } }))),
    ];
    for (path, body) in &requests {
        answers.push(signer.post(path, body).await);
    }
    answers.push(signer.post_raw("/v1/wallets", Some(WRONG_TOKEN), "{\"userId\":\"u\"}").await);
    answers.push(signer.post_raw("/v1/wallets", None, "{\"userId\":\"u\"}").await);
    answers.push(signer.post_raw("/v1/wallets", Some(TOKEN), "x".repeat(100 * 1024)).await);
    assert_eq!(answers.iter().filter(|a| a.status == StatusCode::OK).count(), 5, "health + four signatures");

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("wallet created") && logs.contains("signed") && logs.contains("status=403"), "{logs}");
    let responses: String = answers.iter().map(|a| format!("{:?}\n{}\n", a.headers, a.text)).collect();

    let secrets = [
        ("bearer token", TOKEN.to_string()),
        ("wrong bearer token", WRONG_TOKEN.to_string()),
        ("SIGNER_LOCAL_KEY", LOCAL_KEY.to_string()),
        ("wallet private key", private_key_hex(&wallet)),
        ("other wallet private key", private_key_hex(&other)),
    ];
    for (what, secret) in secrets {
        for haystack in [&logs, &responses] {
            let haystack = haystack.to_lowercase();
            assert!(!haystack.contains(&secret.to_lowercase()), "{what} leaked");
        }
    }
}

//! Who may call, and what the signer does with bad input: every refusal is a JSON error with a
//! stable code, a 4xx names the offending field, and no input makes a handler fail with a 5xx.

mod common;

use common::{clob_auth, start_signer, transfer_transaction, Signer, Wallet, TOKEN};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A change to a valid request body that makes it invalid.
type Edit = fn(&mut Value);

const ROUTES: [&str; 4] = ["/v1/wallets", "/v1/sign/message", "/v1/sign/typed-data", "/v1/sign/transaction"];

async fn assert_validation_error(signer: &Signer, path: &str, body: &Value, field: &str) {
    let answer = signer.post(path, body).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path} {body}: {}", answer.text);
    let (code, message) = answer.error();
    assert_eq!(code, "VALIDATION_ERROR");
    assert!(message.contains(field), "{path}: `{message}` does not name `{field}`");
}

#[tokio::test]
async fn health_is_open_and_says_only_which_backend_runs() {
    let signer = start_signer().await;
    let answer = signer.get("/health").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!({ "status": "ok", "backend": "local" }));
}

#[tokio::test]
async fn a_missing_token_is_401_and_a_wrong_one_403_on_every_route() {
    let signer = start_signer().await;
    for path in ROUTES {
        let missing = signer.post_raw(path, None, "{}").await;
        assert_eq!(missing.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(missing.error().0, "UNAUTHORIZED");
        assert_eq!(missing.headers["www-authenticate"], "Bearer");

        let wrong = signer.post_raw(path, Some("not-the-token-but-long-enough-to-look-real"), "{}").await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(wrong.error().0, "FORBIDDEN");

        let prefix = signer.post_raw(path, Some(&TOKEN[..TOKEN.len() - 1]), "{}").await;
        assert_eq!(prefix.status, StatusCode::FORBIDDEN, "{path}: a prefix of the token must not pass");

        let basic =
            signer.http.post(format!("{}{path}", signer.url)).basic_auth("user", Some(TOKEN)).send().await.unwrap();
        assert_eq!(basic.status(), StatusCode::UNAUTHORIZED, "{path}: only bearer credentials count");
    }
}

#[tokio::test]
async fn malformed_json_and_unknown_fields_are_refused_on_every_route() {
    let signer = start_signer().await;
    for path in ROUTES {
        for raw in ["", "{", "[1,2]", "null", "{\"userId\": \"u\"} trailing", "\u{0}"] {
            let answer = signer.post_raw(path, Some(TOKEN), raw).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path} {raw:?}: {}", answer.text);
            assert_eq!(answer.error().0, "VALIDATION_ERROR");
        }
        assert_validation_error(&signer, path, &json!({ "userId": "u", "sneaky": 1 }), "sneaky").await;
    }
}

#[tokio::test]
async fn create_wallet_names_a_bad_user_id() {
    let signer = start_signer().await;
    assert_validation_error(&signer, "/v1/wallets", &json!({}), "userId").await;
    for bad in [json!(""), json!(42), json!("has space"), json!("x".repeat(129)), json!(null)] {
        assert_validation_error(&signer, "/v1/wallets", &json!({ "userId": bad }), "userId").await;
    }
}

async fn wallet_fields_are_validated(signer: &Signer, wallet: &Wallet, path: &str, payload: Value) {
    let request = || wallet.request(payload.clone());
    let with = |field: &str, value: Value| {
        let mut body = request();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = request();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    for field in ["walletId", "address", "walletProperties"] {
        assert_validation_error(signer, path, &without(field), field).await;
    }
    assert_validation_error(signer, path, &with("walletId", json!("")), "walletId").await;
    assert_validation_error(signer, path, &with("walletId", json!(["x"])), "walletId").await;
    assert_validation_error(signer, path, &with("address", json!("0x1234")), "address").await;
    assert_validation_error(
        signer,
        path,
        &with("address", json!(wallet.address.to_lowercase().replace("0x", ""))),
        "address",
    )
    .await;
    assert_validation_error(signer, path, &with("walletProperties", json!("opaque")), "walletProperties").await;
    assert_validation_error(signer, path, &with("walletProperties", json!({})), "walletProperties").await;
    let dynamic = json!({ "backend": "dynamic", "wallet": {} });
    assert_validation_error(signer, path, &with("walletProperties", dynamic), "walletProperties").await;
    let mut bad_checksum = wallet.address.clone();
    let flip = bad_checksum.char_indices().skip(2).find(|(_, c)| c.is_ascii_alphabetic()).unwrap().0;
    let flipped = bad_checksum.as_bytes()[flip] ^ 0x20;
    bad_checksum.replace_range(flip..=flip, &(flipped as char).to_string());
    if bad_checksum.chars().any(|c| c.is_ascii_uppercase())
        && bad_checksum.chars().skip(2).any(|c| c.is_ascii_lowercase())
    {
        assert_validation_error(signer, path, &with("address", json!(bad_checksum)), "address").await;
    }
}

#[tokio::test]
async fn sign_message_names_each_bad_field() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    let path = "/v1/sign/message";
    wallet_fields_are_validated(&signer, &wallet, path, json!({ "message": "0x01" })).await;
    assert_validation_error(&signer, path, &wallet.request(json!({})), "message").await;
    for bad in [json!("hello"), json!("0x123"), json!("0xzz"), json!(12), json!(null)] {
        assert_validation_error(&signer, path, &wallet.request(json!({ "message": bad })), "message").await;
    }
}

#[tokio::test]
async fn sign_typed_data_names_each_bad_field() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    let path = "/v1/sign/typed-data";
    let good = clob_auth(&wallet.address, json!(137), json!(0));
    wallet_fields_are_validated(&signer, &wallet, path, json!({ "typedData": good })).await;
    assert_validation_error(&signer, path, &wallet.request(json!({})), "typedData").await;

    let mutate = |edit: Edit| {
        let mut typed = good.clone();
        edit(&mut typed);
        wallet.request(json!({ "typedData": typed }))
    };
    let cases: [(Edit, &str); 8] = [
        (|t| *t = json!("not an object"), "typedData"),
        (
            |t| {
                t.as_object_mut().unwrap().remove("primaryType");
            },
            "primaryType",
        ),
        (|t| t["primaryType"] = json!("Missing"), "typedData"),
        (|t| t["message"]["nonce"] = json!("-1"), "typedData"),
        (|t| t["message"]["address"] = json!("0x12"), "typedData"),
        (|t| t["domain"]["chainId"] = json!("lots"), "typedData.domain.chainId"),
        (|t| t["types"]["ClobAuth"][0]["type"] = json!("uint257"), "typedData"),
        (|t| t["types"] = json!({ "Loop": [{ "name": "next", "type": "Loop" }] }), "typedData"),
    ];
    for (edit, field) in cases {
        assert_validation_error(&signer, path, &mutate(edit), field).await;
    }
}

#[tokio::test]
async fn sign_transaction_names_each_bad_field() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    let path = "/v1/sign/transaction";
    wallet_fields_are_validated(&signer, &wallet, path, json!({ "transaction": transfer_transaction() })).await;
    assert_validation_error(&signer, path, &wallet.request(json!({})), "transaction").await;
    assert_validation_error(&signer, path, &wallet.request(json!({ "transaction": [] })), "transaction").await;

    let cases = [
        ("chainId", json!(0)),
        ("chainId", json!(-1)),
        ("nonce", json!("seven")),
        ("nonce", json!(1.5)),
        ("to", json!("0xnot-an-address")),
        ("to", json!(null)),
        ("value", json!("0x1".to_string() + &"0".repeat(64))),
        ("data", json!("a9059cbb")),
        ("gasLimit", json!(0)),
        ("gasLimit", json!("18446744073709551616")),
        ("maxFeePerGas", json!(true)),
        ("maxPriorityFeePerGas", json!("60000000000")),
        ("accessList", json!([])),
    ];
    for (field, bad) in cases {
        let mut transaction = transfer_transaction();
        transaction[field] = bad;
        assert_validation_error(&signer, path, &wallet.request(json!({ "transaction": transaction })), field).await;
    }
    for field in ["chainId", "nonce", "to", "gasLimit", "maxFeePerGas", "maxPriorityFeePerGas"] {
        let mut transaction = transfer_transaction();
        transaction.as_object_mut().unwrap().remove(field);
        assert_validation_error(&signer, path, &wallet.request(json!({ "transaction": transaction })), field).await;
    }
}

#[tokio::test]
async fn a_body_over_64_kib_is_413_on_every_route() {
    let signer = start_signer().await;
    let big = format!("{{\"userId\":\"{}\"}}", "a".repeat(70 * 1024));
    for path in ROUTES {
        let answer = signer.post_raw(path, Some(TOKEN), big.clone()).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(answer.error().0, "PAYLOAD_TOO_LARGE");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let signer = start_signer().await;
    let answer = signer.get("/v1/nothing-here").await;
    assert_eq!((answer.status, answer.error().0.as_str()), (StatusCode::NOT_FOUND, "NOT_FOUND"));
    let answer = signer.get("/v1/wallets").await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.error().0, "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn hostile_inputs_get_a_4xx_and_the_signer_keeps_serving() {
    let signer = start_signer().await;
    let wallet = signer.create_wallet("user-1").await;
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let mut hostile: Vec<(&str, String)> = ROUTES.iter().map(|path| (*path, deep.clone())).collect();
    let mut typed = |edit: &dyn Fn(&mut Value)| {
        let mut typed = clob_auth(&wallet.address, json!(137), json!(0));
        edit(&mut typed);
        hostile.push(("/v1/sign/typed-data", wallet.request(json!({ "typedData": typed })).to_string()));
    };
    typed(&|t| t["types"]["ClobAuth"][2]["type"] = json!(format!("uint256{}", "[]".repeat(2000))));
    typed(&|t| t["types"]["ClobAuth"][2]["type"] = json!("uint256[99999999999999999999]"));
    typed(&|t| t["message"]["nonce"] = json!("1".repeat(200)));
    typed(&|t| t["types"] = json!({ "A": [{ "name": "b", "type": "B" }], "B": [{ "name": "a", "type": "A" }] }));
    typed(&|t| t["domain"] = json!({ "chainId": "0x".to_string() + &"f".repeat(80) }));
    for (path, body) in hostile {
        let body_preview: String = body.chars().take(300).collect();
        let answer = signer.post_raw(path, Some(TOKEN), body).await;
        assert!(answer.status.is_client_error(), "{path} {}: {} {}", &body_preview, answer.status, answer.text);
    }
    assert_eq!(signer.get("/health").await.status, StatusCode::OK);
}

//! Trading account setup against the real contracts on anvil: Polymarket's Safe factory (the
//! stand-in with Polymarket's published rules) creating a Safe 1.3.0 from the owner's signed
//! `CreateProxy`, exactly where Mirror derives it.

use alloy_primitives::{Address, Bytes, Signature, B256};
use alloy_sol_types::{sol, SolCall};
use k256::ecdsa::SigningKey;
use mirror_core::orders::SafeFactory;
use mirror_fakes::LocalChain;
use serde_json::{json, Value};

sol! {
    function computeProxyAddress(address user) returns (address);
    function getOwners() returns (address[]);
    function getThreshold() returns (uint256);
    function VERSION() returns (string);
}

async fn call(chain: &LocalChain, to: Address, data: Vec<u8>) -> Result<Bytes, String> {
    let call = json!({ "to": to, "data": Bytes::from(data) });
    let result = chain.anvil().rpc("eth_call", json!([call, "latest"])).await?;
    Ok(serde_json::from_value(result).expect("bytes"))
}

async fn code(chain: &LocalChain, at: Address) -> Bytes {
    let code: Value = chain.anvil().rpc("eth_getCode", json!([at, "latest"])).await.expect("eth_getCode");
    serde_json::from_value(code).expect("code bytes")
}

fn sign(key: &SigningKey, digest: B256) -> Signature {
    let (signature, recovery) = key.sign_prehash_recoverable(digest.as_slice()).expect("sign");
    Signature::from_signature_and_parity(signature, recovery.is_y_odd())
}

#[tokio::test]
async fn the_factory_creates_the_owners_safe_130_where_mirror_derives_it_from_a_signed_create_proxy() {
    let chain = LocalChain::start().await;
    let (address, init_code_hash) = chain.polymarket_factory();
    let factory = SafeFactory { address, init_code_hash };
    let key = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let owner = Address::from_private_key(&key);
    let derived = factory.safe_of(owner);

    let on_chain = call(&chain, address, computeProxyAddressCall { user: owner }.abi_encode()).await.unwrap();
    assert_eq!(computeProxyAddressCall::abi_decode_returns(&on_chain).unwrap(), derived, "the factory agrees");
    assert!(code(&chain, derived).await.is_empty(), "nothing there yet");

    let signature = sign(&key, factory.create_proxy_hash(137));
    let data = SafeFactory::create_proxy_call(&signature);
    // Anyone may submit the owner's signature: here the dev account, in Mirror the relayer.
    chain.send(json!({ "from": chain.deployer(), "to": address, "data": data, "gas": "0x1000000" })).await;

    assert!(!code(&chain, derived).await.is_empty(), "the Safe is at the derived address");
    let owners = call(&chain, derived, getOwnersCall {}.abi_encode()).await.unwrap();
    assert_eq!(getOwnersCall::abi_decode_returns(&owners).unwrap(), vec![owner]);
    let threshold = call(&chain, derived, getThresholdCall {}.abi_encode()).await.unwrap();
    assert_eq!(getThresholdCall::abi_decode_returns(&threshold).unwrap(), alloy_primitives::U256::from(1));
    let version = call(&chain, derived, VERSIONCall {}.abi_encode()).await.unwrap();
    assert_eq!(VERSIONCall::abi_decode_returns(&version).unwrap(), "1.3.0", "Safe 1.3.0, as Polymarket runs it");

    // A second creation reverts (CREATE2 cannot redeploy): setup must adopt an existing Safe.
    let again = json!({ "from": chain.deployer(), "to": address, "data": SafeFactory::create_proxy_call(&signature) });
    assert!(chain.anvil().rpc("eth_estimateGas", json!([again])).await.is_err());
}

#[tokio::test]
async fn a_create_proxy_signed_for_another_chain_or_factory_makes_someone_elses_safe() {
    let chain = LocalChain::start().await;
    let (address, init_code_hash) = chain.polymarket_factory();
    let factory = SafeFactory { address, init_code_hash };
    let key = SigningKey::from_slice(&[0x43; 32]).unwrap();
    let owner = Address::from_private_key(&key);
    for digest in [factory.create_proxy_hash(80002), SafeFactory::POLYGON.create_proxy_hash(137)] {
        let data = SafeFactory::create_proxy_call(&sign(&key, digest));
        chain.send(json!({ "from": chain.deployer(), "to": address, "data": data, "gas": "0x1000000" })).await;
        assert!(code(&chain, factory.safe_of(owner)).await.is_empty(), "the owner's Safe was not created");
    }
}

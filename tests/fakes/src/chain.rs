//! A local Polygon stand-in: anvil with chain id 137, holding the real Safe 1.4.1 contracts
//! (singleton, proxy factory, compatibility fallback handler) deployed from their npm build
//! artifacts, so ERC-1271 checks run against the same bytecode as on Polygon; and Polymarket's
//! Safe setup as Polymarket runs it: Safe 1.3.0 (singleton, compatibility fallback handler) behind
//! a Polymarket-style factory (`contracts/test/mocks/PolymarketSafeFactory.sol`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolValue};
use serde_json::{json, Value};

use crate::anvil::{node_modules, Anvil};

sol! {
    function setup(
        address[] owners,
        uint256 threshold,
        address to,
        bytes data,
        address fallbackHandler,
        address paymentToken,
        uint256 payment,
        address paymentReceiver
    );
    function createProxyWithNonce(address singleton, bytes initializer, uint256 saltNonce) returns (address proxy);
}

/// A running anvil with the Safe contracts deployed; anvil is killed when this is dropped.
pub struct LocalChain {
    anvil: Anvil,
    deployer: Address,
    singleton: Address,
    factory: Address,
    fallback_handler: Address,
    polymarket_factory: Address,
    polymarket_init_code_hash: B256,
    next_salt: AtomicU64,
}

/// What [`LocalChain::deploy_trading_contracts`] deployed.
#[derive(Clone, Copy, Debug)]
pub struct TradingContracts {
    pub multisend: Address,
    pub collateral: Address,
    pub ctf: Address,
}

const SAFE_141: &str = "@safe-global/safe-contracts/build/artifacts/contracts";
const SAFE_130: &str = "@gnosis.pm/safe-contracts/build/artifacts/contracts";

impl LocalChain {
    pub async fn start() -> LocalChain {
        let anvil = Anvil::start(&[]).await;
        let accounts = anvil.rpc("eth_accounts", json!([])).await.expect("eth_accounts");
        let deployer: Address = serde_json::from_value(accounts[0].clone()).expect("dev account");
        let mut chain = LocalChain {
            anvil,
            deployer,
            singleton: Address::ZERO,
            factory: Address::ZERO,
            fallback_handler: Address::ZERO,
            polymarket_factory: Address::ZERO,
            polymarket_init_code_hash: B256::ZERO,
            next_salt: AtomicU64::new(0),
        };
        chain.singleton = chain.deploy_artifact(SAFE_141, "Safe.sol/Safe.json").await;
        chain.factory = chain.deploy_artifact(SAFE_141, "proxies/SafeProxyFactory.sol/SafeProxyFactory.json").await;
        chain.fallback_handler = chain
            .deploy_artifact(SAFE_141, "handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json")
            .await;
        chain.deploy_polymarket_factory().await;
        chain
    }

    /// Safe 1.3.0 and the factory Polymarket users' Safes come from; the init code hash is
    /// keccak256(GnosisSafeProxy 1.3.0 creation code ‖ abi.encode(singleton)).
    async fn deploy_polymarket_factory(&mut self) {
        let singleton = self.deploy_artifact(SAFE_130, "GnosisSafe.sol/GnosisSafe.json").await;
        let handler = self
            .deploy_artifact(SAFE_130, "handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json")
            .await;
        let proxy_code: Bytes = serde_json::from_value(
            artifact(SAFE_130, "proxies/GnosisSafeProxy.sol/GnosisSafeProxy.json")["bytecode"].clone(),
        )
        .expect("proxy bytecode");
        let constructor = (singleton, handler, proxy_code.clone()).abi_encode_params();
        let code = include_str!("../fixtures/polymarket_safe_factory.hex").trim();
        let data = format!("{code}{}", alloy_primitives::hex::encode(constructor));
        let receipt = self.send(json!({ "from": self.deployer, "data": data, "gas": "0x1000000" })).await;
        self.polymarket_factory = serde_json::from_value(receipt["contractAddress"].clone()).expect("factory address");
        let mut init_code = proxy_code.to_vec();
        init_code.extend_from_slice(singleton.into_word().as_slice());
        self.polymarket_init_code_hash = alloy_primitives::keccak256(init_code);
    }

    /// Safe 1.3.0's MultiSend, an ERC-20 standing in for pUSD and the real Conditional Tokens
    /// contract: what account setup approves, at fresh addresses.
    pub async fn deploy_trading_contracts(&self) -> TradingContracts {
        TradingContracts {
            multisend: self.deploy_artifact(SAFE_130, "libraries/MultiSend.sol/MultiSend.json").await,
            collateral: self.deploy_artifact(SAFE_130, "test/ERC20Token.sol/ERC20Token.json").await,
            ctf: self
                .deploy_artifact("@gnosis.pm/conditional-tokens-contracts/build/contracts", "ConditionalTokens.json")
                .await,
        }
    }

    /// The Polymarket-style Safe factory: its address and the init code hash it derives Safes with.
    pub fn polymarket_factory(&self) -> (Address, B256) {
        (self.polymarket_factory, self.polymarket_init_code_hash)
    }

    /// The node, for calls the suites make themselves.
    pub fn anvil(&self) -> &Anvil {
        &self.anvil
    }

    pub fn rpc_url(&self) -> String {
        self.anvil.url()
    }

    /// A new 1-of-1 Safe owned by `owner`, with the compatibility fallback handler that answers
    /// ERC-1271 `isValidSignature(bytes32,bytes)` for it.
    pub async fn deploy_safe(&self, owner: Address) -> Address {
        let initializer = setupCall {
            owners: vec![owner],
            threshold: U256::from(1),
            to: Address::ZERO,
            data: Bytes::new(),
            fallbackHandler: self.fallback_handler,
            paymentToken: Address::ZERO,
            payment: U256::ZERO,
            paymentReceiver: Address::ZERO,
        }
        .abi_encode();
        let create = createProxyWithNonceCall {
            singleton: self.singleton,
            initializer: initializer.into(),
            saltNonce: U256::from(self.next_salt.fetch_add(1, Ordering::SeqCst)),
        }
        .abi_encode();
        // The same call answered first as a call, to learn the address, then sent.
        let call = json!({ "from": self.deployer, "to": self.factory, "data": Bytes::from(create.clone()) });
        let returned = self.anvil.rpc("eth_call", json!([call, "latest"])).await.expect("predict Safe address");
        let returned: Bytes = serde_json::from_value(returned).expect("returned bytes");
        let safe = createProxyWithNonceCall::abi_decode_returns(&returned).expect("proxy address");
        self.send(
            json!({ "from": self.deployer, "to": self.factory, "data": Bytes::from(create), "gas": "0x1000000" }),
        )
        .await;
        safe
    }

    /// A Polymarket-style deposit wallet owned by `owner` (`contracts/test/mocks/MinimalDepositWallet.sol`):
    /// it validates POLY_1271 orders through ERC-7739 `TypedDataSign`.
    pub async fn deploy_deposit_wallet(&self, owner: Address) -> Address {
        let code = include_str!("../fixtures/minimal_deposit_wallet.hex").trim();
        let data = format!("{code}{}", alloy_primitives::hex::encode(owner.into_word()));
        let receipt = self.send(json!({ "from": self.deployer, "data": data, "gas": "0x1000000" })).await;
        serde_json::from_value(receipt["contractAddress"].clone()).expect("deployed address")
    }

    /// Mirror's AutomationModule (`contracts/src/AutomationModule.sol`, the committed build) for
    /// `collateral`.
    pub async fn deploy_automation_module(&self, collateral: Address) -> Address {
        let code = include_str!("../fixtures/automation_module.hex").trim();
        let data = format!("{code}{}", alloy_primitives::hex::encode(collateral.into_word()));
        let receipt = self.send(json!({ "from": self.deployer, "data": data, "gas": "0x1c9c380" })).await;
        serde_json::from_value(receipt["contractAddress"].clone()).expect("deployed address")
    }

    /// Whether `contract` answers ERC-1271 `isValidSignature(hash, signature)` with the magic value.
    pub async fn is_valid_signature(&self, contract: Address, hash: B256, signature: &[u8]) -> bool {
        self.anvil.json_rpc().is_valid_signature(contract, hash, signature).await
    }

    async fn deploy_artifact(&self, package: &str, relative: &str) -> Address {
        let bytecode = artifact(package, relative)["bytecode"].clone();
        let receipt = self.send(json!({ "from": self.deployer, "data": bytecode, "gas": "0x1000000" })).await;
        serde_json::from_value(receipt["contractAddress"].clone()).expect("deployed address")
    }

    /// The unlocked dev account the contracts were deployed from.
    pub fn deployer(&self) -> Address {
        self.deployer
    }

    /// Sends (from the unlocked dev account when `from` is it) and waits for the receipt, which
    /// must be a success: anvil mines each transaction on arrival, but the receipt can lag the
    /// hash by a moment.
    pub async fn send(&self, transaction: Value) -> Value {
        let hash = self.anvil.rpc("eth_sendTransaction", json!([transaction])).await.expect("eth_sendTransaction");
        let hash: B256 = serde_json::from_value(hash).expect("transaction hash");
        for _ in 0..200 {
            if let Some(receipt) = self.anvil.receipt(hash).await {
                assert_eq!(receipt["status"], "0x1", "transaction reverted: {receipt}");
                return receipt;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no receipt for {hash} within 5 s");
    }
}

fn artifact(package: &str, relative: &str) -> Value {
    let path = node_modules().join(package).join(relative);
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .expect("artifact JSON")
}

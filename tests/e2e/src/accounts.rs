//! A copy-trading stack whose relayer sends to anvil with the real trading contracts: Safe 1.3.0
//! behind the Polymarket-style factory, MultiSend, a pUSD stand-in, the Conditional Tokens and
//! Mirror's AutomationModule. Account setup and Safe automation suites drive it.

use std::time::Duration;

use alloy_primitives::{Address, Bytes, Signature, B256, U256};
use alloy_sol_types::{sol, SolCall};
use k256::ecdsa::SigningKey;
use mirror_fakes::polymarket::FakePolymarketConfig;
use mirror_fakes::{FaultProxy, LocalChain, TradingContracts};
use serde_json::{json, Value};

use crate::copy::{CopyStack, Follower};
use crate::relayer::{pol, Key};
use crate::Reply;

sol! {
    function allowance(address owner, address spender) returns (uint256);
    function isApprovedForAll(address owner, address operator) returns (bool);
}

/// `eth_call` at the latest block.
pub async fn call(chain: &LocalChain, to: Address, data: Vec<u8>) -> Result<Bytes, String> {
    let call = json!({ "to": to, "data": Bytes::from(data) });
    let result = chain.anvil().rpc("eth_call", json!([call, "latest"])).await?;
    Ok(serde_json::from_value(result).expect("bytes"))
}

pub async fn code(chain: &LocalChain, at: Address) -> Bytes {
    let code: Value = chain.anvil().rpc("eth_getCode", json!([at, "latest"])).await.expect("eth_getCode");
    serde_json::from_value(code).expect("code bytes")
}

/// A raw ECDSA signature over `digest` (v 27/28 when serialised).
pub fn sign(key: &SigningKey, digest: B256) -> Signature {
    let (signature, recovery) = key.sign_prehash_recoverable(digest.as_slice()).expect("sign");
    Signature::from_signature_and_parity(signature, recovery.is_y_odd())
}

pub struct AccountRig {
    pub chain: LocalChain,
    pub contracts: TradingContracts,
    pub module: Address,
    pub proxy: FaultProxy,
    pub stack: CopyStack,
    pub spenders: Vec<Address>,
    pub operators: Vec<Address>,
}

impl AccountRig {
    pub async fn start(extra: &[(&str, &str)]) -> AccountRig {
        Self::start_with_deadline(extra, Duration::from_secs(30)).await
    }

    /// As `start`, with the host stopping any invocation that runs past `deadline`.
    pub async fn start_with_deadline(extra: &[(&str, &str)], deadline: Duration) -> AccountRig {
        let chain = LocalChain::start().await;
        let contracts = chain.deploy_trading_contracts().await;
        let module = chain.deploy_automation_module(contracts.collateral).await;
        let key = Key::random();
        chain.anvil().set_balance(key.address, pol(100_000)).await;
        let proxy = FaultProxy::start(&chain.rpc_url()).await;
        let (factory, init_code_hash) = chain.polymarket_factory();
        let spenders: Vec<Address> = [0xe1, 0xe2, 0xad].map(Address::repeat_byte).to_vec();
        let operators: Vec<Address> = [0xe1, 0xe2, 0xa1, 0xa2].map(Address::repeat_byte).to_vec();
        let list = |addresses: &[Address]| addresses.iter().map(|a| format!("{a:#x}")).collect::<Vec<_>>().join(",");
        let values = [
            ("polygon_rpc_url", proxy.url()),
            ("polygon_rpc_host", proxy.url()),
            ("relayer_private_key", key.hex.clone()),
            ("relayer_min_priority_fee_gwei", "1".into()),
            ("relayer_retry_ms", "100".into()),
            ("polymarket_safe_factory", format!("{factory:#x}")),
            ("polymarket_safe_init_code_hash", format!("{init_code_hash:#x}")),
            ("safe_multisend_address", format!("{:#x}", contracts.multisend)),
            ("polymarket_collateral_address", format!("{:#x}", contracts.collateral)),
            ("polymarket_ctf_address", format!("{:#x}", contracts.ctf)),
            ("polymarket_collateral_spenders", list(&spenders)),
            ("polymarket_ctf_operators", list(&operators)),
            ("automation_module_address", format!("{module:#x}")),
            ("polymarket_redeem_adapters", list(&operators[2..])),
            ("polymarket_neg_risk_adapter", format!("{:#x}", spenders[2])),
        ];
        let mut overrides: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        overrides.extend_from_slice(extra);
        let config = FakePolymarketConfig {
            rpc_url: Some(chain.rpc_url()),
            safe_factory: Some((factory, init_code_hash)),
            ..FakePolymarketConfig::default()
        };
        let stack = CopyStack::start_with(&overrides, config, deadline).await;
        AccountRig { chain, contracts, module, proxy, stack, spenders, operators }
    }

    pub async fn setup(&self, follower: &Follower) -> Reply {
        self.stack.user_request(follower, "POST", "/me/trading-account", &Value::Null).await
    }

    pub async fn relayer_tick(&self) {
        let reply = self.stack.app.post_admin("/internal/workers/relayer").await;
        assert_eq!(reply.status, 200, "relayer tick: {}", String::from_utf8_lossy(&reply.body));
    }

    /// Calls setup, ticking the relayer between calls, until it answers READY.
    pub async fn until_ready(&self, follower: &Follower) -> Value {
        for _ in 0..12 {
            let reply = self.setup(follower).await;
            match reply.status {
                200 => return reply.json(),
                202 | 503 => {}
                other => panic!("setup answered {other}: {}", String::from_utf8_lossy(&reply.body)),
            }
            self.relayer_tick().await;
            self.relayer_tick().await;
        }
        panic!("the setup did not become READY: {}", String::from_utf8_lossy(&self.setup(follower).await.body));
    }

    /// The Safe's pUSD allowance to each spender and CTF approval of each operator.
    pub async fn approvals_on_chain(&self, safe: Address) -> (Vec<U256>, Vec<bool>) {
        let mut allowances = Vec::new();
        for spender in &self.spenders {
            let data = allowanceCall { owner: safe, spender: *spender }.abi_encode();
            let bytes = call(&self.chain, self.contracts.collateral, data).await.unwrap();
            allowances.push(allowanceCall::abi_decode_returns(&bytes).unwrap());
        }
        let mut approved = Vec::new();
        for operator in &self.operators {
            let data = isApprovedForAllCall { owner: safe, operator: *operator }.abi_encode();
            let bytes = call(&self.chain, self.contracts.ctf, data).await.unwrap();
            approved.push(isApprovedForAllCall::abi_decode_returns(&bytes).unwrap());
        }
        (allowances, approved)
    }
}

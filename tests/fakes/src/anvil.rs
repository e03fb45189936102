//! A bare anvil for tests that arrange the chain themselves — mining on demand, dropping pending
//! transactions, funding accounts, placing code — as a relayer's tests must to reach the states
//! it recovers from (stuck, replaced, dropped) without waiting for them to happen.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use alloy_primitives::{Address, Bytes, B256, U256, U64};
use serde_json::{json, Value};

use crate::json_rpc::JsonRpc;

/// Where the repository keeps its npm tools, as CI lays them out.
pub(crate) fn node_modules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/node_modules")
}

/// A running anvil with chain id 137 on a free loopback port; killed when dropped.
///
/// The arranging methods panic on an RPC failure, naming the method: in a test's arrangement a
/// failure is a broken test, not a case to handle. `rpc` is the one that hands the error back.
pub struct Anvil {
    process: Child,
    rpc: JsonRpc,
    url: String,
}

impl Anvil {
    /// Starts anvil with `extra_args` after its own (such as `--block-time 1` or `--no-mining`)
    /// and returns once it answers.
    pub async fn start(extra_args: &[&str]) -> Anvil {
        let port = free_port().to_string();
        let process = Command::new(node_modules().join(".mirror-bin/anvil"))
            .args(["--port", &port, "--chain-id", "137", "--quiet"])
            .args(extra_args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start anvil (tools/node_modules/.mirror-bin/anvil)");
        let url = format!("http://127.0.0.1:{port}");
        let mut anvil = Anvil { process, rpc: JsonRpc::new(&url), url };
        anvil.wait_until_up(extra_args).await;
        anvil
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The call's `result`, or the node's `error` object as JSON text (a transport failure as
    /// plain text), for calls whose failure is what the test looks at.
    pub async fn rpc(&self, method: &str, params: Value) -> Result<Value, String> {
        self.rpc.call(method, params).await
    }

    /// With automine off, sent transactions wait in the pool until `mine`.
    pub async fn set_automine(&self, on: bool) {
        self.arrange("evm_setAutomine", json!([on])).await;
    }

    /// Mines `blocks` blocks at once, taking pending transactions into the first.
    pub async fn mine(&self, blocks: u64) {
        self.arrange("anvil_mine", json!([U64::from(blocks)])).await;
    }

    pub async fn set_balance(&self, account: Address, wei: U256) {
        self.arrange("anvil_setBalance", json!([account, wei])).await;
    }

    pub async fn balance(&self, account: Address) -> U256 {
        let balance = self.arrange("eth_getBalance", json!([account, "latest"])).await;
        serde_json::from_value(balance).expect("balance quantity")
    }

    /// The account's transaction count at `block`: `"latest"` counts mined transactions,
    /// `"pending"` also those in the pool with no gap before them.
    pub async fn nonce(&self, account: Address, block: &str) -> u64 {
        quantity(self.arrange("eth_getTransactionCount", json!([account, block])).await)
    }

    /// Removes a transaction from the pool, as a node that evicted it would; whether the pool
    /// held it. A mined transaction stays mined.
    pub async fn drop_transaction(&self, hash: B256) -> bool {
        !self.arrange("anvil_dropTransaction", json!([hash])).await.is_null()
    }

    /// The receipt once the transaction is mined.
    pub async fn receipt(&self, hash: B256) -> Option<Value> {
        Some(self.arrange("eth_getTransactionReceipt", json!([hash])).await).filter(|r| !r.is_null())
    }

    /// The transaction while pending or mined; `None` once dropped or replaced, or if never seen.
    pub async fn transaction(&self, hash: B256) -> Option<Value> {
        Some(self.arrange("eth_getTransactionByHash", json!([hash])).await).filter(|t| !t.is_null())
    }

    /// Places runtime bytecode at `account`, with no deployment transaction.
    pub async fn set_code(&self, account: Address, code: &[u8]) {
        self.arrange("anvil_setCode", json!([account, Bytes::copy_from_slice(code)])).await;
    }

    pub async fn storage(&self, account: Address, slot: U256) -> U256 {
        let word: B256 =
            serde_json::from_value(self.arrange("eth_getStorageAt", json!([account, slot, "latest"])).await)
                .expect("storage word");
        U256::from_be_bytes(word.0)
    }

    pub async fn block_number(&self) -> u64 {
        quantity(self.arrange("eth_blockNumber", json!([])).await)
    }

    /// The node the Safe helpers of `LocalChain` call.
    pub(crate) fn json_rpc(&self) -> &JsonRpc {
        &self.rpc
    }

    async fn arrange(&self, method: &str, params: Value) -> Value {
        self.rpc(method, params).await.unwrap_or_else(|e| panic!("anvil {method}: {e}"))
    }

    async fn wait_until_up(&mut self, extra_args: &[&str]) {
        for _ in 0..200 {
            if self.rpc("eth_chainId", json!([])).await.is_ok() {
                return;
            }
            // Exits at once on an argument it does not know: say so rather than wait out the time.
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!("anvil exited ({status}) before answering; extra args {extra_args:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("anvil did not answer within 10 s");
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// A JSON-RPC hex quantity such as `"0x1a"`.
fn quantity(value: Value) -> u64 {
    serde_json::from_value::<U64>(value).expect("hex quantity").to()
}

//! `make sandbox`'s stand-ins for the services a newcomer cannot reach: the fake Polymarket
//! (CLOB and Data API) with one seeded market, where every address starts with pUSD to spend,
//! and a local chain (anvil, 1-second blocks, chain id 137) for the health check and the relayer,
//! whose development key it funds. Writes the app's variables for them as
//! shell `export` lines to the file named by its one argument, then serves until killed.

use std::process::ExitCode;

use mirror_fakes::polymarket::{FakePolymarket, FakePolymarketConfig};
use mirror_fakes::Anvil;

/// The seeded market's outcome token (`scripts/dev-fill` trades it).
const TOKEN: &str = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
/// What every follower holds before trading: 1,000 pUSD in raw 6-decimal units.
const OPENING_COLLATERAL: u64 = 1_000_000_000;
/// The relayer's key in the sandbox: anvil's first development account (10,000 POL on the local
/// chain; public knowledge, worthless anywhere else).
const RELAYER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

#[tokio::main]
async fn main() -> ExitCode {
    let Some(env_file) = std::env::args().nth(1) else {
        eprintln!("usage: mirror-sandbox <env file to write>");
        return ExitCode::from(2);
    };
    let config = FakePolymarketConfig { opening_collateral: OPENING_COLLATERAL, ..FakePolymarketConfig::default() };
    let polymarket = FakePolymarket::start(config).await;
    polymarket.add_market(TOKEN, "0.01", false, "5", &[("0.50", "10000")], &[("0.52", "10000")]);
    let chain = Anvil::start(&["--block-time", "1"]).await;

    let variables = [
        ("POLYMARKET_CLOB_URL", polymarket.clob_url()),
        ("POLYMARKET_DATA_URL", polymarket.data_url()),
        ("POLYGON_RPC_URL", chain.url()),
        ("POLYGON_RPC_HOST", chain.url()),
        ("POLYGON_CHAIN_ID", "137".to_string()),
        ("RELAYER_PRIVATE_KEY", RELAYER_KEY.to_string()),
    ];
    let exports: String =
        variables.iter().map(|(name, value)| format!("export SPIN_VARIABLE_{name}='{value}'\n")).collect();
    if let Err(e) = std::fs::write(&env_file, exports) {
        eprintln!("mirror-sandbox: cannot write {env_file}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "mirror-sandbox: fake Polymarket CLOB {} and Data API {}, local chain (anvil) {}; market {TOKEN} at 0.50/0.52",
        polymarket.clob_url(),
        polymarket.data_url(),
        chain.url()
    );
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}

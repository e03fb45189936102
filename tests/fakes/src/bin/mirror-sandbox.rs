//! `make sandbox`'s stand-ins for the services a newcomer cannot reach: the fake Polymarket
//! (CLOB and Data API) with one seeded market, where every address starts with pUSD to spend,
//! and a Polygon JSON-RPC endpoint for the health check. Writes the app's variables for them as
//! shell `export` lines to the file named by its one argument, then serves until killed.

use std::process::ExitCode;

use mirror_fakes::polymarket::{FakePolymarket, FakePolymarketConfig};
use mirror_fakes::{FakeService, Kind};

/// The seeded market's outcome token (`scripts/dev-fill` trades it).
const TOKEN: &str = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
/// What every follower holds before trading: 1,000 pUSD in raw 6-decimal units.
const OPENING_COLLATERAL: u64 = 1_000_000_000;

#[tokio::main]
async fn main() -> ExitCode {
    let Some(env_file) = std::env::args().nth(1) else {
        eprintln!("usage: mirror-sandbox <env file to write>");
        return ExitCode::from(2);
    };
    let config = FakePolymarketConfig { opening_collateral: OPENING_COLLATERAL, ..FakePolymarketConfig::default() };
    let polymarket = FakePolymarket::start(config).await;
    polymarket.add_market(TOKEN, "0.01", false, "5", &[("0.50", "10000")], &[("0.52", "10000")]);
    let rpc = FakeService::start(Kind::PolygonRpc).await;

    let variables = [
        ("POLYMARKET_CLOB_URL", polymarket.clob_url()),
        ("POLYMARKET_DATA_URL", polymarket.data_url()),
        ("POLYGON_RPC_URL", rpc.url()),
        ("POLYGON_RPC_HOST", rpc.url()),
    ];
    let exports: String =
        variables.iter().map(|(name, value)| format!("export SPIN_VARIABLE_{name}='{value}'\n")).collect();
    if let Err(e) = std::fs::write(&env_file, exports) {
        eprintln!("mirror-sandbox: cannot write {env_file}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "mirror-sandbox: fake Polymarket CLOB {} and Data API {}, Polygon RPC {}; market {TOKEN} at 0.50/0.52",
        polymarket.clob_url(),
        polymarket.data_url(),
        rpc.url()
    );
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}

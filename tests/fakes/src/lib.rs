//! Fakes of the external services Mirror calls, each on its own loopback port so outbound-host
//! policy applies to them as to the real ones. Behaviour is switched from the test at any time.

mod anvil;
mod behaviour;
mod chain;
mod counter;
mod fault_proxy;
mod health_endpoints;
mod json_rpc;
pub mod polymarket;

pub use anvil::Anvil;
pub use behaviour::Behaviour;
pub use chain::{LocalChain, TradingContracts};
pub use counter::{counter_contract, REVERTING_SELECTOR, REVERT_REASON};
pub use fault_proxy::FaultProxy;
pub use health_endpoints::{unreachable_url, FakeService, Kind};

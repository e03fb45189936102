//! `orders.status`: read into this once, wherever an order row is read.

use crate::text_enum::text_enum;

text_enum! {
    /// `orders.status`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum OrderStatus {
        Pending = "PENDING",
        Submitted = "SUBMITTED",
        PartiallyFilled = "PARTIALLY_FILLED",
        Filled = "FILLED",
        Cancelled = "CANCELLED",
        Failed = "FAILED",
        DryRun = "DRY_RUN",
    }
}

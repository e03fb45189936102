use crate::text_enum::text_enum;

text_enum! {
    /// `relayer_txs.status`: PENDING → SUBMITTED → CONFIRMED | FAILED (a FAILED row is also a
    /// dead letter until an operator retries it, back to PENDING).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum TxStatus {
        /// Waiting to be sent (or re-sent: a nonce and a signed transaction may already be stored).
        Pending = "PENDING",
        /// Accepted by the node under at least one hash; waiting for a receipt.
        Submitted = "SUBMITTED",
        /// Mined with receipt status 1.
        Confirmed = "CONFIRMED",
        /// Mined with status 0, or refused past `relayer_max_attempts`.
        Failed = "FAILED",
    }
}

text_enum! {
    /// `relayer_txs.kind`: what a transaction is for.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum TxKind {
        Withdrawal = "WITHDRAWAL",
        Redeem = "REDEEM",
        ModuleExec = "MODULE_EXEC",
        OwnershipTransfer = "OWNERSHIP_TRANSFER",
        /// An operator's transaction, sent through the relayer instead of with its key in a terminal.
        Manual = "MANUAL",
        /// A 0-value self-transfer that uses up a nonce nothing else will (a gap).
        NonceFill = "NONCE_FILL",
        /// Polymarket's Safe factory's `createProxy`, signed by the Safe's owner.
        SafeCreate = "SAFE_CREATE",
        /// A Safe's `execTransaction`, signed by its owner.
        SafeTx = "SAFE_TX",
    }
}

//! What an `eth_sendRawTransaction` answer means, classified as OpenZeppelin Relayer does
//! (EXTERNAL.md): the node's words decide, since error codes differ between clients.

use serde_json::Value;

use super::rpc::{short, RpcError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// The node took the transaction.
    Accepted,
    /// The node already has this transaction, or one on the same nonce it will not replace
    /// with this one: it was submitted before.
    AlreadyKnown,
    /// The nonce is used on chain: reconcile from the receipts of the hashes it was sent under.
    NonceTooLow,
    /// The node will not queue this far ahead: transient (the gap before it is filled).
    NonceTooHigh,
    /// The relayer cannot pay for it: the row waits and the balance alert is raised.
    InsufficientFunds,
    /// Its fees are below what the node takes now (the base fee rose): signed again with fresh
    /// fees next time, nothing spent.
    Underpriced,
    /// The node or the way to it is unavailable: sent again later, as it is.
    Transient(String),
    /// The node refused this transaction for what it is: signed again (fresh fees) next time,
    /// and an attempt is spent.
    Rejected(String),
}

pub fn classify_send(result: &Result<Value, RpcError>) -> SendOutcome {
    let error = match result {
        Ok(Value::String(_)) => return SendOutcome::Accepted,
        Ok(other) => return SendOutcome::Transient(format!("unexpected send answer {}", short(other))),
        Err(e) => e,
    };
    if let RpcError::Node { message, .. } = error {
        let message = message.to_ascii_lowercase();
        let has = |needle: &str| message.contains(needle);
        if has("already known")
            || has("known transaction")
            || has("already imported")
            || has("same hash")
            || has("replacement transaction underpriced")
        {
            return SendOutcome::AlreadyKnown;
        }
        if has("nonce too low") || has("nonce has already been used") {
            return SendOutcome::NonceTooLow;
        }
        if has("nonce too high") {
            return SendOutcome::NonceTooHigh;
        }
        if has("insufficient funds") {
            return SendOutcome::InsufficientFunds;
        }
        if has("less than block base fee") || has("underpriced") || has("fee too low") {
            return SendOutcome::Underpriced;
        }
    }
    // Only the node can refuse a transaction; a failure on the way to it (even a 4xx of a
    // gateway, e.g. a bad RPC key) says nothing about the transaction, so nothing is spent on it.
    match error {
        RpcError::Node { .. } if !error.is_transient() => SendOutcome::Rejected(error.to_string()),
        _ => SendOutcome::Transient(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::HttpError;

    fn node(code: i64, message: &str) -> Result<Value, RpcError> {
        Err(RpcError::Node { code, message: message.into(), data: None })
    }

    #[test]
    fn node_answers_are_classified_by_their_words_then_by_transport() {
        use SendOutcome::*;
        assert_eq!(classify_send(&Ok(Value::String("0xab".into()))), Accepted);
        for (message, expected) in [
            ("already known", AlreadyKnown),
            ("transaction already imported", AlreadyKnown),
            ("Known transaction: 0xab", AlreadyKnown),
            ("replacement transaction underpriced", AlreadyKnown),
            ("nonce too low", NonceTooLow),
            ("Nonce too high", NonceTooHigh),
            ("Insufficient funds for gas * price + value", InsufficientFunds),
            ("insufficient funds for gas * price + value: balance 0", InsufficientFunds),
            ("max fee per gas less than block base fee", Underpriced),
            ("transaction underpriced", Underpriced),
        ] {
            assert_eq!(classify_send(&node(-32003, message)), expected, "{message}");
        }
        assert!(matches!(classify_send(&node(-32005, "limit exceeded")), Transient(_)));
        assert!(matches!(classify_send(&node(-32602, "invalid params")), Rejected(_)));
        assert!(matches!(classify_send(&node(-32000, "intrinsic gas too low")), Rejected(_)));
        for status in [429, 408, 425, 500, 502, 503, 504, 401, 501] {
            assert!(matches!(classify_send(&Err(RpcError::Status(status))), Transient(_)), "{status}");
        }
        assert!(RpcError::Status(503).is_transient() && !RpcError::Status(501).is_transient());
        assert!(!RpcError::Status(401).is_transient());
        assert!(matches!(classify_send(&Err(RpcError::Transport(HttpError::Timeout))), Transient(_)));
        assert!(matches!(classify_send(&Err(RpcError::Garbage("html".into()))), Transient(_)));
        assert!(matches!(classify_send(&Ok(Value::Null)), Transient(_)));
    }
}

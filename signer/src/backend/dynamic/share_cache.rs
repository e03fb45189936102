//! Recovered server key shares, kept in memory only. Recovering a share from Dynamic's backup is
//! an HTTP call plus a password-based key derivation (PBKDF2, one million rounds, about a CPU
//! second); doing that on every signature would cap the signer at a few signatures per second.
//! Shares are never written anywhere; a restart forgets them and recovers again on first use.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use dynamic_waas_sdk::ServerKeyShare;

pub type Shares = Arc<Vec<ServerKeyShare>>;

/// A bounded map from (wallet id, backup ids) to that wallet's shares; the oldest entry leaves first.
pub struct ShareCache {
    capacity: usize,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    shares: HashMap<String, Shares>,
    order: VecDeque<String>,
}

impl ShareCache {
    pub fn new(capacity: usize) -> ShareCache {
        ShareCache { capacity, entries: Mutex::default() }
    }

    pub fn get(&self, key: &str) -> Option<Shares> {
        self.lock().shares.get(key).cloned()
    }

    pub fn insert(&self, key: String, shares: Shares) {
        let mut entries = self.lock();
        if entries.shares.insert(key.clone(), shares).is_none() {
            entries.order.push_back(key);
        }
        while entries.order.len() > self.capacity {
            if let Some(oldest) = entries.order.pop_front() {
                entries.shares.remove(&oldest);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // The map holds no invariant a panicking writer could break halfway.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(id: &str) -> Shares {
        Arc::new(vec![ServerKeyShare::new(id, "secret")])
    }

    #[test]
    fn keeps_at_most_capacity_entries_dropping_the_oldest() {
        let cache = ShareCache::new(2);
        cache.insert("a".into(), shares("a"));
        cache.insert("b".into(), shares("b"));
        cache.insert("a".into(), shares("a2"));
        cache.insert("c".into(), shares("c"));
        assert!(cache.get("a").is_none());
        assert_eq!(cache.get("b").unwrap()[0].key_share_id, "b");
        assert_eq!(cache.get("c").unwrap()[0].key_share_id, "c");
    }
}

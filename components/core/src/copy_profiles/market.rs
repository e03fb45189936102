//! Market references in a profile's allow and deny lists: a condition id (`0x` + 64 hex, kept
//! lowercase, as the Data API reports it) or a market slug.

use crate::api::{invalid, ApiError};

/// Most entries one list may hold.
pub const MAX_MARKETS: usize = 200;

/// Longest market slug accepted.
const MAX_SLUG_LEN: usize = 200;

/// The list's entries normalised (condition ids lowercased), or a VALIDATION_ERROR naming the
/// list and the failing entry's index.
pub fn normalize_markets(field: &str, entries: &[String]) -> Result<Vec<String>, ApiError> {
    if entries.len() > MAX_MARKETS {
        return Err(invalid(field, &format!("at most {MAX_MARKETS} entries")));
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            normalize_market(entry).ok_or_else(|| {
                invalid(
                    &format!("{field}[{i}]"),
                    "must be a condition id (0x + 64 hex) or a market slug (a-z, 0-9, '-', at most 200)",
                )
            })
        })
        .collect()
}

/// A text that starts like a condition id (`0x` then hex) must be one; anything else must be a
/// slug, so a mistyped condition id is refused rather than taken for a slug.
fn normalize_market(entry: &str) -> Option<String> {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    match entry.strip_prefix("0x").or_else(|| entry.strip_prefix("0X")) {
        Some(digits) if hex(digits) => (digits.len() == 64).then(|| format!("0x{}", digits.to_ascii_lowercase())),
        _ => {
            let slug = (1..=MAX_SLUG_LEN).contains(&entry.len())
                && entry.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            slug.then(|| entry.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> Result<Vec<String>, String> {
        let owned: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        normalize_markets("marketAllowlist", &owned).map_err(|e| e.message)
    }

    #[test]
    fn condition_ids_are_lowercased_and_slugs_kept() {
        let id = format!("0x{}", "AB".repeat(32));
        assert_eq!(list(&[&id, "will-it-rain-2026"]), Ok(vec![id.to_ascii_lowercase(), "will-it-rain-2026".into()]));
    }

    #[test]
    fn bad_entries_and_long_lists_are_rejected_naming_the_entry() {
        let short_id = format!("0x{}", "a".repeat(63));
        for bad in ["", "Will-It-Rain", "has space", short_id.as_str(), &"a".repeat(201)] {
            assert!(list(&["ok", bad]).unwrap_err().starts_with("`marketAllowlist[1]`"), "{bad:?}");
        }
        let many = vec!["m"; MAX_MARKETS + 1];
        assert!(list(&many).unwrap_err().contains("at most 200 entries"));
        assert!(list(&vec!["m"; MAX_MARKETS]).is_ok());
    }
}

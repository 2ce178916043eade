//! Entity tags: a weak validator of an entity's state (`W/"…"`), sent as `@odata.etag` and in
//! the `ETag` header, and checked against `If-Match` before a change. It is a digest of the
//! entity's stored document (FNV-1a, 64 bits), so it changes with every change to what is
//! stored, is the same on every instance, and needs no column of its own.

use serde::Serialize;

/// The tag of an entity's current state.
pub fn of<T: Serialize>(entity: &T) -> String {
    let bytes = serde_json::to_vec(entity).unwrap_or_default();
    format!("W/\"{:016x}\"", digest([bytes.as_slice()]))
}

/// FNV-1a, 64 bits, over the parts in turn: stable across processes and versions (not a
/// secure hash).
pub fn digest<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Whether an `If-Match` header value (tags separated by commas, or `*`) lets a change to the
/// entity whose tag is `current` go ahead. Weak comparison: `W/` prefixes are ignored.
pub fn matches(if_match: &str, current: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").trim().to_string();
    let current = bare(current);
    if_match
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || bare(t) == current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_content() {
        let a = of(&serde_json::json!({"id": "1", "name": "a"}));
        let b = of(&serde_json::json!({"id": "1", "name": "b"}));
        assert_ne!(a, b);
        assert_eq!(a, of(&serde_json::json!({"id": "1", "name": "a"})));
        assert!(a.starts_with("W/\"") && a.ends_with('"'));
        assert!(matches(&a, &a));
        assert!(matches(a.trim_start_matches("W/"), &a));
        assert!(matches(&format!("{b}, {a}"), &a));
        assert!(matches("*", &a));
        assert!(!matches(&b, &a));
        assert!(!matches("", &a));
    }
}

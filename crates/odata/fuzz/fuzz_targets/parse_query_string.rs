//! Fuzz target: `QueryOptions::parse_query_string` over arbitrary bytes (as
//! lossy UTF-8) must never panic, and whatever parses must survive a
//! `to_query_string` round trip.

#![no_main]

use accessd_odata::{Limits, QueryOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let limits = Limits::default();
    if let Ok(q) = QueryOptions::parse_query_string(&raw, &limits) {
        // Canonical text can be a little longer than the input (", " between
        // arguments), so the round trip gets a generous length limit.
        let relaxed = Limits {
            max_len: usize::MAX / 4,
            ..limits
        };
        let again = QueryOptions::parse_query_string(&q.to_query_string(), &relaxed);
        assert_eq!(again, Ok(q));
    }
});

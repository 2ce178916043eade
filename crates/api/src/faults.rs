//! Faults the real service has, injected on purpose (`/_accessd/faults`, docs/emulator.md):
//! throttling (Graph's 429 with `Retry-After`), latency, replication lag (a new object answers
//! 404 for a while after its create), and one-shot rules ("the next 3 POSTs to
//! assignmentRequests answer 503"). Off until set; they apply to Graph's routes only
//! (`/v1.0`, `/beta`), never to accessd's own. Random choices come from a generator seeded by
//! the rule set's `seed`, so a run can be repeated.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Requests per second per caller (the token), with a burst.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Throttle {
    pub requests_per_second: f64,
    #[serde(default = "one")]
    pub burst: u32,
}

fn one() -> u32 {
    1
}

/// Every Graph call waits between `minMs` and `maxMs` (uniformly) before it is served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Latency {
    pub min_ms: u64,
    pub max_ms: u64,
}

/// A one-shot rule: the next `count` calls that match answer `status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    /// `GET`, `POST`, ... or absent for any.
    #[serde(default)]
    pub method: Option<String>,
    /// Calls whose path contains this (case-insensitive).
    #[serde(default)]
    pub path: Option<String>,
    /// 429, 500, 502, 503 or 504.
    pub status: u16,
    pub count: u32,
    /// Seconds, sent as `Retry-After` (429 and 503).
    #[serde(default)]
    pub retry_after: Option<u32>,
}

/// The faults in force.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<Throttle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    /// Milliseconds during which an object created through `POST` answers 404 to reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_lag_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub seed: u64,
}

impl FaultSet {
    pub fn check(&self) -> Result<(), ApiError> {
        let bad = |p: &str, m: &str| Err(ApiError::bad_property(p, m.to_string()));
        if let Some(t) = &self.throttle
            && (!t.requests_per_second.is_finite() || t.requests_per_second <= 0.0 || t.burst == 0)
        {
            return bad(
                "throttle",
                "requestsPerSecond must be above 0 and burst at least 1.",
            );
        }
        if let Some(l) = &self.latency
            && (l.min_ms > l.max_ms || l.max_ms > 60_000)
        {
            return bad("latency", "minMs must not exceed maxMs, nor maxMs 60000.");
        }
        for (i, r) in self.rules.iter().enumerate() {
            if ![429, 500, 502, 503, 504].contains(&r.status) {
                return bad(
                    &format!("rules[{i}].status"),
                    "A rule answers 429, 500, 502, 503 or 504.",
                );
            }
        }
        Ok(())
    }
}

#[derive(Debug)]
struct State {
    set: FaultSet,
    rng: u64,
    buckets: HashMap<String, (f64, Instant)>,
    created: HashMap<String, Instant>,
}

/// The faults and what they need to remember (token buckets, recent creates).
#[derive(Debug)]
pub struct Faults {
    state: Mutex<State>,
    /// Whether any fault is set: when none is, a call costs one atomic load, not the lock.
    active: std::sync::atomic::AtomicBool,
}

impl FaultSet {
    fn is_empty(&self) -> bool {
        self.throttle.is_none()
            && self.latency.is_none()
            && self.replication_lag_ms.is_none()
            && self.rules.is_empty()
    }
}

impl Default for Faults {
    fn default() -> Self {
        Faults::new(FaultSet::default())
    }
}

/// What the middleware does with a call.
pub enum Verdict {
    /// Serve it (after waiting this long).
    Serve(Duration),
    /// Answer this instead.
    Answer(Response),
}

impl Faults {
    pub fn new(set: FaultSet) -> Faults {
        let rng = set.seed ^ 0x9E37_79B9_7F4A_7C15;
        Faults {
            active: std::sync::atomic::AtomicBool::new(!set.is_empty()),
            state: Mutex::new(State {
                set,
                rng,
                buckets: HashMap::new(),
                created: HashMap::new(),
            }),
        }
    }

    pub fn get(&self) -> FaultSet {
        self.state.lock().map(|s| s.set.clone()).unwrap_or_default()
    }

    /// Puts `set` in force (its generator restarts from its seed).
    pub fn set(&self, set: FaultSet) {
        if let Ok(mut s) = self.state.lock() {
            self.active
                .store(!set.is_empty(), std::sync::atomic::Ordering::Relaxed);
            s.rng = set.seed ^ 0x9E37_79B9_7F4A_7C15;
            s.set = set;
            s.buckets.clear();
            s.created.clear();
        }
    }

    /// Decides about a Graph call from `caller` (its bearer token, or nothing).
    pub fn before(&self, method: &Method, path: &str, caller: &str) -> Verdict {
        if !self.is_active() {
            return Verdict::Serve(Duration::ZERO);
        }
        let Ok(mut s) = self.state.lock() else {
            return Verdict::Serve(Duration::ZERO);
        };
        let lower = path.to_ascii_lowercase();
        // One-shot rules first.
        let hit = s.set.rules.iter().position(|r| {
            r.count > 0
                && r.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
                && r.path
                    .as_deref()
                    .is_none_or(|p| lower.contains(&p.to_ascii_lowercase()))
        });
        if let Some(i) = hit {
            let r = &mut s.set.rules[i];
            r.count -= 1;
            let (status, retry) = (r.status, r.retry_after);
            return Verdict::Answer(fault_response(status, retry));
        }
        if let Some(t) = s.set.throttle.clone() {
            let now = Instant::now();
            let (tokens, at) = s
                .buckets
                .entry(caller.to_string())
                .or_insert((t.burst as f64, now));
            let refill = now.duration_since(*at).as_secs_f64() * t.requests_per_second;
            *tokens = (*tokens + refill).min(t.burst as f64);
            *at = now;
            if *tokens < 1.0 {
                let wait = ((1.0 - *tokens) / t.requests_per_second).ceil().max(1.0) as u32;
                return Verdict::Answer(fault_response(429, Some(wait)));
            }
            *tokens -= 1.0;
        }
        if let Some(lag) = s.set.replication_lag_ms
            && (*method == Method::GET || *method == Method::PATCH || *method == Method::DELETE)
        {
            let window = Duration::from_millis(lag);
            s.created.retain(|_, t| t.elapsed() < window);
            if s.created.keys().any(|id| lower.contains(id)) {
                return Verdict::Answer(
                    ApiError::new(
                        StatusCode::NOT_FOUND,
                        "ResourceNotFound",
                        "The resource was not found (it was created a moment ago and has not replicated yet).",
                    )
                    .into_response(),
                );
            }
        }
        let wait = match s.set.latency.clone() {
            Some(l) if l.max_ms > 0 => {
                let span = l.max_ms - l.min_ms + 1;
                Duration::from_millis(l.min_ms + next(&mut s.rng) % span)
            }
            _ => Duration::ZERO,
        };
        Verdict::Serve(wait)
    }

    /// Whether any fault is set.
    pub fn is_active(&self) -> bool {
        self.active.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Remembers an object a call created (its `Location`), for replication lag.
    pub fn after(&self, method: &Method, res: &Response) {
        if !self.is_active() || *method != Method::POST || res.status() != StatusCode::CREATED {
            return;
        }
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        if s.set.replication_lag_ms.is_none() {
            return;
        }
        if let Some(id) = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.rsplit('/').next())
            .filter(|id| !id.is_empty())
        {
            let id = id.to_ascii_lowercase();
            s.created.insert(id, Instant::now());
        }
    }
}

/// xorshift64*: enough for spreading latencies, repeatable from a seed.
fn next(state: &mut u64) -> u64 {
    let mut x = (*state).max(1);
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn fault_response(status: u16, retry_after: Option<u32>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let (code, message) = match status {
        StatusCode::TOO_MANY_REQUESTS => (
            "TooManyRequests",
            "Too many requests: the application or tenant is being throttled. Retry after the time in the Retry-After header.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "serviceNotAvailable",
            "The service is temporarily unavailable. Retry after the time in the Retry-After header.",
        ),
        StatusCode::GATEWAY_TIMEOUT => ("gatewayTimeout", "The gateway timed out."),
        StatusCode::BAD_GATEWAY => ("badGateway", "Bad gateway."),
        _ => (
            "generalException",
            "An internal error occurred (an injected fault).",
        ),
    };
    let mut r = ApiError::new(status, code, message).into_response();
    if let Some(s) = retry_after
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_rules_answer_then_run_out() {
        let f = Faults::new(FaultSet {
            rules: vec![Rule {
                method: Some("post".into()),
                path: Some("/assignmentRequests".into()),
                status: 503,
                count: 2,
                retry_after: Some(1),
            }],
            ..FaultSet::default()
        });
        let post = Method::POST;
        let p = "/v1.0/identityGovernance/entitlementManagement/assignmentRequests";
        for _ in 0..2 {
            match f.before(&post, p, "t") {
                Verdict::Answer(r) => {
                    assert_eq!(r.status(), 503);
                    assert_eq!(r.headers()[header::RETRY_AFTER], "1");
                }
                Verdict::Serve(_) => panic!("should fault"),
            }
        }
        assert!(matches!(f.before(&post, p, "t"), Verdict::Serve(_)));
        assert!(matches!(f.before(&Method::GET, p, "t"), Verdict::Serve(_)));
    }

    #[test]
    fn throttling_is_per_caller_and_latency_repeats_with_the_seed() {
        let f = Faults::new(FaultSet {
            throttle: Some(Throttle {
                requests_per_second: 0.5,
                burst: 2,
            }),
            ..FaultSet::default()
        });
        let g = Method::GET;
        assert!(matches!(f.before(&g, "/v1.0/x", "a"), Verdict::Serve(_)));
        assert!(matches!(f.before(&g, "/v1.0/x", "a"), Verdict::Serve(_)));
        match f.before(&g, "/v1.0/x", "a") {
            Verdict::Answer(r) => {
                assert_eq!(r.status(), 429);
                assert_eq!(r.headers()[header::RETRY_AFTER], "2");
            }
            Verdict::Serve(_) => panic!("should be throttled"),
        }
        assert!(matches!(f.before(&g, "/v1.0/x", "b"), Verdict::Serve(_)));
        let waits = |seed| {
            let f = Faults::new(FaultSet {
                latency: Some(Latency {
                    min_ms: 10,
                    max_ms: 50,
                }),
                seed,
                ..FaultSet::default()
            });
            (0..5)
                .map(|_| match f.before(&g, "/v1.0/x", "a") {
                    Verdict::Serve(d) => d.as_millis(),
                    Verdict::Answer(_) => 0,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(waits(7), waits(7));
        assert!(waits(7).iter().all(|w| (10..=50).contains(w)));
        assert!(
            FaultSet {
                throttle: Some(Throttle {
                    requests_per_second: 0.0,
                    burst: 1
                }),
                ..FaultSet::default()
            }
            .check()
            .is_err()
        );
    }
}

//! The request log the emulator shows at `GET /_accessd/requests`: the last calls (time,
//! caller, method, path, status, latency, ids, an excerpt of the body with secrets masked),
//! kept in memory, newest first. Handlers that know the caller or read the body leave a
//! [`Seen`] in the response's extensions; the middleware records the rest.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::{Value, json};

/// How many calls are kept.
pub const CAPACITY: usize = 1000;
/// How much of a body is kept.
const EXCERPT: usize = 1024;

/// What a handler saw: who called, and the body's excerpt (masked).
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub caller: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub time: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub latency_ms: f64,
    pub request_id: String,
    pub client_request_id: String,
    pub seen: Seen,
}

impl Entry {
    pub fn json(&self) -> Value {
        json!({
            "dateTime": self.time, "method": self.method, "path": self.path,
            "status": self.status, "latencyMs": (self.latency_ms * 1000.0).round() / 1000.0,
            "requestId": self.request_id, "clientRequestId": self.client_request_id,
            "caller": self.seen.caller, "body": self.seen.body,
        })
    }
}

#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Mutex<VecDeque<Entry>>,
}

impl RequestLog {
    pub fn push(&self, e: Entry) {
        if let Ok(mut q) = self.entries.lock() {
            if q.len() >= CAPACITY {
                q.pop_back();
            }
            q.push_front(e);
        }
    }

    /// The newest first, those `keep` accepts, at most `top`.
    pub fn newest(&self, top: usize, keep: impl Fn(&Entry) -> bool) -> Vec<Entry> {
        self.entries
            .lock()
            .map(|q| q.iter().filter(|e| keep(e)).take(top).cloned().collect())
            .unwrap_or_default()
    }
}

/// Property names whose values are secrets, in JSON bodies and forms.
const SECRET_KEYS: &[&str] = &[
    "password",
    "secretText",
    "client_secret",
    "client_assertion",
    "refresh_token",
    "access_token",
    "id_token",
];

fn is_secret(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

fn mask_json(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if is_secret(k) {
                    *x = Value::String("***".into());
                } else {
                    mask_json(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask_json),
        _ => {}
    }
}

/// A body as the log keeps it: JSON or a form with its secrets replaced by `***`, cut to
/// 1 KiB; other bodies only by their size.
pub fn excerpt(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let text = if let Ok(mut v) = serde_json::from_slice::<Value>(bytes) {
        mask_json(&mut v);
        v.to_string()
    } else if let Ok(s) = std::str::from_utf8(bytes)
        && s.contains('=')
        && !s.contains(char::is_whitespace)
    {
        form_urlencoded::parse(s.as_bytes())
            .map(|(k, v)| {
                let v = if is_secret(&k) { "***".into() } else { v };
                format!("{k}={v}")
            })
            .collect::<Vec<_>>()
            .join("&")
    } else {
        return Some(format!("({} bytes)", bytes.len()));
    };
    Some(if text.len() > EXCERPT {
        let mut cut = EXCERPT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}...", &text[..cut])
    } else {
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_long_bodies_cut() {
        let b = br#"{"displayName":"u","passwordProfile":{"password":"Hunter2!x"},"list":[{"secretText":"abc"}]}"#;
        let e = excerpt(b).unwrap();
        assert!(!e.contains("Hunter2") && !e.contains("abc\""), "{e}");
        assert!(e.contains("\"displayName\":\"u\""));
        let f =
            excerpt(b"grant_type=password&username=a%40b&password=s3cret&client_secret=x").unwrap();
        assert_eq!(
            f,
            "grant_type=password&username=a@b&password=***&client_secret=***"
        );
        let long = format!("{{\"x\":\"{}\"}}", "é".repeat(2000));
        assert!(excerpt(long.as_bytes()).unwrap().ends_with("..."));
        assert_eq!(excerpt(b"\x00\x01 binary").unwrap(), "(9 bytes)");
        assert_eq!(excerpt(b""), None);
    }

    #[test]
    fn the_log_keeps_the_newest() {
        let log = RequestLog::default();
        for i in 0..CAPACITY + 5 {
            log.push(Entry {
                time: String::new(),
                method: "GET".into(),
                path: format!("/{i}"),
                status: 200,
                latency_ms: 0.0,
                request_id: String::new(),
                client_request_id: String::new(),
                seen: Seen::default(),
            });
        }
        let n = log.newest(usize::MAX, |_| true);
        assert_eq!(n.len(), CAPACITY);
        assert_eq!(n[0].path, format!("/{}", CAPACITY + 4));
        assert_eq!(log.newest(2, |e| e.path.ends_with('7')).len(), 2);
    }
}

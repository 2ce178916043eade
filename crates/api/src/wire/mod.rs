//! The two JSON dialects. For each entity: `*_out(dialect, ..)` projects the domain object into
//! the dialect's JSON, and `*_in(dialect, body, &mut entity)` applies the properties a body
//! carries onto an entity (defaults for a create or a PUT, the current state for a PATCH).
//! Bodies reach `*_in` only after `edm::validate` accepted them, so types are already right;
//! what is checked here is meaning (which values go together, required properties).
//!
//! The mapping between the dialects is written down in `docs/dialects.md`.

pub mod approvals;
pub mod audit;
pub mod catalog;
pub mod directory;
pub mod partners;
pub mod policy;
pub mod resources;
pub mod roles;
pub mod work;

use accessd_domain::{Duration, Timestamp};
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// A validated JSON object, read property by property. `None` means absent; `Some(None)`
/// means an explicit `null`.
#[derive(Clone, Copy)]
pub struct In<'a>(pub &'a Map<String, Value>);

impl<'a> In<'a> {
    pub fn has(&self, k: &str) -> bool {
        self.0.contains_key(k)
    }
    pub fn raw(&self, k: &str) -> Option<&'a Value> {
        self.0.get(k)
    }
    pub fn str(&self, k: &str) -> Option<Option<String>> {
        self.0.get(k).map(|v| v.as_str().map(str::to_string))
    }
    pub fn bool(&self, k: &str) -> Option<Option<bool>> {
        self.0.get(k).map(Value::as_bool)
    }
    pub fn i64(&self, k: &str) -> Option<Option<i64>> {
        self.0.get(k).map(Value::as_i64)
    }
    pub fn ts(&self, k: &str) -> Option<Option<Timestamp>> {
        self.0
            .get(k)
            .map(|v| v.as_str().and_then(|s| Timestamp::parse(s).ok()))
    }
    pub fn dur(&self, k: &str) -> Option<Option<Duration>> {
        self.0
            .get(k)
            .map(|v| v.as_str().and_then(|s| Duration::parse(s).ok()))
    }
    pub fn obj(&self, k: &str) -> Option<Option<In<'a>>> {
        self.0.get(k).map(|v| v.as_object().map(In))
    }
    /// The items of an array property (null or absent: empty).
    pub fn items(&self, k: &str) -> Vec<In<'a>> {
        match self.0.get(k) {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).map(In).collect(),
            _ => vec![],
        }
    }
    pub fn strings(&self, k: &str) -> Vec<String> {
        match self.0.get(k) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => vec![],
        }
    }
    /// `@odata.type` without `#` and namespace.
    pub fn odata_type(&self) -> Option<&'a str> {
        self.0
            .get("@odata.type")
            .and_then(Value::as_str)
            .map(crate::edm::short_name)
    }
    /// The `id` inside a navigation binding such as `"accessPackage": {"id": "..."}`.
    pub fn ref_id(&self, k: &str) -> Option<String> {
        self.0
            .get(k)
            .and_then(Value::as_object)
            .and_then(|o| o.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

/// Sets `target` when the property was present.
pub fn set<T>(target: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *target = v;
    }
}

/// Sets a non-nullable value when the property was present and not null.
pub fn set_nn<T>(target: &mut T, v: Option<Option<T>>) {
    if let Some(Some(v)) = v {
        *target = v;
    }
}

/// An output object, in insertion order.
#[derive(Default)]
pub struct Out(pub Map<String, Value>);

impl Out {
    pub fn typed(t: &str) -> Out {
        let mut m = Map::new();
        m.insert("@odata.type".into(), json!(format!("#microsoft.graph.{t}")));
        Out(m)
    }
    pub fn put(mut self, k: &str, v: impl Into<Value>) -> Out {
        self.0.insert(k.into(), v.into());
        self
    }
    pub fn opt<T: Into<Value>>(self, k: &str, v: Option<T>) -> Out {
        let v = v.map_or(Value::Null, Into::into);
        self.put(k, v)
    }
    pub fn ts(self, k: &str, v: Option<&Timestamp>) -> Out {
        self.opt(k, v.map(Timestamp::to_wire))
    }
    pub fn dur(self, k: &str, v: Option<&Duration>) -> Out {
        self.opt(k, v.map(Duration::to_iso))
    }
    pub fn done(self) -> Map<String, Value> {
        self.0
    }
    pub fn value(self) -> Value {
        Value::Object(self.0)
    }
}

/// Runs the validator on a value a mapping reads by hand (legacy aliases, contained entities).
pub fn check_as(d: crate::Dialect, type_name: &str, v: &Value, path: &str) -> Result<(), ApiError> {
    crate::edm::validate::check(d, type_name, v, &crate::edm::validate::NO_EXTRAS).map_err(
        |mut e| {
            let inner = e.target.take().unwrap_or_default();
            let full = if inner.is_empty() || inner == type_name {
                path.to_string()
            } else if inner.starts_with('[') {
                format!("{path}{inner}")
            } else {
                format!("{path}.{inner}")
            };
            e.message = e
                .message
                .replace(&format!("'{inner}'"), &format!("'{full}'"));
            e.target = Some(full);
            e
        },
    )
}

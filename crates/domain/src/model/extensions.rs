//! Custom extensions (`customCalloutExtension`s of a catalog, `customWorkflowExtensions`): the
//! endpoints entitlement management calls at a request's or an assignment's stages.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::time::{Duration, Timestamp};

/// The request-workflow type: called at a request's stages, may make the request wait for a
/// callback (`resume`).
pub const REQUEST_WORKFLOW_EXTENSION: &str = "accessPackageAssignmentRequestWorkflowExtension";
/// The assignment-workflow type: called before an assignment expires, never waited for.
pub const ASSIGNMENT_WORKFLOW_EXTENSION: &str = "accessPackageAssignmentWorkflowExtension";

/// A custom extension. The configurations are kept as validated JSON, as the caller wrote them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomExtension {
    pub id: String,
    pub catalog_id: String,
    /// [`REQUEST_WORKFLOW_EXTENSION`] or [`ASSIGNMENT_WORKFLOW_EXTENSION`].
    pub odata_type: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub endpoint_configuration: Option<Value>,
    pub authentication_configuration: Option<Value>,
    pub client_configuration: Option<Value>,
    pub callback_configuration: Option<Value>,
    pub created_date_time: Timestamp,
    pub last_modified_date_time: Timestamp,
    pub created_by: Option<String>,
    pub last_modified_by: Option<String>,
}

impl CustomExtension {
    /// Where the callout goes: a Logic App trigger's `url` or an HTTP endpoint's `targetUrl`.
    pub fn url(&self) -> Option<&str> {
        let e = self.endpoint_configuration.as_ref()?;
        e.get("url")
            .or_else(|| e.get("targetUrl"))
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
    }

    /// How long a request waits for the callback, when this extension is waited for
    /// ("launch and wait": a request-workflow extension with a `callbackConfiguration`).
    pub fn waits_for(&self) -> Option<Duration> {
        if self.odata_type != REQUEST_WORKFLOW_EXTENSION {
            return None;
        }
        let c = self.callback_configuration.as_ref()?;
        c.get("timeoutDuration")
            .or_else(|| c.get("durationBeforeTimeout"))
            .and_then(Value::as_str)
            .and_then(|d| Duration::parse(d).ok())
    }

    /// `clientConfiguration.timeoutInMilliseconds` (default 1 minute).
    pub fn timeout_ms(&self) -> u64 {
        self.client_configuration
            .as_ref()
            .and_then(|c| c.get("timeoutInMilliseconds"))
            .and_then(Value::as_u64)
            .filter(|t| *t > 0)
            .unwrap_or(60_000)
    }

    /// `clientConfiguration.maximumRetries` (default 3).
    pub fn max_retries(&self) -> u32 {
        self.client_configuration
            .as_ref()
            .and_then(|c| c.get("maximumRetries"))
            .and_then(Value::as_u64)
            .map_or(3, |n| n.min(10) as u32)
    }
}

/// What the real service would have sent outside Graph (the emulator's outbox): an e-mail to
/// requestors, approvers or targets, or a custom extension's callout with its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    /// `email` or `callout`.
    pub kind: String,
    /// What it is about: `RequestSubmitted`, `ApprovalRequired`, `RequestApproved`,
    /// `RequestDenied`, `RequestExpired`, `AccessGranted`, `AssignmentExpiring`,
    /// `AssignmentExpired`, or the callout's stage.
    pub template: String,
    /// Recipients' object ids (e-mails) or the endpoint (callouts).
    pub to: Vec<String>,
    /// Recipients' addresses, where the directory has them.
    pub addresses: Vec<String>,
    pub subject: String,
    pub access_package_id: Option<String>,
    pub request_id: Option<String>,
    pub assignment_id: Option<String>,
    /// A callout's body.
    pub payload: Option<Value>,
    /// A callout's answer (`202`, or why nothing came back).
    pub answer: Option<String>,
    pub created_date_time: Timestamp,
}

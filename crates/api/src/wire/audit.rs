//! The audit log's records (`directoryAudit`), the same in both dialects.

use accessd_domain::{AuditEvent, Initiator};
use serde_json::{Map, Value, json};

use super::Out;

fn initiated_by(i: &Initiator) -> Value {
    match i {
        Initiator::User {
            id,
            display_name,
            user_principal_name,
        } => json!({"user": {
            "id": id, "displayName": display_name, "userPrincipalName": user_principal_name,
            "ipAddress": null, "userType": null, "homeTenantId": null, "homeTenantName": null
        }, "app": null}),
        Initiator::App {
            service_principal_id,
            app_id,
            display_name,
        } => json!({"user": null, "app": {
            "appId": app_id, "displayName": display_name,
            "servicePrincipalId": service_principal_id, "servicePrincipalName": display_name
        }}),
        Initiator::System => json!({"user": null, "app": {
            "appId": null, "displayName": "Entitlement Management",
            "servicePrincipalId": null, "servicePrincipalName": "Entitlement Management"
        }}),
    }
}

pub fn event_out(e: &AuditEvent) -> Map<String, Value> {
    let targets: Vec<Value> = e
        .target_resources
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "displayName": t.display_name,
                "type": t.kind,
                "userPrincipalName": null,
                "groupType": null,
                "modifiedProperties": t.modified_properties.iter().map(|p| json!({
                    "displayName": p.display_name,
                    "oldValue": p.old_value,
                    "newValue": p.new_value,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let details: Vec<Value> = e
        .additional_details
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    Out::default()
        .put("id", e.id.clone())
        .put("category", e.category.clone())
        .put("correlationId", e.correlation_id.clone())
        .put("result", e.result.clone())
        .opt("resultReason", e.result_reason.clone())
        .put("activityDisplayName", e.activity_display_name.clone())
        .ts("activityDateTime", Some(&e.activity_date_time))
        .put("loggedByService", "Entitlement Management")
        .put("operationType", e.operation_type.clone())
        .put("initiatedBy", initiated_by(&e.initiated_by))
        .put("targetResources", Value::Array(targets))
        .put("additionalDetails", Value::Array(details))
        .done()
}

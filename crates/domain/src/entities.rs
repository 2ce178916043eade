//! How each model type is kept: its [`Kind`] and its index column values.

use crate::model::*;
use crate::query::Value;
use crate::store::{Entity, Kind, StoreError, StoreResult};
use crate::time::Timestamp;

fn ts(t: &Timestamp) -> Value {
    Value::Text(t.to_storage())
}
fn ts_opt(t: &Option<Timestamp>) -> Value {
    t.as_ref().map_or(Value::Null, ts)
}
fn s(v: &str) -> Value {
    Value::Text(v.to_string())
}
fn so(v: &Option<String>) -> Value {
    v.clone().into()
}

impl Entity for User {
    const KIND: Kind = Kind::User;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            so(&self.display_name),
            so(&self.user_principal_name),
            so(&self.mail),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for Group {
    const KIND: Kind = Kind::Group;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            so(&self.display_name),
            so(&self.mail),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for Catalog {
    const KIND: Kind = Kind::Catalog;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            so(&self.display_name),
            s(self.state.as_str()),
            s(self.catalog_type.as_str()),
            Value::Bool(self.is_externally_visible),
            so(&self.unique_name),
            ts(&self.audit.created_date_time),
            ts(&self.audit.modified_date_time),
        ]
    }
}

impl Entity for AccessPackage {
    const KIND: Kind = Kind::AccessPackage;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.catalog_id),
            so(&self.display_name),
            Value::Bool(self.is_hidden),
            so(&self.unique_name),
            ts(&self.audit.created_date_time),
            ts(&self.audit.modified_date_time),
        ]
    }
}

impl Entity for Policy {
    const KIND: Kind = Kind::Policy;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.access_package_id),
            s(&self.catalog_id),
            so(&self.display_name),
            ts(&self.audit.created_date_time),
            ts(&self.audit.modified_date_time),
        ]
    }
}

impl Entity for AssignmentRequest {
    const KIND: Kind = Kind::AssignmentRequest;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            so(&self.access_package_id),
            so(&self.catalog_id),
            so(&self.policy_id),
            so(&self.assignment_id),
            so(&self.requestor_object_id),
            so(&self.target_object_id),
            s(self.request_type.as_str()),
            s(self.state.as_str()),
            s(&self.status),
            ts(&self.created_date_time),
            ts_opt(&self.completed_date_time),
        ]
    }
}

impl Entity for Assignment {
    const KIND: Kind = Kind::Assignment;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.catalog_id),
            s(&self.access_package_id),
            s(&self.policy_id),
            s(&self.target_id),
            so(&self.target_object_id),
            s(self.state.as_str()),
            s(&self.status),
            Value::Bool(self.is_extended),
            ts_opt(&self.expired_date_time),
            ts_opt(&self.schedule.start_date_time),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for Subject {
    const KIND: Kind = Kind::Subject;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            so(&self.object_id),
            so(&self.display_name),
            so(&self.email),
            so(&self.principal_name),
        ]
    }
}

impl Entity for Resource {
    const KIND: Kind = Kind::Resource;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.catalog_id),
            s(&self.origin_id),
            s(&self.origin_system),
            so(&self.display_name),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for ResourceRole {
    const KIND: Kind = Kind::ResourceRole;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.catalog_id),
            s(&self.resource_id),
            s(&self.origin_id),
            so(&self.display_name),
        ]
    }
}

impl Entity for ResourceScope {
    const KIND: Kind = Kind::ResourceScope;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.catalog_id),
            s(&self.resource_id),
            s(&self.origin_id),
            so(&self.display_name),
        ]
    }
}

impl Entity for ResourceRoleScope {
    const KIND: Kind = Kind::ResourceRoleScope;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.access_package_id),
            s(&self.role_id),
            s(&self.scope_id),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for AssignmentResourceRole {
    const KIND: Kind = Kind::AssignmentResourceRole;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.role_id),
            s(&self.scope_id),
            s(&self.subject_id),
            s(&self.status),
        ]
    }
}

impl Entity for ResourceRequest {
    const KIND: Kind = Kind::ResourceRequest;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.catalog_id),
            so(&self.resource_id),
            s(self.state.as_str()),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for RoleAssignment {
    const KIND: Kind = Kind::RoleAssignment;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(self.provider.as_str()),
            s(&self.principal_id),
            s(&self.role_definition_id),
            so(&self.directory_scope_id),
            so(&self.app_scope_id),
            self.catalog_id().map_or(Value::Null, s),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for Application {
    const KIND: Kind = Kind::Application;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.app_id),
            so(&self.display_name),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for ServicePrincipal {
    const KIND: Kind = Kind::ServicePrincipal;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.app_id),
            so(&self.display_name),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for Credential {
    const KIND: Kind = Kind::Credential;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![s(&self.owner_id), s(self.kind.as_str())]
    }
}

impl Entity for Approval {
    const KIND: Kind = Kind::Approval;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.catalog_id),
            s(&self.policy_id),
            Value::Bool(self.pending),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for DueWork {
    const KIND: Kind = Kind::DueWork;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![ts(&self.due), s(self.kind.as_str()), s(&self.subject_id)]
    }
}

impl Entity for AuditEvent {
    const KIND: Kind = Kind::AuditEvent;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            ts(&self.activity_date_time),
            s(&self.category),
            s(&self.activity_display_name),
            s(&self.correlation_id),
        ]
    }
}

impl Entity for CustomExtension {
    const KIND: Kind = Kind::CustomExtension;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            s(&self.catalog_id),
            so(&self.display_name),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for ConnectedOrganization {
    const KIND: Kind = Kind::ConnectedOrganization;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            so(&self.display_name),
            s(self.state.as_str()),
            ts(&self.created_date_time),
        ]
    }
}

impl Entity for OutboxMessage {
    const KIND: Kind = Kind::OutboxMessage;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![
            ts(&self.created_date_time),
            s(&self.kind),
            s(&self.template),
        ]
    }
}

impl Entity for DeletedItem {
    const KIND: Kind = Kind::DeletedItem;
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Vec<Value> {
        vec![s(self.kind.as_str()), ts(&self.deleted_date_time)]
    }
}

/// The index values of a stored document of `kind`, as [`Entity::index`] gives them (a row
/// copied from one store to another gets its index columns from its document).
pub fn index_of(kind: Kind, data: &str) -> StoreResult<Vec<Value>> {
    fn idx<T: Entity>(data: &str) -> StoreResult<Vec<Value>> {
        serde_json::from_str::<T>(data)
            .map(|e| e.index())
            .map_err(|e| StoreError::Corrupt {
                table: T::KIND.table(),
                id: String::new(),
                message: e.to_string(),
            })
    }
    match kind {
        Kind::User => idx::<User>(data),
        Kind::Group => idx::<Group>(data),
        Kind::Catalog => idx::<Catalog>(data),
        Kind::AccessPackage => idx::<AccessPackage>(data),
        Kind::Policy => idx::<Policy>(data),
        Kind::AssignmentRequest => idx::<AssignmentRequest>(data),
        Kind::Assignment => idx::<Assignment>(data),
        Kind::Subject => idx::<Subject>(data),
        Kind::Resource => idx::<Resource>(data),
        Kind::ResourceRole => idx::<ResourceRole>(data),
        Kind::ResourceScope => idx::<ResourceScope>(data),
        Kind::ResourceRoleScope => idx::<ResourceRoleScope>(data),
        Kind::AssignmentResourceRole => idx::<AssignmentResourceRole>(data),
        Kind::ResourceRequest => idx::<ResourceRequest>(data),
        Kind::RoleAssignment => idx::<RoleAssignment>(data),
        Kind::Application => idx::<Application>(data),
        Kind::ServicePrincipal => idx::<ServicePrincipal>(data),
        Kind::Credential => idx::<Credential>(data),
        Kind::Approval => idx::<Approval>(data),
        Kind::DueWork => idx::<DueWork>(data),
        Kind::AuditEvent => idx::<AuditEvent>(data),
        Kind::DeletedItem => idx::<DeletedItem>(data),
        Kind::CustomExtension => idx::<CustomExtension>(data),
        Kind::OutboxMessage => idx::<OutboxMessage>(data),
        Kind::ConnectedOrganization => idx::<ConnectedOrganization>(data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Entity;

    fn check<T: Entity>(e: &T) {
        assert_eq!(e.index().len(), T::KIND.columns().len(), "{:?}", T::KIND);
    }

    #[test]
    fn index_values_match_declared_columns() {
        let now = Timestamp::parse("2030-01-01T00:00:00Z").unwrap();
        check(&User {
            id: "u".into(),
            display_name: None,
            user_principal_name: None,
            mail: None,
            mail_nickname: None,
            given_name: None,
            surname: None,
            job_title: None,
            department: None,
            user_type: None,
            account_enabled: None,
            employee_id: None,
            manager_id: None,
            created_date_time: now,
        });
        check(&Group {
            id: "g".into(),
            display_name: None,
            description: None,
            mail: None,
            mail_enabled: None,
            mail_nickname: None,
            security_enabled: None,
            group_types: vec![],
            visibility: None,
            created_date_time: now,
        });
        check(&Subject {
            id: "s".into(),
            object_id: None,
            display_name: None,
            email: None,
            principal_name: None,
            subject_type: crate::enums::SubjectType::User,
            subject_lifecycle: crate::enums::SubjectLifecycle::NotDefined,
            connected_organization_id: None,
            on_premises_security_identifier: None,
            alt_sec_id: None,
            cleanup_scheduled_date_time: None,
        });
        check(&ResourceRoleScope {
            id: "r".into(),
            access_package_id: "a".into(),
            role_id: "r".into(),
            scope_id: "s".into(),
            created_date_time: now,
            modified_date_time: now,
            created_by: None,
            modified_by: None,
        });
        check(&AssignmentResourceRole {
            id: "x".into(),
            role_id: "r".into(),
            scope_id: "s".into(),
            subject_id: "u".into(),
            origin_id: None,
            origin_system: None,
            status: "Fulfilled".into(),
            created_date_time: now,
        });
    }
}

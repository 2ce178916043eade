//! Connected organizations: the partner organizations whose users may request access packages,
//! each known by its identity sources and with its own sponsors (who may approve requests of
//! the organization's users). Sponsors are links ([`crate::Link::InternalSponsor`],
//! [`crate::Link::ExternalSponsor`]) to users or groups.

use serde::{Deserialize, Serialize};

use crate::enums::ConnectedOrganizationState;
use crate::time::Timestamp;

/// Where a connected organization's users come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum IdentitySource {
    /// A domain that is not an Entra tenant (its users sign in with one-time passcodes).
    DomainIdentitySource {
        domain_name: Option<String>,
        display_name: Option<String>,
    },
    /// A domain whose users sign in through a federated identity provider.
    ExternalDomainFederation {
        domain_name: Option<String>,
        display_name: Option<String>,
        issuer_uri: Option<String>,
    },
    /// Another Entra tenant.
    AzureActiveDirectoryTenant {
        tenant_id: Option<String>,
        display_name: Option<String>,
    },
    /// An Entra tenant in another cloud.
    CrossCloudAzureActiveDirectoryTenant {
        tenant_id: Option<String>,
        display_name: Option<String>,
        cloud_instance: String,
    },
    /// A social identity provider (v1.0 only).
    SocialIdentitySource {
        display_name: Option<String>,
        social_identity_source_type: String,
    },
}

impl IdentitySource {
    /// The Graph type name (`domainIdentitySource`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            IdentitySource::DomainIdentitySource { .. } => "domainIdentitySource",
            IdentitySource::ExternalDomainFederation { .. } => "externalDomainFederation",
            IdentitySource::AzureActiveDirectoryTenant { .. } => "azureActiveDirectoryTenant",
            IdentitySource::CrossCloudAzureActiveDirectoryTenant { .. } => {
                "crossCloudAzureActiveDirectoryTenant"
            }
            IdentitySource::SocialIdentitySource { .. } => "socialIdentitySource",
        }
    }

    /// What makes two sources the same partner: the domain (lower-cased) or the tenant id.
    pub fn key(&self) -> Option<String> {
        match self {
            IdentitySource::DomainIdentitySource { domain_name, .. }
            | IdentitySource::ExternalDomainFederation { domain_name, .. } => domain_name
                .as_deref()
                .map(|d| format!("domain:{}", d.to_ascii_lowercase())),
            IdentitySource::AzureActiveDirectoryTenant { tenant_id, .. }
            | IdentitySource::CrossCloudAzureActiveDirectoryTenant { tenant_id, .. } => tenant_id
                .as_deref()
                .map(|t| format!("tenant:{}", t.to_ascii_lowercase())),
            IdentitySource::SocialIdentitySource {
                social_identity_source_type,
                ..
            } => Some(format!("social:{social_identity_source_type}")),
        }
    }

    /// Whether an e-mail address or user principal name belongs to this source's domain.
    pub fn has_address(&self, address: &str) -> bool {
        let Some((_, domain)) = address.rsplit_once('@') else {
            return false;
        };
        match self {
            IdentitySource::DomainIdentitySource { domain_name, .. }
            | IdentitySource::ExternalDomainFederation { domain_name, .. } => domain_name
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(domain)),
            _ => false,
        }
    }
}

/// A connected organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectedOrganization {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub identity_sources: Vec<IdentitySource>,
    pub state: ConnectedOrganizationState,
    pub created_date_time: Timestamp,
    pub modified_date_time: Timestamp,
    /// Who created it (beta's `createdBy`: a user principal name or an application id).
    pub created_by: Option<String>,
    pub modified_by: Option<String>,
}

impl ConnectedOrganization {
    /// Whether a user with this e-mail address or principal name is one of its users.
    pub fn has_address(&self, address: &str) -> bool {
        self.identity_sources.iter().any(|s| s.has_address(address))
    }
}

//! connectedOrganization and its identity sources, in both dialects (beta adds `createdBy` and
//! `modifiedBy`; beta's identity sources are read-only after the organization is created).

use accessd_domain::*;
use serde_json::{Map, Value};

use super::{In, Out, set};
use crate::Dialect;
use crate::error::ApiError;

fn source_in(o: In<'_>, at: usize) -> Result<IdentitySource, ApiError> {
    let s = |k: &str| o.str(k).flatten();
    let path = format!("identitySources[{at}]");
    Ok(match o.odata_type() {
        Some("domainIdentitySource") => IdentitySource::DomainIdentitySource {
            domain_name: s("domainName"),
            display_name: s("displayName"),
        },
        Some("externalDomainFederation") => IdentitySource::ExternalDomainFederation {
            domain_name: s("domainName"),
            display_name: s("displayName"),
            issuer_uri: s("issuerUri"),
        },
        Some("azureActiveDirectoryTenant") => IdentitySource::AzureActiveDirectoryTenant {
            tenant_id: s("tenantId"),
            display_name: s("displayName"),
        },
        Some("crossCloudAzureActiveDirectoryTenant") => {
            IdentitySource::CrossCloudAzureActiveDirectoryTenant {
                tenant_id: s("tenantId"),
                display_name: s("displayName"),
                cloud_instance: s("cloudInstance").ok_or_else(|| {
                    ApiError::bad_property(&path, "'cloudInstance' is required.".to_string())
                })?,
            }
        }
        Some("socialIdentitySource") => IdentitySource::SocialIdentitySource {
            display_name: s("displayName"),
            social_identity_source_type: s("socialIdentitySourceType").ok_or_else(|| {
                ApiError::bad_property(&path, "'socialIdentitySourceType' is required.".to_string())
            })?,
        },
        other => {
            return Err(ApiError::bad_property(
                &path,
                format!(
                    "An identity source names its type in '@odata.type' (domainIdentitySource, externalDomainFederation, azureActiveDirectoryTenant, crossCloudAzureActiveDirectoryTenant, socialIdentitySource){}.",
                    other
                        .map(|t| format!("; '{t}' is not one"))
                        .unwrap_or_default()
                ),
            ));
        }
    })
}

/// Applies a validated body. `create` says whether identity sources may be written (always on
/// create; on update only in v1.0, where the property is not read-only).
pub fn org_in(
    d: Dialect,
    o: In<'_>,
    org: &mut ConnectedOrganization,
    create: bool,
) -> Result<(), ApiError> {
    set(&mut org.display_name, o.str("displayName"));
    set(&mut org.description, o.str("description"));
    match o.str("state") {
        Some(Some(st)) => {
            org.state = ConnectedOrganizationState::parse_ignore_case(&st).ok_or_else(|| {
                ApiError::bad_property(
                    "state",
                    format!("'{st}' is not a connectedOrganizationState (configured, proposed)."),
                )
            })?
        }
        Some(None) => {
            return Err(ApiError::bad_property(
                "state",
                "'state' cannot be null.".to_string(),
            ));
        }
        None => {}
    }
    if o.has("identitySources") {
        if !create && d == Dialect::Beta {
            return Err(ApiError::bad_property(
                "identitySources",
                "'identitySources' is read-only once the connected organization exists (beta)."
                    .to_string(),
            ));
        }
        if d == Dialect::Beta {
            for (i, x) in o.items("identitySources").iter().enumerate() {
                if !matches!(
                    x.odata_type(),
                    Some("domainIdentitySource" | "externalDomainFederation")
                ) {
                    return Err(ApiError::bad_property(
                        &format!("identitySources[{i}]"),
                        "A new connected organization's identity source is a domainIdentitySource or an externalDomainFederation (beta).".to_string(),
                    ));
                }
            }
        }
        org.identity_sources = o
            .items("identitySources")
            .into_iter()
            .enumerate()
            .map(|(i, x)| source_in(x, i))
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

fn source_out(s: &IdentitySource) -> Value {
    let o = Out::typed(s.type_name());
    match s {
        IdentitySource::DomainIdentitySource {
            domain_name,
            display_name,
        } => o
            .opt("displayName", display_name.clone())
            .opt("domainName", domain_name.clone()),
        IdentitySource::ExternalDomainFederation {
            domain_name,
            display_name,
            issuer_uri,
        } => o
            .opt("displayName", display_name.clone())
            .opt("domainName", domain_name.clone())
            .opt("issuerUri", issuer_uri.clone()),
        IdentitySource::AzureActiveDirectoryTenant {
            tenant_id,
            display_name,
        } => o
            .opt("displayName", display_name.clone())
            .opt("tenantId", tenant_id.clone()),
        IdentitySource::CrossCloudAzureActiveDirectoryTenant {
            tenant_id,
            display_name,
            cloud_instance,
        } => o
            .opt("displayName", display_name.clone())
            .opt("tenantId", tenant_id.clone())
            .put("cloudInstance", cloud_instance.clone()),
        IdentitySource::SocialIdentitySource {
            display_name,
            social_identity_source_type,
        } => o.opt("displayName", display_name.clone()).put(
            "socialIdentitySourceType",
            social_identity_source_type.clone(),
        ),
    }
    .value()
}

pub fn org_out(d: Dialect, org: &ConnectedOrganization) -> Map<String, Value> {
    let mut o = Out::typed("connectedOrganization")
        .put("id", org.id.clone())
        .opt("displayName", org.display_name.clone())
        .opt("description", org.description.clone());
    if d == Dialect::Beta {
        o = o.opt("createdBy", org.created_by.clone());
    }
    o = o.ts("createdDateTime", Some(&org.created_date_time));
    if d == Dialect::Beta {
        o = o.opt("modifiedBy", org.modified_by.clone());
    }
    o.ts("modifiedDateTime", Some(&org.modified_date_time))
        .put(
            "identitySources",
            Value::Array(org.identity_sources.iter().map(source_out).collect()),
        )
        .put("state", org.state.as_str())
        .done()
}

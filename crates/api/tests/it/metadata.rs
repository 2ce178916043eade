//! `$metadata` names and types match Microsoft's CSDL, so they cannot drift; the OpenAPI
//! documents are served.
//!
//! The reference CSDL lives beside the project (`../shared/reference/csdl`), or where
//! `ACCESSD_REFERENCE_CSDL` points. On a machine without it the comparison is skipped with a
//! message, unless `ACCESSD_REQUIRE_REFERENCE=1` (CI sets it), which makes its absence a failure.

use std::collections::BTreeMap;
use std::path::PathBuf;

use accessd_testkit::TestApp;

#[derive(Debug, Default)]
struct TypeInfo {
    entity: bool,
    base: Option<String>,
    is_abstract: bool,
    /// name -> (Type, Nullable, navigation, ContainsTarget)
    props: BTreeMap<String, (String, bool, bool, bool)>,
}

#[derive(Debug, Default)]
struct Csdl {
    types: BTreeMap<String, TypeInfo>,
    enums: BTreeMap<String, Vec<String>>,
    /// (name, first parameter type) -> all parameter types
    operations: BTreeMap<(String, String), Vec<String>>,
}

fn norm(t: &str) -> String {
    t.replace("microsoft.graph.", "").replace("graph.", "")
}

fn parse(xml: &str) -> Csdl {
    let doc = roxmltree::Document::parse(xml).expect("well-formed CSDL");
    let mut c = Csdl::default();
    for n in doc.descendants() {
        match n.tag_name().name() {
            "EntityType" | "ComplexType" => {
                let mut t = TypeInfo {
                    entity: n.tag_name().name() == "EntityType",
                    base: n.attribute("BaseType").map(norm),
                    is_abstract: n.attribute("Abstract") == Some("true"),
                    ..TypeInfo::default()
                };
                for p in n
                    .children()
                    .filter(|p| matches!(p.tag_name().name(), "Property" | "NavigationProperty"))
                {
                    t.props.insert(
                        p.attribute("Name").unwrap_or_default().to_string(),
                        (
                            norm(p.attribute("Type").unwrap_or_default()),
                            p.attribute("Nullable") != Some("false"),
                            p.tag_name().name() == "NavigationProperty",
                            p.attribute("ContainsTarget") == Some("true"),
                        ),
                    );
                }
                c.types
                    .insert(n.attribute("Name").unwrap_or_default().to_string(), t);
            }
            "EnumType" => {
                let members = n
                    .children()
                    .filter(|m| m.tag_name().name() == "Member")
                    .filter_map(|m| m.attribute("Name"))
                    .map(str::to_string)
                    .collect();
                c.enums
                    .insert(n.attribute("Name").unwrap_or_default().to_string(), members);
            }
            "Action" | "Function" => {
                let params: Vec<String> = n
                    .children()
                    .filter(|p| p.tag_name().name() == "Parameter")
                    .map(|p| norm(p.attribute("Type").unwrap_or_default()))
                    .collect();
                let first = params.first().cloned().unwrap_or_default();
                c.operations.insert(
                    (n.attribute("Name").unwrap_or_default().to_string(), first),
                    params,
                );
            }
            _ => {}
        }
    }
    c
}

fn reference_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("ACCESSD_REFERENCE_CSDL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/csdl")
        });
    if dir.join("v1.0-entitlement-management.xml").exists() {
        return Some(dir);
    }
    if std::env::var("ACCESSD_REQUIRE_REFERENCE").as_deref() == Ok("1") {
        panic!(
            "ACCESSD_REQUIRE_REFERENCE=1 but the reference CSDL is not at {}",
            dir.display()
        );
    }
    eprintln!(
        "SKIPPED: the reference CSDL is not at {} (set ACCESSD_REFERENCE_CSDL)",
        dir.display()
    );
    None
}

/// Types accessd adds for its directory; they are not in the entitlement-management subset.
const DIRECTORY: &[&str] = &[
    "user",
    "group",
    "directoryObject",
    "passwordProfile",
    "entity",
    "auditLogRoot",
    "directoryAudit",
    "auditActivityInitiator",
    "appIdentity",
    "userIdentity",
    "targetResource",
    "modifiedProperty",
    "keyValue",
];

async fn compare(version: &str, file: &str) {
    let Some(dir) = reference_dir() else { return };
    let reference = parse(&std::fs::read_to_string(dir.join(file)).unwrap());
    let app = TestApp::spawn().await;
    let res = app
        .raw("GET", &format!("/{version}/$metadata"), None, &[], vec![])
        .await;
    assert_eq!(res.status, 200, "$metadata needs no token");
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("application/xml")
    );
    let ours = parse(&res.text);
    assert!(
        ours.types.len() > 30,
        "{version}: only {} types",
        ours.types.len()
    );
    for (name, t) in &ours.types {
        if DIRECTORY.contains(&name.as_str()) {
            continue;
        }
        let r = reference
            .types
            .get(name)
            .unwrap_or_else(|| panic!("{version}: type {name} is not in Microsoft's CSDL"));
        assert_eq!(t.entity, r.entity, "{version}: {name} entity/complex");
        assert_eq!(t.base, r.base, "{version}: base type of {name}");
        assert_eq!(
            t.is_abstract, r.is_abstract,
            "{version}: abstractness of {name}"
        );
        for (p, ours_p) in &t.props {
            let rp = r
                .props
                .get(p)
                .unwrap_or_else(|| panic!("{version}: {name}.{p} is not in Microsoft's CSDL"));
            assert_eq!(
                ours_p, rp,
                "{version}: {name}.{p} (type, nullable, navigation, contained)"
            );
        }
    }
    for (name, members) in &ours.enums {
        let r = reference
            .enums
            .get(name)
            .unwrap_or_else(|| panic!("{version}: enum {name} is not in Microsoft's CSDL"));
        assert_eq!(members, r, "{version}: members of {name}");
    }
    for (key, params) in &ours.operations {
        let r = reference
            .operations
            .get(key)
            .unwrap_or_else(|| panic!("{version}: operation {key:?} is not in Microsoft's CSDL"));
        assert_eq!(params, r, "{version}: parameters of {key:?}");
    }
    // What accessd serves is there: the entity sets under entitlementManagement.
    let em = &ours.types["entitlementManagement"];
    let sets: Vec<&String> = em.props.keys().collect();
    let want: &[&str] = if version == "v1.0" {
        &[
            "accessPackages",
            "assignmentPolicies",
            "assignmentRequests",
            "assignments",
            "catalogs",
        ]
    } else {
        &[
            "accessPackageAssignmentPolicies",
            "accessPackageAssignments",
            "accessPackageCatalogs",
            "accessPackageAssignmentResourceRoles",
        ]
    };
    for w in want {
        assert!(
            sets.iter().any(|s| s == w),
            "{version}: entitlementManagement lacks {w}: {sets:?}"
        );
    }
    assert!(
        sets.iter().any(|s| *s == "connectedOrganizations"),
        "{version}: entitlementManagement lacks connectedOrganizations"
    );
    // And what it does not serve is not claimed.
    assert!(
        !sets.iter().any(|s| *s == "controlConfigurations"),
        "{version}: claims controlConfigurations"
    );
}

#[tokio::test]
async fn v1_metadata_matches_microsofts_csdl() {
    compare("v1.0", "v1.0-entitlement-management.xml").await;
}

#[tokio::test]
async fn beta_metadata_matches_microsofts_csdl() {
    compare("beta", "beta-entitlement-management.xml").await;
}

#[tokio::test]
async fn openapi_documents_are_served() {
    let app = TestApp::spawn().await;
    for v in ["v1.0", "beta"] {
        let res = app
            .raw("GET", &format!("/openapi/{v}.json"), None, &[], vec![])
            .await;
        assert_eq!(res.status, 200);
        assert_eq!(res.body["openapi"], serde_json::json!("3.0.3"));
        assert_eq!(
            res.body["servers"][0]["url"],
            serde_json::json!(format!("http://graph.test:8080/{v}"))
        );
        assert!(res.body["paths"].as_object().unwrap().len() > 40, "{v}");
        assert!(
            res.body["components"]["schemas"]["microsoft.graph.accessPackageAssignmentPolicy"]
                .is_object()
        );
    }
}

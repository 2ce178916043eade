//! An OpenAPI 3.0 document of what accessd serves, per dialect, rendered from the same model and
//! `served` tables as `$metadata`: paths for every collection, entity, navigation, `$count`,
//! function and action route, and a schema for every served type.

use serde_json::{Map, Value, json};

use super::metadata::served;
use super::{Prop, find_enum};
use crate::Dialect;
use crate::path::EKind;
use crate::served as routes;

fn schema_name(ty: &str) -> String {
    format!("microsoft.graph.{ty}")
}

fn reference(ty: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{}", schema_name(ty))})
}

fn prop_schema(d: Dialect, p: &Prop) -> Value {
    let single = match p.ty {
        "Edm.String" => json!({"type": "string"}),
        "Edm.Boolean" => json!({"type": "boolean"}),
        "Edm.Int32" | "Edm.Int16" | "Edm.Byte" => json!({"type": "integer", "format": "int32"}),
        "Edm.Int64" => json!({"type": "integer", "format": "int64"}),
        "Edm.Double" | "Edm.Single" | "Edm.Decimal" => json!({"type": "number"}),
        "Edm.DateTimeOffset" => json!({"type": "string", "format": "date-time"}),
        "Edm.Date" => json!({"type": "string", "format": "date"}),
        "Edm.TimeOfDay" => json!({"type": "string", "format": "time"}),
        "Edm.Duration" => json!({"type": "string", "format": "duration"}),
        "Edm.Guid" => json!({"type": "string", "format": "uuid"}),
        "Edm.Binary" | "Edm.Stream" => json!({"type": "string", "format": "base64url"}),
        other if other.starts_with("Edm.") => json!({"type": "string"}),
        other => {
            let r = reference(other);
            if p.nullable && !p.collection && find_enum(d, other).is_none() {
                json!({"allOf": [r], "nullable": true})
            } else {
                r
            }
        }
    };
    if p.collection {
        json!({"type": "array", "items": single})
    } else if p.nullable && single.get("type").is_some() {
        let mut s = single;
        s["nullable"] = json!(true);
        s
    } else {
        single
    }
}

fn schemas(d: Dialect) -> Map<String, Value> {
    let s = served(d);
    let mut out = Map::new();
    for (t, props) in &s.types {
        let mut properties = Map::new();
        if t.name == "entity" {
            properties.insert("id".into(), json!({"type": "string"}));
        }
        for p in props {
            properties.insert(p.name.to_string(), prop_schema(d, p));
        }
        properties.insert("@odata.type".into(), json!({"type": "string"}));
        let own = json!({"type": "object", "title": t.name, "properties": properties});
        let schema = match t.base {
            Some(b) => json!({"allOf": [reference(b), own]}),
            None => own,
        };
        out.insert(schema_name(t.name), schema);
    }
    for name in &s.enums {
        if let Some(e) = find_enum(d, name) {
            out.insert(
                schema_name(e.name),
                json!({"type": "string", "title": e.name, "enum": e.members}),
            );
        }
    }
    out.insert(
        "microsoft.graph.ODataError".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}, "target": {"type": "string", "nullable": true},
                "details": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}, "target": {"type": "string", "nullable": true}}}},
                "innerError": {"type": "object", "properties": {
                    "date": {"type": "string", "format": "date-time"}, "request-id": {"type": "string"}, "client-request-id": {"type": "string"}}}
            }}}
        }),
    );
    out
}

fn query_params(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|n| json!({"$ref": format!("#/components/parameters/{}", n.trim_start_matches('$'))}))
        .collect()
}

fn errors() -> Map<String, Value> {
    let mut m = Map::new();
    for code in ["400", "401", "404"] {
        m.insert(code.into(), json!({"$ref": "#/components/responses/error"}));
    }
    m.insert(
        "default".into(),
        json!({"$ref": "#/components/responses/error"}),
    );
    m
}

fn op(
    id: String,
    summary: String,
    params: Vec<Value>,
    body: Option<Value>,
    ok: (&str, Value),
) -> Value {
    let mut responses = errors();
    responses.insert(ok.0.into(), ok.1);
    let mut o = json!({"operationId": id, "summary": summary, "parameters": params, "responses": responses});
    if let Some(b) = body {
        o["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": b}}});
    }
    o
}

const EMULATOR_TAG: &str = "accessd emulator (not Graph)";

/// accessd's own `/_accessd/` routes, served at the root (not under the version segment).
fn emulator_paths(server: &str, paths: &mut Map<String, Value>) {
    let servers = json!([{"url": server}]);
    let obj = |props: Value| json!({"type": "object", "properties": props});
    let clock = obj(
        json!({"now": {"type": "string", "format": "date-time"}, "mode": {"type": "string", "enum": ["real", "virtual"]}}),
    );
    let snapshot = obj(
        json!({"name": {"type": "string"}, "createdDateTime": {"type": "string", "format": "date-time"}, "objects": {"type": "integer"}}),
    );
    let tagged = |mut o: Value| {
        o["tags"] = json!([EMULATOR_TAG]);
        o
    };
    let ok = |schema: &Value| json!({"description": "OK", "content": {"application/json": {"schema": schema}}});
    paths.insert(
        "/_accessd/clock".into(),
        json!({"servers": servers,
            "get": tagged(op("accessd.clock.get".into(), "The engine's clock".into(), vec![], None, ("200", ok(&clock)))),
            "post": tagged(op("accessd.clock.move".into(), "Move a virtual clock forward, carrying out what falls due".into(), vec![],
                Some(obj(json!({"advance": {"type": "string", "description": "ISO 8601 duration"}, "to": {"type": "string", "format": "date-time"}}))),
                ("200", ok(&clock))))}),
    );
    paths.insert(
        "/_accessd/requests".into(),
        json!({"servers": servers,
            "get": tagged(op("accessd.requests.list".into(), "The last calls, newest first, secrets masked".into(), vec![], None,
                ("200", ok(&obj(json!({"value": {"type": "array", "items": {"type": "object"}}}))))))}),
    );
    paths.insert(
        "/_accessd/faults".into(),
        json!({"servers": servers,
            "get": tagged(op("accessd.faults.get".into(), "The faults in force".into(), vec![], None, ("200", ok(&json!({"type": "object"}))))),
            "put": tagged(op("accessd.faults.set".into(), "Put a fault set in force (throttle, latency, replicationLagMs, rules, seed)".into(), vec![],
                Some(json!({"type": "object"})), ("200", ok(&json!({"type": "object"}))))),
            "delete": tagged(op("accessd.faults.clear".into(), "Inject no faults".into(), vec![], None, ("204", json!({"description": "Cleared"}))))}),
    );
    paths.insert(
        "/_accessd/outbox".into(),
        json!({"servers": servers,
            "get": tagged(op("accessd.outbox.list".into(), "What the service would have e-mailed or called out, newest first".into(), vec![], None,
                ("200", ok(&obj(json!({"value": {"type": "array", "items": {"type": "object"}}})))))),
            "delete": tagged(op("accessd.outbox.clear".into(), "Empty the outbox".into(), vec![], None, ("204", json!({"description": "Emptied"}))))}),
    );
    paths.insert(
        "/_accessd/reset".into(),
        json!({"servers": servers,
            "post": tagged(op("accessd.reset".into(), "Empty the tenant, or put back what --demo seeded".into(), vec![],
                Some(obj(json!({"to": {"type": "string", "enum": ["empty", "seed"]}}))),
                ("200", ok(&obj(json!({"to": {"type": "string"}, "objects": {"type": "integer"}}))))))}),
    );
    paths.insert(
        "/_accessd/seed".into(),
        json!({"servers": servers,
            "post": tagged(op("accessd.seed".into(), "Load a seed file (a tenant as data, by name), all or nothing".into(), vec![],
                Some(json!({"type": "object", "description": "A seed file; its JSON Schema is GET /_accessd/seed.schema.json"})),
                ("200", ok(&obj(json!({"users": {"type": "integer"}, "groups": {"type": "integer"},
                    "catalogs": {"type": "integer"}, "accessPackages": {"type": "integer"},
                    "policies": {"type": "integer"}, "connectedOrganizations": {"type": "integer"},
                    "assignments": {"type": "integer"}}))))))}),
    );
    paths.insert(
        "/_accessd/snapshots".into(),
        json!({"servers": servers,
            "get": tagged(op("accessd.snapshots.list".into(), "The snapshots of the tenant".into(), vec![], None,
                ("200", ok(&obj(json!({"value": {"type": "array", "items": snapshot}})))))),
            "post": tagged(op("accessd.snapshots.save".into(), "Save the tenant under a name".into(), vec![],
                Some(json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}})),
                ("201", ok(&snapshot))))}),
    );
    paths.insert(
        "/_accessd/snapshots/{name}".into(),
        json!({"servers": servers, "parameters": [id_param("name")],
            "delete": tagged(op("accessd.snapshots.delete".into(), "Delete a snapshot".into(), vec![], None, ("204", json!({"description": "Deleted"}))))}),
    );
    paths.insert(
        "/_accessd/snapshots/{name}/restore".into(),
        json!({"servers": servers, "parameters": [id_param("name")],
            "post": tagged(op("accessd.snapshots.restore".into(), "Replace the tenant with a snapshot".into(), vec![], None, ("200", ok(&snapshot))))}),
    );
}

fn entity_response(ty: &str) -> Value {
    json!({"description": "The entity", "content": {"application/json": {"schema": reference(ty)}}})
}

fn collection_response(ty: &str) -> Value {
    json!({"description": "A page of the collection", "content": {"application/json": {"schema": {
        "type": "object",
        "properties": {
            "value": {"type": "array", "items": reference(ty)},
            "@odata.nextLink": {"type": "string", "nullable": true},
            "@odata.count": {"type": "integer", "format": "int64", "nullable": true}
        }
    }}}})
}

fn id_param(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
}

fn slug(path: &str) -> String {
    path.trim_start_matches('/')
        .replace("identityGovernance/entitlementManagement/", "em.")
        .replace(['/', '{', '}', '(', ')', '\'', '='], ".")
        .replace("..", ".")
}

fn target_type(d: Dialect, kind: EKind, nav: &str) -> Option<(&'static str, bool)> {
    let t = super::find_type(d, kind.type_name())?;
    let p = super::find_prop(d, t, nav)?;
    Some((p.ty, p.collection))
}

/// The OpenAPI document for a dialect, with `server` as the base URL.
pub fn document(d: Dialect, server: &str) -> Value {
    let mut paths = Map::new();
    let list_params = [
        "$filter",
        "$select",
        "$expand",
        "$orderby",
        "$top",
        "$skip",
        "$count",
        "$skiptoken",
    ];
    for (path, kind) in routes::collections(d) {
        let ty = kind.type_name();
        let ops = routes::ops(d, kind);
        let id = slug(&path);
        let mut coll = Map::new();
        coll.insert(
            "get".into(),
            op(
                format!("{id}.list"),
                format!("List {}", kind.noun()),
                query_params(&list_params),
                None,
                ("200", collection_response(ty)),
            ),
        );
        if ops.create {
            coll.insert(
                "post".into(),
                op(
                    format!("{id}.create"),
                    format!("Create a {}", kind.noun()),
                    vec![],
                    Some(reference(ty)),
                    ("201", entity_response(ty)),
                ),
            );
        }
        paths.insert(path.clone(), Value::Object(coll));
        paths.insert(
            format!("{path}/$count"),
            json!({"get": op(format!("{id}.count"), format!("Count {}", kind.noun()), query_params(&["$filter"]), None,
                ("200", json!({"description": "The count", "content": {"text/plain": {"schema": {"type": "integer"}}}})))}),
        );
        let key = format!("{path}/{{id}}");
        let mut item = Map::new();
        item.insert("parameters".into(), json!([id_param("id")]));
        item.insert(
            "get".into(),
            op(
                format!("{id}.get"),
                format!("Get a {}", kind.noun()),
                query_params(&["$select", "$expand"]),
                None,
                ("200", entity_response(ty)),
            ),
        );
        if ops.patch {
            item.insert(
                "patch".into(),
                op(
                    format!("{id}.update"),
                    format!("Update a {}", kind.noun()),
                    vec![],
                    Some(reference(ty)),
                    patch_answer(d, kind, ty),
                ),
            );
        }
        if ops.put {
            item.insert(
                "put".into(),
                op(
                    format!("{id}.replace"),
                    format!("Replace a {}", kind.noun()),
                    vec![],
                    Some(reference(ty)),
                    ("200", entity_response(ty)),
                ),
            );
        }
        if ops.delete {
            item.insert(
                "delete".into(),
                op(
                    format!("{id}.delete"),
                    format!("Delete a {}", kind.noun()),
                    vec![],
                    None,
                    ("204", json!({"description": "Deleted"})),
                ),
            );
        }
        paths.insert(key.clone(), Value::Object(item));
        for nav in routes::navs(d, kind) {
            let Some((target, many)) = target_type(d, kind, nav) else {
                continue;
            };
            let resp = if many {
                collection_response(target)
            } else {
                entity_response(target)
            };
            let params = if many {
                query_params(&list_params)
            } else {
                query_params(&["$select", "$expand"])
            };
            paths.insert(
                format!("{key}/{nav}"),
                json!({"parameters": [id_param("id")], "get": op(format!("{id}.{nav}"), format!("The {nav} of a {}", kind.noun()), params, None, ("200", resp))}),
            );
        }
        // Functions and actions.
        let fbcu: Option<&[&str]> = match kind {
            EKind::Assignment => Some(&["target", "createdBy", "targetManager"]),
            EKind::Request => Some(&[
                "target",
                "createdBy",
                "targetOrRequestor",
                "requestForOthers",
            ]),
            EKind::AccessPackage => Some(&["allowedRequestor"]),
            _ => None,
        };
        if let Some(values) = fbcu {
            paths.insert(
                format!("{path}/filterByCurrentUser(on='{{on}}')"),
                json!({"get": op(format!("{id}.filterByCurrentUser"), format!("{} of the signed-in user", kind.noun()),
                    [vec![json!({"name": "on", "in": "path", "required": true, "schema": {"type": "string", "enum": values}})], query_params(&list_params)].concat(),
                    None, ("200", collection_response(ty)))}),
            );
        }
        if kind == EKind::Assignment {
            let ids = ["accessPackageId", "incompatibleAccessPackageId"].map(|n| {
                json!({"name": n, "in": "path", "required": true, "schema": {"type": "string"}})
            });
            paths.insert(
                format!("{path}/additionalAccess(accessPackageId='{{accessPackageId}}',incompatibleAccessPackageId='{{incompatibleAccessPackageId}}')"),
                json!({"get": op(format!("{id}.additionalAccess"), "Assignments whose targets also hold an incompatible package".into(),
                    [ids.to_vec(), query_params(&list_params)].concat(), None, ("200", collection_response(ty)))}),
            );
            paths.insert(
                format!("{path}/additionalAccess()"),
                json!({"get": op(format!("{id}.additionalAccessAll"), "Assignments whose targets also hold a package incompatible with theirs".into(),
                    query_params(&list_params), None, ("200", collection_response(ty)))}),
            );
            if d == Dialect::Beta {
                paths.insert(
                    format!("{path}/additionalAccess(accessPackageId='{{accessPackageId}}')"),
                    json!({"get": op(format!("{id}.additionalAccessOfPackage"), "Assignments to the package whose targets also hold one of its incompatible packages".into(),
                        [vec![ids[0].clone()], query_params(&list_params)].concat(), None, ("200", collection_response(ty)))}),
                );
            }
        }
        if d == Dialect::Beta
            && matches!(
                kind,
                EKind::Assignment | EKind::Request | EKind::AssignmentResourceRole
            )
        {
            paths.insert(
                format!("{path}/My()"),
                json!({"get": op(format!("{id}.My"), format!("The signed-in user's own {}s", kind.noun()),
                    query_params(&list_params), None, ("200", collection_response(ty)))}),
            );
        }
        if d == Dialect::Beta && matches!(kind, EKind::AccessPackage | EKind::Catalog) {
            let mut params = query_params(&list_params);
            params.extend(query_params(&["$search"]));
            paths.insert(
                format!("{path}/Search()"),
                json!({"get": op(format!("{id}.Search"), format!("{}s matching $search", kind.noun()),
                    params, None, ("200", collection_response(ty)))}),
            );
        }
        let actions: &[(&str, &str)] = match kind {
            EKind::Request => &[("cancel", "204"), ("reprocess", "202")],
            EKind::Assignment => &[("reprocess", "202")],
            _ => &[],
        };
        for (name, status) in actions {
            paths.insert(
                format!("{key}/{name}"),
                json!({"parameters": [id_param("id")], "post": op(format!("{id}.{name}"), format!("{name} a {}", kind.noun()), vec![], None, (status, json!({"description": "Accepted"})))}),
            );
        }
        if kind == EKind::AccessPackage {
            paths.insert(
                format!("{key}/getApplicablePolicyRequirements"),
                json!({"parameters": [id_param("id")], "post": op(format!("{id}.getApplicablePolicyRequirements"), "The policies the caller may request through".into(), vec![], None,
                    ("200", collection_response("accessPackageAssignmentRequestRequirements")))}),
            );
        }
        if kind == EKind::Group {
            for nav in ["members", "owners"] {
                paths.insert(
                    format!("{key}/{nav}/$ref"),
                    json!({"parameters": [id_param("id")], "post": op(format!("{id}.{nav}.add"), format!("Add {nav}"), vec![],
                        Some(json!({"type": "object", "required": ["@odata.id"], "properties": {"@odata.id": {"type": "string"}}})), ("204", json!({"description": "Added"})))}),
                );
                paths.insert(
                    format!("{key}/{nav}/{{memberId}}/$ref"),
                    json!({"parameters": [id_param("id"), id_param("memberId")], "delete": op(format!("{id}.{nav}.remove"), format!("Remove one of the {nav}"), vec![], None, ("204", json!({"description": "Removed"})))}),
                );
            }
        }
    }
    paths.insert(
        "/$batch".into(),
        json!({"post": op("batch".into(), "JSON batching: up to 20 requests, with dependsOn".into(), vec![],
            Some(json!({"type": "object", "required": ["requests"], "properties": {"requests": {"type": "array", "maxItems": 20, "items": {"type": "object"}}}})),
            ("200", json!({"description": "Each request's answer", "content": {"application/json": {"schema": {"type": "object", "properties": {"responses": {"type": "array", "items": {"type": "object"}}}}}}})))}),
    );
    emulator_paths(server, &mut paths);
    let mut parameters = Map::new();
    for (n, schema) in [
        ("filter", json!({"type": "string"})),
        ("select", json!({"type": "string"})),
        ("expand", json!({"type": "string"})),
        ("orderby", json!({"type": "string"})),
        ("top", json!({"type": "integer", "minimum": 0})),
        ("skip", json!({"type": "integer", "minimum": 0})),
        ("count", json!({"type": "boolean"})),
        ("skiptoken", json!({"type": "string"})),
        ("search", json!({"type": "string"})),
    ] {
        parameters.insert(
            n.into(),
            json!({"name": format!("${n}"), "in": "query", "required": false, "schema": schema}),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": format!("accessd: Microsoft Graph entitlement management ({})", d.segment()),
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The routes accessd serves, in the shape of Microsoft Graph. Generated from accessd's model."
        },
        "servers": [{"url": format!("{server}/{}", d.segment())}],
        "tags": [{"name": EMULATOR_TAG, "description": "accessd's own routes under /_accessd/, not Microsoft Graph's (docs/emulator.md). They need an administrator's token."}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "parameters": parameters,
            "responses": {"error": {"description": "A Graph error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/microsoft.graph.ODataError"}}}}},
            "schemas": schemas(d)
        }
    })
}

/// What a PATCH answers, per kind and dialect (as the handlers do; Microsoft's pages for each).
fn patch_answer(d: Dialect, kind: EKind, ty: &str) -> (&'static str, Value) {
    let none = || json!({"description": "Updated"});
    match kind {
        EKind::Catalog
        | EKind::AccessPackage
        | EKind::User
        | EKind::Group
        | EKind::ApprovalStage
        | EKind::ApprovalStep => ("204", none()),
        EKind::ConnectedOrganization if d == Dialect::Beta => ("204", none()),
        EKind::ConnectedOrganization => ("202", entity_response(ty)),
        _ => ("200", entity_response(ty)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "$ref" {
                        out.push(x.as_str().unwrap_or_default().to_string());
                    } else {
                        refs(x, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_resolves_and_operation_ids_are_unique() {
        for d in [Dialect::V1, Dialect::Beta] {
            let doc = document(d, "http://localhost:5599");
            let mut all = Vec::new();
            refs(&doc, &mut all);
            assert!(!all.is_empty());
            for r in all {
                let path: Vec<&str> = r.trim_start_matches("#/").split('/').collect();
                let mut cur = &doc;
                for seg in &path {
                    cur = cur
                        .get(*seg)
                        .unwrap_or_else(|| panic!("{d:?}: unresolved {r}"));
                }
            }
            let mut ids = Vec::new();
            for (_, item) in doc["paths"].as_object().unwrap() {
                for (m, o) in item.as_object().unwrap() {
                    if m != "parameters" && m != "servers" {
                        ids.push(o["operationId"].as_str().unwrap().to_string());
                    }
                }
            }
            let n = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(n, ids.len(), "{d:?}: duplicate operationIds");
            // accessd's own routes are there, at the root and under their own tag.
            let reset = &doc["paths"]["/_accessd/reset"];
            assert_eq!(reset["servers"][0]["url"], "http://localhost:5599");
            assert_eq!(reset["post"]["tags"][0], EMULATOR_TAG);
            // The seed paths are described.
            let p = doc["paths"].as_object().unwrap();
            match d {
                Dialect::V1 => assert!(
                    p["/identityGovernance/entitlementManagement/assignmentPolicies/{id}"]
                        .get("put")
                        .is_some()
                ),
                Dialect::Beta => {
                    assert!(p["/identityGovernance/entitlementManagement/accessPackageAssignmentPolicies/{id}"].get("patch").is_some());
                    assert!(
                        p["/identityGovernance/entitlementManagement/accessPackageAssignments"]
                            .get("post")
                            .is_some()
                    );
                }
            }
        }
    }
}

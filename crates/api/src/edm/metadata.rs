//! `GET /{version}/$metadata`: the CSDL of the model accessd serves, rendered from the same
//! tables that validate bodies.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{DIRECTORY, Prop, schema};
use crate::Dialect;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn type_ref(p: &Prop) -> String {
    let base = if p.ty.starts_with("Edm.") {
        p.ty.to_string()
    } else {
        format!("graph.{}", p.ty)
    };
    if p.collection {
        format!("Collection({base})")
    } else {
        base
    }
}

/// The CSDL document for a dialect.
pub fn document(d: Dialect) -> String {
    let s = schema(d);
    let mut x = String::with_capacity(256 * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n",
    );
    x.push_str("  <edmx:DataServices>\n");
    x.push_str("    <Schema Namespace=\"microsoft.graph\" Alias=\"graph\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n");
    for e in s.enums {
        x.push_str(&format!(
            "      <EnumType Name=\"{}\"{}>\n",
            esc(e.name),
            if e.flags { " IsFlags=\"true\"" } else { "" }
        ));
        for (i, m) in e.members.iter().enumerate() {
            let v = if e.flags {
                if i == 0 { 0 } else { 1u64 << (i - 1) }
            } else {
                i as u64
            };
            x.push_str(&format!(
                "        <Member Name=\"{}\" Value=\"{v}\" />\n",
                esc(m)
            ));
        }
        x.push_str("      </EnumType>\n");
    }
    let entity = super::TypeDef {
        name: "entity",
        entity: true,
        base: None,
        is_abstract: true,
        open: false,
        props: &[],
    };
    let has_entity = s.types.iter().any(|t| t.name == "entity");
    let all: Vec<&super::TypeDef> = s
        .types
        .iter()
        .chain(DIRECTORY.iter())
        .chain(if has_entity { None } else { Some(&entity) })
        .collect();
    for t in all {
        let tag = if t.entity {
            "EntityType"
        } else {
            "ComplexType"
        };
        let mut attrs = format!("Name=\"{}\"", esc(t.name));
        if let Some(b) = t.base {
            attrs.push_str(&format!(" BaseType=\"graph.{}\"", esc(b)));
        }
        if t.is_abstract {
            attrs.push_str(" Abstract=\"true\"");
        }
        if t.open {
            attrs.push_str(" OpenType=\"true\"");
        }
        x.push_str(&format!("      <{tag} {attrs}>\n"));
        if t.name == "entity" {
            x.push_str("        <Key><PropertyRef Name=\"id\" /></Key>\n");
            x.push_str("        <Property Name=\"id\" Type=\"Edm.String\" Nullable=\"false\" />\n");
        }
        for p in t.props {
            let el = if p.nav {
                "NavigationProperty"
            } else {
                "Property"
            };
            let mut a = format!("Name=\"{}\" Type=\"{}\"", esc(p.name), esc(&type_ref(p)));
            if !p.nullable {
                a.push_str(" Nullable=\"false\"");
            }
            if p.contains {
                a.push_str(" ContainsTarget=\"true\"");
            }
            x.push_str(&format!("        <{el} {a} />\n"));
        }
        x.push_str(&format!("      </{tag}>\n"));
    }
    for op in s.operations {
        let tag = if op.action { "Action" } else { "Function" };
        x.push_str(&format!(
            "      <{tag} Name=\"{}\" IsBound=\"true\">\n",
            esc(op.name)
        ));
        for (n, ty) in op.params {
            let t = if ty.starts_with("Edm.") || ty.starts_with("Collection(Edm.") {
                ty.to_string()
            } else if let Some(inner) = ty.strip_prefix("Collection(") {
                format!("Collection(graph.{inner}")
            } else {
                format!("graph.{ty}")
            };
            x.push_str(&format!(
                "        <Parameter Name=\"{}\" Type=\"{}\" />\n",
                esc(n),
                esc(&t)
            ));
        }
        if let Some(r) = op.returns {
            let t = if r.starts_with("Edm.") {
                r.to_string()
            } else if let Some(inner) = r.strip_prefix("Collection(") {
                format!("Collection(graph.{inner}")
            } else {
                format!("graph.{r}")
            };
            x.push_str(&format!("        <ReturnType Type=\"{}\" />\n", esc(&t)));
        }
        x.push_str(&format!("      </{tag}>\n"));
    }
    x.push_str("      <EntityContainer Name=\"GraphService\">\n");
    x.push_str("        <Singleton Name=\"identityGovernance\" Type=\"microsoft.graph.identityGovernance\" />\n");
    x.push_str("        <EntitySet Name=\"users\" EntityType=\"microsoft.graph.user\" />\n");
    x.push_str("        <EntitySet Name=\"groups\" EntityType=\"microsoft.graph.group\" />\n");
    x.push_str("        <EntitySet Name=\"directoryObjects\" EntityType=\"microsoft.graph.directoryObject\" />\n");
    x.push_str("      </EntityContainer>\n");
    x.push_str("    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n");
    x
}

pub fn response(d: Dialect) -> Response {
    let mut res = (StatusCode::OK, document(d)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    res
}

//! Users and groups (the same in both dialects).

use accessd_domain::{DeletedItem, Group, Timestamp, User};
use serde_json::{Map, Value};

use super::{In, Out, set};

pub fn blank_user(now: Timestamp) -> User {
    User {
        id: String::new(),
        display_name: None,
        user_principal_name: None,
        mail: None,
        mail_nickname: None,
        given_name: None,
        surname: None,
        job_title: None,
        department: None,
        user_type: Some("Member".into()),
        account_enabled: Some(true),
        employee_id: None,
        manager_id: None,
        created_date_time: now,
    }
}

pub fn user_in(o: In<'_>, u: &mut User) {
    set(&mut u.display_name, o.str("displayName"));
    set(&mut u.user_principal_name, o.str("userPrincipalName"));
    set(&mut u.mail, o.str("mail"));
    set(&mut u.mail_nickname, o.str("mailNickname"));
    set(&mut u.given_name, o.str("givenName"));
    set(&mut u.surname, o.str("surname"));
    set(&mut u.job_title, o.str("jobTitle"));
    set(&mut u.department, o.str("department"));
    set(&mut u.user_type, o.str("userType"));
    set(&mut u.account_enabled, o.bool("accountEnabled"));
    set(&mut u.employee_id, o.str("employeeId"));
}

/// The password a body's `passwordProfile` sets, if it sets one.
pub fn password_in(o: In<'_>) -> Option<String> {
    o.obj("passwordProfile")
        .flatten()?
        .str("password")
        .flatten()
}

pub fn user_out(u: &User) -> Map<String, Value> {
    Out::typed("user")
        .put("id", u.id.clone())
        .opt("displayName", u.display_name.clone())
        .opt("userPrincipalName", u.user_principal_name.clone())
        .opt("mail", u.mail.clone())
        .opt("mailNickname", u.mail_nickname.clone())
        .opt("givenName", u.given_name.clone())
        .opt("surname", u.surname.clone())
        .opt("jobTitle", u.job_title.clone())
        .opt("department", u.department.clone())
        .opt("userType", u.user_type.clone())
        .opt("accountEnabled", u.account_enabled)
        .opt("employeeId", u.employee_id.clone())
        .ts("createdDateTime", Some(&u.created_date_time))
        .done()
}

pub fn blank_group(now: Timestamp) -> Group {
    Group {
        id: String::new(),
        display_name: None,
        description: None,
        mail: None,
        mail_enabled: Some(false),
        mail_nickname: None,
        security_enabled: Some(true),
        group_types: vec![],
        visibility: None,
        created_date_time: now,
    }
}

pub fn group_in(o: In<'_>, g: &mut Group) {
    set(&mut g.display_name, o.str("displayName"));
    set(&mut g.description, o.str("description"));
    set(&mut g.mail, o.str("mail"));
    set(&mut g.mail_enabled, o.bool("mailEnabled"));
    set(&mut g.mail_nickname, o.str("mailNickname"));
    set(&mut g.security_enabled, o.bool("securityEnabled"));
    set(&mut g.visibility, o.str("visibility"));
    if o.has("groupTypes") {
        g.group_types = o.strings("groupTypes");
    }
}

pub fn group_out(g: &Group) -> Map<String, Value> {
    Out::typed("group")
        .put("id", g.id.clone())
        .opt("displayName", g.display_name.clone())
        .opt("description", g.description.clone())
        .opt("mail", g.mail.clone())
        .opt("mailEnabled", g.mail_enabled)
        .opt("mailNickname", g.mail_nickname.clone())
        .opt("securityEnabled", g.security_enabled)
        .put(
            "groupTypes",
            Value::Array(g.group_types.iter().cloned().map(Value::String).collect()),
        )
        .opt("visibility", g.visibility.clone())
        .ts("createdDateTime", Some(&g.created_date_time))
        .done()
}

/// A deleted item: the object as it was, with when it was deleted.
pub fn deleted_out(x: &DeletedItem) -> Map<String, Value> {
    let mut m = match serde_json::from_value::<Group>(x.object.clone()) {
        Ok(g) => group_out(&g),
        Err(_) => Map::new(),
    };
    m.insert("id".into(), Value::String(x.id.clone()));
    m.insert(
        "deletedDateTime".into(),
        Value::String(x.deleted_date_time.to_wire()),
    );
    m
}

-- accessd schema, version 1. Each entity kind is one table: its JSON document in `data`,
-- the index columns that accessd_domain::store::Kind::columns declares, and a version
-- that every update bumps. Never edit this file once released; add a new migration.

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    display_name TEXT COLLATE NOCASE,
    user_principal_name TEXT COLLATE NOCASE,
    mail TEXT COLLATE NOCASE,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX users_user_principal_name ON users (user_principal_name, id);
CREATE INDEX users_mail ON users (mail, id);
CREATE INDEX users_display_name ON users (display_name, id);

CREATE TABLE groups (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    display_name TEXT COLLATE NOCASE,
    mail TEXT COLLATE NOCASE,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX groups_display_name ON groups (display_name, id);
CREATE INDEX groups_mail ON groups (mail, id);

CREATE TABLE catalogs (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    display_name TEXT COLLATE NOCASE,
    state TEXT,
    catalog_type TEXT,
    is_externally_visible INTEGER,
    unique_name TEXT COLLATE NOCASE,
    created_date_time TEXT,
    modified_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX catalogs_display_name ON catalogs (display_name, id);
CREATE INDEX catalogs_unique_name ON catalogs (unique_name, id);

CREATE TABLE access_packages (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    catalog_id TEXT,
    display_name TEXT COLLATE NOCASE,
    is_hidden INTEGER,
    unique_name TEXT COLLATE NOCASE,
    created_date_time TEXT,
    modified_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX access_packages_catalog_id ON access_packages (catalog_id, id);
CREATE INDEX access_packages_display_name ON access_packages (display_name, id);
CREATE INDEX access_packages_unique_name ON access_packages (unique_name, id);

CREATE TABLE policies (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    access_package_id TEXT,
    catalog_id TEXT,
    display_name TEXT COLLATE NOCASE,
    created_date_time TEXT,
    modified_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX policies_access_package_id ON policies (access_package_id, id);
CREATE INDEX policies_catalog_id ON policies (catalog_id, id);

CREATE TABLE assignment_requests (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    access_package_id TEXT,
    catalog_id TEXT,
    policy_id TEXT,
    assignment_id TEXT,
    requestor_object_id TEXT,
    target_object_id TEXT,
    request_type TEXT,
    state TEXT,
    status TEXT,
    created_date_time TEXT,
    completed_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX assignment_requests_access_package_id ON assignment_requests (access_package_id, id);
CREATE INDEX assignment_requests_assignment_id ON assignment_requests (assignment_id, id);
CREATE INDEX assignment_requests_requestor_object_id ON assignment_requests (requestor_object_id, id);
CREATE INDEX assignment_requests_target_object_id ON assignment_requests (target_object_id, id);
CREATE INDEX assignment_requests_state ON assignment_requests (state, id);
CREATE INDEX assignment_requests_created_date_time ON assignment_requests (created_date_time, id);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    catalog_id TEXT,
    access_package_id TEXT,
    policy_id TEXT,
    target_id TEXT,
    target_object_id TEXT,
    state TEXT,
    status TEXT,
    is_extended INTEGER,
    expired_date_time TEXT,
    start_date_time TEXT,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX assignments_access_package_id ON assignments (access_package_id, id);
CREATE INDEX assignments_target_object_id ON assignments (target_object_id, id);
CREATE INDEX assignments_target_id ON assignments (target_id, id);
CREATE INDEX assignments_policy_id ON assignments (policy_id, id);
CREATE INDEX assignments_catalog_id ON assignments (catalog_id, id);
CREATE INDEX assignments_state ON assignments (state, id);

CREATE TABLE subjects (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    object_id TEXT,
    display_name TEXT COLLATE NOCASE,
    email TEXT COLLATE NOCASE,
    principal_name TEXT COLLATE NOCASE,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX subjects_object_id ON subjects (object_id, id);

CREATE TABLE resources (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    catalog_id TEXT,
    origin_id TEXT,
    origin_system TEXT,
    display_name TEXT COLLATE NOCASE,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX resources_catalog_id ON resources (catalog_id, id);
CREATE INDEX resources_origin_id ON resources (origin_id, id);

CREATE TABLE resource_roles (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    catalog_id TEXT,
    resource_id TEXT,
    origin_id TEXT,
    display_name TEXT COLLATE NOCASE,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX resource_roles_resource_id ON resource_roles (resource_id, id);
CREATE INDEX resource_roles_catalog_id ON resource_roles (catalog_id, id);

CREATE TABLE resource_scopes (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    catalog_id TEXT,
    resource_id TEXT,
    origin_id TEXT,
    display_name TEXT COLLATE NOCASE,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX resource_scopes_resource_id ON resource_scopes (resource_id, id);
CREATE INDEX resource_scopes_catalog_id ON resource_scopes (catalog_id, id);

CREATE TABLE resource_role_scopes (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    access_package_id TEXT,
    role_id TEXT,
    scope_id TEXT,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX resource_role_scopes_access_package_id ON resource_role_scopes (access_package_id, id);
CREATE INDEX resource_role_scopes_role_id ON resource_role_scopes (role_id, id);
CREATE INDEX resource_role_scopes_scope_id ON resource_role_scopes (scope_id, id);

CREATE TABLE assignment_resource_roles (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    role_id TEXT,
    scope_id TEXT,
    subject_id TEXT,
    status TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX assignment_resource_roles_subject_id ON assignment_resource_roles (subject_id, id);
CREATE INDEX assignment_resource_roles_role_id ON assignment_resource_roles (role_id, id);

CREATE TABLE resource_requests (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    catalog_id TEXT,
    resource_id TEXT,
    state TEXT,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX resource_requests_catalog_id ON resource_requests (catalog_id, id);

CREATE TABLE links (
    rel TEXT NOT NULL,
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    PRIMARY KEY (rel, from_id, to_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX links_reverse ON links (rel, to_id, from_id);

CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

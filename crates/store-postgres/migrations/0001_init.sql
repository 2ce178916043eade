-- accessd schema on PostgreSQL, version 1: the same tables, index columns and indexes as the
-- SQLite migrations 0001-0008 (accessd_domain::store::Kind::columns is the authority; a test
-- checks that every declared column exists). Text is compared byte-wise (COLLATE "C", as SQLite
-- does); the columns SQLite declares COLLATE NOCASE are citext COLLATE "C": equality and order
-- ignore ASCII case and nothing else, as NOCASE does. Booleans are BOOLEAN, versions BIGINT.
-- Never edit this file once released; add a new migration.

CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    display_name citext COLLATE "C",
    user_principal_name citext COLLATE "C",
    mail citext COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX users_user_principal_name ON users (user_principal_name, id);
CREATE INDEX users_mail ON users (mail, id);
CREATE INDEX users_display_name ON users (display_name, id);

CREATE TABLE groups (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    display_name citext COLLATE "C",
    mail citext COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX groups_display_name ON groups (display_name, id);
CREATE INDEX groups_mail ON groups (mail, id);

CREATE TABLE catalogs (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    display_name citext COLLATE "C",
    state TEXT COLLATE "C",
    catalog_type TEXT COLLATE "C",
    is_externally_visible BOOLEAN,
    unique_name citext COLLATE "C",
    created_date_time TEXT COLLATE "C",
    modified_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX catalogs_display_name ON catalogs (display_name, id);
CREATE INDEX catalogs_unique_name ON catalogs (unique_name, id);

CREATE TABLE access_packages (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    catalog_id TEXT COLLATE "C",
    display_name citext COLLATE "C",
    is_hidden BOOLEAN,
    unique_name citext COLLATE "C",
    created_date_time TEXT COLLATE "C",
    modified_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX access_packages_catalog_id ON access_packages (catalog_id, id);
CREATE INDEX access_packages_display_name ON access_packages (display_name, id);
CREATE INDEX access_packages_unique_name ON access_packages (unique_name, id);

CREATE TABLE policies (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    access_package_id TEXT COLLATE "C",
    catalog_id TEXT COLLATE "C",
    display_name citext COLLATE "C",
    created_date_time TEXT COLLATE "C",
    modified_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX policies_access_package_id ON policies (access_package_id, id);
CREATE INDEX policies_catalog_id ON policies (catalog_id, id);

CREATE TABLE assignment_requests (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    access_package_id TEXT COLLATE "C",
    catalog_id TEXT COLLATE "C",
    policy_id TEXT COLLATE "C",
    assignment_id TEXT COLLATE "C",
    requestor_object_id TEXT COLLATE "C",
    target_object_id TEXT COLLATE "C",
    request_type TEXT COLLATE "C",
    state TEXT COLLATE "C",
    status TEXT COLLATE "C",
    created_date_time TEXT COLLATE "C",
    completed_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX assignment_requests_access_package_id ON assignment_requests (access_package_id, id);
CREATE INDEX assignment_requests_assignment_id ON assignment_requests (assignment_id, id);
CREATE INDEX assignment_requests_requestor_object_id ON assignment_requests (requestor_object_id, id);
CREATE INDEX assignment_requests_target_object_id ON assignment_requests (target_object_id, id);
CREATE INDEX assignment_requests_state ON assignment_requests (state, id);
CREATE INDEX assignment_requests_created_date_time ON assignment_requests (created_date_time, id);

CREATE TABLE assignments (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    catalog_id TEXT COLLATE "C",
    access_package_id TEXT COLLATE "C",
    policy_id TEXT COLLATE "C",
    target_id TEXT COLLATE "C",
    target_object_id TEXT COLLATE "C",
    state TEXT COLLATE "C",
    status TEXT COLLATE "C",
    is_extended BOOLEAN,
    expired_date_time TEXT COLLATE "C",
    start_date_time TEXT COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX assignments_access_package_id ON assignments (access_package_id, id);
CREATE INDEX assignments_target_object_id ON assignments (target_object_id, id);
CREATE INDEX assignments_target_id ON assignments (target_id, id);
CREATE INDEX assignments_policy_id ON assignments (policy_id, id);
CREATE INDEX assignments_catalog_id ON assignments (catalog_id, id);
CREATE INDEX assignments_state ON assignments (state, id);

CREATE TABLE subjects (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    object_id TEXT COLLATE "C",
    display_name citext COLLATE "C",
    email citext COLLATE "C",
    principal_name citext COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX subjects_object_id ON subjects (object_id, id);

CREATE TABLE resources (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    catalog_id TEXT COLLATE "C",
    origin_id TEXT COLLATE "C",
    origin_system TEXT COLLATE "C",
    display_name citext COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX resources_catalog_id ON resources (catalog_id, id);
CREATE INDEX resources_origin_id ON resources (origin_id, id);

CREATE TABLE resource_roles (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    catalog_id TEXT COLLATE "C",
    resource_id TEXT COLLATE "C",
    origin_id TEXT COLLATE "C",
    display_name citext COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX resource_roles_resource_id ON resource_roles (resource_id, id);
CREATE INDEX resource_roles_catalog_id ON resource_roles (catalog_id, id);

CREATE TABLE resource_scopes (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    catalog_id TEXT COLLATE "C",
    resource_id TEXT COLLATE "C",
    origin_id TEXT COLLATE "C",
    display_name citext COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX resource_scopes_resource_id ON resource_scopes (resource_id, id);
CREATE INDEX resource_scopes_catalog_id ON resource_scopes (catalog_id, id);

CREATE TABLE resource_role_scopes (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    access_package_id TEXT COLLATE "C",
    role_id TEXT COLLATE "C",
    scope_id TEXT COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX resource_role_scopes_access_package_id ON resource_role_scopes (access_package_id, id);
CREATE INDEX resource_role_scopes_role_id ON resource_role_scopes (role_id, id);
CREATE INDEX resource_role_scopes_scope_id ON resource_role_scopes (scope_id, id);

CREATE TABLE assignment_resource_roles (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    role_id TEXT COLLATE "C",
    scope_id TEXT COLLATE "C",
    subject_id TEXT COLLATE "C",
    status TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX assignment_resource_roles_subject_id ON assignment_resource_roles (subject_id, id);
CREATE INDEX assignment_resource_roles_role_id ON assignment_resource_roles (role_id, id);

CREATE TABLE resource_requests (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    catalog_id TEXT COLLATE "C",
    resource_id TEXT COLLATE "C",
    state TEXT COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX resource_requests_catalog_id ON resource_requests (catalog_id, id);

CREATE TABLE links (
    rel TEXT COLLATE "C" NOT NULL,
    from_id TEXT COLLATE "C" NOT NULL,
    to_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (rel, from_id, to_id)
) ;
CREATE INDEX links_reverse ON links (rel, to_id, from_id);

CREATE TABLE meta (
    key TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    value TEXT COLLATE "C" NOT NULL
);

CREATE TABLE role_assignments (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    provider TEXT COLLATE "C",
    principal_id TEXT COLLATE "C",
    role_definition_id TEXT COLLATE "C",
    directory_scope_id TEXT COLLATE "C",
    app_scope_id TEXT COLLATE "C",
    catalog_id TEXT COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX role_assignments_principal_id ON role_assignments (principal_id, id);
CREATE INDEX role_assignments_catalog_id ON role_assignments (catalog_id, id);
CREATE INDEX role_assignments_role_definition_id ON role_assignments (role_definition_id, id);

CREATE TABLE applications (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    app_id TEXT COLLATE "C",
    display_name citext COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX applications_app_id ON applications (app_id);
CREATE INDEX applications_display_name ON applications (display_name, id);

CREATE TABLE service_principals (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    app_id TEXT COLLATE "C",
    display_name citext COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX service_principals_app_id ON service_principals (app_id);
CREATE INDEX service_principals_display_name ON service_principals (display_name, id);

CREATE TABLE credentials (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    owner_id TEXT COLLATE "C",
    kind TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX credentials_owner_id ON credentials (owner_id, id);

CREATE TABLE approvals (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    catalog_id TEXT COLLATE "C",
    policy_id TEXT COLLATE "C",
    pending BOOLEAN,
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX approvals_catalog_id ON approvals (catalog_id, id);

CREATE TABLE due_work (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    due TEXT COLLATE "C",
    kind TEXT COLLATE "C",
    subject_id TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX due_work_due ON due_work (due, id);
CREATE INDEX due_work_subject_id ON due_work (subject_id, id);

CREATE TABLE audit_events (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    activity_date_time TEXT COLLATE "C",
    category TEXT COLLATE "C",
    activity_display_name citext COLLATE "C",
    correlation_id TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_events_activity_date_time ON audit_events (activity_date_time, id);
CREATE INDEX audit_events_correlation_id ON audit_events (correlation_id, id);

CREATE TABLE deleted_items (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    kind TEXT COLLATE "C",
    deleted_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX deleted_items_kind ON deleted_items (kind, id);

CREATE TABLE custom_extensions (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    catalog_id TEXT COLLATE "C",
    display_name citext COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX custom_extensions_catalog_id ON custom_extensions (catalog_id, id);

CREATE TABLE snapshots (
    id BIGSERIAL PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    created TEXT COLLATE "C" NOT NULL,
    objects BIGINT NOT NULL,
    schema_version BIGINT NOT NULL
);

CREATE TABLE outbox (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    created_date_time TEXT COLLATE "C",
    kind TEXT COLLATE "C",
    template TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX outbox_created_date_time ON outbox (created_date_time, id);

CREATE TABLE connected_organizations (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    display_name citext COLLATE "C",
    state TEXT COLLATE "C",
    created_date_time TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL
);
CREATE INDEX connected_organizations_display_name ON connected_organizations (display_name, id);

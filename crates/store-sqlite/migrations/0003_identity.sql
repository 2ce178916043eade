-- accessd schema, version 3: who may act. Role assignments of both role-management providers
-- (directory roles and entitlement-management catalog roles), application registrations, their
-- service principals, and credentials (password hashes of client secrets and user passwords;
-- never a secret itself).

CREATE TABLE role_assignments (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    provider TEXT,
    principal_id TEXT,
    role_definition_id TEXT,
    directory_scope_id TEXT,
    app_scope_id TEXT,
    catalog_id TEXT,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX role_assignments_principal_id ON role_assignments (principal_id, id);
CREATE INDEX role_assignments_catalog_id ON role_assignments (catalog_id, id);
CREATE INDEX role_assignments_role_definition_id ON role_assignments (role_definition_id, id);

CREATE TABLE applications (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    app_id TEXT,
    display_name TEXT COLLATE NOCASE,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX applications_app_id ON applications (app_id);
CREATE INDEX applications_display_name ON applications (display_name, id);

CREATE TABLE service_principals (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    app_id TEXT,
    display_name TEXT COLLATE NOCASE,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX service_principals_app_id ON service_principals (app_id);
CREATE INDEX service_principals_display_name ON service_principals (display_name, id);

CREATE TABLE credentials (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    owner_id TEXT,
    kind TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX credentials_owner_id ON credentials (owner_id, id);

-- accessd schema, version 5: custom extensions of catalogs (customWorkflowExtensions), the
-- endpoints entitlement management calls out to at a request's or an assignment's stages.

CREATE TABLE custom_extensions (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    catalog_id TEXT,
    display_name TEXT COLLATE NOCASE,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX custom_extensions_catalog_id ON custom_extensions (catalog_id, id);

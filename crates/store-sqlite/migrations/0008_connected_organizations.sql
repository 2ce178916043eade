-- accessd schema, version 8: connected organizations (the partners whose users may request
-- access). Their sponsors are rows of `links` (internal_sponsor, external_sponsor).

CREATE TABLE connected_organizations (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    display_name TEXT COLLATE NOCASE,
    state TEXT,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX connected_organizations_display_name ON connected_organizations (display_name, id);

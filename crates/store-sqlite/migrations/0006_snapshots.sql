-- accessd schema, version 6: snapshots of the tenant (the emulator's `/_accessd/snapshots`).
-- Each snapshot's copy of a table is a table of its own, `snap_{id}_{table}`, made with
-- CREATE TABLE ... AS SELECT; this registry names them and records the schema version they were
-- taken with (a snapshot is only restored into the same schema).

CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    objects INTEGER NOT NULL,
    schema_version INTEGER NOT NULL
) STRICT;

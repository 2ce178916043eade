-- accessd schema, version 7: the emulator's outbox, what the real service would have sent
-- outside Graph (e-mails, custom extension callouts), newest read first.

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    created_date_time TEXT,
    kind TEXT,
    template TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_created_date_time ON outbox (created_date_time, id);

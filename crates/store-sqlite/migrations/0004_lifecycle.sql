-- accessd schema, version 4: the lifecycle engine. Approvals of assignment requests (one per
-- request, same id, with its stages in the document), the durable table of work that falls due
-- (expiry, escalation, automatic denial, future starts, notifications), read in due order, and
-- the audit log of entitlement management, and the directory's deleted items (restorable for
-- 30 days).

CREATE TABLE approvals (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    catalog_id TEXT,
    policy_id TEXT,
    pending INTEGER,
    created_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX approvals_catalog_id ON approvals (catalog_id, id);

CREATE TABLE due_work (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    due TEXT,
    kind TEXT,
    subject_id TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX due_work_due ON due_work (due, id);
CREATE INDEX due_work_subject_id ON due_work (subject_id, id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    activity_date_time TEXT,
    category TEXT,
    activity_display_name TEXT COLLATE NOCASE,
    correlation_id TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_activity_date_time ON audit_events (activity_date_time, id);
CREATE INDEX audit_events_correlation_id ON audit_events (correlation_id, id);

CREATE TABLE deleted_items (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT,
    deleted_date_time TEXT,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX deleted_items_kind ON deleted_items (kind, id);

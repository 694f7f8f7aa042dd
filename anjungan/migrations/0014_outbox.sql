-- Events waiting for the region's hub (interfaces.md, "Events pushed to the
-- hub"). A row is written in the same transaction as the thing it tells of
-- (a survey form, a complaint, an alert, a printer fault, an hour of use),
-- so a power cut can lose neither without the other; it is deleted when the
-- hub has answered 2xx for its batch.
CREATE TABLE outbox (
    seq  INTEGER PRIMARY KEY,       -- order of writing: batches go oldest first
    id   TEXT NOT NULL UNIQUE,      -- the event id (UUID v7), the same on every retry
    kind TEXT NOT NULL,             -- "survey", "complaint", "alert", "printer-fault", "usage"
    at   TEXT NOT NULL,             -- RFC 3339, UTC (timestamp.rs)
    body TEXT NOT NULL              -- JSON object: the event's own fields
) STRICT;
CREATE INDEX outbox_by_kind ON outbox (kind, seq);

-- What the device was used for, counted per hour (UTC) in the same
-- transaction as the use; a finished hour becomes one "usage" event.
CREATE TABLE usage_hour (
    hour TEXT NOT NULL,             -- "2026-12-01T03:00:00Z"
    what TEXT NOT NULL,             -- "wifi-join:free", "print:receipt", ...
    n    INTEGER NOT NULL,
    PRIMARY KEY (hour, what)
) STRICT, WITHOUT ROWID;

-- Counter staff call the numbers (`anjungan queue call`, the dashboard).
-- A called ticket is served at its counter until that counter calls the
-- next one (then `served_at`), or staff skip it because the citizen did
-- not come (`skipped_at`). `called_at` (0003) stays the first call, which
-- takes the ticket out of the waiting; `announced_at` is the last call or
-- recall, what the kiosk's screen shows. All RFC 3339, UTC (see 0008).
ALTER TABLE queue_ticket ADD COLUMN counter INTEGER CHECK (counter BETWEEN 1 AND 99);
ALTER TABLE queue_ticket ADD COLUMN announced_at TEXT;
ALTER TABLE queue_ticket ADD COLUMN served_at TEXT;
ALTER TABLE queue_ticket ADD COLUMN skipped_at TEXT;
UPDATE queue_ticket SET announced_at = called_at WHERE called_at IS NOT NULL;

-- The next waiting number, and the numbers waiting ahead of a ticket.
CREATE INDEX queue_ticket_waiting ON queue_ticket (day, prefix, seq) WHERE called_at IS NULL;

-- What the printer last said when the kiosk asked it (one row): the
-- technician's dashboard and /metrics read it, since only the kiosk talks
-- to the printer.
CREATE TABLE printer_state (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    fault  TEXT,                    -- NULL: ready; else the fault's code
    since  TEXT NOT NULL            -- RFC 3339, UTC: when it became so
) STRICT;

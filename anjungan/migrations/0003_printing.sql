-- Queue tickets: numbered per prefix, restarting each local day, never
-- repeated or skipped. A number is committed here before the ticket is
-- printed, so a power cut between the two loses no number.
CREATE TABLE queue_ticket (
    id         INTEGER PRIMARY KEY,
    day        TEXT    NOT NULL,            -- local date, YYYY-MM-DD
    prefix     TEXT    NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    service    TEXT    NOT NULL,
    taken_at   TEXT    NOT NULL,            -- RFC 3339, UTC (see 0008)
    called_at  TEXT,                        -- when staff called it
    UNIQUE (day, prefix, seq)
) STRICT;

-- Everything sent to the printer, kept until the printer took it: a job
-- that met a fault (out of paper, cover open, no answer) stays here and is
-- offered again.
CREATE TABLE print_job (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('receipt', 'ticket', 'voucher')),
    label      TEXT    NOT NULL,            -- what it is, for staff: "A001 akta-kelahiran"
    bytes      BLOB    NOT NULL,            -- exactly what the printer gets
    ticket     INTEGER REFERENCES queue_ticket (id),
    created_at TEXT    NOT NULL,
    printed_at TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_fault TEXT
) STRICT;

CREATE INDEX print_job_pending ON print_job (id) WHERE printed_at IS NULL;

-- Printer faults, for the technician.
CREATE TABLE printer_fault (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    fault  TEXT NOT NULL,
    detail TEXT NOT NULL
) STRICT;

-- The citizens' voice: the satisfaction survey (SKM/IKM, PermenPAN-RB
-- 14/2017) and complaints. Nothing here names a person or a device: no
-- MAC, no IP address, no name. The one link to a visitor is the keyed hash
-- of `survey_visitor`, which exists only for the day it limits.

-- One answered survey form. u1..u9 are the nine elements (unsur), 1 to 4,
-- NULL where the citizen left the element unanswered.
CREATE TABLE survey_response (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,               -- RFC 3339, UTC: when it was recorded
    day        TEXT NOT NULL,               -- local date answered, YYYY-MM-DD (paper: the form's date)
    channel    TEXT NOT NULL CHECK (channel IN ('kiosk', 'portal', 'paper')),
    service    TEXT,                        -- catalog service id, if the survey was about one
    u1 INTEGER CHECK (u1 BETWEEN 1 AND 4),
    u2 INTEGER CHECK (u2 BETWEEN 1 AND 4),
    u3 INTEGER CHECK (u3 BETWEEN 1 AND 4),
    u4 INTEGER CHECK (u4 BETWEEN 1 AND 4),
    u5 INTEGER CHECK (u5 BETWEEN 1 AND 4),
    u6 INTEGER CHECK (u6 BETWEEN 1 AND 4),
    u7 INTEGER CHECK (u7 BETWEEN 1 AND 4),
    u8 INTEGER CHECK (u8 BETWEEN 1 AND 4),
    u9 INTEGER CHECK (u9 BETWEEN 1 AND 4),
    -- The optional respondent profile, as fixed codes (`voice::survey::profile`).
    sex        TEXT,
    age        TEXT,
    education  TEXT,
    occupation TEXT,
    import     INTEGER REFERENCES survey_import (id)   -- the paper file it came from
) STRICT;

-- What a report needs of the forms, kept up to date in the transaction of
-- every form (`survey::record::insert`, the only writer): per local day,
-- channel and service ('' for none), the forms and, per element, the sum
-- of the scores (s) and the answers (c). A report over years of answers
-- reads these few rows, not every form; a test checks they always equal
-- the count over `survey_response`.
CREATE TABLE survey_tally (
    day       TEXT NOT NULL,
    channel   TEXT NOT NULL,
    service   TEXT NOT NULL,
    responses INTEGER NOT NULL,
    s1 INTEGER NOT NULL, c1 INTEGER NOT NULL,
    s2 INTEGER NOT NULL, c2 INTEGER NOT NULL,
    s3 INTEGER NOT NULL, c3 INTEGER NOT NULL,
    s4 INTEGER NOT NULL, c4 INTEGER NOT NULL,
    s5 INTEGER NOT NULL, c5 INTEGER NOT NULL,
    s6 INTEGER NOT NULL, c6 INTEGER NOT NULL,
    s7 INTEGER NOT NULL, c7 INTEGER NOT NULL,
    s8 INTEGER NOT NULL, c8 INTEGER NOT NULL,
    s9 INTEGER NOT NULL, c9 INTEGER NOT NULL,
    PRIMARY KEY (day, channel, service)
) STRICT, WITHOUT ROWID;

-- The profile the same way: per day, channel and service, the forms per
-- code of each part (sex, age, education, occupation; 'unknown' when not
-- given).
CREATE TABLE survey_profile_tally (
    day     TEXT NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    part    TEXT NOT NULL,
    code    TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, channel, service, part, code)
) STRICT, WITHOUT ROWID;

-- Paper files imported, by the SHA-256 of their bytes, so the same file is
-- not counted twice by accident (`anjungan survey import --again` forces).
CREATE TABLE survey_import (
    id     INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    file   TEXT NOT NULL,
    at     TEXT NOT NULL,
    rows   INTEGER NOT NULL
) STRICT;

CREATE INDEX survey_import_by_hash ON survey_import (sha256);

-- "One answer per visitor per service per day" on the Wi-Fi page: the
-- HMAC-SHA-256 of (MAC, service) under that day's random key. Key and
-- hashes of a day are deleted once the day is over, after which nobody can
-- tell whose answer was whose.
CREATE TABLE survey_day_key (
    day TEXT PRIMARY KEY,
    key BLOB NOT NULL
) STRICT;

CREATE TABLE survey_visitor (
    day     TEXT NOT NULL,
    visitor BLOB NOT NULL,
    PRIMARY KEY (day, visitor)
) STRICT, WITHOUT ROWID;

-- A complaint (pengaduan) or suggestion. `reference` is what the citizen
-- keeps (8 symbols, stored without the `ADU-` and dashes). The contact is
-- erased after `[voice] keep_contact_days`.
CREATE TABLE complaint (
    id         INTEGER PRIMARY KEY,
    reference  TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,               -- RFC 3339, UTC
    channel    TEXT NOT NULL CHECK (channel IN ('kiosk', 'portal', 'paper')),
    category   TEXT NOT NULL,
    service    TEXT,
    text       TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    contact    TEXT CHECK (length(contact) <= 254),
    status     TEXT NOT NULL DEFAULT 'received'
               CHECK (status IN ('received', 'in-progress', 'answered', 'closed')),
    note       TEXT,                        -- the latest answer to the citizen
    updated_at TEXT NOT NULL
) STRICT;

-- Every status change with its note, for staff.
CREATE TABLE complaint_history (
    id        INTEGER PRIMARY KEY,
    complaint INTEGER NOT NULL REFERENCES complaint (id),
    at        TEXT NOT NULL,
    status    TEXT NOT NULL,
    note      TEXT
) STRICT;

CREATE INDEX complaint_history_of ON complaint_history (complaint);
-- The purge finds complaints whose contact is due for erasure.
CREATE INDEX complaint_with_contact ON complaint (created_at) WHERE contact IS NOT NULL;

-- The complaint slip is a print job of its own kind. SQLite cannot change
-- a CHECK in place: the table is rebuilt with the same rows and indexes.
CREATE TABLE print_job_new (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('receipt', 'ticket', 'voucher', 'complaint')),
    label        TEXT    NOT NULL,
    bytes        BLOB    NOT NULL,
    ticket       INTEGER REFERENCES queue_ticket (id),
    created_at   TEXT    NOT NULL,
    printed_at   TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_fault   TEXT,
    abandoned_at TEXT
) STRICT;
INSERT INTO print_job_new (id, kind, label, bytes, ticket, created_at, printed_at, attempts, last_fault, abandoned_at)
    SELECT id, kind, label, bytes, ticket, created_at, printed_at, attempts, last_fault, abandoned_at FROM print_job;
DROP TABLE print_job;
ALTER TABLE print_job_new RENAME TO print_job;
CREATE INDEX print_job_pending ON print_job (id) WHERE printed_at IS NULL;
CREATE INDEX print_job_by_kind ON print_job (kind, created_at);

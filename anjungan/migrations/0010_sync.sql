-- The region's side (`anjungan sync`).

-- Where the installed catalog came from when a pull installed it: the
-- validator for the next conditional request, the signature it was checked
-- against (SHA-256 of the .minisig file) and the signed timestamp of its
-- trusted comment. NULL: imported by hand.
ALTER TABLE catalog ADD COLUMN etag TEXT;
ALTER TABLE catalog ADD COLUMN signature_sha256 TEXT;
ALTER TABLE catalog ADD COLUMN signed_at INTEGER;

-- The newest signed timestamp ever installed. Never lowered, also not by a
-- catalog imported by hand, so an older signed catalog served again (a
-- replay, a stale mirror) is refused.
CREATE TABLE catalog_signed_mark (
    slot      INTEGER PRIMARY KEY CHECK (slot = 1),
    signed_at INTEGER NOT NULL
) STRICT;

-- Each step of `anjungan sync` (the catalog's pull, the events' push): how
-- its last try went, for the technician's dashboard and `anjungan sync
-- --json`, and when to try again (the interval, or a backoff after
-- failures).
CREATE TABLE sync_step (
    step        TEXT PRIMARY KEY CHECK (step IN ('pull', 'push')),
    last_try_at TEXT NOT NULL,
    last_ok_at  TEXT,
    -- 'ok' or the failure's code, e.g. 'bad-signature', 'timeout'.
    outcome     TEXT NOT NULL,
    -- One sentence for a person.
    detail      TEXT NOT NULL,
    -- Failures in a row; 0 after a success.
    failures    INTEGER NOT NULL CHECK (failures >= 0),
    next_try_at TEXT NOT NULL
) STRICT;

-- The installed catalog: one bundle, replaced whole in one transaction so a
-- refused bundle or a power cut leaves the previous one exactly as it was.
CREATE TABLE catalog (
    slot         INTEGER PRIMARY KEY CHECK (slot = 1),
    -- Increases at every install; programs poll it to pick up a new catalog.
    generation   INTEGER NOT NULL,
    bundle       TEXT    NOT NULL,
    published    TEXT    NOT NULL,
    region_code  TEXT    NOT NULL,
    region_name  TEXT    NOT NULL,
    services     INTEGER NOT NULL,
    installed_at TEXT    NOT NULL,
    source       TEXT    NOT NULL
) STRICT;

-- Every import attempt, installed or refused, for the technician.
CREATE TABLE catalog_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    source  TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('installed', 'refused')),
    detail  TEXT NOT NULL
) STRICT;

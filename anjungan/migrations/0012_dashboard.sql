-- The technician's dashboard: its one password (argon2id, PHC string; set
-- with `anjungan admin password`, none until then), and alerts a
-- technician has seen and acknowledged.
CREATE TABLE admin_password (
    slot   INTEGER PRIMARY KEY CHECK (slot = 1),
    hash   TEXT NOT NULL,           -- $argon2id$v=19$m=...,t=...,p=...$salt$hash
    set_at TEXT NOT NULL            -- RFC 3339, UTC
) STRICT;

ALTER TABLE alert ADD COLUMN acknowledged_at TEXT;  -- RFC 3339, UTC; NULL: open

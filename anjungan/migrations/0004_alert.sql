-- What needs a person at the device, for the technician: a citizen
-- pressed "call staff" (the button on the panel or on the screen). Kept in
-- the store so a report survives a restart.
CREATE TABLE alert (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,           -- RFC 3339, UTC (see 0008)
    kind   TEXT NOT NULL,           -- "call-staff"
    detail TEXT NOT NULL            -- where it came from, for people
) STRICT;

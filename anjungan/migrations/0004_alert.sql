-- What needs a person at the device, for the technician and the health
-- report: a citizen pressed "call staff" (the button on the panel or on the
-- screen). Kept in the store so a report survives a restart.
CREATE TABLE alert (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,           -- local time, YYYY-MM-DDTHH:MM:SS
    kind   TEXT NOT NULL,           -- "call-staff"
    detail TEXT NOT NULL            -- where it came from, for people
) STRICT;

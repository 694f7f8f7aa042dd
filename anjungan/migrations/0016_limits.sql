-- Data limits (`[captive] data_limit_mb_session`, `data_limit_mb_day`,
-- ChilliSpot-Max-Total-Octets): the bytes each session used, both
-- directions together, as the portal counted them from the kernel's
-- per-visitor counters; kept so a restart keeps the day's usage. A
-- visitor's day is the sum of the sessions they started that local day.
CREATE TABLE wifi_session_data (
    session_id INTEGER PRIMARY KEY REFERENCES wifi_session (id),
    octets     INTEGER NOT NULL DEFAULT 0 CHECK (octets >= 0),
    -- Which data limit ended the session, if one did: the visitor's page
    -- says so, and after 'day' they cannot join again that day.
    limit_reached TEXT CHECK (limit_reached IN ('session', 'day'))
) STRICT;

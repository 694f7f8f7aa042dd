-- RADIUS accounts (`[captive] auth = "radius"`): a session may be granted
-- by the region's RADIUS server. SQLite cannot change a CHECK, so the
-- session table is rebuilt with 'radius' among the methods.
CREATE TABLE wifi_session_new (
    id         INTEGER PRIMARY KEY,
    mac        TEXT NOT NULL,
    ip         TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL CHECK (expires_at > started_at),
    ended_at   INTEGER,
    method     TEXT NOT NULL CHECK (method IN ('click-through', 'voucher', 'radius')),
    voucher    TEXT REFERENCES wifi_voucher (code),
    kicked     INTEGER NOT NULL DEFAULT 0 CHECK (kicked IN (0, 1))
) STRICT;
INSERT INTO wifi_session_new (id, mac, ip, started_at, expires_at, ended_at, method, voucher, kicked)
    SELECT id, mac, ip, started_at, expires_at, ended_at, method, voucher, kicked FROM wifi_session;
DROP TABLE wifi_session;
ALTER TABLE wifi_session_new RENAME TO wifi_session;
CREATE INDEX wifi_session_by_mac ON wifi_session (mac, started_at);
CREATE INDEX wifi_session_live ON wifi_session (expires_at) WHERE ended_at IS NULL;

-- What the RADIUS server said of a session it granted, and where its
-- accounting stands. `stopped_at` is set once its Stop record is queued:
-- nothing more is counted for it.
CREATE TABLE radius_session (
    session_id       INTEGER PRIMARY KEY REFERENCES wifi_session (id),
    username         TEXT NOT NULL,
    acct_session_id  TEXT NOT NULL UNIQUE,
    -- The Class attribute, sent back in every accounting record (RFC 2865 5.25).
    class            BLOB,
    idle_timeout     INTEGER,
    interim_interval INTEGER,
    -- WISPr-Bandwidth-Max-Up/Down (bit/s) and ChilliSpot-Max-Total-Octets,
    -- kept for the shaping that applies them.
    max_up_bps       INTEGER,
    max_down_bps     INTEGER,
    max_total_octets INTEGER,
    last_interim_at  INTEGER NOT NULL,
    -- Totals counted so far (the kernel's counters start again at zero
    -- when the table is put back): Acct-Input-* is from the visitor.
    input_octets     INTEGER NOT NULL DEFAULT 0,
    output_octets    INTEGER NOT NULL DEFAULT 0,
    input_packets    INTEGER NOT NULL DEFAULT 0,
    output_packets   INTEGER NOT NULL DEFAULT 0,
    -- Why the portal ended it (Acct-Terminate-Cause), when it did.
    terminate_cause  INTEGER,
    -- When the session's byte counters last moved (Idle-Timeout).
    active_at        INTEGER NOT NULL,
    stopped_at       INTEGER
) STRICT;

-- Accounting records not yet acknowledged by a server, oldest first: they
-- survive a restart and are sent again until one answers.
CREATE TABLE radius_pending (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES wifi_session (id),
    -- The attributes, encoded, without Acct-Delay-Time (added when sent).
    attributes BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

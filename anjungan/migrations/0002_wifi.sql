-- The free Wi-Fi: vouchers and visitors' sessions.
-- Times are Unix seconds (UTC); the portal and the kiosk compare them with
-- the clock of the same device.

-- A voucher gives `minutes` of internet from its first use, to the device
-- (MAC address) that used it first.
CREATE TABLE wifi_voucher (
    code          TEXT PRIMARY KEY,
    minutes       INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 525600),
    issued_at     INTEGER NOT NULL,
    first_used_at INTEGER,
    mac           TEXT,
    CHECK ((first_used_at IS NULL) = (mac IS NULL))
) STRICT;

-- One row per joining. A session is live while `ended_at` is NULL and
-- `expires_at` is in the future; the firewall's own timeout ends it in the
-- kernel at `expires_at` even when no program is running.
CREATE TABLE wifi_session (
    id         INTEGER PRIMARY KEY,
    mac        TEXT NOT NULL,
    ip         TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL CHECK (expires_at > started_at),
    ended_at   INTEGER,
    method     TEXT NOT NULL CHECK (method IN ('click-through', 'voucher')),
    voucher    TEXT REFERENCES wifi_voucher (code)
) STRICT;

CREATE INDEX wifi_session_by_mac ON wifi_session (mac, started_at);
CREATE INDEX wifi_session_live ON wifi_session (expires_at) WHERE ended_at IS NULL;

-- The devices of the region and the events they pushed.

CREATE TABLE device (
    id            TEXT PRIMARY KEY,             -- the device's [device] id
    token_sha256  BYTEA NOT NULL UNIQUE,        -- SHA-256 of its token; the token itself is never stored
    added_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at    TIMESTAMPTZ,                  -- set: its token is refused
    last_contact  TIMESTAMPTZ,                  -- its last accepted push
    last_agent    TEXT                          -- the User-Agent of that push: program and version
);

-- One row per event, whatever its kind; the pair (device, id) is what
-- makes a retried batch count once.
CREATE TABLE event (
    device       TEXT NOT NULL REFERENCES device (id),
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    body         JSONB NOT NULL,                -- the event's own fields
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (device, id)
);
CREATE INDEX event_by_kind ON event (kind, at);

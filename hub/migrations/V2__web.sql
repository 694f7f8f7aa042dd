-- The region's pages: staff and their logins, each device's latest status,
-- and the catalogs published to the devices. Everything a login needs is
-- here, so any hub process accepts a login another one made.

CREATE TABLE staff (
    name       TEXT PRIMARY KEY,
    password   TEXT NOT NULL,                  -- argon2id, PHC string; never the password
    added_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_login TIMESTAMPTZ
);

-- A logged-in browser. Only the SHA-256 of its cookie is kept: a copy of
-- the database logs nobody in.
CREATE TABLE staff_session (
    cookie_sha256 BYTEA PRIMARY KEY,
    staff         TEXT NOT NULL REFERENCES staff (name) ON DELETE CASCADE,
    csrf          TEXT NOT NULL,               -- every form of this login carries it
    lang          TEXT NOT NULL DEFAULT 'id',
    started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    seen_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX staff_session_by_seen ON staff_session (seen_at);

-- Wrong passwords per client address, and '*' for all addresses together.
CREATE TABLE login_throttle (
    address    TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL,
    last_at    TIMESTAMPTZ NOT NULL,
    not_before TIMESTAMPTZ NOT NULL            -- no try is looked at before this
);

-- The latest status each device sent with a push (anjungan::sync::Status).
CREATE TABLE device_status (
    device      TEXT PRIMARY KEY REFERENCES device (id),
    reported_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    status      JSONB NOT NULL
);

-- Every catalog published (`anjungan-hub catalog publish`), newest served.
CREATE TABLE catalog_publication (
    id               BIGSERIAL PRIMARY KEY,
    bundle           BYTEA NOT NULL,
    signature        TEXT NOT NULL,            -- the .minisig, as published
    bundle_sha256    TEXT NOT NULL,            -- hex; the strong ETag
    signature_sha256 TEXT NOT NULL UNIQUE,     -- hex; what a device reports having
    published        TEXT NOT NULL,            -- the bundle's own `published`
    region_name      TEXT NOT NULL,
    services         INTEGER NOT NULL,
    signed_at        TIMESTAMPTZ NOT NULL,     -- the signature's trusted timestamp
    published_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The citizens' voice at the region: survey tallies for the IKM report and
-- the complaints inbox whose statuses flow back to the devices.

-- What the IKM report needs of the survey events, per device, local day,
-- channel, service and unit: scores summed and answers counted per element
-- (s1/c1 .. s9/c9), as the device keeps them (anjungan's survey_tally).
-- Written by `ingest::store` in the transaction of the events it counts,
-- and only for events that transaction inserted: a batch pushed twice
-- counts once. '' is "none" for service and unit (part of the key).
CREATE TABLE survey_tally (
    device    TEXT NOT NULL REFERENCES device (id),
    day       DATE NOT NULL,                 -- the device's local day of the answer
    channel   TEXT NOT NULL,                 -- kiosk, portal, paper
    service   TEXT NOT NULL,
    unit      TEXT NOT NULL,                 -- the office, when the event carries one
    responses BIGINT NOT NULL,
    s1 BIGINT NOT NULL, c1 BIGINT NOT NULL, s2 BIGINT NOT NULL, c2 BIGINT NOT NULL,
    s3 BIGINT NOT NULL, c3 BIGINT NOT NULL, s4 BIGINT NOT NULL, c4 BIGINT NOT NULL,
    s5 BIGINT NOT NULL, c5 BIGINT NOT NULL, s6 BIGINT NOT NULL, c6 BIGINT NOT NULL,
    s7 BIGINT NOT NULL, c7 BIGINT NOT NULL, s8 BIGINT NOT NULL, c8 BIGINT NOT NULL,
    s9 BIGINT NOT NULL, c9 BIGINT NOT NULL,
    PRIMARY KEY (device, day, channel, service, unit)
);
-- A region's report selects by period first.
CREATE INDEX survey_tally_by_day ON survey_tally (day);

-- The respondents' profile counted the same way: part is sex, age,
-- education or occupation; code is the device's code or 'unknown'.
CREATE TABLE survey_profile_tally (
    device  TEXT NOT NULL REFERENCES device (id),
    day     DATE NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    unit    TEXT NOT NULL,
    part    TEXT NOT NULL,
    code    TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (device, day, channel, service, unit, part, code)
);

-- Each device numbers the status changes of its complaints: the device
-- asks for those after the last number it has (`GET
-- /v1/complaints/updates?since=`). A change takes the next number by
-- updating the device's row, which holds that row's lock until commit, so
-- a device never sees number n+1 before n is committed.
ALTER TABLE device ADD COLUMN complaint_seq BIGINT NOT NULL DEFAULT 0;

-- A complaint as a device pushed it (its event), with what staff at the
-- region made of it. The contact is erased after --keep-contact-days.
CREATE TABLE complaint (
    device     TEXT NOT NULL REFERENCES device (id),
    reference  TEXT NOT NULL,                -- as the device stores it: 8 symbols, no ADU- or dashes
    event      TEXT NOT NULL,                -- the event's id
    created_at TIMESTAMPTZ NOT NULL,
    channel    TEXT NOT NULL,
    category   TEXT NOT NULL,
    service    TEXT,
    text       TEXT NOT NULL,
    contact    TEXT,
    status     TEXT NOT NULL DEFAULT 'received'
               CHECK (status IN ('received', 'in-progress', 'answered', 'closed')),
    answer     TEXT CHECK (length(answer) <= 2000),   -- the latest answer to the citizen
    updated_at TIMESTAMPTZ NOT NULL,
    seq        BIGINT,                       -- the device's number of the latest staff change; NULL: none yet
    PRIMARY KEY (device, reference)
);
CREATE INDEX complaint_newest ON complaint (created_at DESC);
CREATE INDEX complaint_updates ON complaint (device, seq) WHERE seq IS NOT NULL;

-- Every change staff made, for the complaint's page.
CREATE TABLE complaint_change (
    device    TEXT NOT NULL,
    reference TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    status    TEXT NOT NULL,
    answer    TEXT,
    staff     TEXT NOT NULL,                 -- who, as the staff guard names them
    FOREIGN KEY (device, reference) REFERENCES complaint (device, reference)
);
CREATE INDEX complaint_change_of ON complaint_change (device, reference);

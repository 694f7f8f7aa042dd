-- The region hub's answers to this device's complaints. `anjungan sync`
-- fetches the statuses staff set at the hub (GET /v1/complaints/updates)
-- and applies them to `complaint` (so a citizen's look-up shows them);
-- the hub numbers its changes per device, and the number of the last one
-- applied is kept here, in the same transaction, so the next fetch asks
-- only for newer ones.
CREATE TABLE complaint_update_mark (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
) STRICT;

-- Where a status change was made: on the device (`anjungan complaint
-- status`, the dashboard) or at the region's hub.
ALTER TABLE complaint_history ADD COLUMN source TEXT NOT NULL DEFAULT 'device'
    CHECK (source IN ('device', 'hub'));

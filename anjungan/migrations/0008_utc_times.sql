-- Every moment stored as text is RFC 3339 in UTC with `Z`, to the second
-- (`2026-11-30T02:05:00Z`, `anjungan::timestamp`), as the catalog's
-- `installed_at` and `catalog_log.at` always were. Before this, the queue,
-- the print spool, printer faults and alerts kept the device's local time
-- without an offset (`2026-11-30T09:05:00`). Those rows are converted here
-- from the device's time zone ('utc' reads the value as local time), so
-- that old and new rows compare and order as text: the hourly count of
-- voucher slips reads `created_at` across the change. A value that is not
-- a time at all is left as it is. `queue_ticket.day` stays the local date:
-- numbers restart with the office's day.
UPDATE queue_ticket
SET taken_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', taken_at, 'utc'), taken_at)
WHERE taken_at NOT LIKE '%Z';
UPDATE queue_ticket
SET called_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', called_at, 'utc'), called_at)
WHERE called_at NOT LIKE '%Z';

UPDATE print_job
SET created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', created_at, 'utc'), created_at)
WHERE created_at NOT LIKE '%Z';
UPDATE print_job
SET printed_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', printed_at, 'utc'), printed_at)
WHERE printed_at NOT LIKE '%Z';
UPDATE print_job
SET abandoned_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', abandoned_at, 'utc'), abandoned_at)
WHERE abandoned_at NOT LIKE '%Z';

UPDATE printer_fault
SET at = COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', at, 'utc'), at)
WHERE at NOT LIKE '%Z';

UPDATE alert
SET at = COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', at, 'utc'), at)
WHERE at NOT LIKE '%Z';

-- The kiosk counts the voucher slips of the last hour before making one;
-- this index answers without reading the stored documents.
CREATE INDEX print_job_by_kind ON print_job (kind, created_at);

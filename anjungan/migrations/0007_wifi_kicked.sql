-- Sessions a technician ended. Their visitor may not join again for
-- `[captive] rejoin_wait_minutes` after `ended_at`.
ALTER TABLE wifi_session ADD COLUMN kicked INTEGER NOT NULL DEFAULT 0 CHECK (kicked IN (0, 1));

-- A job whose citizen has gone (they closed the card after a printer fault,
-- or the screen reset) is not printed later for nobody. A queue number it
-- carried stays theirs: the screen showed it to them.
ALTER TABLE print_job ADD COLUMN abandoned_at TEXT;

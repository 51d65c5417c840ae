-- leadnudge schema, version 5 (SQLite): the introduction travels with a
-- person's first nudge. DecideNudge gives it to exactly one allowed nudge
-- (under the person's lock); if that nudge fails for good, the
-- introduction goes back to the person, for their next nudge.
ALTER TABLE nudges ADD COLUMN with_intro INTEGER NOT NULL DEFAULT 0;

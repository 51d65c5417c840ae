-- leadnudge schema, version 2 (SQLite): per-channel settings.
-- A channel's members can turn nudges off for the channel (/nudges channel off).

CREATE TABLE channels (
	id         TEXT    PRIMARY KEY,
	nudges_off INTEGER NOT NULL DEFAULT 0,  -- boolean
	updated_at INTEGER NOT NULL
);

-- leadnudge schema, version 2 (PostgreSQL): per-channel settings.
-- A channel's members can turn nudges off for the channel (/nudges channel off).

CREATE TABLE channels (
	id         TEXT    PRIMARY KEY,
	nudges_off BOOLEAN NOT NULL DEFAULT FALSE,
	updated_at BIGINT  NOT NULL
);

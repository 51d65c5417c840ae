-- leadnudge schema, version 1 (SQLite).
-- Timestamps are UTC microseconds since the Unix epoch; 0 means "never".
-- No table holds the text of a Slack message.

CREATE TABLE users (
	id                   TEXT    PRIMARY KEY,
	time_zone            TEXT    NOT NULL DEFAULT '',   -- IANA name, never an offset
	tz_updated_at        INTEGER NOT NULL DEFAULT 0,
	opted_out            INTEGER NOT NULL DEFAULT 0,    -- boolean: /nudges off or "Stop these"
	snoozed_until        INTEGER NOT NULL DEFAULT 0,
	weekly_enrolled      INTEGER NOT NULL DEFAULT 0,    -- boolean: /reflect on
	prompts_paused_until INTEGER NOT NULL DEFAULT 0,
	intro_sent_at        INTEGER NOT NULL DEFAULT 0,
	first_seen           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL
);

CREATE TABLE nudges (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id          TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	rule_id          TEXT    NOT NULL,
	category         TEXT    NOT NULL DEFAULT '',
	channel_id       TEXT    NOT NULL,
	message_ts       TEXT    NOT NULL,
	event_id         TEXT    NOT NULL UNIQUE,
	state            TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'suppressed')),
	reason           TEXT    NOT NULL DEFAULT '',
	created_at       INTEGER NOT NULL,
	allowed_at       INTEGER NOT NULL DEFAULT 0,  -- when the policy let it through; counts for cooldown and cap
	lease_until      INTEGER NOT NULL DEFAULT 0,
	attempts         INTEGER NOT NULL DEFAULT 0,
	finished_at      INTEGER NOT NULL DEFAULT 0,
	delivery_channel TEXT    NOT NULL DEFAULT '',
	delivery_ts      TEXT    NOT NULL DEFAULT '',
	feedback         TEXT    NOT NULL DEFAULT '',
	feedback_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX nudges_user_allowed ON nudges (user_id, allowed_at);
CREATE INDEX nudges_user_rule_allowed ON nudges (user_id, rule_id, allowed_at);
CREATE INDEX nudges_pending_lease ON nudges (lease_until) WHERE state = 'pending';
CREATE INDEX nudges_created ON nudges (created_at);

CREATE TABLE events_seen (
	event_id TEXT    PRIMARY KEY,
	seen_at  INTEGER NOT NULL
);
CREATE INDEX events_seen_seen_at ON events_seen (seen_at);

CREATE TABLE reflections (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	week       TEXT    NOT NULL,                -- ISO week, "2026-W07"
	prompt_id  TEXT    NOT NULL DEFAULT '',
	answer     BLOB    NOT NULL,                -- the author's bytes, exactly
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (user_id, week)
);

CREATE TABLE reflection_edits (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	reflection_id INTEGER NOT NULL REFERENCES reflections (id) ON DELETE CASCADE,
	edited_at     INTEGER NOT NULL
);
CREATE INDEX reflection_edits_reflection ON reflection_edits (reflection_id);

CREATE TABLE prompt_deliveries (
	user_id          TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	week             TEXT    NOT NULL,
	prompt_id        TEXT    NOT NULL DEFAULT '',
	state            TEXT    NOT NULL CHECK (state IN ('claimed', 'sent', 'skipped')),
	claimed_at       INTEGER NOT NULL DEFAULT 0,
	lease_until      INTEGER NOT NULL DEFAULT 0,
	attempts         INTEGER NOT NULL DEFAULT 0,
	sent_at          INTEGER NOT NULL DEFAULT 0,
	answered_at      INTEGER NOT NULL DEFAULT 0,
	skipped_at       INTEGER NOT NULL DEFAULT 0,
	delivery_channel TEXT    NOT NULL DEFAULT '',
	delivery_ts      TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, week)
);
CREATE INDEX prompt_deliveries_week ON prompt_deliveries (week);

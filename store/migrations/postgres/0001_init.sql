-- leadnudge schema, version 1 (PostgreSQL).
-- Timestamps are UTC microseconds since the Unix epoch; 0 means "never".
-- No table holds the text of a Slack message.

CREATE TABLE users (
	id                   TEXT    PRIMARY KEY,
	time_zone            TEXT    NOT NULL DEFAULT '',   -- IANA name, never an offset
	tz_updated_at        BIGINT  NOT NULL DEFAULT 0,
	opted_out            BOOLEAN NOT NULL DEFAULT FALSE, -- boolean: /nudges off or "Stop these"
	snoozed_until        BIGINT  NOT NULL DEFAULT 0,
	weekly_enrolled      BOOLEAN NOT NULL DEFAULT FALSE, -- boolean: /reflect on
	prompts_paused_until BIGINT  NOT NULL DEFAULT 0,
	intro_sent_at        BIGINT  NOT NULL DEFAULT 0,
	first_seen           BIGINT  NOT NULL,
	updated_at           BIGINT  NOT NULL
);

CREATE TABLE nudges (
	id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id          TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	rule_id          TEXT    NOT NULL,
	category         TEXT    NOT NULL DEFAULT '',
	channel_id       TEXT    NOT NULL,
	message_ts       TEXT    NOT NULL,
	event_id         TEXT    NOT NULL UNIQUE,
	state            TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'suppressed')),
	reason           TEXT    NOT NULL DEFAULT '',
	created_at       BIGINT  NOT NULL,
	allowed_at       BIGINT  NOT NULL DEFAULT 0,  -- when the policy let it through; counts for cooldown and cap
	lease_until      BIGINT  NOT NULL DEFAULT 0,
	attempts         BIGINT  NOT NULL DEFAULT 0,
	finished_at      BIGINT  NOT NULL DEFAULT 0,
	delivery_channel TEXT    NOT NULL DEFAULT '',
	delivery_ts      TEXT    NOT NULL DEFAULT '',
	feedback         TEXT    NOT NULL DEFAULT '',
	feedback_at      BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX nudges_user_allowed ON nudges (user_id, allowed_at);
CREATE INDEX nudges_user_rule_allowed ON nudges (user_id, rule_id, allowed_at);
CREATE INDEX nudges_pending_lease ON nudges (lease_until) WHERE state = 'pending';
CREATE INDEX nudges_created ON nudges (created_at);

CREATE TABLE events_seen (
	event_id TEXT    PRIMARY KEY,
	seen_at  BIGINT  NOT NULL
);
CREATE INDEX events_seen_seen_at ON events_seen (seen_at);

CREATE TABLE reflections (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	week       TEXT    NOT NULL,                -- ISO week, "2026-W07"
	prompt_id  TEXT    NOT NULL DEFAULT '',
	answer     BYTEA   NOT NULL,                -- the author's bytes, exactly
	created_at BIGINT  NOT NULL,
	updated_at BIGINT  NOT NULL,
	UNIQUE (user_id, week)
);

CREATE TABLE reflection_edits (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	reflection_id BIGINT  NOT NULL REFERENCES reflections (id) ON DELETE CASCADE,
	edited_at     BIGINT  NOT NULL
);
CREATE INDEX reflection_edits_reflection ON reflection_edits (reflection_id);

CREATE TABLE prompt_deliveries (
	user_id          TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	week             TEXT    NOT NULL,
	prompt_id        TEXT    NOT NULL DEFAULT '',
	state            TEXT    NOT NULL CHECK (state IN ('claimed', 'sent', 'skipped')),
	claimed_at       BIGINT  NOT NULL DEFAULT 0,
	lease_until      BIGINT  NOT NULL DEFAULT 0,
	attempts         BIGINT  NOT NULL DEFAULT 0,
	sent_at          BIGINT  NOT NULL DEFAULT 0,
	answered_at      BIGINT  NOT NULL DEFAULT 0,
	skipped_at       BIGINT  NOT NULL DEFAULT 0,
	delivery_channel TEXT    NOT NULL DEFAULT '',
	delivery_ts      TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, week)
);
CREATE INDEX prompt_deliveries_week ON prompt_deliveries (week);

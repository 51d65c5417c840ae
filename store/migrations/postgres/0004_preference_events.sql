-- leadnudge schema, version 4 (PostgreSQL): when people snoozed or stopped
-- nudges or paused the weekly prompt, for the anonymous team report
-- ("snoozed within a day of a nudge"). Kind and time only, no text; purged
-- with the nudge log, exported and erased with the person's data.
CREATE TABLE preference_events (
	id      BIGSERIAL PRIMARY KEY,
	user_id TEXT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind    TEXT      NOT NULL CHECK (kind IN ('snooze', 'stop', 'pause')),
	at      BIGINT    NOT NULL
);
CREATE INDEX preference_events_user_at ON preference_events (user_id, at);
CREATE INDEX preference_events_at ON preference_events (at);

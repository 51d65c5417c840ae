-- leadnudge schema, version 3 (PostgreSQL): /reflect off is its own
-- preference, so it wins over channel enrolment and no pause can undo it.
ALTER TABLE users ADD COLUMN reflection_off BOOLEAN NOT NULL DEFAULT FALSE;

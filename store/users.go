package store

import (
	"context"
	"fmt"
	"time"
)

const userColumns = `id, time_zone, tz_updated_at, opted_out, snoozed_until, weekly_enrolled,
	prompts_paused_until, intro_sent_at, first_seen, updated_at, reflection_off`

func scanUser(r row) (User, error) {
	var (
		u                                            User
		tzAt, snoozed, paused, intro, first, updated int64
	)
	if err := r.Scan(&u.ID, &u.TimeZone, &tzAt, &u.OptedOut, &snoozed, &u.WeeklyEnrolled,
		&paused, &intro, &first, &updated, &u.ReflectionOff); err != nil {
		return User{}, err
	}
	u.TimeZoneUpdatedAt = fromMicros(tzAt)
	u.SnoozedUntil = fromMicros(snoozed)
	u.PromptsPausedUntil = fromMicros(paused)
	u.IntroSentAt = fromMicros(intro)
	u.FirstSeen = fromMicros(first)
	u.UpdatedAt = fromMicros(updated)
	return u, nil
}

// ensureUser creates the user's row if missing (first seen now).
func ensureUser(ctx context.Context, q querier, id string, now int64) error {
	_, err := q.exec(ctx, `INSERT INTO users (id, first_seen, updated_at) VALUES ($1, $2, $2)
		ON CONFLICT (id) DO NOTHING`, id, now)
	if err != nil {
		return fmt.Errorf("ensure user row: %w", err)
	}
	return nil
}

func getUser(ctx context.Context, q querier, id string, lock string) (User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+lock, id))
	if isNoRows(err) {
		return User{}, fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	return u, err
}

// GetUser returns the user's row. ErrNotFound if the store never saw them.
func (s *Store) GetUser(ctx context.Context, userID string) (User, error) {
	if err := checkID("user id", userID); err != nil {
		return User{}, fmt.Errorf("store: get user: %w", err)
	}
	u, err := getUser(ctx, s.b, userID, "")
	if err != nil {
		return User{}, fmt.Errorf("store: get user: %w", err)
	}
	return u, nil
}

// EnsureUser returns the user's row, creating it (first seen now, every
// preference at its default) if the store never saw them.
func (s *Store) EnsureUser(ctx context.Context, userID string) (User, error) {
	if err := checkID("user id", userID); err != nil {
		return User{}, fmt.Errorf("store: ensure user: %w", err)
	}
	if err := ensureUser(ctx, s.b, userID, s.nowMicros()); err != nil {
		return User{}, fmt.Errorf("store: ensure user %s: %w", userID, err)
	}
	u, err := getUser(ctx, s.b, userID, "")
	if err != nil {
		return User{}, fmt.Errorf("store: ensure user: %w", err)
	}
	return u, nil
}

// ListUsers returns every user, ordered by id: the input of the weekly
// scheduler's "who is due" decision.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rs, err := s.b.query(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	us, err := scanAll(rs, func(r rows) (User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return us, nil
}

// setUserColumn upserts one preference column; column is always one of
// the constants below, never caller input. A non-empty event is recorded
// in preference_events in the same transaction (kind and time only).
func (s *Store) setUserColumn(ctx context.Context, what, userID, column string, value any, event EventKind) (User, error) {
	if err := checkID("user id", userID); err != nil {
		return User{}, fmt.Errorf("store: %s: %w", what, err)
	}
	cols, vals, set := column, "$3", column+" = excluded."+column
	if column == "time_zone" {
		cols += ", tz_updated_at"
		vals += ", $2"
		set += ", tz_updated_at = excluded.tz_updated_at"
	}
	q := `INSERT INTO users (id, first_seen, updated_at, ` + cols + `) VALUES ($1, $2, $2, ` + vals + `)
		ON CONFLICT (id) DO UPDATE SET ` + set + `, updated_at = excluded.updated_at
		RETURNING ` + userColumns
	now := s.nowMicros()
	var u User
	err := s.b.inTx(ctx, func(tx querier) error {
		var err error
		if u, err = scanUser(tx.queryRow(ctx, q, userID, now, value)); err != nil {
			return err
		}
		if event != "" {
			if _, err := tx.exec(ctx, `INSERT INTO preference_events (user_id, kind, at) VALUES ($1, $2, $3)`, userID, string(event), now); err != nil {
				return fmt.Errorf("record %s event: %w", event, err)
			}
		}
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("store: %s for user %s: %w", what, userID, err)
	}
	return u, nil
}

// eventIf returns kind when on holds, else no event.
func eventIf(on bool, kind EventKind) EventKind {
	if on {
		return kind
	}
	return ""
}

// SetOptedOut turns all nudges off (true) or back on (false) for the user,
// creating their row if needed, and returns the updated row. Turning them
// off is recorded as a stop event.
func (s *Store) SetOptedOut(ctx context.Context, userID string, optedOut bool) (User, error) {
	return s.setUserColumn(ctx, "set opt-out", userID, "opted_out", optedOut, eventIf(optedOut, EventStop))
}

// SetSnoozedUntil snoozes nudges for the user until the given instant (the
// zero time, or any past instant, ends a snooze). A snooze into the future
// is recorded as a snooze event.
func (s *Store) SetSnoozedUntil(ctx context.Context, userID string, until time.Time) (User, error) {
	return s.setUserColumn(ctx, "set snooze", userID, "snoozed_until", micros(until), eventIf(until.After(s.clock()), EventSnooze))
}

// SetTimeZone records the user's IANA time zone name (as users.info gives
// it, e.g. "America/Los_Angeles"; never an offset) and when it was
// refreshed. The caller validates the name with time.LoadLocation.
func (s *Store) SetTimeZone(ctx context.Context, userID, tz string) (User, error) {
	if len(tz) > 64 {
		return User{}, fmt.Errorf("store: set time zone: %w: time zone name longer than 64 bytes", ErrInvalid)
	}
	return s.setUserColumn(ctx, "set time zone", userID, "time_zone", tz, "")
}

// SetWeeklyEnrolled turns the weekly reflection prompt on or off for the
// user (/reflect on|off).
func (s *Store) SetWeeklyEnrolled(ctx context.Context, userID string, enrolled bool) (User, error) {
	return s.setUserColumn(ctx, "set weekly enrolment", userID, "weekly_enrolled", enrolled, "")
}

// SetReflectionOff turns the weekly reflection off (/reflect off) or back
// on for the user. Off wins over channel enrolment and over any pause.
func (s *Store) SetReflectionOff(ctx context.Context, userID string, off bool) (User, error) {
	return s.setUserColumn(ctx, "set reflection off", userID, "reflection_off", off, "")
}

// SetPromptsPausedUntil pauses the weekly prompt for the user until the
// given instant ("Pause for a month"); the zero time ends a pause. A pause
// into the future is recorded as a pause event.
func (s *Store) SetPromptsPausedUntil(ctx context.Context, userID string, until time.Time) (User, error) {
	return s.setUserColumn(ctx, "set prompt pause", userID, "prompts_paused_until", micros(until), eventIf(until.After(s.clock()), EventPause))
}

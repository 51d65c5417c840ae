package store

import (
	"context"
	"fmt"
	"time"
)

// TeamData is the raw material of the anonymous team report (`leadnudge
// report`, the App Home's team overview): one row per nudge sent and per
// weekly prompt since a date, each with the person's id so that distinct
// people can be counted. It holds no message or answer text. Only the
// report package reads it, and it publishes no figure with fewer than
// report.min_people people behind it; nothing here is shown as is.
type TeamData struct {
	Since   time.Time
	Nudges  []TeamNudge
	Prompts []TeamPrompt
	// Pauses are the times people paused the weekly prompt.
	Pauses []TeamEvent
	// Enrolled are the people enrolled in the weekly reflection: turned
	// on with /reflect on and not off, or prompted since Since.
	Enrolled []string
}

// TeamNudge is one nudge sent.
type TeamNudge struct {
	UserID   string
	RuleID   string
	Category string
	SentAt   time.Time
	Feedback Feedback
	// SnoozedAfter and StoppedAfter: the person snoozed, or turned nudges
	// off, within FollowWindow of this nudge.
	SnoozedAfter, StoppedAfter bool
}

// TeamPrompt is one week's weekly prompt for one person.
type TeamPrompt struct {
	UserID   string
	Week     Week
	Sent     bool
	Answered bool
	Skipped  bool
}

// TeamEvent is one preference change of one person.
type TeamEvent struct {
	UserID string
	At     time.Time
}

// FollowWindow is how soon after a nudge a snooze or stop counts as
// following it.
const FollowWindow = 24 * time.Hour

// TeamData reads the rows of the team report since the given instant.
func (s *Store) TeamData(ctx context.Context, since time.Time) (TeamData, error) {
	d := TeamData{Since: since}
	from := micros(since)
	err := s.b.inTx(ctx, func(q querier) error {
		rs, err := q.query(ctx, `SELECT n.user_id, n.rule_id, n.category, n.finished_at, n.feedback,
				EXISTS (SELECT 1 FROM preference_events e WHERE e.user_id = n.user_id AND e.kind = 'snooze'
					AND e.at >= n.finished_at AND e.at < n.finished_at + $2),
				EXISTS (SELECT 1 FROM preference_events e WHERE e.user_id = n.user_id AND e.kind = 'stop'
					AND e.at >= n.finished_at AND e.at < n.finished_at + $2)
			FROM nudges n WHERE n.state = 'sent' AND n.finished_at >= $1
			ORDER BY n.finished_at, n.id`, from, FollowWindow.Microseconds())
		if err != nil {
			return fmt.Errorf("read nudges: %w", err)
		}
		if d.Nudges, err = scanAll(rs, func(r rows) (TeamNudge, error) {
			var n TeamNudge
			var at int64
			var fb string
			err := r.Scan(&n.UserID, &n.RuleID, &n.Category, &at, &fb, &n.SnoozedAfter, &n.StoppedAfter)
			n.SentAt, n.Feedback = fromMicros(at), Feedback(fb)
			return n, err
		}); err != nil {
			return fmt.Errorf("read nudges: %w", err)
		}
		rs, err = q.query(ctx, `SELECT user_id, week, sent_at > 0, answered_at > 0, skipped_at > 0
			FROM prompt_deliveries WHERE week >= $1 ORDER BY week, user_id`, WeekOf(since.UTC()).String())
		if err != nil {
			return fmt.Errorf("read prompt ledger: %w", err)
		}
		if d.Prompts, err = scanAll(rs, func(r rows) (TeamPrompt, error) {
			var p TeamPrompt
			var week string
			err := r.Scan(&p.UserID, &week, &p.Sent, &p.Answered, &p.Skipped)
			if err == nil {
				p.Week, err = ParseWeek(week)
			}
			return p, err
		}); err != nil {
			return fmt.Errorf("read prompt ledger: %w", err)
		}
		rs, err = q.query(ctx, `SELECT user_id, at FROM preference_events WHERE kind = 'pause' AND at >= $1 ORDER BY at`, from)
		if err != nil {
			return fmt.Errorf("read pauses: %w", err)
		}
		if d.Pauses, err = scanAll(rs, func(r rows) (TeamEvent, error) {
			var e TeamEvent
			var at int64
			err := r.Scan(&e.UserID, &at)
			e.At = fromMicros(at)
			return e, err
		}); err != nil {
			return fmt.Errorf("read pauses: %w", err)
		}
		rs, err = q.query(ctx, `SELECT id FROM users WHERE weekly_enrolled AND NOT reflection_off
			UNION SELECT user_id FROM prompt_deliveries WHERE week >= $1 AND sent_at > 0 ORDER BY 1`, WeekOf(since.UTC()).String())
		if err != nil {
			return fmt.Errorf("read enrolment: %w", err)
		}
		if d.Enrolled, err = scanAll(rs, func(r rows) (string, error) {
			var id string
			return id, r.Scan(&id)
		}); err != nil {
			return fmt.Errorf("read enrolment: %w", err)
		}
		return nil
	})
	if err != nil {
		return TeamData{}, fmt.Errorf("store: team data since %s: %w", since.Format(time.DateOnly), err)
	}
	return d, nil
}

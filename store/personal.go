package store

import (
	"context"
	"fmt"
	"time"
)

// ExportUser returns everything the store holds about one person — their
// preferences, nudge log, reflections with edit history, and prompt ledger
// — read in one transaction, for /reflect export and data-subject
// requests. It never fails for an unknown user: the export is just empty.
func (s *Store) ExportUser(ctx context.Context, userID string) (Export, error) {
	if err := checkID("user id", userID); err != nil {
		return Export{}, fmt.Errorf("store: export user: %w", err)
	}
	ex := Export{UserID: userID, ExportedAt: s.clock()}
	err := s.b.inTx(ctx, func(q querier) error {
		u, err := getUser(ctx, q, userID, "")
		switch {
		case err == nil:
			ex.User = &u
		case !isNotFound(err):
			return err
		}
		if ex.Nudges, err = listNudges(ctx, q, userID, 0); err != nil {
			return fmt.Errorf("read nudges: %w", err)
		}
		if ex.Reflections, err = getReflections(ctx, q, userID, nil, 0); err != nil {
			return err
		}
		if ex.PromptDeliveries, err = listPrompts(ctx, q, userID, 0); err != nil {
			return fmt.Errorf("read prompt ledger: %w", err)
		}
		rs, err := q.query(ctx, `SELECT kind, at FROM preference_events WHERE user_id = $1 ORDER BY at, id`, userID)
		if err != nil {
			return fmt.Errorf("read preference events: %w", err)
		}
		if ex.PreferenceEvents, err = scanAll(rs, func(r rows) (PreferenceEvent, error) {
			var kind string
			var at int64
			err := r.Scan(&kind, &at)
			return PreferenceEvent{Kind: EventKind(kind), At: fromMicros(at)}, err
		}); err != nil {
			return fmt.Errorf("read preference events: %w", err)
		}
		return nil
	})
	if err != nil {
		return Export{}, fmt.Errorf("store: export user %s: %w", userID, err)
	}
	if ex.Nudges == nil {
		ex.Nudges = []Nudge{}
	}
	if ex.Reflections == nil {
		ex.Reflections = []Reflection{}
	}
	if ex.PromptDeliveries == nil {
		ex.PromptDeliveries = []PromptDelivery{}
	}
	if ex.PreferenceEvents == nil {
		ex.PreferenceEvents = []PreferenceEvent{}
	}
	return ex, nil
}

// DeleteUser erases everything the store holds about one person —
// preferences and their change times, nudge log, reflections with their
// history, prompt ledger —
// in one transaction, and reports what was removed. Deleting an unknown
// user removes nothing and is not an error. (Handled event ids name no
// person and expire within the hour.)
func (s *Store) DeleteUser(ctx context.Context, userID string) (Deleted, error) {
	if err := checkID("user id", userID); err != nil {
		return Deleted{}, fmt.Errorf("store: delete user: %w", err)
	}
	var d Deleted
	err := s.b.inTx(ctx, func(q querier) error {
		// Lock the person's row first, in the same order as DecideNudge.
		if _, err := getUser(ctx, q, userID, s.d.forUpdate()); err != nil && !isNotFound(err) {
			return fmt.Errorf("lock user: %w", err)
		}
		steps := []struct {
			what string
			n    *int64
			sql  string
		}{
			{"reflection history", nil, `DELETE FROM reflection_edits WHERE reflection_id IN (SELECT id FROM reflections WHERE user_id = $1)`},
			{"reflections", &d.Reflections, `DELETE FROM reflections WHERE user_id = $1`},
			{"prompt ledger", &d.PromptDeliveries, `DELETE FROM prompt_deliveries WHERE user_id = $1`},
			{"nudges", &d.Nudges, `DELETE FROM nudges WHERE user_id = $1`},
			{"preference events", &d.PreferenceEvents, `DELETE FROM preference_events WHERE user_id = $1`},
			{"preferences", &d.Users, `DELETE FROM users WHERE id = $1`},
		}
		for _, st := range steps {
			n, err := q.exec(ctx, st.sql, userID)
			if err != nil {
				return fmt.Errorf("delete %s: %w", st.what, err)
			}
			if st.n != nil {
				*st.n = n
			}
		}
		return nil
	})
	if err != nil {
		return Deleted{}, fmt.Errorf("store: delete user %s: %w", userID, err)
	}
	return d, nil
}

// UserStats counts the person's sent nudges per ISO week for the last
// weeks weeks (the current one included; 8 when weeks <= 0), by category
// and by rule, and the feedback they gave on them. Weeks are the person's
// own, in loc (nil means UTC). Every week of the range is present, oldest
// first, even when empty.
func (s *Store) UserStats(ctx context.Context, userID string, weeks int, loc *time.Location) (Stats, error) {
	if err := checkID("user id", userID); err != nil {
		return Stats{}, fmt.Errorf("store: user stats: %w", err)
	}
	if weeks <= 0 {
		weeks = 8
	}
	if weeks > 520 {
		return Stats{}, fmt.Errorf("store: user stats: %w: at most 520 weeks", ErrInvalid)
	}
	if loc == nil {
		loc = time.UTC
	}
	cur := WeekOf(s.clock().In(loc))
	first := cur.Add(-(weeks - 1))
	st := Stats{
		Weeks:      make([]WeekStats, weeks),
		ByCategory: map[string]int{},
		ByRule:     map[string]int{},
		Feedback:   map[Feedback]int{},
	}
	index := make(map[Week]int, weeks)
	for i := range st.Weeks {
		w := first.Add(i)
		st.Weeks[i] = WeekStats{Week: w, ByCategory: map[string]int{}, ByRule: map[string]int{}}
		index[w] = i
	}
	rs, err := s.b.query(ctx, `SELECT rule_id, category, finished_at, feedback FROM nudges
		WHERE user_id = $1 AND state = 'sent' AND finished_at >= $2`,
		userID, first.Start(loc).UnixMicro())
	if err != nil {
		return Stats{}, fmt.Errorf("store: user stats of %s: %w", userID, err)
	}
	type sent struct {
		rule, category, feedback string
		at                       int64
	}
	list, err := scanAll(rs, func(r rows) (sent, error) {
		var x sent
		err := r.Scan(&x.rule, &x.category, &x.at, &x.feedback)
		return x, err
	})
	if err != nil {
		return Stats{}, fmt.Errorf("store: user stats of %s: %w", userID, err)
	}
	for _, x := range list {
		i, ok := index[WeekOf(fromMicros(x.at).In(loc))]
		if !ok {
			continue // sent "in the future" of the clock
		}
		w := &st.Weeks[i]
		w.Total++
		w.ByCategory[x.category]++
		w.ByRule[x.rule]++
		st.Total++
		st.ByCategory[x.category]++
		st.ByRule[x.rule]++
		st.Feedback[Feedback(x.feedback)]++
	}
	return st, nil
}

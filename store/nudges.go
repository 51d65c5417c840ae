package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

const nudgeColumns = `id, user_id, rule_id, category, channel_id, message_ts, event_id, state, reason,
	created_at, allowed_at, lease_until, attempts, finished_at, delivery_channel, delivery_ts,
	feedback, feedback_at, with_intro`

func scanNudge(r row) (Nudge, error) {
	var (
		n                                       Nudge
		state, feedback                         string
		created, allowed, lease, finished, fbAt int64
	)
	if err := r.Scan(&n.ID, &n.UserID, &n.RuleID, &n.Category, &n.ChannelID, &n.MessageTS, &n.EventID,
		&state, &n.Reason, &created, &allowed, &lease, &n.Attempts, &finished,
		&n.Delivery.Channel, &n.Delivery.TS, &feedback, &fbAt, &n.WithIntro); err != nil {
		return Nudge{}, err
	}
	n.State = NudgeState(state)
	n.Feedback = Feedback(feedback)
	n.CreatedAt = fromMicros(created)
	n.AllowedAt = fromMicros(allowed)
	n.LeaseUntil = fromMicros(lease)
	n.FinishedAt = fromMicros(finished)
	n.FeedbackAt = fromMicros(fbAt)
	return n, nil
}

func getNudge(ctx context.Context, q querier, id int64) (Nudge, error) {
	n, err := scanNudge(q.queryRow(ctx, `SELECT `+nudgeColumns+` FROM nudges WHERE id = $1`, id))
	if isNoRows(err) {
		return Nudge{}, fmt.Errorf("nudge %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Nudge{}, fmt.Errorf("read nudge %d: %w", id, err)
	}
	return n, nil
}

// ClaimEvent records a Slack event id as handled. It reports true to the
// first caller only — across goroutines, restarts and replicas — so an
// event Slack delivers twice is handled once. Ids are kept for
// DefaultEventRetention (see PurgeEvents).
func (s *Store) ClaimEvent(ctx context.Context, eventID string) (bool, error) {
	if err := checkID("event id", eventID); err != nil {
		return false, fmt.Errorf("store: claim event: %w", err)
	}
	n, err := s.b.exec(ctx, `INSERT INTO events_seen (event_id, seen_at) VALUES ($1, $2)
		ON CONFLICT (event_id) DO NOTHING`, eventID, s.nowMicros())
	if err != nil {
		return false, fmt.Errorf("store: claim event %s: %w", eventID, err)
	}
	return n == 1, nil
}

// errDuplicate rolls a transaction back when its event was already handled.
var errDuplicate = errors.New("duplicate event")

// RecordPendingNudge is the durable step before the ack (DESIGN §2): in one
// transaction it claims n.EventID and records a pending nudge (no message
// text) leased to the caller until now+lease. It reports false, and records
// nothing, when the event was already claimed. The caller then runs
// DecideNudge, delivers, and calls MarkNudgeSent or MarkNudgeFailed; if it
// dies first, ClaimPendingNudges hands the nudge to another worker after the
// lease.
func (s *Store) RecordPendingNudge(ctx context.Context, n NewNudge, lease time.Duration) (Nudge, bool, error) {
	for _, f := range []struct{ what, v string }{
		{"event id", n.EventID}, {"user id", n.UserID}, {"rule id", n.RuleID},
		{"channel id", n.ChannelID}, {"message ts", n.MessageTS},
	} {
		if err := checkID(f.what, f.v); err != nil {
			return Nudge{}, false, fmt.Errorf("store: record pending nudge: %w", err)
		}
	}
	if len(n.Category) > 255 {
		return Nudge{}, false, fmt.Errorf("store: record pending nudge: %w: category longer than 255 bytes", ErrInvalid)
	}
	if lease <= 0 {
		return Nudge{}, false, fmt.Errorf("store: record pending nudge: %w: lease must be positive", ErrInvalid)
	}
	now := s.clock()
	var out Nudge
	err := s.b.inTx(ctx, func(q querier) error {
		c, err := q.exec(ctx, `INSERT INTO events_seen (event_id, seen_at) VALUES ($1, $2)
			ON CONFLICT (event_id) DO NOTHING`, n.EventID, now.UnixMicro())
		if err != nil {
			return fmt.Errorf("claim event: %w", err)
		}
		if c == 0 {
			return errDuplicate
		}
		if err := ensureUser(ctx, q, n.UserID, now.UnixMicro()); err != nil {
			return err
		}
		out, err = scanNudge(q.queryRow(ctx, `INSERT INTO nudges
			(user_id, rule_id, category, channel_id, message_ts, event_id, state, created_at, lease_until, attempts)
			VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, 1)
			ON CONFLICT (event_id) DO NOTHING
			RETURNING `+nudgeColumns,
			n.UserID, n.RuleID, n.Category, n.ChannelID, n.MessageTS, n.EventID,
			now.UnixMicro(), now.Add(lease).UnixMicro()))
		if isNoRows(err) {
			return errDuplicate // the nudge outlived its event id's retention
		}
		if err != nil {
			return fmt.Errorf("insert nudge: %w", err)
		}
		return nil
	})
	if errors.Is(err, errDuplicate) {
		return Nudge{}, false, nil
	}
	if err != nil {
		return Nudge{}, false, fmt.Errorf("store: record pending nudge for event %s: %w", n.EventID, err)
	}
	return out, true, nil
}

// DecideNudge answers "may this pending nudge be delivered now?" and
// records the answer in the same transaction, holding the person's row
// lock (PostgreSQL) or the database write lock (SQLite), so that two
// workers or replicas deciding nudges for the same person at once never
// let through more than the policy allows.
//
// The checks, in order: opted out, snoozed, Policy.Cooldown since the
// same rule was last let through for this person, Policy.DailyCap within
// Policy.CapWindow. An allowed nudge stays pending (and counts towards
// cooldown and cap from now on) until MarkNudgeSent or MarkNudgeFailed; a
// refused one becomes NudgeSuppressed with the reason. Deciding a nudge
// again returns the recorded decision, so a worker that took over a
// crashed one's nudge can call it safely.
func (s *Store) DecideNudge(ctx context.Context, nudgeID int64, p Policy) (Decision, error) {
	if p.Cooldown < 0 || p.CapWindow < 0 {
		return Decision{}, fmt.Errorf("store: decide nudge %d: %w: negative policy duration", nudgeID, ErrInvalid)
	}
	window := p.CapWindow
	if window == 0 {
		window = DefaultCapWindow
	}
	var d Decision
	err := s.b.inTx(ctx, func(q querier) error {
		// Every decision about this person serializes on their row (the
		// nudge's user_id never changes, so the subquery needs no lock).
		u, err := scanUser(q.queryRow(ctx, `SELECT `+userColumns+` FROM users
			WHERE id = (SELECT user_id FROM nudges WHERE id = $1)`+s.d.forUpdate(), nudgeID))
		if isNoRows(err) { // the foreign key guarantees the user row
			return fmt.Errorf("nudge %d: %w", nudgeID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("lock user: %w", err)
		}
		// The time too: read before the lock, a decision that waited for
		// it would be older than one recorded meanwhile, and would count
		// that one as let through after it (a cooldown of a few
		// milliseconds then refused the earlier message's nudge).
		now := s.clock()
		// Read the nudge after taking the lock, so a decision recorded
		// meanwhile by someone else is seen.
		n, err := getNudge(ctx, q, nudgeID)
		if err != nil {
			return err
		}
		switch {
		case n.State == NudgeSuppressed:
			d = Decision{Reason: Reason(n.Reason), Nudge: n}
			return nil
		case n.State != NudgePending:
			d = Decision{Reason: ReasonHandled, Nudge: n}
			return nil
		case !n.AllowedAt.IsZero():
			d = Decision{Allowed: true, Nudge: n}
			return nil
		}
		reason := ReasonAllowed
		switch {
		case u.OptedOut:
			reason = ReasonOptedOut
		case u.Snoozed(now):
			reason = ReasonSnoozed
		}
		if reason == ReasonAllowed && (p.Cooldown > 0 || p.DailyCap > 0) {
			// Nudges let through (in flight or sent) within the cooldown for
			// this rule, and within the cap window for any rule.
			cooldownFrom := now.Add(-p.Cooldown).UnixMicro()
			if p.Cooldown == 0 {
				cooldownFrom = now.UnixMicro() + 1 // nothing is that recent
			}
			var sameRule, anyRule int64
			if err := q.queryRow(ctx, `SELECT
					COALESCE(SUM(CASE WHEN rule_id = $2 AND allowed_at > $3 THEN 1 ELSE 0 END), 0),
					COALESCE(SUM(CASE WHEN allowed_at > $4 THEN 1 ELSE 0 END), 0)
				FROM nudges
				WHERE user_id = $1 AND allowed_at > 0 AND allowed_at > $5
				AND state IN ('pending', 'sent') AND id <> $6`,
				u.ID, n.RuleID, cooldownFrom, now.Add(-window).UnixMicro(),
				min(cooldownFrom, now.Add(-window).UnixMicro()), nudgeID).Scan(&sameRule, &anyRule); err != nil {
				return fmt.Errorf("count recent nudges: %w", err)
			}
			switch {
			case sameRule > 0:
				reason = ReasonCooldown
			case p.DailyCap > 0 && anyRule >= int64(p.DailyCap):
				reason = ReasonDailyCap
			}
		}
		if reason == ReasonAllowed {
			// The person's first allowed nudge carries the introduction:
			// given here, under their lock, to exactly one nudge.
			withIntro := u.IntroSentAt.IsZero()
			n, err = scanNudge(q.queryRow(ctx, `UPDATE nudges SET allowed_at = $2, with_intro = $3 WHERE id = $1
				RETURNING `+nudgeColumns, nudgeID, now.UnixMicro(), withIntro))
			if err == nil && withIntro {
				if _, err := q.exec(ctx, `UPDATE users SET intro_sent_at = $2 WHERE id = $1`, u.ID, now.UnixMicro()); err != nil {
					return fmt.Errorf("give the introduction: %w", err)
				}
			}
		} else {
			n, err = scanNudge(q.queryRow(ctx, `UPDATE nudges SET state = 'suppressed', reason = $2,
				finished_at = $3, lease_until = 0 WHERE id = $1
				RETURNING `+nudgeColumns, nudgeID, string(reason), now.UnixMicro()))
		}
		if err != nil {
			return fmt.Errorf("record decision: %w", err)
		}
		d = Decision{Allowed: reason == ReasonAllowed, Reason: reason, Nudge: n}
		return nil
	})
	if err != nil {
		return Decision{}, fmt.Errorf("store: decide nudge %d: %w", nudgeID, err)
	}
	return d, nil
}

// ClaimPendingNudges takes over up to limit pending nudges whose lease has
// expired (their worker died, or the process restarted), leasing each to
// the caller until now+lease, oldest first. Concurrent claimers get disjoint
// sets. Run it at start-up and periodically; pass each nudge through
// DecideNudge and delivery again.
func (s *Store) ClaimPendingNudges(ctx context.Context, lease time.Duration, limit int) ([]Nudge, error) {
	if lease <= 0 {
		return nil, fmt.Errorf("store: claim pending nudges: %w: lease must be positive", ErrInvalid)
	}
	if limit <= 0 {
		limit = 100
	}
	now := s.clock()
	var out []Nudge
	err := s.b.inTx(ctx, func(q querier) error {
		rs, err := q.query(ctx, `UPDATE nudges SET lease_until = $1, attempts = attempts + 1
			WHERE id IN (SELECT id FROM nudges WHERE state = 'pending' AND lease_until <= $2
				ORDER BY id LIMIT $3`+s.d.skipLocked()+`)
			RETURNING `+nudgeColumns,
			now.Add(lease).UnixMicro(), now.UnixMicro(), limit)
		if err != nil {
			return err
		}
		out, err = scanAll(rs, func(r rows) (Nudge, error) { return scanNudge(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim pending nudges: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// RenewNudgeLease extends the lease of a pending nudge the caller still
// owns: attempts is the nudge's Attempts as the caller received it (from
// RecordPendingNudge or ClaimPendingNudges) and acts as a fencing token. It
// reports false when the nudge is no longer pending or another worker
// claimed it since; the caller must then stop delivering it.
func (s *Store) RenewNudgeLease(ctx context.Context, nudgeID int64, attempts int, lease time.Duration) (bool, error) {
	if lease <= 0 {
		return false, fmt.Errorf("store: renew nudge lease: %w: lease must be positive", ErrInvalid)
	}
	n, err := s.b.exec(ctx, `UPDATE nudges SET lease_until = $1
		WHERE id = $2 AND state = 'pending' AND attempts = $3`,
		s.clock().Add(lease).UnixMicro(), nudgeID, attempts)
	if err != nil {
		return false, fmt.Errorf("store: renew nudge lease %d: %w", nudgeID, err)
	}
	return n == 1, nil
}

// finishNudge moves a pending nudge to a final state with one conditional
// update; when nothing matched it explains why.
func (s *Store) finishNudge(ctx context.Context, what string, id int64, update string, args ...any) (Nudge, error) {
	n, err := scanNudge(s.b.queryRow(ctx, update+` RETURNING `+nudgeColumns, append([]any{id}, args...)...))
	if err == nil {
		return n, nil
	}
	if !isNoRows(err) {
		return Nudge{}, fmt.Errorf("store: %s %d: %w", what, id, err)
	}
	cur, err := getNudge(ctx, s.b, id)
	if err != nil {
		return Nudge{}, fmt.Errorf("store: %s: %w", what, err)
	}
	return cur, fmt.Errorf("store: %s %d: %w: it is %s (allowed: %t)", what, id, ErrConflict, cur.State, !cur.AllowedAt.IsZero())
}

// MarkNudgeSent records that an allowed nudge was delivered, and where (so
// the DM can later be updated with chat.update). Marking an already sent
// nudge again is a no-op that returns it; a nudge that was not allowed by
// DecideNudge, or is failed or suppressed, is ErrConflict.
func (s *Store) MarkNudgeSent(ctx context.Context, nudgeID int64, d Delivery) (Nudge, error) {
	n, err := s.finishNudge(ctx, "mark nudge sent", nudgeID, `UPDATE nudges
		SET state = 'sent', finished_at = $2, delivery_channel = $3, delivery_ts = $4, lease_until = 0
		WHERE id = $1 AND state = 'pending' AND allowed_at > 0`,
		s.nowMicros(), d.Channel, d.TS)
	if errors.Is(err, ErrConflict) && n.State == NudgeSent {
		return n, nil
	}
	return n, err
}

// MarkNudgeFailed records that delivery of a pending nudge was given up.
// A nudge that carried the person's introduction gives it back, so their
// next nudge carries it: the introduction is never lost with a failure.
func (s *Store) MarkNudgeFailed(ctx context.Context, nudgeID int64, reason string) (Nudge, error) {
	if len(reason) > 200 {
		reason = reason[:200]
	}
	var out Nudge
	var conflict error
	err := s.b.inTx(ctx, func(q querier) error {
		// the person's row first, in the same order as DecideNudge
		var one int
		if err := q.queryRow(ctx, `SELECT 1 FROM users WHERE id = (SELECT user_id FROM nudges WHERE id = $1)`+s.d.forUpdate(), nudgeID).Scan(&one); err != nil && !isNoRows(err) {
			return fmt.Errorf("lock user: %w", err)
		}
		n, err := scanNudge(q.queryRow(ctx, `UPDATE nudges
			SET state = 'failed', reason = $2, finished_at = $3, lease_until = 0
			WHERE id = $1 AND state = 'pending'
			RETURNING `+nudgeColumns, nudgeID, reason, s.nowMicros()))
		if isNoRows(err) {
			cur, err := getNudge(ctx, q, nudgeID)
			if err != nil {
				return err
			}
			out = cur
			conflict = fmt.Errorf("store: mark nudge failed %d: %w: it is %s (allowed: %t)", nudgeID, ErrConflict, cur.State, !cur.AllowedAt.IsZero())
			return nil
		}
		if err != nil {
			return err
		}
		if n.WithIntro {
			if _, err := q.exec(ctx, `UPDATE users SET intro_sent_at = 0 WHERE id = $1`, n.UserID); err != nil {
				return fmt.Errorf("give the introduction back: %w", err)
			}
		}
		out = n
		return nil
	})
	if err != nil {
		return Nudge{}, fmt.Errorf("store: mark nudge failed %d: %w", nudgeID, err)
	}
	return out, conflict
}

// RecordFeedback records the person's button click on a sent nudge
// (replacing earlier feedback). The nudge must belong to userID: a nudge of
// someone else is ErrNotFound. The caller applies FeedbackSnooze and
// FeedbackStop to the preferences with SetSnoozedUntil and SetOptedOut.
func (s *Store) RecordFeedback(ctx context.Context, nudgeID int64, userID string, fb Feedback) (Nudge, error) {
	if !fb.Valid() {
		return Nudge{}, fmt.Errorf("store: record feedback: %w: unknown feedback %q", ErrInvalid, string(fb))
	}
	if err := checkID("user id", userID); err != nil {
		return Nudge{}, fmt.Errorf("store: record feedback: %w", err)
	}
	n, err := scanNudge(s.b.queryRow(ctx, `UPDATE nudges SET feedback = $3, feedback_at = $4
		WHERE id = $1 AND user_id = $2 AND state = 'sent'
		RETURNING `+nudgeColumns, nudgeID, userID, string(fb), s.nowMicros()))
	if err == nil {
		return n, nil
	}
	if !isNoRows(err) {
		return Nudge{}, fmt.Errorf("store: record feedback on nudge %d: %w", nudgeID, err)
	}
	cur, err := getNudge(ctx, s.b, nudgeID)
	if err != nil || cur.UserID != userID {
		return Nudge{}, fmt.Errorf("store: record feedback: nudge %d of user %s: %w", nudgeID, userID, ErrNotFound)
	}
	return Nudge{}, fmt.Errorf("store: record feedback on nudge %d: %w: it is %s, not sent", nudgeID, ErrConflict, cur.State)
}

// GetNudge returns one nudge by id (ErrNotFound if there is none).
func (s *Store) GetNudge(ctx context.Context, nudgeID int64) (Nudge, error) {
	n, err := getNudge(ctx, s.b, nudgeID)
	if err != nil {
		return Nudge{}, fmt.Errorf("store: get nudge: %w", err)
	}
	return n, nil
}

// ListNudges returns the user's nudges, newest first, at most limit of
// them (all when limit <= 0).
func (s *Store) ListNudges(ctx context.Context, userID string, limit int) ([]Nudge, error) {
	if err := checkID("user id", userID); err != nil {
		return nil, fmt.Errorf("store: list nudges: %w", err)
	}
	ns, err := listNudges(ctx, s.b, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list nudges of user %s: %w", userID, err)
	}
	return ns, nil
}

func listNudges(ctx context.Context, q querier, userID string, limit int) ([]Nudge, error) {
	lim := ""
	args := []any{userID}
	if limit > 0 {
		lim = " LIMIT $2"
		args = append(args, limit)
	}
	rs, err := q.query(ctx, `SELECT `+nudgeColumns+` FROM nudges WHERE user_id = $1
		ORDER BY created_at DESC, id DESC`+lim, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rs, func(r rows) (Nudge, error) { return scanNudge(r) })
}

// PurgeEvents forgets handled event ids older than maxAge (0 means
// DefaultEventRetention) and reports how many were removed. Slack retries
// an event within minutes, so an hour is plenty.
func (s *Store) PurgeEvents(ctx context.Context, maxAge time.Duration) (int64, error) {
	if maxAge <= 0 {
		maxAge = DefaultEventRetention
	}
	n, err := s.b.exec(ctx, `DELETE FROM events_seen WHERE seen_at < $1`, s.clock().Add(-maxAge).UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("store: purge handled events: %w", err)
	}
	return n, nil
}

// PurgeNudges deletes nudge log entries created more than retention ago (0
// means DefaultNudgeRetention, 180 days), and preference events as old, and
// reports how many nudges were removed.
func (s *Store) PurgeNudges(ctx context.Context, retention time.Duration) (int64, error) {
	if retention <= 0 {
		retention = DefaultNudgeRetention
	}
	cutoff := s.clock().Add(-retention).UnixMicro()
	n, err := s.b.exec(ctx, `DELETE FROM nudges WHERE created_at < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("store: purge nudge log: %w", err)
	}
	if _, err := s.b.exec(ctx, `DELETE FROM preference_events WHERE at < $1`, cutoff); err != nil {
		return n, fmt.Errorf("store: purge preference events: %w", err)
	}
	return n, nil
}

package store

import (
	"context"
	"fmt"
	"time"
)

const promptColumns = `user_id, week, prompt_id, state, claimed_at, lease_until, attempts, sent_at,
	answered_at, skipped_at, delivery_channel, delivery_ts`

func scanPrompt(r row) (PromptDelivery, error) {
	var (
		p                                       PromptDelivery
		week, state                             string
		claimed, lease, sent, answered, skipped int64
	)
	if err := r.Scan(&p.UserID, &week, &p.PromptID, &state, &claimed, &lease, &p.Attempts, &sent,
		&answered, &skipped, &p.Delivery.Channel, &p.Delivery.TS); err != nil {
		return PromptDelivery{}, err
	}
	w, err := ParseWeek(week)
	if err != nil {
		return PromptDelivery{}, fmt.Errorf("prompt delivery of %s: stored week: %w", p.UserID, err)
	}
	p.Week = w
	p.State = PromptState(state)
	p.ClaimedAt = fromMicros(claimed)
	p.LeaseUntil = fromMicros(lease)
	p.SentAt = fromMicros(sent)
	p.AnsweredAt = fromMicros(answered)
	p.SkippedAt = fromMicros(skipped)
	return p, nil
}

func checkUserWeek(userID string, week Week) error {
	if err := checkID("user id", userID); err != nil {
		return err
	}
	if !week.Valid() {
		return fmt.Errorf("%w: week %s does not exist", ErrInvalid, week)
	}
	return nil
}

// ClaimPrompt claims the right to send the user their weekly prompt for
// week, recording which prompt will be sent. Exactly one caller wins (true)
// — across goroutines, restarts and replicas — until the claim's lease
// expires: a claim whose sender died before MarkPromptSent can then be
// claimed again. A prompt that was sent, skipped or already answered for
// that week is never claimed again.
func (s *Store) ClaimPrompt(ctx context.Context, userID string, week Week, promptID string, lease time.Duration) (bool, error) {
	if err := checkUserWeek(userID, week); err != nil {
		return false, fmt.Errorf("store: claim prompt: %w", err)
	}
	if len(promptID) > 255 {
		return false, fmt.Errorf("store: claim prompt: %w: prompt id longer than 255 bytes", ErrInvalid)
	}
	if lease <= 0 {
		return false, fmt.Errorf("store: claim prompt: %w: lease must be positive", ErrInvalid)
	}
	now := s.clock()
	var won bool
	err := s.b.inTx(ctx, func(q querier) error {
		if err := ensureUser(ctx, q, userID, now.UnixMicro()); err != nil {
			return err
		}
		n, err := q.exec(ctx, `INSERT INTO prompt_deliveries
			(user_id, week, prompt_id, state, claimed_at, lease_until, attempts)
			VALUES ($1, $2, $3, 'claimed', $4, $5, 1)
			ON CONFLICT (user_id, week) DO UPDATE SET prompt_id = excluded.prompt_id,
				claimed_at = excluded.claimed_at, lease_until = excluded.lease_until,
				attempts = prompt_deliveries.attempts + 1
			WHERE prompt_deliveries.state = 'claimed' AND prompt_deliveries.lease_until <= $4
				AND prompt_deliveries.answered_at = 0 AND prompt_deliveries.skipped_at = 0`,
			userID, week.String(), promptID, now.UnixMicro(), now.Add(lease).UnixMicro())
		if err != nil {
			return fmt.Errorf("claim ledger entry: %w", err)
		}
		won = n == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: claim prompt of user %s for %s: %w", userID, week, err)
	}
	return won, nil
}

func getPrompt(ctx context.Context, q querier, userID string, week Week) (PromptDelivery, error) {
	p, err := scanPrompt(q.queryRow(ctx, `SELECT `+promptColumns+` FROM prompt_deliveries
		WHERE user_id = $1 AND week = $2`, userID, week.String()))
	if isNoRows(err) {
		return PromptDelivery{}, fmt.Errorf("prompt of user %s for %s: %w", userID, week, ErrNotFound)
	}
	if err != nil {
		return PromptDelivery{}, fmt.Errorf("read prompt ledger: %w", err)
	}
	return p, nil
}

// MarkPromptSent records that the claimed prompt was delivered, and where.
// From then on the week's prompt is never sent again. Marking a sent prompt
// again is a no-op that returns it; an entry that was never claimed is
// ErrConflict, a missing one ErrNotFound.
func (s *Store) MarkPromptSent(ctx context.Context, userID string, week Week, d Delivery) (PromptDelivery, error) {
	if err := checkUserWeek(userID, week); err != nil {
		return PromptDelivery{}, fmt.Errorf("store: mark prompt sent: %w", err)
	}
	p, err := scanPrompt(s.b.queryRow(ctx, `UPDATE prompt_deliveries
		SET state = 'sent', sent_at = $3, lease_until = 0, delivery_channel = $4, delivery_ts = $5
		WHERE user_id = $1 AND week = $2 AND state = 'claimed'
		RETURNING `+promptColumns, userID, week.String(), s.nowMicros(), d.Channel, d.TS))
	if err == nil {
		return p, nil
	}
	if !isNoRows(err) {
		return PromptDelivery{}, fmt.Errorf("store: mark prompt of user %s for %s sent: %w", userID, week, err)
	}
	cur, err := getPrompt(ctx, s.b, userID, week)
	if err != nil {
		return PromptDelivery{}, fmt.Errorf("store: mark prompt sent: %w", err)
	}
	if cur.State == PromptSent {
		return cur, nil
	}
	return cur, fmt.Errorf("store: mark prompt of user %s for %s sent: %w: it is %s, not claimed", userID, week, ErrConflict, cur.State)
}

// ReleasePrompt gives up a claim without sending (for example when the
// delivery failed in a way worth retrying), so the next ClaimPrompt for
// that user and week succeeds at once instead of after the lease.
func (s *Store) ReleasePrompt(ctx context.Context, userID string, week Week) error {
	if err := checkUserWeek(userID, week); err != nil {
		return fmt.Errorf("store: release prompt: %w", err)
	}
	n, err := s.b.exec(ctx, `UPDATE prompt_deliveries SET lease_until = 0
		WHERE user_id = $1 AND week = $2 AND state = 'claimed'`, userID, week.String())
	if err != nil {
		return fmt.Errorf("store: release prompt of user %s for %s: %w", userID, week, err)
	}
	if n == 0 {
		cur, err := getPrompt(ctx, s.b, userID, week)
		if err != nil {
			return fmt.Errorf("store: release prompt: %w", err)
		}
		return fmt.Errorf("store: release prompt of user %s for %s: %w: it is %s, not claimed", userID, week, ErrConflict, cur.State)
	}
	return nil
}

// SkipPrompt records that the user skips week ("Skip this week"): an
// unsent prompt for that week will not be claimed any more, and a sent one
// is not counted as ignored.
func (s *Store) SkipPrompt(ctx context.Context, userID string, week Week) (PromptDelivery, error) {
	if err := checkUserWeek(userID, week); err != nil {
		return PromptDelivery{}, fmt.Errorf("store: skip prompt: %w", err)
	}
	now := s.nowMicros()
	var out PromptDelivery
	err := s.b.inTx(ctx, func(q querier) error {
		if err := ensureUser(ctx, q, userID, now); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `INSERT INTO prompt_deliveries (user_id, week, state, skipped_at)
			VALUES ($1, $2, 'skipped', $3)
			ON CONFLICT (user_id, week) DO UPDATE SET skipped_at = excluded.skipped_at`,
			userID, week.String(), now); err != nil {
			return fmt.Errorf("record skip: %w", err)
		}
		var err error
		out, err = getPrompt(ctx, q, userID, week)
		return err
	})
	if err != nil {
		return PromptDelivery{}, fmt.Errorf("store: skip prompt of user %s for %s: %w", userID, week, err)
	}
	return out, nil
}

// GetPromptDelivery returns the ledger entry of one user and week
// (ErrNotFound if there is none).
func (s *Store) GetPromptDelivery(ctx context.Context, userID string, week Week) (PromptDelivery, error) {
	if err := checkUserWeek(userID, week); err != nil {
		return PromptDelivery{}, fmt.Errorf("store: get prompt delivery: %w", err)
	}
	p, err := getPrompt(ctx, s.b, userID, week)
	if err != nil {
		return PromptDelivery{}, fmt.Errorf("store: get prompt delivery: %w", err)
	}
	return p, nil
}

// ListPromptDeliveries returns the user's ledger, newest week first, at
// most limit entries (all when limit <= 0). With PromptDelivery.Ignored it
// tells how many prompts in a row went unanswered.
func (s *Store) ListPromptDeliveries(ctx context.Context, userID string, limit int) ([]PromptDelivery, error) {
	if err := checkID("user id", userID); err != nil {
		return nil, fmt.Errorf("store: list prompt deliveries: %w", err)
	}
	ps, err := listPrompts(ctx, s.b, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list prompt deliveries of user %s: %w", userID, err)
	}
	return ps, nil
}

func listPrompts(ctx context.Context, q querier, userID string, limit int) ([]PromptDelivery, error) {
	lim, args := "", []any{userID}
	if limit > 0 {
		lim, args = " LIMIT $2", append(args, limit)
	}
	rs, err := q.query(ctx, `SELECT `+promptColumns+` FROM prompt_deliveries WHERE user_id = $1
		ORDER BY week DESC`+lim, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rs, func(r rows) (PromptDelivery, error) { return scanPrompt(r) })
}

// PromptDeliveriesForWeek returns every ledger entry of one week, ordered
// by user id: with ListUsers, the input of the scheduler's "who is due"
// decision.
func (s *Store) PromptDeliveriesForWeek(ctx context.Context, week Week) ([]PromptDelivery, error) {
	if !week.Valid() {
		return nil, fmt.Errorf("store: prompt deliveries for week: %w: week %s does not exist", ErrInvalid, week)
	}
	rs, err := s.b.query(ctx, `SELECT `+promptColumns+` FROM prompt_deliveries WHERE week = $1
		ORDER BY user_id`, week.String())
	if err != nil {
		return nil, fmt.Errorf("store: prompt deliveries for %s: %w", week, err)
	}
	ps, err := scanAll(rs, func(r rows) (PromptDelivery, error) { return scanPrompt(r) })
	if err != nil {
		return nil, fmt.Errorf("store: prompt deliveries for %s: %w", week, err)
	}
	return ps, nil
}

// PromptsLastSent maps each prompt id the user was ever sent to the last
// time it was sent: rotation picks the prompt not seen for the longest time
// (never seen first).
func (s *Store) PromptsLastSent(ctx context.Context, userID string) (map[string]time.Time, error) {
	if err := checkID("user id", userID); err != nil {
		return nil, fmt.Errorf("store: prompts last sent: %w", err)
	}
	rs, err := s.b.query(ctx, `SELECT prompt_id, MAX(sent_at) FROM prompt_deliveries
		WHERE user_id = $1 AND sent_at > 0 GROUP BY prompt_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: prompts last sent to user %s: %w", userID, err)
	}
	type last struct {
		id string
		at int64
	}
	ls, err := scanAll(rs, func(r rows) (last, error) {
		var l last
		err := r.Scan(&l.id, &l.at)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: prompts last sent to user %s: %w", userID, err)
	}
	out := make(map[string]time.Time, len(ls))
	for _, l := range ls {
		out[l.id] = fromMicros(l.at)
	}
	return out, nil
}

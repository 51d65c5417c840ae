package store

import (
	"context"
	"fmt"
	"strings"
)

const reflectionColumns = `id, user_id, week, prompt_id, answer, created_at, updated_at`

func scanReflection(r row) (Reflection, error) {
	var (
		x                Reflection
		week             string
		answer           []byte
		created, updated int64
	)
	if err := r.Scan(&x.ID, &x.UserID, &week, &x.PromptID, &answer, &created, &updated); err != nil {
		return Reflection{}, err
	}
	w, err := ParseWeek(week)
	if err != nil {
		return Reflection{}, fmt.Errorf("reflection %d: stored week: %w", x.ID, err)
	}
	x.Week = w
	x.Answer = string(answer)
	x.CreatedAt = fromMicros(created)
	x.UpdatedAt = fromMicros(updated)
	return x, nil
}

// SaveReflection saves the user's answer for an ISO week: the first save
// creates it, a later one replaces the answer (and the prompt id, when one
// is given) and appends the time to the edit history. The answer is stored
// byte for byte; it must not be blank nor larger than MaxAnswerBytes. The
// week's prompt ledger entry is marked answered — or, if no prompt went out
// yet, created as skipped so the person is not asked a question they have
// already answered.
func (s *Store) SaveReflection(ctx context.Context, userID string, week Week, promptID, answer string) (Reflection, error) {
	if err := checkID("user id", userID); err != nil {
		return Reflection{}, fmt.Errorf("store: save reflection: %w", err)
	}
	if !week.Valid() {
		return Reflection{}, fmt.Errorf("store: save reflection: %w: week %s does not exist", ErrInvalid, week)
	}
	if len(promptID) > 255 {
		return Reflection{}, fmt.Errorf("store: save reflection: %w: prompt id longer than 255 bytes", ErrInvalid)
	}
	if strings.TrimSpace(answer) == "" {
		return Reflection{}, fmt.Errorf("store: save reflection: %w: the answer is blank", ErrInvalid)
	}
	if len(answer) > MaxAnswerBytes {
		return Reflection{}, fmt.Errorf("store: save reflection: %w: the answer is %d bytes, more than %d", ErrInvalid, len(answer), MaxAnswerBytes)
	}
	now := s.nowMicros()
	var out Reflection
	err := s.b.inTx(ctx, func(q querier) error {
		if err := ensureUser(ctx, q, userID, now); err != nil {
			return err
		}
		var id int64
		err := q.queryRow(ctx, `INSERT INTO reflections (user_id, week, prompt_id, answer, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5)
			ON CONFLICT (user_id, week) DO NOTHING
			RETURNING id`, userID, week.String(), promptID, []byte(answer), now).Scan(&id)
		if isNoRows(err) {
			// It exists: replace the answer and remember when.
			err = q.queryRow(ctx, `UPDATE reflections
				SET answer = $3, updated_at = $4, prompt_id = CASE WHEN $5 = '' THEN prompt_id ELSE $5 END
				WHERE user_id = $1 AND week = $2
				RETURNING id`, userID, week.String(), []byte(answer), now, promptID).Scan(&id)
			if err != nil {
				return fmt.Errorf("update reflection: %w", err)
			}
			if _, err := q.exec(ctx, `INSERT INTO reflection_edits (reflection_id, edited_at) VALUES ($1, $2)`, id, now); err != nil {
				return fmt.Errorf("record edit: %w", err)
			}
		} else if err != nil {
			return fmt.Errorf("insert reflection: %w", err)
		}
		if _, err := q.exec(ctx, `INSERT INTO prompt_deliveries (user_id, week, prompt_id, state, answered_at)
			VALUES ($1, $2, $3, 'skipped', $4)
			ON CONFLICT (user_id, week) DO UPDATE SET answered_at = excluded.answered_at
			WHERE prompt_deliveries.answered_at = 0`, userID, week.String(), promptID, now); err != nil {
			return fmt.Errorf("mark prompt answered: %w", err)
		}
		rs, err := getReflections(ctx, q, userID, &week, 0)
		if err != nil {
			return err
		}
		if len(rs) != 1 {
			return fmt.Errorf("read back reflection: %d rows", len(rs))
		}
		out = rs[0]
		return nil
	})
	if err != nil {
		return Reflection{}, fmt.Errorf("store: save reflection of user %s for %s: %w", userID, week, err)
	}
	return out, nil
}

// getReflections reads the user's reflections — one week's, or the newest
// limit (all when limit <= 0) — newest week first, with their edit history.
func getReflections(ctx context.Context, q querier, userID string, week *Week, limit int) ([]Reflection, error) {
	where, args := `user_id = $1`, []any{userID}
	if week != nil {
		where += ` AND week = $2`
		args = append(args, week.String())
	}
	lim := ""
	if limit > 0 {
		lim = fmt.Sprintf(" LIMIT $%d", len(args)+1)
		args = append(args, limit)
	}
	rs, err := q.query(ctx, `SELECT `+reflectionColumns+` FROM reflections WHERE `+where+` ORDER BY week DESC`+lim, args...)
	if err != nil {
		return nil, fmt.Errorf("read reflections: %w", err)
	}
	out, err := scanAll(rs, func(r rows) (Reflection, error) { return scanReflection(r) })
	if err != nil {
		return nil, fmt.Errorf("read reflections: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	byID := make(map[int64]*Reflection, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	ewhere, eargs := `r.user_id = $1`, []any{userID}
	if week != nil {
		ewhere += ` AND r.week = $2`
		eargs = append(eargs, week.String())
	}
	ers, err := q.query(ctx, `SELECT e.reflection_id, e.edited_at FROM reflection_edits e
		JOIN reflections r ON r.id = e.reflection_id
		WHERE `+ewhere+` ORDER BY e.id`, eargs...)
	if err != nil {
		return nil, fmt.Errorf("read edit history: %w", err)
	}
	type edit struct{ id, at int64 }
	edits, err := scanAll(ers, func(r rows) (edit, error) {
		var e edit
		err := r.Scan(&e.id, &e.at)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read edit history: %w", err)
	}
	for _, e := range edits {
		if x := byID[e.id]; x != nil {
			x.EditedAt = append(x.EditedAt, fromMicros(e.at))
		}
	}
	return out, nil
}

// GetReflection returns the user's own reflection for a week (ErrNotFound
// if they did not answer). There is no way to read a reflection without
// naming its author.
func (s *Store) GetReflection(ctx context.Context, userID string, week Week) (Reflection, error) {
	if err := checkID("user id", userID); err != nil {
		return Reflection{}, fmt.Errorf("store: get reflection: %w", err)
	}
	rs, err := getReflections(ctx, s.b, userID, &week, 0)
	if err != nil {
		return Reflection{}, fmt.Errorf("store: get reflection of user %s for %s: %w", userID, week, err)
	}
	if len(rs) == 0 {
		return Reflection{}, fmt.Errorf("store: reflection of user %s for %s: %w", userID, week, ErrNotFound)
	}
	return rs[0], nil
}

// ListReflections returns the user's own reflections, newest week first,
// at most limit of them (all when limit <= 0): /reflect history and export.
func (s *Store) ListReflections(ctx context.Context, userID string, limit int) ([]Reflection, error) {
	if err := checkID("user id", userID); err != nil {
		return nil, fmt.Errorf("store: list reflections: %w", err)
	}
	rs, err := getReflections(ctx, s.b, userID, nil, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list reflections of user %s: %w", userID, err)
	}
	return rs, nil
}

// DeleteReflections erases every reflection of the user, with their edit
// history (/reflect delete), and reports how many were removed. The prompt
// ledger, which holds no answers, is kept.
func (s *Store) DeleteReflections(ctx context.Context, userID string) (int64, error) {
	if err := checkID("user id", userID); err != nil {
		return 0, fmt.Errorf("store: delete reflections: %w", err)
	}
	var n int64
	err := s.b.inTx(ctx, func(q querier) error {
		if _, err := q.exec(ctx, `DELETE FROM reflection_edits WHERE reflection_id IN
			(SELECT id FROM reflections WHERE user_id = $1)`, userID); err != nil {
			return fmt.Errorf("delete edit history: %w", err)
		}
		var err error
		n, err = q.exec(ctx, `DELETE FROM reflections WHERE user_id = $1`, userID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete reflections of user %s: %w", userID, err)
	}
	return n, nil
}

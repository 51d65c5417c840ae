package store

import (
	"context"
	"testing"
	"time"
)

// TestPostgresPreAckRecordNeverWaitsForADecision: recording a nudge before
// the ack inserts into nudges, whose foreign key on users takes a KEY
// SHARE lock on the person's row. DecideNudge (and MarkNudgeFailed,
// DeleteUser) hold that row while they decide. With FOR UPDATE the insert
// waited for them: a slow decision for a busy person stalled the acks of
// their next messages (the unexplained 1.8 s ack tail). The row is now
// locked FOR NO KEY UPDATE, which serializes decisions just the same but
// lets the foreign-key check through.
func TestPostgresPreAckRecordNeverWaitsForADecision(t *testing.T) {
	t.Parallel()
	e := newEnv(t, postgresDB(t))
	s := e.s
	pending(t, s, "Ev-first", "U1", "a") // the person's row exists
	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.b.inTx(context.Background(), func(q querier) error {
			if _, err := getUser(context.Background(), q, "U1", s.d.forUpdate()); err != nil {
				return err
			}
			close(locked)
			<-release // a decision in progress, slow on a busy machine
			return nil
		})
	}()
	<-locked
	// The decision holds the row until the recording returns: a
	// recording that waited for it would run into this deadline. (No
	// tighter bound on the time: on a loaded CI machine one insert took
	// over 2 s, without any lock wait.)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	start := time.Now()
	_, created, err := s.RecordPendingNudge(ctx, newNudge("Ev-second", "U1", "b"), time.Minute)
	waited := time.Since(start)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err != nil || !created {
		t.Fatalf("recording while a decision held the person's row: created %v, %v after %s", created, err, waited)
	}
	t.Logf("recording took %s while a decision held the person's row", waited)
	// decisions still exclude each other: a second lock waits
	locked2 := make(chan struct{})
	go func() {
		done <- s.b.inTx(context.Background(), func(q querier) error {
			if _, err := getUser(context.Background(), q, "U1", s.d.forUpdate()); err != nil {
				return err
			}
			close(locked2)
			time.Sleep(300 * time.Millisecond)
			return nil
		})
	}()
	<-locked2
	start = time.Now()
	if err := s.b.inTx(context.Background(), func(q querier) error {
		_, err := getUser(context.Background(), q, "U1", s.d.forUpdate())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if w := time.Since(start); w < 200*time.Millisecond {
		t.Errorf("a second decision did not wait for the first (%s)", w)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

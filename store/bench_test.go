package store

import (
	"fmt"
	"testing"
	"time"
)

// The hot calls of the bot, on each backend:
//
//	go test -run '^$' -bench . -count 5 ./store/
//
// PostgreSQL benchmarks run when LEADNUDGE_TEST_POSTGRES_DSN is set.
func benchBackends(b *testing.B, fn func(b *testing.B, s *Store, clk *testClock)) {
	b.Run("sqlite", func(b *testing.B) {
		e := newEnv(b, sqliteDB)
		fn(b, e.s, e.clock)
	})
	b.Run("postgres", func(b *testing.B) {
		e := newEnv(b, postgresDB(b))
		fn(b, e.s, e.clock)
	})
}

// BenchmarkClaimEvent: dedupe of one Slack event id (a new one each time).
func BenchmarkClaimEvent(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *Store, _ *testClock) {
		i := 0
		for b.Loop() {
			i++
			if won, err := s.ClaimEvent(bg, fmt.Sprint("Ev", i)); err != nil || !won {
				b.Fatalf("claim %d: %t %v", i, won, err)
			}
		}
	})
}

// BenchmarkRecordPendingNudge: the durable step before the ack — claim the
// event id and record the pending nudge in one transaction.
func BenchmarkRecordPendingNudge(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *Store, _ *testClock) {
		i := 0
		for b.Loop() {
			i++
			if _, won, err := s.RecordPendingNudge(bg, newNudge(fmt.Sprint("Ev", i), fmt.Sprint("U", i%1000), "r"), time.Minute); err != nil || !won {
				b.Fatalf("record %d: %t %v", i, won, err)
			}
		}
	})
}

// BenchmarkDecideNudge: the policy check and its record (opt-out, snooze,
// cooldown, daily cap) for one pending nudge, spread over 1,000 people and
// 4 rules with the default policy (72 h cooldown, 2 a day). The pending
// nudges are recorded before the timer starts.
func BenchmarkDecideNudge(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *Store, clk *testClock) {
		ids := make([]int64, b.N)
		for i := range ids {
			n, _, err := s.RecordPendingNudge(bg, newNudge(fmt.Sprint("Ev", i), fmt.Sprint("U", i%1000), fmt.Sprint("rule-", i%4)), time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			ids[i] = n.ID
		}
		p := Policy{Cooldown: 72 * time.Hour, DailyCap: 2}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i%1000 == 0 {
				clk.Advance(time.Hour) // let some nudges through again
			}
			if _, err := s.DecideNudge(bg, ids[i], p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkNudgePath: the whole store side of one nudge — record pending,
// decide, mark sent.
func BenchmarkNudgePath(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *Store, _ *testClock) {
		i := 0
		p := Policy{}
		for b.Loop() {
			i++
			n, _, err := s.RecordPendingNudge(bg, newNudge(fmt.Sprint("Ev", i), fmt.Sprint("U", i%1000), "r"), time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.DecideNudge(bg, n.ID, p); err != nil {
				b.Fatal(err)
			}
			if _, err := s.MarkNudgeSent(bg, n.ID, Delivery{Channel: "D1", TS: "1.1"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkClaimPrompt: one person's weekly prompt claim (a new person each
// time, as in the fan-out).
func BenchmarkClaimPrompt(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *Store, _ *testClock) {
		w := WeekOf(t0)
		i := 0
		for b.Loop() {
			i++
			if won, err := s.ClaimPrompt(bg, fmt.Sprint("U", i), w, "p", time.Hour); err != nil || !won {
				b.Fatalf("claim %d: %t %v", i, won, err)
			}
		}
	})
}

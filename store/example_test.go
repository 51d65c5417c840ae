package store_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/leadnudge/leadnudge/store"
)

// The store's share of one nudge (DESIGN §2): record it before the ack,
// decide the policy, deliver, mark it sent; a redelivered event is refused.
func Example_nudgePath() {
	ctx := context.Background()
	now := time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)
	s, err := store.Open(ctx, "sqlite", ":memory:", store.WithClock(func() time.Time { return now }))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	match := store.NewNudge{EventID: "Ev1", UserID: "U1", RuleID: "because-i-said-so",
		Category: "positional-authority", ChannelID: "C1", MessageTS: "1772791200.000100"}
	n, claimed, err := s.RecordPendingNudge(ctx, match, time.Minute) // then ack
	if err != nil {
		log.Fatal(err)
	}
	_, again, _ := s.RecordPendingNudge(ctx, match, time.Minute) // Slack redelivers
	fmt.Println("claimed:", claimed, "redelivery claimed:", again)

	d, err := s.DecideNudge(ctx, n.ID, store.Policy{Cooldown: 72 * time.Hour, DailyCap: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("allowed:", d.Allowed)
	if d.Nudge.WithIntro {
		fmt.Println("the introduction goes with this first nudge")
	}
	// ... one chat.postMessage ...
	sent, err := s.MarkNudgeSent(ctx, n.ID, store.Delivery{Channel: "D1", TS: "1772791201.000200"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("state:", sent.State)
	if _, err := s.RecordFeedback(ctx, n.ID, "U1", store.FeedbackHelpful); err != nil {
		log.Fatal(err)
	}

	// The same rule an hour later is within the cooldown.
	now = now.Add(time.Hour)
	n2, _, _ := s.RecordPendingNudge(ctx, store.NewNudge{EventID: "Ev2", UserID: "U1", RuleID: "because-i-said-so",
		ChannelID: "C1", MessageTS: "1772794800.000100"}, time.Minute)
	d2, _ := s.DecideNudge(ctx, n2.ID, store.Policy{Cooldown: 72 * time.Hour, DailyCap: 2})
	fmt.Println("second allowed:", d2.Allowed, "reason:", d2.Reason)
	// Output:
	// claimed: true redelivery claimed: false
	// allowed: true
	// the introduction goes with this first nudge
	// state: sent
	// second allowed: false reason: cooldown
}

// The weekly prompt: one claim per person and ISO week, in their own zone.
func Example_weeklyPrompt() {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	auckland := time.FixedZone("NZDT", 13*3600)
	week := store.WeekOf(time.Date(2026, 3, 6, 16, 0, 0, 0, auckland))
	won, _ := s.ClaimPrompt(ctx, "U1", week, "lead-or-manage", 10*time.Minute)
	lost, _ := s.ClaimPrompt(ctx, "U1", week, "lead-or-manage", 10*time.Minute)
	fmt.Println(week, won, lost)
	if _, err := s.MarkPromptSent(ctx, "U1", week, store.Delivery{Channel: "D1", TS: "1.2"}); err != nil {
		log.Fatal(err)
	}
	r, err := s.SaveReflection(ctx, "U1", week, "lead-or-manage", "I led the incident review 🚒")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Answer)
	// Output:
	// 2026-W10 true false
	// I led the incident review 🚒
}

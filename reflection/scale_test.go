package reflection_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/reflection"
	"github.com/leadnudge/leadnudge/store"
)

// TestFanOutWithinSlacksLimits is the weekly fan-out on product defaults
// against a local Slack that enforces Slack's rate limits: N people in
// three time zones, all due at once (a Friday evening in UTC is past 16:00
// in Tokyo, London and New York), members of one reflection channel. It
// must prompt everyone exactly once with no 429, read the member list in
// at most N÷150 users.* calls (none during the fan-out), and finish within
// the posting budget (N ÷ the workspace cap of 300 a minute) + 5 %.
//
// CI runs it with 150 people (about 30 s); BENCHMARKS.md has 10,000:
//
//	LEADNUDGE_FANOUT_PEOPLE=10000 LEADNUDGE_FANOUT_REPORT=/tmp/fanout.json \
//	  go test ./reflection -run TestFanOutWithinSlacksLimits -v -timeout 60m
func TestFanOutWithinSlacksLimits(t *testing.T) {
	n := 150
	if v := os.Getenv("LEADNUDGE_FANOUT_PEOPLE"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 3 {
			t.Fatalf("LEADNUDGE_FANOUT_PEOPLE=%q: want a number of people ≥ 3", v)
		}
	}
	fs, err := fakeslack.New(fakeslack.Options{AckTimeout: 2 * time.Second, HistoryLimit: 3*n + 1000,
		RateLimits: fakeslack.RateLimits{Enabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	e := newEnv(t, envOptions{fs: fs, productPacing: true, noRun: true,
		refl: reflection.Options{Channels: []string{"C0ALL"}}})
	zones := []string{"Asia/Tokyo", "Europe/London", "America/New_York"}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%06d", i)
		if err := fs.AddUser(fakeslack.User{ID: ids[i], TZ: zones[i%3]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.AddChannel("C0ALL", ids...); err != nil {
		t.Fatal(err)
	}
	// The bot was running before Friday evening: it has read the member
	// list (at start-up or at its last refresh). Friday 23:30 UTC is past
	// 16:00 in all three zones, so everyone is due at once.
	fanOutAt := time.Date(2026, 1, 16, 23, 30, 0, 0, time.UTC)
	e.clk.Set(fanOutAt)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Hour) // 10,000 prompts take half an hour
	defer cancel()
	listStart := time.Now()
	if err := e.r.Directory().Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	listTook := time.Since(listStart)
	listCalls := fs.RateStats()["users.list"].Calls
	sum, err := e.r.Tick(ctx, fanOutAt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Due != n || sum.Sent != n || sum.Failed != 0 || sum.Skipped != 0 {
		t.Fatalf("Friday fan-out: %+v, want all %d sent", sum, n)
	}

	// everyone exactly once, in the ledger and in Slack
	perUser := map[string]int{}
	for _, c := range fs.Calls("chat.postMessage") {
		if ch, _ := c.Params["channel"].(string); c.Error == "" {
			perUser[ch]++
		}
	}
	week := store.Week{Year: 2026, Num: 3}
	for _, id := range ids {
		if perUser[id] != 1 {
			t.Fatalf("%s got %d prompts, want 1", id, perUser[id])
		}
		if p, err := e.st.GetPromptDelivery(e.ctx(), id, week); err != nil || p.State != store.PromptSent {
			t.Fatalf("%s ledger %+v (%v)", id, p, err)
		}
	}
	rates := fs.RateStats()
	limited := 0
	for method, s := range rates {
		if s.RateLimited > 0 {
			t.Errorf("%s: %d calls answered 429", method, s.RateLimited)
		}
		limited += s.RateLimited
	}
	users := rates["users.list"].Calls + rates["users.info"].Calls
	if maxUsers := (n + 149) / 150; users > maxUsers {
		t.Errorf("users.* calls = %d, want ≤ %d (people ÷ 150)", users, maxUsers)
	}
	if during := users - listCalls; during != 0 {
		t.Errorf("%d users.* calls during the fan-out, want none (the directory knows everyone)", during)
	}
	budget := time.Duration(float64(n) / float64(fakeslack.DefaultPostsPerMinute) * float64(time.Minute))
	if limit := budget + budget/20; sum.Elapsed > limit {
		t.Errorf("fan-out took %s, more than the posting budget %s + 5 %% (%s)", sum.Elapsed.Round(time.Millisecond), budget, limit)
	}
	calls := map[string]int{}
	for m, s := range rates {
		calls[m] = s.Calls
	}
	t.Logf("%d people: member list %s in %d calls; fan-out %s (budget %s, %.3f×), calls %v, 429s %d", n,
		listTook.Round(time.Millisecond), listCalls, sum.Elapsed.Round(time.Millisecond), budget,
		sum.Elapsed.Seconds()/budget.Seconds(), calls, limited)
	if path := os.Getenv("LEADNUDGE_FANOUT_REPORT"); path != "" {
		out, _ := json.MarshalIndent(map[string]any{
			"people": n, "zones": zones, "elapsed_s": sum.Elapsed.Seconds(), "budget_s": budget.Seconds(),
			"ratio": sum.Elapsed.Seconds() / budget.Seconds(), "calls": calls, "ratelimited": limited,
			"users_calls": users, "sent": sum.Sent, "list_s": listTook.Seconds(), "list_calls": listCalls, "date": time.Now().UTC().Format(time.RFC3339),
		}, "", "  ")
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

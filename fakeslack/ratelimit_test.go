package fakeslack

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLimiterTiers(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	l := newLimiter(RateLimits{Enabled: true})
	burst := func(method, channel string, n int, at time.Time) int {
		ok := 0
		for range n {
			if allowed, _ := l.allow(method, channel, at); allowed {
				ok++
			}
		}
		return ok
	}
	for _, tt := range []struct {
		method string
		burst  int
		retry  int // Retry-After of the first refusal
	}{
		{"apps.connections.open", 5, 60}, // Tier 1
		{"conversations.list", 20, 3},    // Tier 2: 20 a minute
		{"chat.update", 50, 2},           // Tier 3: 50 a minute
		{"views.publish", 100, 1},        // Tier 4
	} {
		if got := burst(tt.method, "", tt.burst, t0); got != tt.burst {
			t.Errorf("%s: %d of a burst of %d allowed", tt.method, got, tt.burst)
		}
		ok, retry := l.allow(tt.method, "", t0)
		if ok || retry != tt.retry {
			t.Errorf("%s: one over the burst: allowed %v, Retry-After %d; want refused, %d", tt.method, ok, retry, tt.retry)
		}
		// after Retry-After, one more is allowed
		if ok, _ := l.allow(tt.method, "", t0.Add(time.Duration(tt.retry)*time.Second)); !ok {
			t.Errorf("%s: still refused after Retry-After", tt.method)
		}
	}
	// chat.postMessage: 3 a channel at once, then one a second; and the
	// workspace cap (300 a minute, burst 15) across channels
	if got := burst("chat.postMessage", "C1", 4, t0); got != 3 {
		t.Errorf("one channel: %d of 4 posts at once, want 3", got)
	}
	if ok, _ := l.allow("chat.postMessage", "C1", t0.Add(time.Second)); !ok {
		t.Error("one channel: refused a second later")
	}
	other := 0
	for i := range 30 {
		if ok, _ := l.allow("chat.postMessage", "D"+strings.Repeat("X", i+1), t0.Add(time.Second)); ok {
			other++
		}
	}
	if other < 12 || other > 15 {
		t.Errorf("%d posts to 30 channels within the workspace cap's burst, want about 14", other)
	}
	st := l.snapshot()
	if st["chat.postMessage"].Calls != 35 || st["chat.postMessage"].RateLimited != 35-3-1-other {
		t.Errorf("stats = %+v", st["chat.postMessage"])
	}
	// off, exempt and unknown methods are never limited
	off := newLimiter(RateLimits{})
	ex := newLimiter(RateLimits{Enabled: true, Exempt: []string{"apps.connections.open"}})
	for range 200 {
		if ok, _ := off.allow("views.publish", "", t0); !ok {
			t.Fatal("limits off, yet refused")
		}
		if ok, _ := ex.allow("apps.connections.open", "", t0); !ok {
			t.Fatal("an exempt method was refused")
		}
		if ok, _ := ex.allow("team.info", "", t0); !ok {
			t.Fatal("an unknown method was refused")
		}
	}
}

// TestRatesTableMatchesTheCode: every method the local Slack serves has a
// tier, and RATES.md documents each with the tier the code enforces.
func TestRatesTableMatchesTheCode(t *testing.T) {
	doc, err := os.ReadFile("RATES.md")
	if err != nil {
		t.Fatal(err)
	}
	served := make([]string, 0)
	for m := range apiMethods() {
		served = append(served, m)
	}
	slices.Sort(served)
	names := map[Tier]string{TierSpecial: "Special", Tier1: "Tier 1", Tier2: "Tier 2", Tier3: "Tier 3", Tier4: "Tier 4"}
	for _, m := range served {
		tier, ok := MethodTiers[m]
		if !ok {
			t.Errorf("%s is served but has no tier", m)
			continue
		}
		row := "| `" + m + "` | " + names[tier] + " |"
		special := "| `" + m + "` | Special |" // documented as Special, enforced as a tier
		switch {
		case strings.Contains(string(doc), row):
		case tier != TierSpecial && strings.Contains(string(doc), special) &&
			strings.Contains(lineOf(string(doc), special), "treated as "+names[tier]):
		default:
			t.Errorf("RATES.md lacks the row %q", row)
		}
	}
	if len(MethodTiers) != len(served) {
		t.Errorf("%d tiers for %d served methods", len(MethodTiers), len(served))
	}
}

// lineOf returns the line of doc that holds s.
func lineOf(doc, s string) string {
	i := strings.Index(doc, s)
	if i < 0 {
		return ""
	}
	end := strings.IndexByte(doc[i:], '\n')
	if end < 0 {
		return doc[i:]
	}
	return doc[i : i+end]
}

package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/store"
)

var (
	since = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) // a Monday: 2026-W45
	now   = since.Add(60 * 24 * time.Hour)
)

// nudges makes n nudges of rule, one for each of people distinct people
// (round robin), sent in the week w weeks after since.
func nudges(rule, category string, people, n, w int, fb store.Feedback) []store.TeamNudge {
	var out []store.TeamNudge
	for i := range n {
		out = append(out, store.TeamNudge{UserID: fmt.Sprintf("U%s%d", rule, i%people), RuleID: rule, Category: category,
			SentAt: since.Add(time.Duration(w)*7*24*time.Hour + time.Hour), Feedback: fb})
	}
	return out
}

func rule(r Report, id string) RuleRow {
	for _, row := range r.Rules {
		if row.ID == id {
			return row
		}
	}
	return RuleRow{}
}

func val(p *int) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// TestCellsOfFourAndFive: with min_people 5, four people's figures are
// held back and five people's are shown.
func TestCellsOfFourAndFive(t *testing.T) {
	var d store.TeamData
	d.Since = since
	d.Nudges = append(d.Nudges, nudges("five", "c", 5, 10, 0, store.FeedbackNone)...)
	d.Nudges = append(d.Nudges, nudges("four", "c", 4, 8, 0, store.FeedbackNone)...)
	d.Nudges = append(d.Nudges, nudges("three", "c", 3, 3, 0, store.FeedbackNone)...)
	d.Nudges = append(d.Nudges, nudges("many", "c", 30, 30, 1, store.FeedbackHelpful)...)
	r := Build(d, 5, now)
	if got := rule(r, "five"); val(got.Sent) != "10" || val(got.People) != "5" {
		t.Errorf("five people: sent %s people %s, want 10 and 5", val(got.Sent), val(got.People))
	}
	for _, id := range []string{"four", "three"} {
		if got := rule(r, id); got.Sent != nil || got.People != nil {
			t.Errorf("%s people: sent %s people %s, want both held back", id, val(got.Sent), val(got.People))
		}
	}
	if got := rule(r, "many"); val(got.Helpful) != "30" || val(got.NotHelpful) != "0" {
		t.Errorf("many: helpful %s, not helpful %s", val(got.Helpful), val(got.NotHelpful))
	}
	// the category shows only the sum of what is shown: no subtraction
	// from it reveals the four
	if c := r.Categories[0]; val(c.Sent) != "40" {
		t.Errorf("category sent = %s, want 40 (five's 10 + many's 30, not four's 8 or three's 3)", val(c.Sent))
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "fewer than 5") {
		t.Errorf("text report does not say 'fewer than 5':\n%s", b.String())
	}
}

// TestNoSubtraction: the nudges sent by rule and by week sum to the same
// total, so a rule held back alone would be the total minus the rest. The
// report hides the next-smallest rule too.
func TestNoSubtraction(t *testing.T) {
	var d store.TeamData
	d.Since = since
	d.Nudges = append(d.Nudges, nudges("big", "c", 20, 20, 0, store.FeedbackNone)...)
	d.Nudges = append(d.Nudges, nudges("mid", "c", 6, 6, 0, store.FeedbackNone)...)
	d.Nudges = append(d.Nudges, nudges("tiny", "c", 2, 2, 0, store.FeedbackNone)...)
	r := Build(d, 5, now)
	if len(r.Weeks) != 1 || val(r.Weeks[0].Sent) != "28" {
		t.Fatalf("weeks = %+v, want the one week of 28 (28 people)", r.Weeks)
	}
	if rule(r, "tiny").Sent != nil || rule(r, "mid").Sent != nil || val(rule(r, "big").Sent) != "20" {
		t.Errorf("big/mid/tiny = %s/%s/%s, want 20/null/null: 28 − 20 is mid and tiny together (8 people)",
			val(rule(r, "big").Sent), val(rule(r, "mid").Sent), val(rule(r, "tiny").Sent))
	}
}

// TestKAnonymityProperty: on random teams, every figure shown has at
// least k people behind it (or is 0), and in every column where something
// is shown the figures held back have, together, k people behind them or
// are none: so no subtraction from a total recovers fewer than k people's
// actions.
func TestKAnonymityProperty(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 9))
		k := 3 + rng.IntN(4)
		var d store.TeamData
		d.Since = since
		people := 3 + rng.IntN(25)
		for i := range rng.IntN(60) {
			fb := []store.Feedback{store.FeedbackNone, store.FeedbackHelpful, store.FeedbackNotHelpful}[rng.IntN(3)]
			d.Nudges = append(d.Nudges, store.TeamNudge{UserID: fmt.Sprint("U", rng.IntN(people)), RuleID: fmt.Sprint("r", rng.IntN(6)),
				Category: fmt.Sprint("c", i%2), SentAt: since.Add(time.Duration(rng.IntN(5*7*24)) * time.Hour), Feedback: fb,
				SnoozedAfter: rng.IntN(5) == 0, StoppedAfter: rng.IntN(9) == 0})
		}
		r := Build(d, k, now)
		for _, row := range r.Rules {
			if row.Sent == nil && (row.People != nil || row.Helpful != nil || row.NotHelpful != nil || row.SnoozedAfter != nil || row.StoppedAfter != nil) {
				t.Fatalf("seed %d: %s's size is held back but not its other figures: %+v", seed, row.ID, row)
			}
		}
		// recompute each rule column's people from the rows
		type col struct {
			name string
			get  func(RuleRow) *int
			in   func(store.TeamNudge) bool
		}
		cols := []col{
			{"sent", func(r RuleRow) *int { return r.Sent }, func(store.TeamNudge) bool { return true }},
			{"helpful", func(r RuleRow) *int { return r.Helpful }, func(n store.TeamNudge) bool { return n.Feedback == store.FeedbackHelpful }},
			{"not_helpful", func(r RuleRow) *int { return r.NotHelpful }, func(n store.TeamNudge) bool { return n.Feedback == store.FeedbackNotHelpful }},
			{"snoozed", func(r RuleRow) *int { return r.SnoozedAfter }, func(n store.TeamNudge) bool { return n.SnoozedAfter }},
			{"stopped", func(r RuleRow) *int { return r.StoppedAfter }, func(n store.TeamNudge) bool { return n.StoppedAfter }},
		}
		for _, c := range cols {
			hidden, shown := map[string]bool{}, false
			for _, row := range r.Rules {
				who := map[string]bool{}
				n := 0
				for _, x := range d.Nudges {
					if x.RuleID == row.ID && c.in(x) {
						who[x.UserID] = true
						n++
					}
				}
				v := c.get(row)
				switch {
				case v != nil && *v != n:
					t.Fatalf("seed %d: %s of %s = %d, want %d", seed, c.name, row.ID, *v, n)
				case v != nil && n > 0 && len(who) < k:
					t.Fatalf("seed %d: %s of %s shown with %d people behind it (k %d)", seed, c.name, row.ID, len(who), k)
				case v == nil:
					for p := range who {
						hidden[p] = true
					}
				case n > 0:
					shown = true
				}
			}
			// (with nothing shown, there is nothing to subtract)
			if shown && len(hidden) > 0 && len(hidden) < k {
				t.Fatalf("seed %d: the held-back %s figures have %d people behind them together (k %d): the total gives them away", seed, c.name, len(hidden), k)
			}
		}
		hidden, shown := map[string]bool{}, false
		for _, wk := range r.Weeks {
			who := map[string]bool{}
			for _, x := range d.Nudges {
				if store.WeekOf(x.SentAt).String() == wk.Week {
					who[x.UserID] = true
				}
			}
			if wk.Sent != nil && len(who) < k {
				t.Fatalf("seed %d: week %s shown with %d people", seed, wk.Week, len(who))
			}
			if wk.Sent == nil {
				for p := range who {
					hidden[p] = true
				}
			} else {
				shown = true
			}
		}
		if shown && len(hidden) > 0 && len(hidden) < k {
			t.Fatalf("seed %d: held-back weeks have %d people together", seed, len(hidden))
		}
	}
}

func TestReflectionAndJSONContract(t *testing.T) {
	var d store.TeamData
	d.Since = since
	w := store.WeekOf(since)
	for i := range 8 {
		u := fmt.Sprint("U", i)
		d.Enrolled = append(d.Enrolled, u)
		d.Prompts = append(d.Prompts, store.TeamPrompt{UserID: u, Week: w, Sent: true, Answered: i < 6})
		d.Prompts = append(d.Prompts, store.TeamPrompt{UserID: u, Week: w.Add(1), Sent: i < 7, Skipped: i == 7})
	}
	d.Pauses = []store.TeamEvent{{UserID: "U1", At: since.Add(time.Hour)}}
	r := Build(d, 2, now) // raised to 3
	if r.MinPeople != 3 {
		t.Errorf("min_people = %d, want the lowest allowed, 3", r.MinPeople)
	}
	if val(r.Reflection.Enrolled) != "8" || len(r.Reflection.Weeks) != 2 {
		t.Fatalf("reflection = %+v", r.Reflection)
	}
	w0, w1 := r.Reflection.Weeks[0], r.Reflection.Weeks[1]
	if val(w0.Prompted) != "8" || val(w0.Answered) != "6" || w0.Paused != nil || val(w1.Prompted) != "7" || val(w1.Answered) != "0" || w1.Skipped != nil {
		t.Errorf("weeks: %s/%s/%s/%s and %s/%s/%s/%s", val(w0.Prompted), val(w0.Answered), val(w0.Skipped), val(w0.Paused),
			val(w1.Prompted), val(w1.Answered), val(w1.Skipped), val(w1.Paused))
	}
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"min_people", "since", "rules", "weeks", "reflection"} {
		if _, ok := m[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	ref := m["reflection"].(map[string]any)
	wk := ref["weeks"].([]any)[1].(map[string]any)
	if v, ok := wk["skipped"]; !ok || v != nil {
		t.Errorf("a held-back count must be null in JSON, got %v (present %v)", v, ok)
	}
	for _, u := range []string{"U1", "U7"} {
		if strings.Contains(b.String(), u) {
			t.Errorf("the report names %s", u)
		}
	}
	b.Reset()
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "fewer than 3") || strings.Contains(b.String(), "<script") {
		t.Errorf("html report:\n%s", b.String())
	}
}

package reflection_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/reflection"
	"github.com/leadnudge/leadnudge/store"
)

func TestFatigued(t *testing.T) {
	w := func(n int) store.Week { return store.Week{Year: 2026, Num: n} }
	sent := func(n int) store.PromptDelivery {
		return store.PromptDelivery{Week: w(n), State: store.PromptSent, PromptID: "p", SentAt: time.Unix(1, 0)}
	}
	answered := func(n int) store.PromptDelivery {
		p := sent(n)
		p.AnsweredAt = time.Unix(2, 0)
		return p
	}
	skipped := func(n int) store.PromptDelivery {
		return store.PromptDelivery{Week: w(n), State: store.PromptSkipped, PromptID: "p", SkippedAt: time.Unix(2, 0)}
	}
	check := func(n int) store.PromptDelivery {
		p := sent(n)
		p.PromptID = reflection.FatiguePromptID
		return p
	}
	tests := []struct {
		name   string
		ledger []store.PromptDelivery // newest first
		want   bool
	}{
		{"three ignored", []store.PromptDelivery{sent(9), sent(8), sent(7)}, true},
		{"two ignored", []store.PromptDelivery{sent(9), sent(8)}, false},
		{"answered in between", []store.PromptDelivery{sent(9), answered(8), sent(7), sent(6)}, false},
		{"skipped weeks do not count either way", []store.PromptDelivery{sent(9), skipped(8), sent(7), sent(6)}, true},
		{"already asked", []store.PromptDelivery{sent(9), sent(8), sent(7), check(6), sent(5), sent(4), sent(3)}, true},
		{"asked within the streak", []store.PromptDelivery{sent(9), check(8), sent(7), sent(6)}, false},
		{"this week's entry is not history", []store.PromptDelivery{sent(10), sent(9), sent(8)}, false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		if got := reflection.Fatigued(tt.ledger, w(10), 3); got != tt.want {
			t.Errorf("%s: Fatigued = %v, want %v", tt.name, got, tt.want)
		}
	}
	if reflection.Fatigued([]store.PromptDelivery{sent(9), sent(8), sent(7)}, w(10), 0) {
		t.Error("FatigueAfter 0 must never ask")
	}
}

func TestFatigueQuestionAfterThreeIgnoredPrompts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{refl: reflection.Options{FatigueAfter: 3}})
	e.addUsers("UTC", "UF")
	e.command("UF", "/reflect", "on")
	friday := time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if s := e.tick(friday.AddDate(0, 0, 7*i)); s.Sent != 1 {
			t.Fatalf("week %d: %+v", i, s)
		}
	}
	if n := len(e.promptDMs("UF")); n != 3 {
		t.Fatalf("%d prompts after three weeks, want 3", n)
	}
	// Week four: the fourth prompt is replaced by one friendly question.
	e.tick(friday.AddDate(0, 0, 21))
	dms := e.fs.DMs("UF")
	last := dms[len(dms)-1]
	if len(e.promptDMs("UF")) != 3 || !strings.Contains(string(last.Blocks), "Still useful?") || !strings.Contains(string(last.Blocks), reflection.ActionFatigueKeep) {
		t.Fatalf("week four should bring the fatigue question, got %s", last.Blocks)
	}
	if got := e.promptCounter("fatigue_asked"); got != 1 {
		t.Errorf("fatigue_asked = %v", got)
	}
	// Unanswered, prompts are paused: week five brings nothing.
	before := len(e.fs.DMs("UF"))
	e.tick(friday.AddDate(0, 0, 28))
	if n := len(e.fs.DMs("UF")); n != before {
		t.Fatalf("a prompt went out while paused after the question (%d DMs, want %d)", n, before)
	}
	// "Keep them coming": the pause ends, the next week's prompt goes out,
	// and the question is not asked again for the same streak.
	e.click("UF", last, reflection.ActionFatigueKeep, buttonValue(t, last.Blocks, reflection.ActionFatigueKeep), "")
	e.waitFor("question updated", func() bool {
		for _, p := range e.fs.DMs("UF") {
			if p.TS == last.TS && p.Edited && strings.Contains(string(p.Blocks), "they keep coming") {
				return true
			}
		}
		return false
	})
	if s := e.tick(friday.AddDate(0, 0, 35)); s.Sent != 1 {
		t.Fatalf("week six after Keep: %+v", s)
	}
	if n := len(e.promptDMs("UF")); n != 4 {
		t.Errorf("%d prompts, want 4 (three, the question, one more)", n)
	}
	// Stop from a new question turns the reflection off.
	e.tick(friday.AddDate(0, 0, 42))
	e.tick(friday.AddDate(0, 0, 49))
	e.tick(friday.AddDate(0, 0, 56))
	dms = e.fs.DMs("UF")
	q := dms[len(dms)-1]
	if !strings.Contains(string(q.Blocks), reflection.ActionFatigueStop) {
		t.Fatalf("three more ignored prompts should bring the question again: %s", q.Blocks)
	}
	e.click("UF", q, reflection.ActionFatigueStop, buttonValue(t, q.Blocks, reflection.ActionFatigueStop), "")
	e.waitFor("stopped", func() bool {
		u, err := e.st.GetUser(e.ctx(), "UF")
		return err == nil && !u.WeeklyEnrolled
	})
}

// Away statuses (from users.info on the local Slack) hold the prompt back
// for that week; the next week resumes as usual.
func TestAwayStatusSkipsTheWeekThenResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{refl: reflection.Options{
		AwayEmoji: []string{":palm_tree:", ":face_with_thermometer:"},
		AwayText:  []string{"ooo", "vacation", "out sick"},
	}})
	users := map[string]fakeslack.User{
		"UPALM": {ID: "UPALM", StatusEmoji: ":palm_tree:"},
		"UOOO":  {ID: "UOOO", StatusText: "OOO until Monday"},
		"USICK": {ID: "USICK", StatusEmoji: ":face_with_thermometer:", StatusText: "Out sick"},
		"UHERE": {ID: "UHERE", StatusEmoji: ":coffee:", StatusText: "Focus time"},
	}
	for id, u := range users {
		if err := e.fs.AddUser(u); err != nil {
			t.Fatal(err)
		}
		e.command(id, "/reflect", "on")
	}
	friday := time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)
	sum := e.tick(friday)
	if sum.Sent != 1 {
		t.Fatalf("week one: %+v, want only UHERE prompted", sum)
	}
	for id := range users {
		want := 0
		if id == "UHERE" {
			want = 1
		}
		if n := len(e.promptDMs(id)); n != want {
			t.Errorf("week one: %s got %d prompts, want %d", id, n, want)
		}
	}
	// Back at work: statuses cleared; next Friday everyone is asked.
	for id := range users {
		if err := e.fs.AddUser(fakeslack.User{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if sum := e.tick(friday.AddDate(0, 0, 7)); sum.Sent != 4 {
		t.Fatalf("week two: %+v, want all 4", sum)
	}
	// The away week is not an ignored prompt: nothing was sent. (UHERE
	// really ignored two prompts.)
	for id := range users {
		if id == "UHERE" {
			continue
		}
		ledger, err := e.st.ListPromptDeliveries(e.ctx(), id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if reflection.Fatigued(ledger, store.WeekOf(friday.AddDate(0, 0, 14)), 2) {
			t.Errorf("%s: an away week counted as ignored", id)
		}
	}
}

// /reflect off stays off: a later "Pause for a month" click on an old
// prompt does not turn the reflection back on when the pause ends.
func TestOffSurvivesAPauseClick(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.addUsers("UTC", "UO")
	e.command("UO", "/reflect", "on")
	friday := time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)
	if s := e.tick(friday); s.Sent != 1 {
		t.Fatalf("%+v", s)
	}
	e.command("UO", "/reflect", "off")
	p := e.promptDMs("UO")[0]
	e.click("UO", p, reflection.ActionPause, buttonValue(t, p.Blocks, reflection.ActionPause), "")
	e.waitFor("paused", func() bool {
		u, err := e.st.GetUser(e.ctx(), "UO")
		return err == nil && !u.PromptsPausedUntil.IsZero()
	})
	if s := e.tick(friday.AddDate(0, 0, 42)); s.Sent != 0 {
		t.Fatalf("a person who turned the reflection off was prompted after a pause ended: %+v", s)
	}
	e.command("UO", "/reflect", "on")
	if s := e.tick(friday.AddDate(0, 0, 49)); s.Sent != 1 {
		t.Fatalf("/reflect on did not resume: %+v", s)
	}
}

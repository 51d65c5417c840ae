package reflection_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/reflection"
	"github.com/leadnudge/leadnudge/store"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func dueIDs(due []reflection.DuePerson) string {
	var ids []string
	for _, d := range due {
		ids = append(ids, d.ID)
	}
	return strings.Join(ids, ",")
}

// Each person is prompted at their own Friday 16:00: UTC−8, UTC+5:30 and
// UTC+13 (January: Los Angeles on standard time, Auckland on summer time).
func TestDueEachAtTheirOwnFriday1600(t *testing.T) {
	sched := reflection.MustParseSchedule("0 16 * * 5")
	people := []reflection.Person{
		{ID: "ULA", TimeZone: "America/Los_Angeles", OptedIn: true}, // UTC−8
		{ID: "UIN", TimeZone: "Asia/Kolkata", OptedIn: true},        // UTC+5:30
		{ID: "UNZ", TimeZone: "Pacific/Auckland", OptedIn: true},    // UTC+13
	}
	cases := []struct {
		at   string // UTC
		want string
	}{
		{"2026-01-16T02:59:59Z", ""},            // Fri 15:59:59 in Auckland
		{"2026-01-16T03:00:00Z", "UNZ"},         // Fri 16:00 in Auckland
		{"2026-01-16T10:29:00Z", "UNZ"},         // Fri 15:59 in Kolkata
		{"2026-01-16T10:30:00Z", "UNZ,UIN"},     // Fri 16:00 in Kolkata
		{"2026-01-16T23:59:00Z", "UNZ,UIN"},     // Fri 15:59 in Los Angeles
		{"2026-01-17T00:00:00Z", "ULA,UIN,UNZ"}, // Fri 16:00 in Los Angeles
		{"2026-01-18T10:59:00Z", "ULA,UIN,UNZ"}, // Sun 23:59 in Auckland: still their week
		{"2026-01-18T11:00:00Z", "ULA,UIN"},     // Mon 00:00 in Auckland: a new week there
		{"2026-01-19T07:59:00Z", "ULA"},         // Mon in Auckland and Kolkata: a new week; Sun 23:59 in LA
		{"2026-01-19T08:00:00Z", ""},            // Mon 00:00 in LA: new week for everyone
	}
	for _, c := range cases {
		at, _ := time.Parse(time.RFC3339, c.at)
		got := reflection.Due(at, people, sched, nil, nil)
		if !sameSet(dueIDs(got), c.want) {
			t.Errorf("at %s: due %q, want %q", c.at, dueIDs(got), c.want)
		}
		for _, d := range got {
			loc := mustLoc(t, d.TimeZone)
			if f := d.Fire.In(loc); f.Weekday() != time.Friday || f.Hour() != 16 || f.Minute() != 0 {
				t.Errorf("%s due for fire %s, want Friday 16:00 local", d.ID, f)
			}
			if d.Week != store.WeekOf(at.In(loc)) {
				t.Errorf("%s week %s, want their own week %s", d.ID, d.Week, store.WeekOf(at.In(loc)))
			}
		}
	}
}

func sameSet(a, b string) bool {
	split := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, x := range strings.Split(s, ",") {
			if x != "" {
				m[x] = true
			}
		}
		return m
	}
	ma, mb := split(a), split(b)
	if len(ma) != len(mb) {
		return false
	}
	for k := range ma {
		if !mb[k] {
			return false
		}
	}
	return true
}

// Daylight-saving weekends: the US (8 March and 1 November 2026) and the EU
// (29 March and 25 October 2026) change on different weekends; 16:00 stays
// 16:00 local on both sides of each change.
func TestDueAcrossDaylightSaving(t *testing.T) {
	fri := reflection.MustParseSchedule("0 16 * * 5")
	sun := reflection.MustParseSchedule("0 9 * * 0") // on the change day itself
	cases := []struct {
		name  string
		sched reflection.Schedule
		tz    string
		fire  string // the expected instant, UTC
	}{
		{"US Friday before spring change (EST)", fri, "America/New_York", "2026-03-06T21:00:00Z"},
		{"US change Sunday (EDT)", sun, "America/New_York", "2026-03-08T13:00:00Z"},
		{"US Friday after spring change (EDT)", fri, "America/New_York", "2026-03-13T20:00:00Z"},
		{"EU Friday before spring change (CET)", fri, "Europe/Paris", "2026-03-27T15:00:00Z"},
		{"EU change Sunday (CEST)", sun, "Europe/Paris", "2026-03-29T07:00:00Z"},
		{"EU Friday after spring change (CEST)", fri, "Europe/Paris", "2026-04-03T14:00:00Z"},
		{"EU Friday before autumn change (CEST)", fri, "Europe/Paris", "2026-10-23T14:00:00Z"},
		{"EU change Sunday (CET)", sun, "Europe/Paris", "2026-10-25T08:00:00Z"},
		{"EU Friday after autumn change, US not yet (CET)", fri, "Europe/Paris", "2026-10-30T15:00:00Z"},
		{"US Friday between the two changes (EDT)", fri, "America/New_York", "2026-10-30T20:00:00Z"},
		{"US change Sunday (EST)", sun, "America/New_York", "2026-11-01T14:00:00Z"},
		{"US Friday after autumn change (EST)", fri, "America/New_York", "2026-11-06T21:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fire, _ := time.Parse(time.RFC3339, c.fire)
			p := []reflection.Person{{ID: "U1", TimeZone: c.tz, OptedIn: true}}
			if got := reflection.Due(fire.Add(-time.Minute), p, c.sched, nil, nil); len(got) != 0 {
				t.Errorf("due a minute early (fire %s)", got[0].Fire)
			}
			got := reflection.Due(fire, p, c.sched, nil, nil)
			if len(got) != 1 || !got[0].Fire.Equal(fire) {
				t.Fatalf("at %s: due %+v, want fire at %s", fire, got, fire)
			}
		})
	}
}

// A person who moves is prompted at 16:00 in their new zone; one already
// prompted this week is not prompted again in the new one.
func TestDueAfterTimeZoneChange(t *testing.T) {
	sched := reflection.MustParseSchedule("0 16 * * 5")
	parisFri := time.Date(2026, 1, 16, 16, 0, 0, 0, mustLoc(t, "Europe/Paris"))
	laFri := time.Date(2026, 1, 16, 16, 0, 0, 0, mustLoc(t, "America/Los_Angeles"))
	moved := []reflection.Person{{ID: "U1", TimeZone: "America/Los_Angeles", OptedIn: true}}
	if got := reflection.Due(parisFri, moved, sched, nil, nil); len(got) != 0 {
		t.Fatalf("moved to Los Angeles: due at 16:00 Paris: %+v", got)
	}
	if got := reflection.Due(laFri, moved, sched, nil, nil); len(got) != 1 {
		t.Fatalf("moved to Los Angeles: not due at 16:00 there")
	}
	week := store.WeekOf(parisFri)
	ledger := reflection.NewLedger([]store.PromptDelivery{{UserID: "U1", Week: week, State: store.PromptSent}})
	if got := reflection.Due(laFri, moved, sched, ledger, nil); len(got) != 0 {
		t.Fatalf("prompted in Paris this week, then moved: prompted again: %+v", got)
	}
}

func TestDueEnrolmentAndLedger(t *testing.T) {
	sched := reflection.MustParseSchedule("0 16 * * 5")
	at := time.Date(2026, 1, 16, 17, 0, 0, 0, time.UTC)
	week := store.WeekOf(at)
	people := []reflection.Person{
		{ID: "UON", OptedIn: true},
		{ID: "UCHAN", ChannelMember: true},
		{ID: "UOFF", ChannelMember: true, OptedOut: true},
		{ID: "UNONE"},
		{ID: "UPAUSED", OptedIn: true, PausedUntil: at.Add(time.Hour)},
		{ID: "UPAUSEDOVER", OptedIn: true, PausedUntil: at.Add(-time.Hour)},
		{ID: "UBOT", ChannelMember: true, Bot: true},
		{ID: "UDEL", ChannelMember: true, Deleted: true},
		{ID: "UAWAY", OptedIn: true, Away: true},
		{ID: "USENT", OptedIn: true},
		{ID: "USKIP", OptedIn: true},
		{ID: "UANSWERED", OptedIn: true},
		{ID: "UCLAIMED", OptedIn: true},
		{ID: "UEXPIRED", OptedIn: true},
		{ID: "ULASTWEEK", OptedIn: true},
	}
	ledger := reflection.NewLedger([]store.PromptDelivery{
		{UserID: "USENT", Week: week, State: store.PromptSent},
		{UserID: "USKIP", Week: week, State: store.PromptSkipped},
		{UserID: "UANSWERED", Week: week, State: store.PromptClaimed, AnsweredAt: at},
		{UserID: "UCLAIMED", Week: week, State: store.PromptClaimed, LeaseUntil: at.Add(time.Minute)},
		{UserID: "UEXPIRED", Week: week, State: store.PromptClaimed, LeaseUntil: at.Add(-time.Second)},
		{UserID: "ULASTWEEK", Week: week.Add(-1), State: store.PromptSent},
	})
	got := dueIDs(reflection.Due(at, people, sched, ledger, nil))
	if want := "UON,UCHAN,UPAUSEDOVER,UEXPIRED,ULASTWEEK"; got != want {
		t.Errorf("due %q, want %q", got, want)
	}
}

func TestDueHolidaysAndWeekBoundary(t *testing.T) {
	sched, err := reflection.ParseSchedule("0 16 * * 5", []string{"2026-01-16"})
	if err != nil {
		t.Fatal(err)
	}
	p := []reflection.Person{{ID: "U1", OptedIn: true}}
	if got := reflection.Due(time.Date(2026, 1, 16, 18, 0, 0, 0, time.UTC), p, sched, nil, nil); len(got) != 0 {
		t.Errorf("due on a holiday")
	}
	plain := reflection.MustParseSchedule("0 16 * * 5")
	if got := reflection.Due(time.Date(2026, 1, 19, 9, 0, 0, 0, time.UTC), p, plain, nil, nil); len(got) != 0 {
		t.Errorf("last Friday's prompt is due on Monday of a new week")
	}
	if got := reflection.Due(time.Date(2026, 1, 18, 23, 59, 0, 0, time.UTC), p, plain, nil, nil); len(got) != 1 {
		t.Errorf("a missed Friday prompt is not caught up on Sunday")
	}
	// People without a zone use the default one.
	z := &reflection.Zones{Default: mustLoc(t, "Asia/Tokyo")}
	if got := reflection.Due(time.Date(2026, 1, 16, 7, 0, 0, 0, time.UTC), p, plain, nil, z); len(got) != 1 {
		t.Errorf("default zone not used: 16:00 Tokyo is 07:00 UTC")
	}
}

func TestParseScheduleErrorsNameTheKey(t *testing.T) {
	for _, spec := range []string{"", "every friday", "61 16 * * 5", "0 16 * *", "@every 1m", "TZ=Europe/Paris 0 16 * * 5"} {
		_, err := reflection.ParseSchedule(spec, nil)
		if err == nil || !strings.Contains(err.Error(), "reflection.schedule") {
			t.Errorf("ParseSchedule(%q) = %v, want an error naming reflection.schedule", spec, err)
		}
	}
	if _, err := reflection.ParseSchedule("0 16 * * 5", []string{"16/01/2026"}); err == nil || !strings.Contains(err.Error(), "reflection.holidays") {
		t.Errorf("bad holiday: %v", err)
	}
	for _, spec := range []string{"0 16 * * 5", "30 9 * * 1-5", "0 16 * * FRI"} {
		if _, err := reflection.ParseSchedule(spec, nil); err != nil {
			t.Errorf("ParseSchedule(%q): %v", spec, err)
		}
	}
}

func TestNextPromptRotation(t *testing.T) {
	ps := []nudges.Prompt{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		last map[string]time.Time
		want string
	}{
		{nil, "a"},
		{map[string]time.Time{"a": t0}, "b"},
		{map[string]time.Time{"a": t0, "c": t0}, "b"},
		{map[string]time.Time{"a": t0.Add(2), "b": t0.Add(1), "c": t0.Add(3)}, "b"},
		{map[string]time.Time{"a": t0.Add(1), "b": t0.Add(2), "c": t0.Add(3), "gone": t0}, "a"},
	}
	for i, c := range cases {
		if got, ok := reflection.NextPrompt(ps, c.last); !ok || got.ID != c.want {
			t.Errorf("case %d: %s, want %s", i, got.ID, c.want)
		}
	}
	if _, ok := reflection.NextPrompt(nil, nil); ok {
		t.Error("a prompt from no prompts")
	}
}

func TestStreak(t *testing.T) {
	w := store.Week{Year: 2026, Num: 3}
	refs := func(weeks ...store.Week) []store.Reflection {
		var out []store.Reflection
		for _, x := range weeks {
			out = append(out, store.Reflection{Week: x})
		}
		return out
	}
	cases := []struct {
		refs []store.Reflection
		want int
	}{
		{nil, 0},
		{refs(w), 1},
		{refs(w, w.Add(-1), w.Add(-2), w.Add(-4)), 3},
		{refs(w.Add(-1), w.Add(-2)), 2}, // this week not answered yet
		{refs(w.Add(-2)), 0},
		{refs(store.Week{Year: 2026, Num: 1}, store.Week{Year: 2025, Num: 52}), 2}, // across New Year (2025 has 52 ISO weeks)
	}
	for i, c := range cases {
		cur := w
		if i == 5 {
			cur = store.Week{Year: 2026, Num: 1}
		}
		if got := reflection.Streak(c.refs, cur); got != c.want {
			t.Errorf("case %d: streak %d, want %d", i, got, c.want)
		}
	}
}

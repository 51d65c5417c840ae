package reflection

import (
	"fmt"
	"strings"
	"time"

	"github.com/leadnudge/leadnudge/store"
	"github.com/robfig/cron/v3"
)

// Schedule is the parsed reflection.schedule: a 5-field cron spec read in
// each person's own time zone, plus the dates on which nothing is sent.
type Schedule struct {
	spec     cron.Schedule
	text     string
	holidays map[string]bool
}

// ParseSchedule parses a standard 5-field cron spec ("0 16 * * 5": Fridays
// at 16:00) and optional holiday dates (YYYY-MM-DD). The error names the
// configuration key, so a bad spec fails start-up with a clear message.
func ParseSchedule(spec string, holidays []string) (Schedule, error) {
	s := strings.TrimSpace(spec)
	switch {
	case s == "":
		return Schedule{}, fmt.Errorf(`reflection.schedule: must not be empty; use a 5-field cron spec such as "0 16 * * 5"`)
	case strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ="):
		return Schedule{}, fmt.Errorf("reflection.schedule %q: must not name a time zone: it is read in each person's own zone", spec)
	case strings.HasPrefix(s, "@every"):
		return Schedule{}, fmt.Errorf(`reflection.schedule %q: @every is not supported; use a 5-field cron spec such as "0 16 * * 5"`, spec)
	}
	cs, err := cron.ParseStandard(s)
	if err != nil {
		return Schedule{}, fmt.Errorf(`reflection.schedule %q: %w (want a 5-field cron spec such as "0 16 * * 5")`, spec, err)
	}
	sch := Schedule{spec: cs, text: s, holidays: map[string]bool{}}
	for _, h := range holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			return Schedule{}, fmt.Errorf("reflection.holidays: %q is not a date in YYYY-MM-DD form", h)
		}
		sch.holidays[h] = true
	}
	return sch, nil
}

// MustParseSchedule is ParseSchedule for specs known to be valid (tests,
// examples); it panics on an error.
func MustParseSchedule(spec string) Schedule {
	s, err := ParseSchedule(spec, nil)
	if err != nil {
		panic(err)
	}
	return s
}

// String returns the cron spec.
func (s Schedule) String() string { return s.text }

// LastFire returns the most recent scheduled instant at or before now, read
// in loc, that falls in the ISO week now falls in (in loc); ok is false when
// there is none yet this week (or it falls on a holiday).
func (s Schedule) LastFire(now time.Time, loc *time.Location) (fire time.Time, week store.Week, ok bool) {
	local := now.In(loc)
	week = store.WeekOf(local)
	start := week.Start(loc)
	// Next is strictly after its argument (rounded up to the second), so
	// starting one second early lets Monday 00:00 itself count.
	t := start.Add(-time.Second)
	for i := 0; i < 10080; i++ { // at most one fire per minute of the week
		n := s.spec.Next(t)
		if n.IsZero() || n.After(now) {
			break
		}
		if store.WeekOf(n.In(loc)) != week {
			break
		}
		fire, ok = n, true
		t = n
	}
	if ok && s.holidays[fire.In(loc).Format(time.DateOnly)] {
		return time.Time{}, week, false
	}
	return fire, week, ok
}

// Person is one candidate for the weekly prompt, as the scheduler sees them.
type Person struct {
	ID string
	// TimeZone is the IANA name from users.info ("" means the default zone).
	TimeZone string
	// OptedIn: the person turned the reflection on (/reflect on, App Home).
	OptedIn bool
	// ChannelMember: the person is a member of one of reflection.channels.
	ChannelMember bool
	// OptedOut: the person turned the reflection off (/reflect off); it
	// wins over channel membership.
	OptedOut bool
	// PausedUntil: no prompt before this instant ("Pause for a month").
	PausedUntil time.Time
	// Deleted and Bot exclude deactivated users and bots (users.info).
	Deleted, Bot bool
	// Away: the person's Slack status says they are away (reflection.away_*).
	Away bool
}

// Enrolled reports whether p should get weekly prompts at instant now,
// ignoring the schedule and the ledger.
func (p Person) Enrolled(now time.Time) bool {
	return (p.OptedIn || p.ChannelMember) && !p.OptedOut && !p.Deleted && !p.Bot && !p.Away && !now.Before(p.PausedUntil)
}

// LedgerKey names one ledger entry: a person and an ISO week.
type LedgerKey struct {
	User string
	Week store.Week
}

// Ledger is the part of the prompt ledger the decision needs: the entries of
// the weeks people are in at the instant decided.
type Ledger map[LedgerKey]store.PromptDelivery

// NewLedger indexes ledger entries by person and week.
func NewLedger(entries ...[]store.PromptDelivery) Ledger {
	n := 0
	for _, e := range entries {
		n += len(e)
	}
	l := make(Ledger, n)
	for _, e := range entries {
		for _, p := range e {
			l[LedgerKey{p.UserID, p.Week}] = p
		}
	}
	return l
}

// Done reports whether the entry means this week's prompt must not be sent
// (again) at instant now: it was sent, skipped, answered, or is claimed by a
// sender whose lease has not expired.
func Done(p store.PromptDelivery, now time.Time) bool {
	switch {
	case p.State == store.PromptSent, p.State == store.PromptSkipped:
		return true
	case !p.AnsweredAt.IsZero(), !p.SkippedAt.IsZero():
		return true
	case p.State == store.PromptClaimed:
		return now.Before(p.LeaseUntil)
	}
	return false
}

// DuePerson is someone whose weekly prompt is due.
type DuePerson struct {
	ID       string
	TimeZone string // the zone the decision was made in
	Week     store.Week
	Fire     time.Time // the scheduled instant that made them due
}

// Zones resolves IANA time zone names, remembering each it loaded. The zero
// value is ready to use; it is not safe for concurrent use.
type Zones struct {
	// Default is the zone for people without one (nil means UTC).
	Default *time.Location
	locs    map[string]*time.Location
}

// Load returns the location named tz, or the default zone when tz is empty
// or unknown.
func (z *Zones) Load(tz string) *time.Location {
	def := z.Default
	if def == nil {
		def = time.UTC
	}
	if tz == "" {
		return def
	}
	if loc, ok := z.locs[tz]; ok {
		return loc
	}
	if z.locs == nil {
		z.locs = map[string]*time.Location{}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = def
	}
	z.locs[tz] = loc
	return loc
}

type fireAt struct {
	fire time.Time
	week store.Week
	ok   bool
}

// Due decides who is due for their weekly prompt at instant now: enrolled
// people (see Person.Enrolled) for whom the most recent time sched names,
// read in their own time zone, is at or before now and in their current ISO
// week, and whose ledger entry for that week is not Done. It is a pure
// function of its arguments; zones caches time zones (nil: a fresh cache).
// The result follows the order of people.
func Due(now time.Time, people []Person, sched Schedule, ledger Ledger, zones *Zones) []DuePerson {
	if zones == nil {
		zones = &Zones{}
	}
	fires := map[string]fireAt{} // by time zone name: the same for everyone in it
	var out []DuePerson
	for i := range people {
		p := &people[i]
		if !p.Enrolled(now) {
			continue
		}
		f, seen := fires[p.TimeZone]
		if !seen {
			f.fire, f.week, f.ok = sched.LastFire(now, zones.Load(p.TimeZone))
			fires[p.TimeZone] = f
		}
		if !f.ok {
			continue
		}
		if e, ok := ledger[LedgerKey{p.ID, f.week}]; ok && Done(e, now) {
			continue
		}
		out = append(out, DuePerson{ID: p.ID, TimeZone: p.TimeZone, Week: f.week, Fire: f.fire})
	}
	return out
}

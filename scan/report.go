package scan

import (
	"cmp"
	"slices"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
)

// Report is what a scan found. Its JSON form is a contract other tools
// read; see the README.
type Report struct {
	// Messages counts the messages the bot would have read (Skipped lists
	// the others, by reason).
	Messages int            `json:"messages"`
	Skipped  map[string]int `json:"skipped"`
	// Matches counts messages the bot would nudge before the policy,
	// Nudges the nudges it would have sent after it.
	Matches    int             `json:"matches"`
	Nudges     int             `json:"nudges"`
	Rules      []RuleCount     `json:"rules"`
	Categories []CategoryCount `json:"categories"`
	Weeks      []WeekCount     `json:"weeks"`
	// People counts authors by the most nudges they would have received
	// in any one ISO week.
	People People      `json:"people"`
	Errors []FileError `json:"errors"`
	// Files and Bytes are what was read.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// Policy is the delivery policy the matches were run through.
	Policy PolicyInfo `json:"policy"`
	// Since and Until are the dates asked for (empty: unbounded).
	Since string `json:"since,omitempty"`
	Until string `json:"until,omitempty"`

	// Samples holds, per rule id, the excerpts asked for with
	// Options.Samples. It is never part of a report file.
	Samples map[string][]Sample `json:"-"`
}

// PolicyInfo describes the simulated policy.
type PolicyInfo struct {
	// Cooldown is the default cooldown between two nudges of one rule to
	// one person (rules may have their own), as a Go duration.
	Cooldown string `json:"cooldown"`
	DailyCap int    `json:"daily_cap"`
}

// RuleCount is one rule's matches and would-be nudges.
type RuleCount struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Matches  int    `json:"matches"`
	Nudges   int    `json:"nudges"`
}

// CategoryCount is one category's matches and would-be nudges.
type CategoryCount struct {
	Category string `json:"category"`
	Matches  int    `json:"matches"`
	Nudges   int    `json:"nudges"`
}

// WeekCount is one ISO week (UTC) of the export.
type WeekCount struct {
	Week     string `json:"week"`
	Messages int    `json:"messages"`
	Matches  int    `json:"matches"`
	Nudges   int    `json:"nudges"`
}

// People counts authors by the most nudges they would have received in
// one week.
type People struct {
	None     int `json:"0"`
	One      int `json:"1"`
	TwoThree int `json:"2-3"`
	FourPlus int `json:"4+"`
}

// Sample is one excerpt of a matched message.
type Sample struct {
	Time    time.Time
	Where   string
	Excerpt string
}

// PerThousand is n per 1,000 read messages.
func (r *Report) PerThousand(n int) float64 {
	if r.Messages == 0 {
		return 0
	}
	return float64(n) * 1000 / float64(r.Messages)
}

// build runs the policy over the matches and assembles the report.
func build(rs *nudges.RuleSet, p *partial, opts *Options, files int, bytes int64) *Report {
	r := &Report{Messages: p.messages, Skipped: p.skipped, Matches: len(p.matches), Errors: p.errs, Files: files, Bytes: bytes,
		Policy: PolicyInfo{Cooldown: opts.Policy.DefaultCooldown.String(), DailyCap: opts.Policy.DailyCap}}
	if r.Errors == nil {
		r.Errors = []FileError{}
	}
	if !opts.Since.IsZero() {
		r.Since = opts.Since.Format(time.DateOnly)
	}
	if !opts.Until.IsZero() {
		r.Until = opts.Until.Add(-time.Nanosecond).Format(time.DateOnly)
	}
	sent := simulate(rs, p.matches, opts.Policy)
	ruleNudges := make([]int, len(rs.Rules))
	perPersonWeek := map[[2]string]int{}
	for i, ok := range sent {
		if !ok {
			continue
		}
		m := p.matches[i]
		r.Nudges++
		ruleNudges[m.rule]++
		wk := isoWeek(m.ts)
		p.weeks[wk].Nudges++
		perPersonWeek[[2]string{m.user, wk}]++
	}
	most := map[string]int{}
	for k, n := range perPersonWeek {
		most[k[0]] = max(most[k[0]], n)
	}
	for a := range p.authors {
		switch n := most[a]; {
		case n == 0:
			r.People.None++
		case n == 1:
			r.People.One++
		case n <= 3:
			r.People.TwoThree++
		default:
			r.People.FourPlus++
		}
	}
	cats := map[string]*CategoryCount{}
	for i := range rs.Rules {
		rule := &rs.Rules[i]
		rc := RuleCount{ID: rule.ID, Category: string(rule.Category), Matches: p.ruleMatch[i], Nudges: ruleNudges[i]}
		r.Rules = append(r.Rules, rc)
		c := cats[rc.Category]
		if c == nil {
			c = &CategoryCount{Category: rc.Category}
			cats[rc.Category] = c
		}
		c.Matches += rc.Matches
		c.Nudges += rc.Nudges
	}
	// most nudges first; ties by matches, then id, so reports diff well
	slices.SortStableFunc(r.Rules, func(a, b RuleCount) int {
		return cmp.Or(cmp.Compare(b.Nudges, a.Nudges), cmp.Compare(b.Matches, a.Matches), cmp.Compare(a.ID, b.ID))
	})
	for _, c := range cats {
		r.Categories = append(r.Categories, *c)
	}
	slices.SortFunc(r.Categories, func(a, b CategoryCount) int {
		return cmp.Or(cmp.Compare(b.Nudges, a.Nudges), cmp.Compare(b.Matches, a.Matches), cmp.Compare(a.Category, b.Category))
	})
	for _, w := range p.weeks {
		r.Weeks = append(r.Weeks, *w)
	}
	slices.SortFunc(r.Weeks, func(a, b WeekCount) int { return cmp.Compare(a.Week, b.Week) })
	if r.Weeks == nil {
		r.Weeks = []WeekCount{}
	}
	if opts.Samples > 0 {
		r.Samples = map[string][]Sample{}
		for i, ss := range p.samples {
			if len(ss) == 0 {
				continue
			}
			slices.SortFunc(ss, func(a, b sample) int { return a.ts.Compare(b.ts) })
			ss = ss[:min(len(ss), opts.Samples)]
			for _, s := range ss {
				r.Samples[rs.Rules[i].ID] = append(r.Samples[rs.Rules[i].ID], Sample{Time: s.ts, Where: s.where, Excerpt: s.excerpt})
			}
		}
	}
	return r
}

// simulate runs the delivery policy over the matches, per person in
// timestamp order, as the bot's store decides them (DecideNudge): a rule's
// cooldown since it last nudged the person, then the cap on nudges within
// the window. It reports, per match, whether it would have been sent.
func simulate(rs *nudges.RuleSet, ms []match, pol Policy) []bool {
	order := make([]int, len(ms))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := &ms[i], &ms[j]
		return cmp.Or(cmp.Compare(a.user, b.user), a.ts.Compare(b.ts), cmp.Compare(a.rule, b.rule))
	})
	window := pol.CapWindow
	if window <= 0 {
		window = 24 * time.Hour
	}
	sent := make([]bool, len(ms))
	var recent []time.Time        // this person's nudges within the window
	last := map[int32]time.Time{} // this person's last nudge per rule
	for k, i := range order {
		m := &ms[i]
		if k == 0 || ms[order[k-1]].user != m.user {
			recent = recent[:0]
			clear(last)
		}
		if pol.Cooldown != nil {
			if cd := pol.Cooldown(&rs.Rules[m.rule]); cd > 0 {
				if t, ok := last[m.rule]; ok && m.ts.Sub(t) < cd {
					continue
				}
			}
		}
		if pol.DailyCap > 0 {
			keep := recent[:0]
			for _, t := range recent {
				if m.ts.Sub(t) < window {
					keep = append(keep, t)
				}
			}
			recent = keep
			if len(recent) >= pol.DailyCap {
				continue
			}
		}
		sent[i] = true
		last[m.rule] = m.ts
		recent = append(recent, m.ts)
	}
	return sent
}

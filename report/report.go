package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/leadnudge/leadnudge/store"
)

// LowestMinPeople is the smallest MinPeople Build accepts.
const LowestMinPeople = 3

// Report is the anonymous team report. Its JSON form is a contract other
// tools read: a count is null when fewer than MinPeople distinct people
// stand behind it.
type Report struct {
	MinPeople  int           `json:"min_people"`
	Since      string        `json:"since"`
	Rules      []RuleRow     `json:"rules"`
	Categories []CategoryRow `json:"categories"`
	Weeks      []WeekRow     `json:"weeks"`
	Reflection Reflection    `json:"reflection"`
	Generated  time.Time     `json:"generated"`
}

// RuleRow is one rule's figures.
type RuleRow struct {
	ID           string `json:"id"`
	Category     string `json:"category"`
	People       *int   `json:"people"`
	Sent         *int   `json:"sent"`
	Helpful      *int   `json:"helpful"`
	NotHelpful   *int   `json:"not_helpful"`
	SnoozedAfter *int   `json:"snoozed_after"`
	StoppedAfter *int   `json:"stopped_after"`
}

// CategoryRow is one category's figures: the sums of its rules'
// published figures (null when none of them is published).
type CategoryRow struct {
	Category     string `json:"category"`
	Sent         *int   `json:"sent"`
	Helpful      *int   `json:"helpful"`
	NotHelpful   *int   `json:"not_helpful"`
	SnoozedAfter *int   `json:"snoozed_after"`
	StoppedAfter *int   `json:"stopped_after"`
}

// WeekRow is one ISO week (UTC) of nudges.
type WeekRow struct {
	Week    string `json:"week"`
	People  *int   `json:"people"`
	Sent    *int   `json:"sent"`
	Helpful *int   `json:"helpful"`
}

// Reflection is the weekly reflection's figures.
type Reflection struct {
	Enrolled *int             `json:"enrolled"`
	Weeks    []ReflectionWeek `json:"weeks"`
}

// ReflectionWeek is one week of prompts.
type ReflectionWeek struct {
	Week     string `json:"week"`
	Prompted *int   `json:"prompted"`
	Answered *int   `json:"answered"`
	Skipped  *int   `json:"skipped"`
	Paused   *int   `json:"paused"`
}

// cell is one figure before publication: how many actions, by whom.
type cell struct {
	n      int
	people map[string]bool
}

func (c *cell) add(user string) {
	if c.people == nil {
		c.people = map[string]bool{}
	}
	c.n++
	c.people[user] = true
}

// publish decides which cells of one dimension may be shown. A cell needs
// at least k distinct people behind it. The hidden cells' sum can still be
// had by subtracting the shown ones from a total published elsewhere (all
// nudges sent, by rule or by week), so when the hidden cells together
// hold fewer than k people, the shown cells with the fewest people are
// hidden too, until the hidden ones hold k people or none is left shown.
// Empty cells (nobody, nothing) are shown as 0: they say nothing about
// anyone.
//
// forced, when not nil, hides cells whatever their size: the figures of a
// group whose own size is held back (a rule's helpful clicks when its
// nudges sent are).
func publish(cells []*cell, k int, forced []bool) []*int {
	hidden := make([]bool, len(cells))
	union := map[string]bool{}
	for i, c := range cells {
		if forced != nil && forced[i] || c.n > 0 && len(c.people) < k {
			hidden[i] = true
			for p := range c.people {
				union[p] = true
			}
		}
	}
	for len(union) > 0 && len(union) < k {
		best := -1
		for i, c := range cells {
			if !hidden[i] && c.n > 0 && (best < 0 || len(c.people) < len(cells[best].people)) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		hidden[best] = true
		for p := range cells[best].people {
			union[p] = true
		}
	}
	out := make([]*int, len(cells))
	for i, c := range cells {
		if !hidden[i] {
			out[i] = ptr(c.n)
		}
	}
	return out
}

func ptr(n int) *int { return &n }

// hiddenOf marks the figures held back.
func hiddenOf(ps []*int) []bool {
	h := make([]bool, len(ps))
	for i, p := range ps {
		h[i] = p == nil
	}
	return h
}

// Build makes the report of the rows in d, publishing only what at least
// minPeople distinct people (at least LowestMinPeople) stand behind.
func Build(d store.TeamData, minPeople int, now time.Time) Report {
	k := max(minPeople, LowestMinPeople)
	r := Report{MinPeople: k, Since: d.Since.UTC().Format(time.DateOnly), Generated: now.UTC()}

	// rules: one row per rule that sent anything
	type ruleCells struct {
		id, category                                        string
		people, sent, helpful, notHelpful, snoozed, stopped *cell
	}
	var rules []*ruleCells
	byRule := map[string]*ruleCells{}
	type weekCells struct {
		week          string
		sent, helpful *cell
	}
	var weeks []*weekCells
	byWeek := map[string]*weekCells{}
	for _, n := range d.Nudges {
		rc := byRule[n.RuleID]
		if rc == nil {
			rc = &ruleCells{id: n.RuleID, category: n.Category, people: &cell{}, sent: &cell{}, helpful: &cell{}, notHelpful: &cell{}, snoozed: &cell{}, stopped: &cell{}}
			byRule[n.RuleID] = rc
			rules = append(rules, rc)
		}
		rc.sent.add(n.UserID)
		switch n.Feedback {
		case store.FeedbackHelpful:
			rc.helpful.add(n.UserID)
		case store.FeedbackNotHelpful:
			rc.notHelpful.add(n.UserID)
		}
		if n.SnoozedAfter {
			rc.snoozed.add(n.UserID)
		}
		if n.StoppedAfter {
			rc.stopped.add(n.UserID)
		}
		wk := store.WeekOf(n.SentAt.UTC()).String()
		wc := byWeek[wk]
		if wc == nil {
			wc = &weekCells{week: wk, sent: &cell{}, helpful: &cell{}}
			byWeek[wk] = wc
			weeks = append(weeks, wc)
		}
		wc.sent.add(n.UserID)
		if n.Feedback == store.FeedbackHelpful {
			wc.helpful.add(n.UserID)
		}
	}
	slices.SortFunc(rules, func(a, b *ruleCells) int { return cmp.Or(cmp.Compare(b.sent.n, a.sent.n), cmp.Compare(a.id, b.id)) })
	slices.SortFunc(weeks, func(a, b *weekCells) int { return cmp.Compare(a.week, b.week) })

	var sentHidden []bool
	col := func(pick func(*ruleCells) *cell) []*int {
		cs := make([]*cell, len(rules))
		for i, rc := range rules {
			cs[i] = pick(rc)
		}
		return publish(cs, k, sentHidden)
	}
	// "people" is the number of distinct recipients: it counts people, so
	// it is held to the same rule, with sent's people behind it; a rule
	// whose nudges sent are held back shows none of its other figures
	sent := col(func(rc *ruleCells) *cell { return rc.sent })
	sentHidden = hiddenOf(sent)
	helpful := col(func(rc *ruleCells) *cell { return rc.helpful })
	notHelpful := col(func(rc *ruleCells) *cell { return rc.notHelpful })
	snoozed := col(func(rc *ruleCells) *cell { return rc.snoozed })
	stopped := col(func(rc *ruleCells) *cell { return rc.stopped })
	cats := map[string]*CategoryRow{}
	var catOrder []string
	for i, rc := range rules {
		row := RuleRow{ID: rc.id, Category: rc.category, Sent: sent[i], Helpful: helpful[i], NotHelpful: notHelpful[i],
			SnoozedAfter: snoozed[i], StoppedAfter: stopped[i]}
		if sent[i] != nil {
			row.People = ptr(len(rc.sent.people))
		}
		r.Rules = append(r.Rules, row)
		c := cats[rc.category]
		if c == nil {
			c = &CategoryRow{Category: rc.category}
			cats[rc.category] = c
			catOrder = append(catOrder, rc.category)
		}
		addTo(&c.Sent, row.Sent)
		addTo(&c.Helpful, row.Helpful)
		addTo(&c.NotHelpful, row.NotHelpful)
		addTo(&c.SnoozedAfter, row.SnoozedAfter)
		addTo(&c.StoppedAfter, row.StoppedAfter)
	}
	slices.Sort(catOrder)
	for _, c := range catOrder {
		r.Categories = append(r.Categories, *cats[c])
	}

	wsent := make([]*cell, len(weeks))
	whelp := make([]*cell, len(weeks))
	for i, wc := range weeks {
		wsent[i], whelp[i] = wc.sent, wc.helpful
	}
	ps := publish(wsent, k, nil)
	ph := publish(whelp, k, hiddenOf(ps))
	for i, wc := range weeks {
		row := WeekRow{Week: wc.week, Sent: ps[i], Helpful: ph[i]}
		if ps[i] != nil {
			row.People = ptr(len(wc.sent.people))
		}
		r.Weeks = append(r.Weeks, row)
	}

	// the weekly reflection
	enrolled := &cell{}
	for _, u := range d.Enrolled {
		enrolled.add(u)
	}
	r.Reflection.Enrolled = publish([]*cell{enrolled}, k, nil)[0]
	type refCells struct{ prompted, answered, skipped, paused *cell }
	byRW := map[string]*refCells{}
	var rweeks []string
	get := func(w string) *refCells {
		rc := byRW[w]
		if rc == nil {
			rc = &refCells{&cell{}, &cell{}, &cell{}, &cell{}}
			byRW[w] = rc
			rweeks = append(rweeks, w)
		}
		return rc
	}
	for _, p := range d.Prompts {
		rc := get(p.Week.String())
		if p.Sent {
			rc.prompted.add(p.UserID)
		}
		if p.Answered {
			rc.answered.add(p.UserID)
		}
		if p.Skipped {
			rc.skipped.add(p.UserID)
		}
	}
	for _, e := range d.Pauses {
		get(store.WeekOf(e.At.UTC()).String()).paused.add(e.UserID)
	}
	slices.Sort(rweeks)
	rcol := func(pick func(*refCells) *cell) []*int {
		cs := make([]*cell, len(rweeks))
		for i, w := range rweeks {
			cs[i] = pick(byRW[w])
		}
		return publish(cs, k, nil)
	}
	pp := rcol(func(c *refCells) *cell { return c.prompted })
	pa := rcol(func(c *refCells) *cell { return c.answered })
	pk := rcol(func(c *refCells) *cell { return c.skipped })
	pz := rcol(func(c *refCells) *cell { return c.paused })
	for i, w := range rweeks {
		r.Reflection.Weeks = append(r.Reflection.Weeks, ReflectionWeek{Week: w, Prompted: pp[i], Answered: pa[i], Skipped: pk[i], Paused: pz[i]})
	}
	if r.Rules == nil {
		r.Rules = []RuleRow{}
	}
	if r.Categories == nil {
		r.Categories = []CategoryRow{}
	}
	if r.Weeks == nil {
		r.Weeks = []WeekRow{}
	}
	if r.Reflection.Weeks == nil {
		r.Reflection.Weeks = []ReflectionWeek{}
	}
	return r
}

// addTo adds a published figure to a category's sum; a category shows a
// sum once any of its rules' figures is published.
func addTo(sum **int, v *int) {
	if v == nil {
		return
	}
	if *sum == nil {
		*sum = ptr(0)
	}
	**sum += *v
}

package nudges

import (
	"fmt"
	"regexp"
	"sync"
)

// Match is one rule found in one message.
type Match struct {
	// Rule is the rule that matched; it points into the matcher's rule set.
	Rule *Rule
	// Start and End are the byte span of the matched words in the original
	// text: Message.Text, or PlainText(Message.Blocks) when blocks were read.
	Start, End int
	// Text is the matched words as the author wrote them.
	Text string
}

type patKind uint8

const (
	kindPhrase patKind = iota
	kindUnless
	kindGuard
)

// pattern is the payload of one automaton pattern.
type pattern struct {
	kind patKind
	rule int32
	// checkStart/checkEnd: the pattern starts/ends with a word character,
	// so a Unicode word boundary is required there.
	checkStart, checkEnd bool
}

type ruleRegex struct {
	rule int32
	re   *regexp.Regexp
}

// Matcher is a compiled rule set. It is safe for concurrent use and
// immutable: to change rules, compile a new Matcher and swap it in.
type Matcher struct {
	rs      *RuleSet
	ac      *automaton
	pats    []pattern
	regexes []ruleRegex
	nPhrase int
	pool    sync.Pool
}

// candidate is a phrase, exception or guard found during the scan, in
// normalized offsets.
type candidate struct {
	rule       int32
	start, end int32
}

// per-message bounds on the work an adversarial message can cause.
const (
	maxCandidatesPerRule = 8
	maxGuards            = 64
	// maxPooledBuffer: scratch buffers grown beyond this by a huge message
	// are not kept.
	maxPooledBuffer = 8 << 20
)

type scratch struct {
	z      normalizer
	cands  []candidate
	excs   []candidate
	guards []candidate
	count  []uint8 // candidates per rule
	ecount []uint8 // exceptions per rule
	taken  []bool
}

// Compile builds the matcher for a validated rule set. It fails when two
// rules share a phrase variant, or a regex does not compile.
func Compile(rs *RuleSet) (*Matcher, error) {
	m := &Matcher{rs: rs}
	var lits []string
	owner := map[string]int{}
	add := func(v string, p pattern) {
		first, last := []rune(v)[0], []rune(v)[len([]rune(v))-1]
		p.checkStart, p.checkEnd = isWordRune(first), isWordRune(last)
		lits = append(lits, v)
		m.pats = append(m.pats, p)
	}
	var errs ErrorList
	for i := range rs.Rules {
		r := &rs.Rules[i]
		for _, ph := range r.Phrases {
			vs, err := phraseVariants(ph)
			if err != nil {
				errs = append(errs, &Error{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: phrase %q: %v", r.ID, ph, err)})
				continue
			}
			for _, v := range vs {
				if o, dup := owner[v]; dup {
					if o != i {
						errs = append(errs, &Error{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: phrase %q (as %q) is also a phrase of rule %s (at %s)", r.ID, ph, v, rs.Rules[o].ID, rs.Rules[o].Pos)})
					}
					continue
				}
				owner[v] = i
				add(v, pattern{kind: kindPhrase, rule: int32(i)})
			}
		}
	}
	m.nPhrase = len(lits)
	for i := range rs.Rules {
		r := &rs.Rules[i]
		for _, u := range r.Unless {
			vs, err := phraseVariants(u)
			if err != nil {
				errs = append(errs, &Error{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: unless %q: %v", r.ID, u, err)})
				continue
			}
			for _, v := range vs {
				add(v, pattern{kind: kindUnless, rule: int32(i)})
			}
		}
		for _, expr := range r.Regex {
			re, err := regexp.Compile(expr)
			if err != nil {
				errs = append(errs, &Error{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: regex %q: %v", r.ID, expr, err)})
				continue
			}
			m.regexes = append(m.regexes, ruleRegex{rule: int32(i), re: re})
		}
	}
	for _, g := range rs.Defaults.UnlessPrecededBy {
		vs, err := phraseVariants(g)
		if err != nil {
			errs = append(errs, &Error{Pos: Pos{File: "defaults"}, Msg: fmt.Sprintf("unless_preceded_by %q: %v", g, err)})
			continue
		}
		for _, v := range vs {
			add(v, pattern{kind: kindGuard, rule: -1})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	m.ac = buildAutomaton(lits)
	n := len(rs.Rules)
	m.pool.New = func() any {
		return &scratch{count: make([]uint8, n), ecount: make([]uint8, n), taken: make([]bool, n)}
	}
	return m, nil
}

// RuleSet returns the rules the matcher was compiled from.
func (m *Matcher) RuleSet() *RuleSet { return m.rs }

// Stats describes a compiled matcher.
type Stats struct {
	Rules, Patterns, States, Classes int
	// Bytes estimates the memory held by the automaton.
	Bytes int
}

// Stats returns the size of the compiled automaton.
func (m *Matcher) Stats() Stats {
	return Stats{
		Rules:    len(m.rs.Rules),
		Patterns: len(m.pats),
		States:   len(m.ac.dict),
		Classes:  int(m.ac.stride),
		Bytes:    m.ac.sizeBytes(),
	}
}

// MatchText matches a plain mrkdwn text.
func (m *Matcher) MatchText(text string) []Match {
	return m.Match(Message{Text: text})
}

// Match returns the rules found in msg, each at most once (its first
// occurrence that no exception or guard suppresses), ordered by position
// and then by rule order. It allocates nothing when nothing matches.
func (m *Matcher) Match(msg Message) []Match {
	sc := m.pool.Get().(*scratch)
	z := &sc.z
	z.reset(z.buf)
	blocks := hasRichText(msg.Blocks)
	if blocks {
		z.blocks(msg.Blocks)
	} else {
		z.mrkdwn(msg.Text)
	}
	maskQuotes(z.buf)
	sc.cands, sc.excs, sc.guards = sc.cands[:0], sc.excs[:0], sc.guards[:0]
	m.scan(sc)
	var out []Match
	if len(sc.cands) > 0 {
		out = m.resolve(sc, msg, blocks)
	}
	if cap(z.buf) <= maxPooledBuffer {
		m.pool.Put(sc)
	}
	return out
}

// scan runs the automaton (and any regexes) over the normalized text.
func (m *Matcher) scan(sc *scratch) {
	b := sc.z.buf
	a := m.ac
	tr := a.trans
	cl := &a.class
	s, out := uint32(0), a.outStart
	for i := 0; i < len(b); i++ {
		s = tr[s+uint32(cl[b[i]])]
		if s >= out {
			m.emit(sc, int32(s/a.stride), i+1)
		}
	}
	for _, rx := range m.regexes {
		for _, loc := range rx.re.FindAllIndex(b, maxCandidatesPerRule) {
			if loc[0] == loc[1] {
				continue
			}
			if wordBefore(b, loc[0]) && wordAfter(b, loc[0]) || wordAfter(b, loc[1]) && wordBefore(b, loc[1]) {
				continue
			}
			m.addCandidate(sc, rx.rule, loc[0], loc[1])
		}
	}
	// Reset only the counters this message touched: the cost of a message
	// must not grow with the number of rules.
	for _, c := range sc.cands {
		sc.count[c.rule] = 0
	}
	for _, c := range sc.excs {
		sc.ecount[c.rule] = 0
	}
}

// emit records every pattern that ends at state s, at normalized offset end.
func (m *Matcher) emit(sc *scratch, s int32, end int) {
	a := m.ac
	b := sc.z.buf
	for t := s; t >= 0; t = a.dict[t] {
		for _, pi := range a.ownPats[a.ownStart[t]:a.ownStart[t+1]] {
			p := &m.pats[pi]
			start := end - int(a.patLen[pi])
			if p.checkStart && wordBefore(b, start) || p.checkEnd && wordAfter(b, end) && (p.kind == kindPhrase || !possessiveAt(b, end)) {
				continue
			}
			switch p.kind {
			case kindPhrase:
				m.addCandidate(sc, p.rule, start, end)
			case kindUnless:
				if sc.ecount[p.rule] < maxCandidatesPerRule {
					sc.ecount[p.rule]++
					sc.excs = append(sc.excs, candidate{rule: p.rule, start: int32(start), end: int32(end)})
				}
			case kindGuard:
				if len(sc.guards) < maxGuards {
					sc.guards = append(sc.guards, candidate{rule: -1, start: int32(start), end: int32(end)})
				}
			}
		}
	}
}

func (m *Matcher) addCandidate(sc *scratch, rule int32, start, end int) {
	if sc.count[rule] >= maxCandidatesPerRule {
		return
	}
	sc.count[rule]++
	sc.cands = append(sc.cands, candidate{rule: rule, start: int32(start), end: int32(end)})
}

// resolve drops suppressed candidates, keeps each rule's first survivor and
// maps offsets back to the original text.
func (m *Matcher) resolve(sc *scratch, msg Message, blocks bool) []Match {
	c := sc.cands
	// insertion sort by (start, rule): few candidates, no allocation
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && (c[j].start < c[j-1].start || c[j].start == c[j-1].start && c[j].rule < c[j-1].rule); j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	var out []Match
	var plain string
	if blocks {
		plain = PlainText(msg.Blocks)
	} else {
		plain = msg.Text
	}
	for _, cd := range c {
		if sc.taken[cd.rule] || m.suppressed(sc, cd) {
			continue
		}
		sc.taken[cd.rule] = true
		start, end := sc.z.origStart(int(cd.start)), sc.z.origEnd(int(cd.end))
		if start < 0 || end > len(plain) || start > end {
			// cannot happen; keep the span inside the text regardless
			start, end = 0, 0
		}
		out = append(out, Match{Rule: &m.rs.Rules[cd.rule], Start: start, End: end, Text: plain[start:end]})
	}
	for _, cd := range c {
		sc.taken[cd.rule] = false
	}
	return out
}

// suppressed reports whether an exception of the candidate's rule occurs in
// its sentence, or a guard occurs in its sentence before it.
func (m *Matcher) suppressed(sc *scratch, cd candidate) bool {
	if len(sc.excs) == 0 && len(sc.guards) == 0 {
		return false
	}
	b := sc.z.buf
	ss := int(cd.start)
	for ss > 0 && !endsSentence(b[ss-1]) {
		ss--
	}
	se := int(cd.end)
	for se < len(b) && !endsSentence(b[se]) {
		se++
	}
	for _, e := range sc.excs {
		if e.rule == cd.rule && int(e.start) >= ss && int(e.end) <= se {
			return true
		}
	}
	for _, g := range sc.guards {
		if int(g.start) >= ss && g.end <= cd.start {
			return true
		}
	}
	return false
}

func endsSentence(c byte) bool {
	return c == '.' || c == '!' || c == '?' || c == '\n' || c == sepBlock
}

// Best returns the match whose tip the bot sends: the most severe, and
// among equals the first. ok is false when matches is empty.
func Best(matches []Match) (best Match, ok bool) {
	for i, mt := range matches {
		if i == 0 || mt.Rule.Severity > best.Rule.Severity {
			best = mt
		}
	}
	return best, len(matches) > 0
}

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
	kindReported
)

// maxParts bounds how many gap-separated parts one phrase may have.
const maxParts = 8

// chain is one compiled phrase, exception, guard or reported-speech marker:
// its parts are automaton patterns, found in order with bounded gaps.
type chain struct {
	kind patKind
	// rule is the rule's index (-1 for guards and markers).
	rule int32
	// text is the phrase as written (or the regex).
	text   string
	nparts uint8
	// gaps[i] is the most words allowed between part i and part i+1.
	gaps []uint8
	// slot is where part 0's recent hits live in the scratch slots.
	slot int32
	// effective judgements of a phrase
	mood      Mood
	questions Keep
	reported  Keep
	regex     *regexp.Regexp
}

// pattern is the payload of one automaton pattern: a variant of one part
// of one chain.
type pattern struct {
	chain int32
	part  uint8
	// clitic: the variant starts inside a contraction ("n't …").
	clitic clitic
	// checkStart/checkEnd: the pattern starts/ends with a word character,
	// so a Unicode word boundary is required there.
	checkStart, checkEnd bool
	// possessiveOK: a possessive 's may follow (exceptions and guards:
	// "nike" also excuses "Nike's").
	possessiveOK bool
}

// Matcher is a compiled rule set. It is safe for concurrent use and
// immutable: to change rules, compile a new Matcher and swap it in.
type Matcher struct {
	rs      *RuleSet
	ac      *automaton
	pats    []pattern
	chains  []chain
	regexes []int32 // chains that are regexes
	nSlots  int
	nPhrase int
	pool    sync.Pool
}

// candidate is a chain found complete during the scan, in normalized
// offsets.
type candidate struct {
	chain      int32
	start, end int32
}

// hit is a part found with its chain's start.
type hit struct{ start, end int32 }

// slotHits is how many recent hits of one part are remembered.
const slotHits = 4

// slot remembers the latest hits of one part of a gapped chain.
type slot struct {
	n    uint8
	hits [slotHits]hit
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
	z       normalizer
	cands   []candidate
	excs    []candidate
	guards  []candidate
	reports []candidate
	count   []uint8 // candidates per rule
	ecount  []uint8 // exceptions per rule
	taken   []bool
	slots   []slot
	touched []int32
}

// Compile builds the matcher for a validated rule set. It fails when two
// rules share a phrase variant, a phrase refers to an unknown set, or a
// regex does not compile.
func Compile(rs *RuleSet) (*Matcher, error) {
	m := &Matcher{rs: rs}
	x := newExpander(rs.Sets, false)
	var lits []string
	var errs ErrorList
	owner := map[string]int{}
	// addChain compiles one phrase into a chain and its patterns. dedupe
	// (phrases only) skips variants the rule already has and refuses
	// variants another rule has.
	addChain := func(ch chain, text string, pos Pos, what string, dedupe bool) {
		e, err := x.expand(text)
		if err == nil && len(e.parts) > maxParts {
			err = fmt.Errorf("has %d gaps; at most %d are allowed", len(e.parts)-1, maxParts-1)
		}
		if err != nil {
			errs = append(errs, &Error{Pos: pos, Msg: fmt.Sprintf("%s %q: %v", what, text, err)})
			return
		}
		ci := int32(len(m.chains))
		ch.text = text
		ch.nparts = uint8(len(e.parts))
		for _, g := range e.gaps {
			ch.gaps = append(ch.gaps, uint8(g))
		}
		if ch.nparts > 1 {
			ch.slot = int32(m.nSlots)
			m.nSlots += int(ch.nparts) - 1
		}
		single := dedupe && ch.nparts == 1
		reported := false
		for pi, part := range e.parts {
			for _, v := range part {
				if single {
					if o, dup := owner[v.text]; dup {
						if o != int(ch.rule) && !reported {
							reported = true
							r, other := &rs.Rules[ch.rule], &rs.Rules[o]
							errs = append(errs, &Error{Pos: pos, Msg: fmt.Sprintf("rule %s: phrase %q (as %q) is also a phrase of rule %s (at %s)", r.ID, text, v.text, other.ID, other.Pos)})
						}
						continue
					}
					owner[v.text] = int(ch.rule)
				}
				r := []rune(v.text)
				lits = append(lits, v.text)
				m.pats = append(m.pats, pattern{
					chain: ci, part: uint8(pi), clitic: v.clitic,
					checkStart:   isWordRune(r[0]),
					checkEnd:     isWordRune(r[len(r)-1]),
					possessiveOK: ch.kind != kindPhrase,
				})
			}
		}
		// a chain whose variants all belong to its rule already adds no
		// pattern; it is kept so chain indices stay in order
		m.chains = append(m.chains, ch)
	}
	for i := range rs.Rules {
		r := &rs.Rules[i]
		for _, ph := range r.Phrases {
			ch := chain{kind: kindPhrase, rule: int32(i), mood: effMood(ph.Mood, r.Mood), questions: effKeep(ph.Questions, r.Questions), reported: effKeep(KeepDefault, r.Reported)}
			addChain(ch, ph.Text, ph.Pos, "rule "+r.ID+": phrase", true)
		}
	}
	m.nPhrase = len(lits)
	for i := range rs.Rules {
		r := &rs.Rules[i]
		for _, u := range r.Unless {
			addChain(chain{kind: kindUnless, rule: int32(i)}, u, r.Pos, "rule "+r.ID+": unless", false)
		}
		for _, expr := range r.Regex {
			re, err := regexp.Compile(expr)
			if err != nil {
				errs = append(errs, &Error{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: regex %q: %v", r.ID, expr, err)})
				continue
			}
			m.regexes = append(m.regexes, int32(len(m.chains)))
			m.chains = append(m.chains, chain{kind: kindPhrase, rule: int32(i), text: expr, nparts: 1, regex: re,
				mood: effMood(MoodDefault, r.Mood), questions: effKeep(r.Questions, KeepDefault), reported: effKeep(r.Reported, KeepDefault)})
		}
	}
	for _, g := range rs.Defaults.UnlessPrecededBy {
		addChain(chain{kind: kindGuard, rule: -1}, g, Pos{File: "defaults"}, "unless_preceded_by", false)
	}
	for _, g := range rs.Defaults.ReportedSpeech {
		addChain(chain{kind: kindReported, rule: -1}, g, Pos{File: "defaults"}, "reported_speech", false)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	m.ac = buildAutomaton(lits)
	n := len(rs.Rules)
	slots := m.nSlots
	m.pool.New = func() any {
		return &scratch{count: make([]uint8, n), ecount: make([]uint8, n), taken: make([]bool, n), slots: make([]slot, slots)}
	}
	return m, nil
}

func effMood(phrase, rule Mood) Mood {
	switch {
	case phrase != MoodDefault:
		return phrase
	case rule != MoodDefault:
		return rule
	}
	return MoodAny
}

func effKeep(phrase, rule Keep) Keep {
	switch {
	case phrase != KeepDefault:
		return phrase
	case rule != KeepDefault:
		return rule
	}
	return Skip
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
// occurrence that the judgements keep), ordered by position and then by
// rule order. It allocates nothing when nothing matches.
func (m *Matcher) Match(msg Message) []Match {
	sc := m.pool.Get().(*scratch)
	blocks := m.prepare(sc, msg, false)
	var out []Match
	if len(sc.cands) > 0 {
		out = m.resolve(sc, msg, blocks)
	}
	m.release(sc)
	return out
}

// prepare normalizes msg into sc and scans it. reveal keeps code, quotes
// and quoted spans in the text (recording where they are) for Explain.
func (m *Matcher) prepare(sc *scratch, msg Message, reveal bool) (blocks bool) {
	z := &sc.z
	z.reset(z.buf)
	z.reveal = reveal
	blocks = hasRichText(msg.Blocks)
	if blocks {
		z.blocks(msg.Blocks)
	} else {
		z.mrkdwn(msg.Text)
	}
	z.maskQuotes()
	sc.cands, sc.excs, sc.guards, sc.reports = sc.cands[:0], sc.excs[:0], sc.guards[:0], sc.reports[:0]
	m.scan(sc)
	return blocks
}

func (m *Matcher) release(sc *scratch) {
	if cap(sc.z.buf) <= maxPooledBuffer {
		m.pool.Put(sc)
	}
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
	for _, ci := range m.regexes {
		for _, loc := range m.chains[ci].regex.FindAllIndex(b, maxCandidatesPerRule) {
			if loc[0] == loc[1] {
				continue
			}
			if wordBefore(b, loc[0]) && wordAfter(b, loc[0]) || wordAfter(b, loc[1]) && wordBefore(b, loc[1]) {
				continue
			}
			m.complete(sc, ci, loc[0], loc[1])
		}
	}
	// Reset only what this message touched: the cost of a message must
	// not grow with the number of rules.
	for _, c := range sc.cands {
		sc.count[m.chains[c.chain].rule] = 0
	}
	for _, c := range sc.excs {
		sc.ecount[m.chains[c.chain].rule] = 0
	}
	for _, t := range sc.touched {
		sc.slots[t].n = 0
	}
	sc.touched = sc.touched[:0]
}

// emit records every pattern that ends at state s, at normalized offset end.
func (m *Matcher) emit(sc *scratch, s int32, end int) {
	a := m.ac
	b := sc.z.buf
	for t := s; t >= 0; t = a.dict[t] {
		for _, pi := range a.ownPats[a.ownStart[t]:a.ownStart[t+1]] {
			p := &m.pats[pi]
			start := end - int(a.patLen[pi])
			if p.clitic != clitNone {
				var ok bool
				if start, ok = cliticFits(b, start, p.clitic); !ok {
					continue
				}
			} else if p.checkStart && wordBefore(b, start) {
				continue
			}
			if p.checkEnd && wordAfter(b, end) && !(p.possessiveOK && possessiveAt(b, end)) {
				continue
			}
			ch := &m.chains[p.chain]
			if ch.nparts == 1 {
				m.complete(sc, p.chain, start, end)
				continue
			}
			cs := start
			if p.part > 0 {
				prev := &sc.slots[ch.slot+int32(p.part)-1]
				found := false
				for k := int(prev.n) - 1; k >= 0; k-- {
					h := prev.hits[k]
					if int(h.end) <= start && gapFits(b, int(h.end), start, int(ch.gaps[p.part-1])) {
						cs, found = int(h.start), true
						break
					}
				}
				if !found {
					continue
				}
			}
			if p.part == ch.nparts-1 {
				m.complete(sc, p.chain, cs, end)
				continue
			}
			si := ch.slot + int32(p.part)
			sl := &sc.slots[si]
			if sl.n == 0 {
				sc.touched = append(sc.touched, si)
			}
			if sl.n == slotHits {
				copy(sl.hits[:], sl.hits[1:])
				sl.n--
			}
			sl.hits[sl.n] = hit{start: int32(cs), end: int32(end)}
			sl.n++
		}
	}
}

// complete records a chain found whole at start..end.
func (m *Matcher) complete(sc *scratch, ci int32, start, end int) {
	ch := &m.chains[ci]
	c := candidate{chain: ci, start: int32(start), end: int32(end)}
	switch ch.kind {
	case kindPhrase:
		if sc.count[ch.rule] < maxCandidatesPerRule {
			sc.count[ch.rule]++
			sc.cands = append(sc.cands, c)
		}
	case kindUnless:
		if sc.ecount[ch.rule] < maxCandidatesPerRule {
			sc.ecount[ch.rule]++
			sc.excs = append(sc.excs, c)
		}
	case kindGuard:
		if len(sc.guards) < maxGuards {
			sc.guards = append(sc.guards, c)
		}
	case kindReported:
		if len(sc.reports) < maxGuards {
			sc.reports = append(sc.reports, c)
		}
	}
}

// sortCandidates orders candidates by (start, rule): few candidates, no
// allocation.
func (m *Matcher) sortCandidates(c []candidate) {
	less := func(x, y candidate) bool {
		if x.start != y.start {
			return x.start < y.start
		}
		return m.chains[x.chain].rule < m.chains[y.chain].rule
	}
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && less(c[j], c[j-1]); j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
}

// resolve drops candidates the judgements reject, keeps each rule's first
// survivor and maps offsets back to the original text.
func (m *Matcher) resolve(sc *scratch, msg Message, blocks bool) []Match {
	c := sc.cands
	m.sortCandidates(c)
	var out []Match
	plain := sourceText(msg, blocks)
	for _, cd := range c {
		rule := m.chains[cd.chain].rule
		if sc.taken[rule] {
			continue
		}
		if v, _ := m.judge(sc, cd); v != kept {
			continue
		}
		sc.taken[rule] = true
		start, end := sc.z.span(cd, len(plain))
		out = append(out, Match{Rule: &m.rs.Rules[rule], Start: start, End: end, Text: plain[start:end]})
	}
	for _, cd := range c {
		sc.taken[m.chains[cd.chain].rule] = false
	}
	return out
}

// sourceText is the text match offsets index.
func sourceText(msg Message, blocks bool) string {
	if blocks {
		return PlainText(msg.Blocks)
	}
	return msg.Text
}

// span maps a candidate's normalized offsets to the original text.
func (z *normalizer) span(cd candidate, n int) (int, int) {
	start, end := z.origStart(int(cd.start)), z.origEnd(int(cd.end))
	if start < 0 || end > n || start > end {
		// cannot happen; keep the span inside the text regardless
		return 0, 0
	}
	return start, end
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

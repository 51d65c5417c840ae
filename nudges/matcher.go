package nudges

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
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

// maxParts bounds how many parts (between …N gaps and cuts) one phrase may
// have.
const maxParts = 32

// chain is one compiled phrase, exception, guard or reported-speech marker:
// its parts are automaton patterns, found in order with bounded gaps.
type chain struct {
	kind patKind
	// rule is the rule's index (-1 for guards and markers).
	rule int32
	// text is the phrase as written (or the regex).
	text   string
	nparts uint8
	// gaps[i] is the most words allowed between part i and part i+1
	// (gapAdjacent: right next to each other).
	gaps []uint8
	// classes[i] is the part class of part i.
	classes []int32
	// effective judgements of a phrase
	mood      Mood
	questions Keep
	reported  Keep
	jokes     Keep
	regex     *regexp.Regexp
}

// pattern is the payload of one automaton pattern: one distinct literal,
// and the part classes it belongs to.
type pattern struct {
	// clitic: the literal starts inside a contraction ("n't …").
	clitic clitic
	// checkStart/checkEnd: the literal starts/ends with a word character,
	// so a Unicode word boundary is required there.
	checkStart, checkEnd bool
	// possessiveOK: a possessive 's may follow (exceptions and guards:
	// "nike" also excuses "Nike's").
	possessiveOK bool
	classes      []int32
}

// layer is one automaton and the payloads of its patterns.
type layer struct {
	ac   *automaton
	pats []pattern
	// report[reportAt[s]:reportAt[s+1]] is what a hit at state s
	// reports, in one contiguous run (a hit costs one or two cache
	// misses, not one per table): empty when s ends no pattern, else for
	// each pattern s ends, its own then along its dictionary chain, the
	// pattern's byte length, a header (the rep* flags, and the count of
	// classes in the low 24 bits) and its part classes.
	reportAt []uint32
	report   []uint32
	// needs[gate[s]] is state s's need: which recorded classes a hit there
	// can use. A state that ends only later parts of chains is worth
	// checking only when a class that comes before one of them was hit
	// nearby. gate[s] is needAll when some pattern s ends starts a chain
	// (or starts inside a contraction). States share needs, so the table
	// is small and the test costs no cache miss; most hits stop there.
	gate  []uint32
	needs []classMask
}

// Flags in a report's pattern header (the clitic is bits 24-25).
const (
	repCliticShift = 24
	repCheckStart  = 1 << 26
	repCheckEnd    = 1 << 27
	repPossessive  = 1 << 28
	repCountMask   = 1<<24 - 1
)

// classMask is a set of part classes, hashed to maskBits bits: need and
// armed masks. Wide enough that the few classes recorded in a sentence
// rarely share a bit with a state's need by chance (at 64 bits, four hits
// in five that passed the test were such chances on chat text).
type classMask [maskBits / 64]uint64

const (
	maskBits = 256
	// needAll is the gate of a state that ends a chain's first part:
	// every hit there counts.
	needAll = 0
)

// add puts class ci in the mask.
func (k *classMask) add(ci int32) {
	b := uint32(ci) % maskBits
	k[b/64] |= 1 << (b % 64)
}

// has reports whether class ci may be in the mask. A class recorded since
// armed was last cleared is; one that is not has no hit a later part can
// use (armed is cleared only when a sentence ends or the hits are too far
// behind), so a slot need not be read for it.
func (k *classMask) has(ci int32) bool {
	b := uint32(ci) % maskBits
	return k[b/64]&(1<<(b%64)) != 0
}

// meets reports whether the two masks share a class.
func (k *classMask) meets(need *classMask) bool {
	return k[0]&need[0]|k[1]&need[1]|k[2]&need[2]|k[3]&need[3] != 0
}

// partClass is one distinct list of variants that some chains use as a
// part ("{$explain}" in twenty phrases is one class): its hits are
// recorded once, and the chains that end with it are tried when it is hit.
type partClass struct {
	// record: some chain uses the class before its last part, so hits are
	// remembered for the chains tried later.
	record bool
	// free: some chain starts with the class. Otherwise a hit matters only
	// when one of prevs (the classes that come right before it in some
	// chain) was hit already, which one test per prev tells.
	free  bool
	prevs []int32
	// last are the chains whose last part is this class, grouped by the
	// class of their part before it (-1: one-part chains), so a group whose
	// earlier part was not seen is skipped with one test.
	last []lastGroup
}

// lastGroup is the chains that end with one class and have the same class
// before it.
type lastGroup struct {
	prev   int32
	chains []int32
}

// Matcher is a compiled rule set. It is safe for concurrent use and
// immutable: to change rules, compile a new Matcher and swap it in.
type Matcher struct {
	rs *RuleSet
	// layers[0] finds the rules' phrases; layers[1] the exceptions,
	// guards and reported-speech markers, run only over the sentences in
	// which a phrase was found (most messages have none).
	layers  [2]layer
	classes []partClass
	chains  []chain
	regexes []int32 // chains that are regexes
	pool    sync.Pool
}

// candidate is a chain found complete during the scan, in normalized
// offsets.
type candidate struct {
	chain      int32
	start, end int32
}

// hit is where a literal of a part class was found.
type hit struct{ start, end int32 }

// slotHits is how many recent hits of one part class are remembered. The
// chains that use a class are tried as soon as their last part is hit, so
// the hits they need are recent ones.
const slotHits = 8

// slot remembers the latest hits of one part class.
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
	// hits are the states ending a pattern that a walk reached.
	hits []hitAt
	// armed has every class recorded lately (hashed, see classMask): a superset
	// of the classes with a hit near enough to count (see runRange);
	// armedEnd is the end of the latest recorded hit, and no sentence ends
	// in b[armedEnd:calm].
	armed    classMask
	armedEnd int
	calm     int
}

// Compile builds the matcher for a validated rule set. Every phrase,
// exception, guard and reported-speech marker becomes a chain of parts (its
// …N gaps, and cuts made where a part would multiply out to more than
// splitAbove variants); identical parts are one class, found once. It fails
// when two rules share a one-part phrase variant, a phrase refers to an
// unknown set, or a regex does not compile.
func Compile(rs *RuleSet) (*Matcher, error) {
	m := &Matcher{rs: rs}
	x := newExpander(rs.Sets, false).from(rs.checked)
	var lits [2][]string
	var tails [2][]bool
	var errs ErrorList
	// distinct literals and distinct part classes
	type litKey struct {
		text         string
		clitic       clitic
		possessiveOK bool
	}
	litIndex := make(map[litKey]int32, 1<<14) // the built-in rules have ~21k
	classIndex := map[string]int32{}
	// owner: which rule a whole one-part phrase variant belongs to
	owner := map[string]int{}
	classOf := func(vs []variant, possessiveOK bool) int32 {
		var key strings.Builder
		if possessiveOK {
			key.WriteString("p")
		}
		for _, v := range vs {
			key.WriteByte(byte('0' + v.clitic))
			key.WriteString(v.text)
			key.WriteByte(0)
		}
		if ci, ok := classIndex[key.String()]; ok {
			return ci
		}
		ci := int32(len(m.classes))
		classIndex[key.String()] = ci
		m.classes = append(m.classes, partClass{})
		// phrases go to the first layer, the context (exceptions, guards,
		// markers: the kinds that accept a possessive) to the second
		L := 0
		if possessiveOK {
			L = 1
		}
		ly := &m.layers[L]
		for _, v := range vs {
			lk := litKey{v.text, v.clitic, possessiveOK}
			li, ok := litIndex[lk]
			if !ok {
				li = int32(len(lits[L]))
				litIndex[lk] = li
				lits[L] = append(lits[L], v.text)
				r0, _ := utf8.DecodeRuneInString(v.text)
				rn, _ := utf8.DecodeLastRuneInString(v.text)
				ly.pats = append(ly.pats, pattern{clitic: v.clitic, checkStart: isWordRune(r0), checkEnd: isWordRune(rn), possessiveOK: possessiveOK})
				tails[L] = append(tails[L], v.clitic == clitAux)
			}
			ly.pats[li].classes = append(ly.pats[li].classes, ci)
		}
		return ci
	}
	// addChain compiles one phrase into a chain. dedupe (phrases only)
	// drops variants of a one-part phrase the rule already has and
	// refuses variants another rule has.
	addChain := func(ch chain, text string, pos Pos, what string, dedupe bool) {
		e, err := x.expand(text)
		if err == nil && len(e.parts) > maxParts {
			err = fmt.Errorf("has %d parts after splitting; at most %d are allowed (fewer gaps or sets)", len(e.parts), maxParts)
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
		if dedupe && len(e.parts) == 1 {
			var keep []variant
			reported := false
			for _, v := range e.parts[0] {
				if o, dup := owner[v.text]; dup {
					if o != int(ch.rule) && !reported {
						reported = true
						r, other := &rs.Rules[ch.rule], &rs.Rules[o]
						errs = append(errs, &Error{Pos: pos, Msg: fmt.Sprintf("rule %s: phrase %q (as %q) is also a phrase of rule %s (at %s)", r.ID, text, v.text, other.ID, other.Pos)})
					}
					continue
				}
				owner[v.text] = int(ch.rule)
				keep = append(keep, v)
			}
			if len(keep) == 0 {
				return
			}
			e.parts = [][]variant{keep} // e is shared with the memo: replace, never modify
		}
		possessiveOK := ch.kind != kindPhrase
		for i, part := range e.parts {
			cl := classOf(part, possessiveOK)
			ch.classes = append(ch.classes, cl)
			c := &m.classes[cl]
			if i < len(e.parts)-1 {
				c.record = true
			}
			if i == 0 {
				c.free = true
			} else if pc := ch.classes[i-1]; !slices.Contains(c.prevs, pc) {
				c.prevs = append(c.prevs, pc)
			}
		}
		prev := int32(-1)
		if n := len(ch.classes); n > 1 {
			prev = ch.classes[n-2]
		}
		lc := &m.classes[ch.classes[len(ch.classes)-1]]
		gi := -1
		for g := range lc.last {
			if lc.last[g].prev == prev {
				gi = g
			}
		}
		if gi < 0 {
			gi = len(lc.last)
			lc.last = append(lc.last, lastGroup{prev: prev})
		}
		lc.last[gi].chains = append(lc.last[gi].chains, ci)
		m.chains = append(m.chains, ch)
	}
	for i := range rs.Rules {
		r := &rs.Rules[i]
		for _, ph := range r.Phrases {
			ch := chain{kind: kindPhrase, rule: int32(i), mood: effMood(ph.Mood, r.Mood), questions: effKeep(ph.Questions, r.Questions), reported: effKeep(KeepDefault, r.Reported), jokes: effKeep(KeepDefault, r.Jokes)}
			addChain(ch, ph.Text, ph.Pos, "rule "+r.ID+": phrase", true)
		}
	}
	// The phrases' literals are all in (the rest go to the other layer):
	// their automaton, the larger, is built while the rest are expanded.
	var phraseLayer sync.WaitGroup
	phraseLayer.Add(1)
	go func() {
		defer phraseLayer.Done()
		m.layers[0].ac = buildAutomaton(lits[0], tails[0])
	}()
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
				mood: effMood(MoodDefault, r.Mood), questions: effKeep(r.Questions, KeepDefault), reported: effKeep(r.Reported, KeepDefault), jokes: effKeep(r.Jokes, KeepDefault)})
		}
	}
	for _, g := range rs.Defaults.UnlessPrecededBy {
		addChain(chain{kind: kindGuard, rule: -1}, g, Pos{File: "defaults"}, "unless_preceded_by", false)
	}
	for _, g := range rs.Defaults.ReportedSpeech {
		addChain(chain{kind: kindReported, rule: -1}, g, Pos{File: "defaults"}, "reported_speech", false)
	}
	if len(errs) > 0 {
		phraseLayer.Wait()
		return nil, errs
	}
	// the context layer's automaton beside the phrase layer's; reports
	// read every class, so they wait for all the expansions
	var context sync.WaitGroup
	context.Add(1)
	go func() {
		defer context.Done()
		m.layers[1].ac = buildAutomaton(lits[1], tails[1])
		m.reports(&m.layers[1])
	}()
	phraseLayer.Wait()
	m.reports(&m.layers[0])
	context.Wait()
	n := len(rs.Rules)
	nc := len(m.classes)
	m.pool.New = func() any {
		return &scratch{count: make([]uint8, n), ecount: make([]uint8, n), taken: make([]bool, n), slots: make([]slot, nc)}
	}
	return m, nil
}

// reports builds ly.reportAt and ly.report (see layer).
func (m *Matcher) reports(ly *layer) {
	a := ly.ac
	// each pattern's need: the classes one of its part classes follows
	need := make([]classMask, len(ly.pats))
	all := make([]bool, len(ly.pats))
	for pi := range ly.pats {
		if ly.pats[pi].clitic != clitNone {
			// its hit starts at the word before, however long
			all[pi] = true
			continue
		}
		for _, ci := range ly.pats[pi].classes {
			cl := &m.classes[ci]
			if cl.free {
				all[pi] = true
				break
			}
			for _, pc := range cl.prevs {
				need[pi].add(pc)
			}
		}
	}
	n := len(a.dict)
	ly.reportAt = make([]uint32, n+1)
	ly.gate = make([]uint32, n)
	ly.needs = []classMask{{}} // needs[needAll] is never read
	needIndex := map[classMask]uint32{}
	size := 0
	for s := range n {
		if a.ownStart[s+1] == a.ownStart[s] && a.dict[s] < 0 {
			continue
		}
		for t := int32(s); t >= 0; t = a.dict[t] {
			for _, pi := range a.ownPats[a.ownStart[t]:a.ownStart[t+1]] {
				size += 2 + len(ly.pats[pi].classes)
			}
		}
	}
	rep := make([]uint32, 0, size)
	for s := range n {
		ly.reportAt[s] = uint32(len(rep))
		if a.ownStart[s+1] == a.ownStart[s] && a.dict[s] < 0 {
			continue
		}
		var sn classMask
		sAll := false
		for t := int32(s); t >= 0; t = a.dict[t] {
			for _, pi := range a.ownPats[a.ownStart[t]:a.ownStart[t+1]] {
				p := &ly.pats[pi]
				for w := range sn {
					sn[w] |= need[pi][w]
				}
				if all[pi] {
					sAll = true
				}
				hdr := uint32(len(p.classes)) | uint32(p.clitic)<<repCliticShift
				if p.checkStart {
					hdr |= repCheckStart
				}
				if p.checkEnd {
					hdr |= repCheckEnd
				}
				if p.possessiveOK {
					hdr |= repPossessive
				}
				rep = append(rep, uint32(a.patLen[pi]), hdr)
				for _, ci := range p.classes {
					rep = append(rep, uint32(ci))
				}
			}
		}
		if !sAll {
			g, ok := needIndex[sn]
			if !ok {
				g = uint32(len(ly.needs))
				needIndex[sn] = g
				ly.needs = append(ly.needs, sn)
			}
			ly.gate[s] = g
		}
	}
	ly.reportAt[n] = uint32(len(rep))
	ly.report = rep
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
	// Rules, Patterns and States count the rules, the distinct literals
	// and the automaton states; Classes is the automaton's alphabet (the
	// rules' distinct words and boundary bytes).
	Rules, Patterns, States, Classes int
	// Bytes estimates the memory held by the automaton.
	Bytes int
}

// Stats returns the size of the compiled automaton.
func (m *Matcher) Stats() Stats {
	st := Stats{Rules: len(m.rs.Rules)}
	for _, ly := range m.layers {
		st.Patterns += len(ly.pats)
		st.States += len(ly.ac.dict)
		st.Classes = max(st.Classes, int(ly.ac.stride))
		st.Bytes += ly.ac.sizeBytes()
	}
	return st
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
	z.terminate()
	sc.cands, sc.excs, sc.guards, sc.reports = sc.cands[:0], sc.excs[:0], sc.guards[:0], sc.reports[:0]
	m.scan(sc)
	return blocks
}

func (m *Matcher) release(sc *scratch) {
	if cap(sc.z.buf) <= maxPooledBuffer {
		m.pool.Put(sc)
	}
}

// scan runs the phrase automaton (and any regexes) over the normalized
// text, and when a phrase was found, the context automaton (exceptions,
// guards, reported speech) too.
func (m *Matcher) scan(sc *scratch) {
	m.run(sc, &m.layers[0])
	for _, ci := range m.regexes {
		b := sc.z.buf
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
	if len(sc.cands) > 0 {
		m.runContext(sc)
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
	sc.armed, sc.armedEnd, sc.calm = classMask{}, 0, 0
}

// runContext runs the context layer over the sentences that hold a
// phrase candidate, and nowhere else: exceptions count in the candidate's
// sentence, guards and markers before it in the sentence.
func (m *Matcher) runContext(sc *scratch) {
	b := sc.z.buf
	m.sortCandidates(sc.cands)
	done := 0
	for _, cd := range sc.cands {
		ss := max(sentenceStart(b, int(cd.start)), done)
		se := sentenceEnd(b, int(cd.end))
		if se < len(b) {
			se++ // the sentence's last character ("?") too
		}
		if ss < se {
			m.runRange(sc, &m.layers[1], ss, se)
			done = se
		}
	}
}

// run runs one layer's automaton over the normalized text.
func (m *Matcher) run(sc *scratch, ly *layer) {
	m.runRange(sc, ly, 0, len(sc.z.buf))
}

// runRange runs one layer's automaton over b[from:to], starting as after a
// word boundary: patterns that end in the range and start in it are found.
func (m *Matcher) runRange(sc *scratch, ly *layer, from, to int) {
	a := ly.ac
	sc.hits = a.walk(sc.z.buf, from, to, sc.hits[:0])
	for _, h := range sc.hits {
		// The gate: a hit that can only follow the classes in its
		// state's need, and starts at from or later, is bound to be
		// dropped when none of those classes was hit recently enough, or
		// a sentence ended since (no gap crosses one); the recorded
		// classes are forgotten when no hit can follow them any more.
		// Cheap and conservative: emit decides. (Written out here: as a
		// function it would not be inlined.)
		if g := ly.gate[h.state]; g != needAll {
			if from := int(h.end) - a.maxLen; from-sc.armedEnd > maxGapBytes {
				sc.armed = classMask{}
				continue
			} else if !sc.armed.meets(&ly.needs[g]) || sentenceSince(sc, from) {
				continue
			}
		}
		m.emit(sc, ly.report[ly.reportAt[h.state]:ly.reportAt[h.state+1]], int(h.end))
	}
}

// sentenceSince reports whether a sentence ended between the latest
// recorded hit and from, and if so forgets the recorded classes. Each byte
// is looked at once (calm only grows). A line break right after the hit
// does not count: parts may be adjacent across it.
func sentenceSince(sc *scratch, from int) bool {
	b := sc.z.buf
	for p := max(sc.armedEnd, sc.calm); p < from; p++ {
		if endsSentenceAt(b, p) && !(b[p] == '\n' && p == sc.armedEnd) {
			sc.armed = classMask{}
			return true
		}
	}
	sc.calm = max(sc.calm, from)
	return false
}

// emit records every literal of a state's report (rep) that ends at
// normalized offset end: a hit for each of its part
// classes, and a try of each chain that ends with one of them.
func (m *Matcher) emit(sc *scratch, rep []uint32, end int) {
	b := sc.z.buf
	for k := 0; k < len(rep); {
		start := end - int(rep[k])
		hdr := rep[k+1]
		classes := rep[k+2 : k+2+int(hdr&repCountMask)]
		k += 2 + len(classes)
		// word boundaries first, with an ASCII fast path: most hits of a
		// short literal are inside longer words
		if cl := clitic(hdr >> repCliticShift & 3); cl != clitNone {
			var ok bool
			if start, ok = cliticFits(b, start, cl); !ok {
				continue
			}
		} else if hdr&repCheckStart != 0 && start > 0 {
			if c := b[start-1]; asciiWord[c] || (c == '\'' || c >= utf8.RuneSelf) && wordBefore(b, start) {
				continue
			}
		}
		if hdr&repCheckEnd != 0 && end < len(b) {
			if c := b[end]; asciiWord[c] || (c == '\'' || c >= utf8.RuneSelf) && wordAfter(b, end) && !(hdr&repPossessive != 0 && possessiveAt(b, end)) {
				continue
			}
		}
		for _, c := range classes {
			ci := int32(c)
			cl := &m.classes[ci]
			if !m.classLive(sc, cl, start) {
				continue
			}
			if cl.record {
				sl := &sc.slots[ci]
				if sl.n == 0 {
					sc.touched = append(sc.touched, ci)
				}
				if sl.n == slotHits {
					copy(sl.hits[:], sl.hits[1:])
					sl.n--
				}
				sl.hits[sl.n] = hit{start: int32(start), end: int32(end)}
				sl.n++
				sc.armed.add(ci)
				sc.armedEnd = end
			}
			for g := range cl.last {
				grp := &cl.last[g]
				if grp.prev >= 0 && !(sc.armed.has(grp.prev) && sc.slots[grp.prev].near(start)) {
					continue
				}
				for _, chi := range grp.chains {
					m.try(sc, chi, start, end)
				}
			}
		}
	}
}

// asciiWord marks the ASCII bytes that are word characters (the
// normalized text is lower case).
var asciiWord = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['_'] = true
	return t
}()

// classLive reports whether a hit of cl at start could matter: it starts
// a chain, or follows near enough a class already hit.
func (m *Matcher) classLive(sc *scratch, cl *partClass, start int) bool {
	if cl.free {
		return true
	}
	for _, pc := range cl.prevs {
		if sc.armed.has(pc) && sc.slots[pc].near(start) {
			return true
		}
	}
	return false
}

// maxGapBytes is the farthest a part may end before the next one starts:
// gapFits allows at most 48 bytes a word.
const maxGapBytes = 48 * (maxGap + 1)

// near reports whether the slot's latest hit ends close enough before
// start for some gap to bridge (in a long text, earlier parts are hit
// everywhere; only the recent ones count).
func (sl *slot) near(start int) bool {
	return sl.n > 0 && start-int(sl.hits[sl.n-1].end) <= maxGapBytes
}

// try completes chain chi whose last part was just found at start..end,
// looking back through the recent hits of its earlier parts: each must end
// before the next starts, within the allowed gap. Closer hits are tried
// first; a dead end backtracks (within a small budget of steps).
func (m *Matcher) try(sc *scratch, chi int32, start, end int) {
	ch := &m.chains[chi]
	if ch.nparts == 1 {
		m.complete(sc, chi, start, end)
		return
	}
	// every earlier part needs a hit near enough, so its class is armed
	// (see classMask.has): a bit test each, no slot read; most tries stop
	// here
	for _, ci := range ch.classes[:ch.nparts-1] {
		if !sc.armed.has(ci) {
			return
		}
	}
	budget := maxTrySteps
	if s := m.back(sc, ch, int(ch.nparts)-2, start, &budget); s >= 0 {
		m.complete(sc, chi, s, end)
	}
}

// maxTrySteps bounds the backtracking of one try.
const maxTrySteps = 64

// back finds hits for parts k, k-1, …, 0 of ch that end before next, and
// returns where part 0 starts (-1: none).
func (m *Matcher) back(sc *scratch, ch *chain, k, next int, budget *int) int {
	sl := &sc.slots[ch.classes[k]]
	for j := int(sl.n) - 1; j >= 0; j-- {
		if *budget--; *budget < 0 {
			return -1
		}
		h := sl.hits[j]
		if int(h.end) > next {
			continue
		}
		if !gapFits(sc.z.buf, int(h.end), next, int(ch.gaps[k])) {
			break // hits are in text order: an older one is farther still
		}
		if k == 0 {
			return int(h.start)
		}
		if s := m.back(sc, ch, k-1, int(h.start), budget); s >= 0 {
			return s
		}
	}
	return -1
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

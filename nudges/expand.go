package nudges

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// maxExpansions bounds how many literal variants one part of a phrase (the
// words between two gaps) may stand for, after {a|b} alternatives, sets,
// word forms and contraction forms are multiplied out.
const maxExpansions = 4096

// maxGap is the largest N a …N gap may allow.
const maxGap = 8

// clitic says what must come right before a variant that starts with a
// contracted form ("n't up for discussion" inside "isn't up for
// discussion"): such a variant starts inside a word.
type clitic uint8

const (
	clitNone clitic = iota
	// clitWord: any word ("that's", "it'll", "we've").
	clitWord
	// clitI: the word "i" ("i'm").
	clitI
	// clitAux: an auxiliary stem ("is", "do", "ca", "wo"…) for "n't"/"nt".
	clitAux
)

// variant is one literal a phrase part stands for, normalized.
type variant struct {
	text   string
	clitic clitic
}

// expansion is what one phrase stands for: its parts' variants, and the
// largest number of other words allowed between consecutive parts.
type expansion struct {
	parts [][]variant
	gaps  []int
}

// PhraseExpansion is one phrase multiplied out, for people debugging rules
// (`leadnudge rules list --expand`).
type PhraseExpansion struct {
	// Phrase is the phrase as written.
	Phrase string
	// Parts are the literal variants of each part of the phrase, in order;
	// a variant starting with a clitic ("n't …", "'s …") matches inside
	// a contraction ("isn't …", "that's …").
	Parts [][]string
	// Gaps[i] is how many other words may stand between Parts[i] and
	// Parts[i+1].
	Gaps []int
}

// Expand multiplies out every phrase, exception and guard of r against the
// rule set's sets.
func (rs *RuleSet) Expand(r *Rule) ([]PhraseExpansion, error) {
	x := newExpander(rs.Sets, false)
	var out []PhraseExpansion
	add := func(ph string) error {
		e, err := x.expand(ph)
		if err != nil {
			return fmt.Errorf("%q: %w", ph, err)
		}
		pe := PhraseExpansion{Phrase: ph, Gaps: e.gaps}
		for _, part := range e.parts {
			texts := make([]string, len(part))
			for i, v := range part {
				texts[i] = v.text
			}
			pe.Parts = append(pe.Parts, texts)
		}
		out = append(out, pe)
		return nil
	}
	for _, ph := range r.Phrases {
		if err := add(ph.Text); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// expander multiplies phrases out. It is built once per rules file (or per
// Compile) so the contraction index and the sets are looked up, not rebuilt.
type expander struct {
	sets map[string][]string
	// lenient: a reference to a set the file does not define is accepted
	// (a file that extends builtin may use the built-in sets; Layer checks
	// them against the merged sets).
	lenient bool
	cx      contractionIndex
	// phrases, parts and setAlts memoize: the same part ("{$explain}
	// myself") and the same set turn up in many phrases, and Compile
	// expands again what ParseRules checked. Memoized expansions are shared:
	// callers must not modify them.
	phrases map[string]expansion
	parts   map[string][]variant
	setAlts map[string][]string
	z       normalizer
}

func newExpander(sets []Set, lenient bool) *expander {
	x := &expander{sets: make(map[string][]string, len(sets)), lenient: lenient, cx: contractions(),
		phrases: map[string]expansion{}, parts: map[string][]variant{}, setAlts: map[string][]string{}}
	for _, s := range sets {
		x.sets[s.Name] = append(x.sets[s.Name], s.Members...)
	}
	return x
}

// from seeds x with the memoized expansions of frozen, an expander nobody
// changes any more, when both expand the same way (same sets, neither
// lenient), and returns x. Only frozen's maps are read, so any number of
// goroutines may start from the same one.
func (x *expander) from(frozen *expander) *expander {
	if frozen == nil || frozen.lenient || x.lenient ||
		!maps.EqualFunc(x.sets, frozen.sets, func(a, b []string) bool { return slices.Equal(a, b) }) {
		return x
	}
	x.phrases = maps.Clone(frozen.phrases)
	x.parts = maps.Clone(frozen.parts)
	x.setAlts = maps.Clone(frozen.setAlts)
	return x
}

// check validates a phrase as written in a rules file.
func (x *expander) check(ph string) error {
	if err := checkText(ph); err != nil {
		return err
	}
	_, err := x.expand(ph)
	return err
}

func checkText(ph string) error {
	if !utf8.ValidString(ph) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range ph {
		if unicode.IsControl(r) && r != '\t' {
			return fmt.Errorf("contains the control character %U", r)
		}
	}
	return nil
}

// checkSetMember validates one member of a set: words, {a|b} and ~forms,
// but no set references and no gaps. bare is an expander without sets.
func checkSetMember(bare *expander, m string) error {
	if err := checkText(m); err != nil {
		return err
	}
	if strings.Contains(m, "$") {
		return errors.New("a set member cannot refer to a set")
	}
	parts, _, err := splitGaps(m)
	if err != nil {
		return err
	}
	if len(parts) > 1 {
		return errors.New("a set member cannot hold a gap")
	}
	_, err = bare.expand(m)
	return err
}

// expand multiplies a phrase out into its parts' variants. The result is
// memoized and shared: do not modify it.
func (x *expander) expand(ph string) (expansion, error) {
	if e, ok := x.phrases[ph]; ok {
		return e, nil
	}
	e, err := x.expandNew(ph)
	if err == nil {
		x.phrases[ph] = e
	}
	return e, err
}

func (x *expander) expandNew(ph string) (expansion, error) {
	parts, gaps, err := splitGaps(ph)
	if err != nil {
		return expansion{}, err
	}
	var e expansion
	for i, part := range parts {
		subs, err := x.splitPart(part)
		if err != nil {
			return expansion{}, err
		}
		for j, sp := range subs {
			vs, err := x.part(sp)
			if err != nil {
				return expansion{}, err
			}
			switch {
			case j > 0:
				e.gaps = append(e.gaps, gapAdjacent)
			case i > 0:
				e.gaps = append(e.gaps, gaps[i-1])
			}
			e.parts = append(e.parts, vs)
		}
	}
	return e, nil
}

// gapAdjacent is the gap between the pieces of a part split by splitPart:
// nothing but one space (or line break) between them.
const gapAdjacent = 0

// splitAbove is how many variants a part may have before splitPart cuts it
// into adjacent pieces. Each piece is its own set of automaton patterns and
// the pieces are joined by position after the scan, so a phrase like
// "{$a} {$b} {$c}" costs |a|+|b|+|c| patterns instead of |a|×|b|×|c|.
const splitAbove = 16

// splitPart cuts a part (words between two …N gaps) into adjacent pieces
// when multiplying it out would give more than splitAbove variants. It cuts
// only between words, never inside a {…} group, never next to a group
// that can be empty, and never inside a two-word contraction ("do not").
func (x *expander) splitPart(part string) ([]string, error) {
	tokens := topLevelWords(part)
	if len(tokens) < 2 {
		return []string{part}, nil
	}
	type tok struct {
		text        string
		n           int
		canEmpty    bool
		common      bool     // every alternative is only function words
		first, last []string // first and last words of the alternatives
	}
	ts := make([]tok, len(tokens))
	total := 1
	for i, t := range tokens {
		alts, err := expandBraces(t, x.resolveSet)
		if err != nil {
			return nil, err
		}
		tk := tok{text: t, n: len(alts), common: true}
		for _, a := range alts {
			a = strings.TrimSpace(a)
			if a == "" || !hasWordRune(a) {
				// an optional word, or punctuation: it cannot stand
				// alone, so no cut next to it
				tk.canEmpty = true
				continue
			}
			ws := strings.Fields(strings.ToLower(a))
			tk.first = append(tk.first, ws[0])
			tk.last = append(tk.last, ws[len(ws)-1])
			for _, w := range ws {
				if !functionWords[strings.Trim(w, ",.;:!?")] {
					tk.common = false
				}
			}
			if strings.Contains(a, "~") {
				tk.n += 3 // forms: a rough count is enough to decide
			}
		}
		ts[i] = tk
		total *= max(tk.n, 1)
		if total > 1<<30 {
			total = 1 << 30
		}
	}
	if total <= splitAbove {
		return []string{part}, nil
	}
	// A piece of nothing but function words ("to you", "it") would be
	// found in almost every message: such pieces stay joined to a
	// neighbour, so every piece has a word that is rarely typed.
	rare := func(from, to int) bool {
		for k := from; k < to; k++ {
			if !ts[k].common {
				return true
			}
		}
		return false
	}
	var cuts []int
	start, prod := 0, ts[0].n
	for i := 1; i < len(ts); i++ {
		t := ts[i]
		canCut := !t.canEmpty && !ts[i-1].canEmpty && !x.contractsAcross(ts[i-1].last, t.first)
		if canCut && prod*t.n > splitAbove && rare(start, i) && rare(i, len(ts)) {
			cuts = append(cuts, i)
			start, prod = i, 1
		}
		prod *= t.n
	}
	// the last piece must have a rare word too: else undo the last cut
	if k := len(cuts); k > 0 && !rare(cuts[k-1], len(ts)) {
		cuts = cuts[:k-1]
	}
	var out []string
	from := 0
	for _, c := range append(cuts, len(ts)) {
		words := make([]string, 0, c-from)
		for k := from; k < c; k++ {
			words = append(words, ts[k].text)
		}
		out = append(out, strings.Join(words, " "))
		from = c
	}
	return out, nil
}

// functionWords are the words so common in chat that a phrase piece made
// only of them would be found in nearly every message.
var functionWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`i me my mine you your yours we us our he him his she her they them their it its
		it's this that these those the a an to of in on at by for with from as about into over and or but so if
		then than not no is are was were be been being am do does did don't doesn't didn't have has had
		will would can could should shall may might must i'm i've i'll i'd you're you've you'll we're
		we'll they're that's there's what's who's just all any some every each one ok okay`) {
		m[w] = true
	}
	return m
}()

// contractsAcross reports whether some last word before a cut and first
// word after it form a two-word contraction ("do" + "not", "i" + "am"), or
// the word after it is a clitic ("'s"): the cut would lose a spelling.
func (x *expander) contractsAcross(last, first []string) bool {
	for _, f := range first {
		if strings.HasPrefix(f, "'") || strings.HasPrefix(f, "n't") {
			return true
		}
		for _, l := range last {
			if _, ok := x.cx.two[l+" "+f]; ok {
				return true
			}
		}
	}
	return false
}

// topLevelWords splits s at the spaces outside {…} groups.
func topLevelWords(s string) []string {
	var out []string
	depth, start := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{':
			depth++
		case c == '}':
			depth--
		case c == ' ' && depth == 0:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// part multiplies out the words of one part (memoized).
func (x *expander) part(s string) ([]variant, error) {
	if vs, ok := x.parts[s]; ok {
		return vs, nil
	}
	vs, err := x.expandPart(s)
	if err == nil {
		x.parts[s] = vs
	}
	return vs, err
}

func (x *expander) expandPart(s string) ([]variant, error) {
	alts, err := expandBraces(s, x.resolveSet)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, 2*len(alts))
	var out []variant
	add := func(v variant) error {
		if !seen[v.text] {
			seen[v.text] = true
			out = append(out, v)
		}
		if len(out) > maxExpansions {
			return fmt.Errorf("expands to more than %d variants (alternatives × sets × forms × contractions)", maxExpansions)
		}
		return nil
	}
	for _, a := range alts {
		formed, err := expandForms(a)
		if err != nil {
			return nil, err
		}
		for _, f := range formed {
			x.z.reset(x.z.buf)
			x.z.plain(f, 0)
			n := strings.TrimSpace(string(x.z.buf))
			if n == "" {
				return nil, fmt.Errorf("alternative %q is empty after normalization", f)
			}
			if !hasWordRune(n) {
				return nil, fmt.Errorf("alternative %q has no letters or digits", f)
			}
			for _, v := range x.cx.forms(n) {
				if err := add(variant{text: v}); err != nil {
					return nil, err
				}
				for _, c := range cliticForms(v) {
					if err := add(c); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return out, nil
}

// resolveSet expands one alternative of a {…} group: a $name reference
// stands for the set's members (each of which may hold {a|b} groups).
func (x *expander) resolveSet(alt string) ([]string, error) {
	if !strings.HasPrefix(alt, "$") {
		return []string{alt}, nil
	}
	name := alt[1:]
	if out, ok := x.setAlts[name]; ok {
		return out, nil
	}
	members, ok := x.sets[name]
	if !ok {
		if x.lenient && setNameRE.MatchString(name) {
			return []string{name}, nil
		}
		return nil, fmt.Errorf("unknown set $%s (declare it under sets:)", name)
	}
	var out []string
	for _, m := range members {
		ms, err := expandBraces(m, nil)
		if err != nil {
			return nil, fmt.Errorf("set %s: %w", name, err)
		}
		out = append(out, ms...)
		if len(out) > maxExpansions {
			return nil, fmt.Errorf("set %s expands to more than %d variants", name, maxExpansions)
		}
	}
	x.setAlts[name] = out
	return out, nil
}

// splitGaps splits a phrase at its …N (or ...N) gaps, written as words of
// their own outside {…} groups.
func splitGaps(ph string) (parts []string, gaps []int, err error) {
	depth, last := 0, 0
	for i := 0; i < len(ph); i++ {
		switch ph[i] {
		case '{':
			depth++
			continue
		case '}':
			depth--
			continue
		}
		var dots int
		switch {
		case strings.HasPrefix(ph[i:], "..."):
			dots = 3
		case strings.HasPrefix(ph[i:], "…"):
			dots = len("…")
		default:
			continue
		}
		j := i + dots
		k := j
		for k < len(ph) && '0' <= ph[k] && ph[k] <= '9' {
			k++
		}
		if k == j {
			continue // an ellipsis without a number is text
		}
		if depth != 0 {
			return nil, nil, errors.New("a gap (…N) cannot stand inside a {…} group")
		}
		if i > 0 && ph[i-1] != ' ' || k < len(ph) && ph[k] != ' ' {
			return nil, nil, errors.New("a gap (…N) must be a word of its own, with spaces around it")
		}
		n := 0
		fmt.Sscan(ph[j:k], &n)
		if n < 1 || n > maxGap {
			return nil, nil, fmt.Errorf("a gap allows 1 to %d words, got …%s", maxGap, ph[j:k])
		}
		part := strings.TrimSpace(ph[last:i])
		if part == "" {
			return nil, nil, errors.New("a gap (…N) must stand between words")
		}
		parts = append(parts, part)
		gaps = append(gaps, n)
		last = k
		i = k - 1
	}
	part := strings.TrimSpace(ph[last:])
	if part == "" {
		return nil, nil, errors.New("a gap (…N) must stand between words")
	}
	return append(parts, part), gaps, nil
}

// expandBraces expands {a|b} alternatives, left to right, in written order.
// Groups do not nest; an empty alternative ("{please |}") makes words
// optional. resolve, when not nil, expands each alternative further (set
// references); a group of one alternative is allowed only when resolve
// expands it.
func expandBraces(s string, resolve func(string) ([]string, error)) ([]string, error) {
	out := []string{""}
	for len(s) > 0 {
		open := strings.IndexAny(s, "{}")
		if open < 0 {
			for i := range out {
				out[i] += s
			}
			break
		}
		if s[open] == '}' {
			return nil, errors.New("'}' without a matching '{'")
		}
		prefix := s[:open]
		rest := s[open+1:]
		end := strings.IndexAny(rest, "{}")
		if end < 0 || rest[end] == '{' {
			if end >= 0 {
				return nil, errors.New("'{' groups cannot be nested")
			}
			return nil, errors.New("'{' without a matching '}'")
		}
		var alts []string
		for _, a := range strings.Split(rest[:end], "|") {
			if strings.HasPrefix(strings.TrimSpace(a), "$") {
				if resolve == nil {
					return nil, errors.New("a set reference ({$name}) is not allowed here")
				}
				ms, err := resolve(strings.TrimSpace(a))
				if err != nil {
					return nil, err
				}
				alts = append(alts, ms...)
				continue
			}
			alts = append(alts, a)
		}
		if len(alts) < 2 && !strings.Contains(rest[:end], "$") {
			return nil, errors.New("a {…} group needs at least two alternatives separated by '|' (or a {$set})")
		}
		var err error
		if out, err = multiply(out, prefix, alts); err != nil {
			return nil, err
		}
		s = rest[end+1:]
	}
	return out, nil
}

// expandForms replaces every ~word with each of its inflected forms.
func expandForms(s string) ([]string, error) {
	if !strings.Contains(s, "~") {
		return []string{s}, nil
	}
	out := []string{""}
	words := strings.Fields(s)
	for wi, w := range words {
		sep := " "
		if wi == 0 {
			sep = ""
		}
		alts := []string{w}
		if strings.HasPrefix(w, "~") {
			base := strings.ToLower(w[1:])
			if base == "" || strings.ContainsAny(base, "~$") {
				return nil, fmt.Errorf("%q: write a form as ~word", w)
			}
			alts = wordForms(base)
		} else if strings.Contains(w, "~") {
			return nil, fmt.Errorf("%q: ~ goes before a word (~question)", w)
		}
		var err error
		if out, err = multiply(out, sep, alts); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// multiply returns every o+sep+a, bounded by maxExpansions.
func multiply(out []string, sep string, alts []string) ([]string, error) {
	if len(out)*len(alts) > maxExpansions {
		return nil, fmt.Errorf("expands to more than %d variants", maxExpansions)
	}
	next := make([]string, 0, len(out)*len(alts))
	for _, o := range out {
		for _, a := range alts {
			next = append(next, o+sep+a)
		}
	}
	return next, nil
}

func hasWordRune(s string) bool {
	for _, r := range s {
		if isWordRune(r) {
			return true
		}
	}
	return false
}

// contractionGroups are spellings that mean the same, matched both ways.
// Each inner list is one group; every member is replaced by every other.
// Words that are also ordinary words without an apostrophe ("its", "well",
// "were", "ill", "shell") deliberately have no apostrophe-less form.
var contractionGroups = [][]string{
	{"don't", "do not", "dont"},
	{"doesn't", "does not", "doesnt"},
	{"didn't", "did not", "didnt"},
	{"can't", "cannot", "can not", "cant"},
	{"won't", "will not", "wont"},
	{"isn't", "is not", "isnt"},
	{"aren't", "are not", "arent"},
	{"wasn't", "was not", "wasnt"},
	{"weren't", "were not"},
	{"haven't", "have not", "havent"},
	{"hasn't", "has not", "hasnt"},
	{"shouldn't", "should not", "shouldnt"},
	{"wouldn't", "would not", "wouldnt"},
	{"couldn't", "could not", "couldnt"},
	{"mustn't", "must not"},
	{"needn't", "need not"},
	{"i'm", "i am", "im"},
	{"i've", "i have", "ive"},
	{"i'll", "i will"},
	{"i'd", "i would"},
	{"you're", "you are", "youre"},
	{"you've", "you have", "youve"},
	{"you'll", "you will"},
	{"you'd", "you would"},
	{"we're", "we are"},
	{"we've", "we have"},
	{"we'll", "we will"},
	{"they're", "they are", "theyre"},
	{"they've", "they have"},
	{"that's", "that is", "thats"},
	{"it's", "it is"},
	{"what's", "what is", "whats"},
	{"there's", "there is", "theres"},
	{"here's", "here is", "heres"},
	{"who's", "who is"},
	{"he's", "he is"},
	{"she's", "she is"},
	{"ain't", "aint"},
	{"let's", "let us"},
}

// contractionIndex maps a form (as a word sequence) to its group.
type contractionIndex struct {
	one map[string][]string // single-word forms → group
	two map[string][]string // "w1 w2" forms → group
}

// contractions is the contraction index, built on first use and never
// changed after.
var contractions = sync.OnceValue(buildContractionIndex)

func buildContractionIndex() contractionIndex {
	ix := contractionIndex{one: map[string][]string{}, two: map[string][]string{}}
	for _, g := range contractionGroups {
		for _, f := range g {
			if strings.Contains(f, " ") {
				ix.two[f] = g
			} else {
				ix.one[f] = g
			}
		}
	}
	return ix
}

// forms returns the normalized phrase with every contraction spelled every
// way, original spelling first.
func (ix contractionIndex) forms(n string) []string {
	if !ix.anyInText(n) {
		return []string{n}
	}
	words := strings.Split(n, " ")
	var out []string
	acc := make([]string, 0, len(words)) // reused: the walk is depth-first
	var walk func(i int)
	// each tries the group's forms, first as written, with k words taken
	each := func(g []string, first string, i, k int) {
		d := len(acc)
		acc = append(acc, first)
		walk(i + k)
		for _, f := range g {
			if f != first {
				acc = append(acc[:d], f)
				walk(i + k)
			}
		}
		acc = acc[:d]
	}
	walk = func(i int) {
		if len(out) > maxExpansions {
			return
		}
		if i >= len(words) {
			out = append(out, strings.Join(acc, " "))
			return
		}
		if i+1 < len(words) {
			two := words[i] + " " + words[i+1]
			if g, ok := ix.two[two]; ok {
				each(g, two, i, 2)
				return
			}
		}
		if g, ok := ix.one[words[i]]; ok {
			each(g, words[i], i, 1)
			return
		}
		acc = append(acc, words[i])
		walk(i + 1)
		acc = acc[:len(acc)-1]
	}
	walk(0)
	return out
}

// anyInText reports whether some word of n (or pair of words; n is split
// on single spaces) has contraction forms.
func (ix contractionIndex) anyInText(n string) bool {
	prev := ""
	for rest := n; ; {
		w, tail, more := strings.Cut(rest, " ")
		if _, ok := ix.one[w]; ok {
			return true
		}
		if prev != "" {
			if _, ok := ix.two[prev+" "+w]; ok {
				return true
			}
		}
		if !more {
			return false
		}
		prev, rest = w, tail
	}
}

// cliticForms returns the variants of v that start inside a contraction
// of the word before: a phrase "not up for discussion" also matches the
// tail of "isn't up for discussion" and "isnt up for discussion"; "is
// final" matches the tail of "that's final".
func cliticForms(v string) []variant {
	first, rest, ok := strings.Cut(v, " ")
	if !ok || rest == "" {
		return nil
	}
	switch first {
	case "not":
		return []variant{{"n't " + rest, clitAux}, {"nt " + rest, clitAux}}
	case "is":
		return []variant{{"'s " + rest, clitWord}}
	case "are":
		return []variant{{"'re " + rest, clitWord}}
	case "am":
		return []variant{{"'m " + rest, clitI}}
	case "will":
		return []variant{{"'ll " + rest, clitWord}}
	case "would":
		return []variant{{"'d " + rest, clitWord}}
	case "have":
		return []variant{{"'ve " + rest, clitWord}}
	}
	return nil
}

// auxStems are the words a "n't" or "nt" attaches to.
var auxStems = []string{"is", "are", "was", "were", "do", "does", "did", "ca", "wo", "have", "has", "had",
	"could", "should", "would", "must", "need", "ai", "might"}

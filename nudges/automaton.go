package nudges

import (
	"math/bits"
	"slices"
	"strings"
)

// automaton is an Aho-Corasick automaton over byte classes, in two layers.
// Every byte that occurs in some pattern gets its own class; all other
// bytes share class 0, which always leads back to the root.
//
// The states nearest the root (numbered first, breadth-first) have dense
// rows: one table load per byte, the failure links already folded in. Scanning
// ordinary text keeps the automaton in those rows nearly all the time.
// Deeper states, reached only while the text follows some pattern, keep just
// their own edges (usually one) and a failure link; a miss there follows
// failure links until a dense row answers. So memory and build time grow with
// the number of trie states, not states × classes, and a rule set with tens
// of thousands of phrase variants still builds in milliseconds.
//
// Word boundaries are part of the alphabet. Every boundary byte (anything
// but [a-z0-9_]) is followed by a virtual boundary symbol ␣, in the text as
// in the patterns, and a pattern that must start a word begins with ␣. A
// text byte's transition includes the ␣ after it, so scanning still takes
// one table load per byte, but a pattern that starts a word is never
// entered in the middle of one: "in" is not tried inside "thing", and,
// when no pattern starts inside a word (no contraction tails such as
// "n't"), a single-stream walk resting at the root skips to the word's end. On chat text with the built-in rules this cuts the hits
// to check by about four and keeps the scan in fewer states.
//
// A transition's value is the target state, with outBit set when the target
// ends a pattern (its own or one on its dictionary chain). No pattern ends
// between a boundary byte and its ␣ (a pattern's ␣ follows each of its
// boundary bytes), so the state after the ␣ is the only one to report.
//
// States are numbered breadth-first while building; a scan sees them
// encoded (see enc): a dense state as the offset of its row, so a step is
// one add and one load, and a deeper state as an id above every row
// offset. Transitions, failure links and start hold encoded states; the
// pattern tables (own, dict) are indexed by number (see id).
type automaton struct {
	class [256]uint8
	// stride is the number of classes; a dense row is 1<<shift entries.
	stride uint32
	shift  uint32
	// dense holds the rows of states 0..nDense-1; denseEnd is the first
	// encoded value past them.
	dense    []uint32
	nDense   uint32
	denseEnd uint32
	// edgeStart[s]..edgeStart[s+1] index the edges of state s in
	// edgeClass/edgeTarget (trie children only).
	edgeStart  []uint32
	edgeClass  []uint8
	edgeTarget []uint32
	fail       []uint32
	// own[s] lists the patterns that end exactly at state s; dict[s] is the
	// nearest state on the failure chain that ends a pattern (or -1).
	ownStart []int32
	ownPats  []int32
	dict     []int32
	// patLen is the byte length of each pattern; maxLen the longest.
	patLen []int32
	maxLen int
	// bnd marks the classes of boundary bytes (anything but [a-z0-9_]).
	bnd [256]bool
	// start is the state after a word boundary: where scanning begins.
	start uint32
	// skipWords: the root stays the root on every word byte, so a scan at
	// the root can skip the rest of a word without the table.
	skipWords bool
}

// outBit marks a transition into a state that ends a pattern.
const outBit = 1 << 31

// denseBytes bounds the memory of the dense rows: the states nearest the
// root, where scanning spends nearly all its time, fit; the long tails of
// rich rule sets do not need to.
const denseBytes = 2 << 20

// enc is the encoded form of state number t.
func (a *automaton) enc(t uint32) uint32 {
	if t < a.nDense {
		return t << a.shift
	}
	return t - a.nDense + a.denseEnd
}

// id is the number of encoded state e.
func (a *automaton) id(e uint32) uint32 {
	if e < a.denseEnd {
		return e >> a.shift
	}
	return e - a.denseEnd + a.nDense
}

// next returns the transition of encoded state e (not in the dense layer)
// on class c, following failure links down to a dense row.
// A boundary class's transition includes the ␣ after it.
func (a *automaton) next(e uint32, c uint8) uint32 {
	s := e - a.denseEnd + a.nDense
	for {
		for i := a.edgeStart[s]; i < a.edgeStart[s+1]; i++ {
			if a.edgeClass[i] == c {
				if a.bnd[c] {
					return a.plainNext(a.edgeTarget[i]&^outBit, classBound)
				}
				return a.edgeTarget[i]
			}
		}
		f := a.fail[s]
		if f < a.denseEnd {
			return a.dense[f+uint32(c)]
		}
		s = f - a.denseEnd + a.nDense
	}
}

// plainNext is the transition of any encoded state on one class, ␣ not
// included (the dense rows' ␣ column is plain).
func (a *automaton) plainNext(e uint32, c uint8) uint32 {
	for {
		if e < a.denseEnd {
			return a.dense[e+uint32(c)]
		}
		s := e - a.denseEnd + a.nDense
		for i := a.edgeStart[s]; i < a.edgeStart[s+1]; i++ {
			if a.edgeClass[i] == c {
				return a.edgeTarget[i]
			}
		}
		e = a.fail[s]
	}
}

// rawNext is plainNext on state numbers, while building (before states
// are encoded).
func (a *automaton) rawNext(s uint32, c uint8) uint32 {
	for {
		if s < a.nDense {
			return a.dense[s<<a.shift+uint32(c)]
		}
		for i := a.edgeStart[s]; i < a.edgeStart[s+1]; i++ {
			if a.edgeClass[i] == c {
				return a.edgeTarget[i]
			}
		}
		s = a.fail[s]
	}
}

// Reserved classes: 0 is a word byte in no pattern, classBoundary a
// boundary byte in no pattern, classBound the virtual ␣ (no byte has it).
const (
	classBoundary = 1
	classBound    = 2
	firstClass    = 3
)

// classOrder lists bytes from the most to the least frequent in English
// chat text (letters by their usual frequency, then punctuation and
// digits).
const classOrder = " etaoinshrdlcumwfgypbvk.,'-?!xjqz0123456789:;/()_"

// boundMark stands for ␣ in transformed patterns: 0xFF never occurs in
// UTF-8, so no phrase contains it (text bytes 0xFF are plain boundaries).
const boundMark = 0xFF

// isBoundary reports whether a normalized byte ends a run of ASCII word
// characters (the test the matcher's word-boundary checks start from).
func isBoundary(c byte) bool { return !asciiWord[c] }

// buildAutomaton compiles the patterns; anchored[i] says pattern i must
// start a word (its first byte follows a boundary byte or the start).
// Identical patterns may repeat (with different payloads); each keeps its
// own index.
func buildAutomaton(raw []string, anchored []bool) *automaton {
	return buildAutomatonDense(raw, anchored, denseBytes)
}

// buildAutomatonDense is buildAutomaton with the dense rows held to
// maxDense bytes (at least 64 rows); tests make them few.
func buildAutomatonDense(raw []string, anchored []bool, maxDense int) *automaton {
	a := &automaton{}
	// byte classes (see the constants); ' ' and '\n' share a class so a
	// newline matches a space inside a phrase. Classes are numbered in the
	// order of how often their bytes occur in English chat (classOrder),
	// so a scan's loads from a row mostly fall in its first cache line.
	var used [256]bool
	for _, p := range raw {
		for i := 0; i < len(p); i++ {
			used[p[i]] = true
		}
	}
	used[' '] = used[' '] || used['\n']
	next := firstClass
	assign := func(c byte) {
		if used[c] && a.class[c] == 0 && c != boundMark && c != '\n' && next < 256 {
			a.class[c] = uint8(next)
			next++
		}
	}
	for i := 0; i < len(classOrder); i++ {
		assign(classOrder[i])
	}
	for c := range 256 {
		assign(byte(c))
	}
	a.class['\n'] = a.class[' ']
	for c := range 256 {
		if isBoundary(byte(c)) {
			if a.class[c] == 0 {
				a.class[c] = classBoundary
			}
			a.bnd[a.class[c]] = true
		}
	}
	a.stride = uint32(next)
	a.patLen = make([]int32, len(raw))
	patterns := make([]string, len(raw))
	var tb []byte
	for i, p := range raw {
		a.patLen[i] = int32(len(p))
		a.maxLen = max(a.maxLen, len(p))
		tb = tb[:0]
		if anchored[i] {
			tb = append(tb, boundMark)
		}
		for j := 0; j < len(p); j++ {
			tb = append(tb, p[j])
			if isBoundary(p[j]) {
				tb = append(tb, boundMark)
			}
		}
		patterns[i] = string(tb)
	}
	cls := func(c byte) uint8 {
		if c == boundMark {
			return classBound
		}
		return a.class[c]
	}

	// The trie, built from the patterns in sorted order: each pattern
	// shares its longest common prefix with the one before, so no lookup
	// structure is needed. Nodes are numbered depth-first here.
	order := make([]int32, len(patterns))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int { return strings.Compare(patterns[i], patterns[j]) })
	total := 1
	for _, p := range patterns {
		total += len(p)
	}
	parent := make([]int32, 1, total)
	label := make([]uint8, 1, total)
	parent[0] = -1
	endState := make([]int32, len(patterns))
	var path []int32 // path[d] is the node at depth d+1 of the previous pattern
	prev := ""
	for _, pi := range order {
		p := patterns[pi]
		l := 0
		for l < len(p) && l < len(prev) && cls(p[l]) == cls(prev[l]) {
			l++
		}
		path = path[:l]
		s := int32(0)
		if l > 0 {
			s = path[l-1]
		}
		for i := l; i < len(p); i++ {
			t := int32(len(parent))
			parent = append(parent, s)
			label = append(label, cls(p[i]))
			path = append(path, t)
			s = t
		}
		endState[pi] = s
		prev = p
	}
	n := len(parent)
	// children lists (depth-first ids)
	childStart := make([]int32, n+1)
	for t := 1; t < n; t++ {
		childStart[parent[t]+1]++
	}
	for s := 0; s < n; s++ {
		childStart[s+1] += childStart[s]
	}
	children := make([]int32, n)
	fill := append([]int32(nil), childStart[:n]...)
	for t := 1; t < n; t++ {
		children[fill[parent[t]]] = int32(t)
		fill[parent[t]]++
	}
	// breadth-first numbering
	bfs := make([]int32, 0, n) // bfs[new] = old
	newID := make([]int32, n)
	bfs = append(bfs, 0)
	for q := 0; q < len(bfs); q++ {
		s := bfs[q]
		for _, t := range children[childStart[s]:childStart[s+1]] {
			newID[t] = int32(len(bfs))
			bfs = append(bfs, t)
		}
	}

	// own patterns per state, in pattern order (a counting sort)
	a.ownStart = make([]int32, n+1)
	for _, s := range endState {
		a.ownStart[newID[s]+1]++
	}
	for s := 0; s < n; s++ {
		a.ownStart[s+1] += a.ownStart[s]
	}
	a.ownPats = make([]int32, len(patterns))
	ofill := append([]int32(nil), a.ownStart[:n]...)
	for pi, s := range endState {
		ns := newID[s]
		a.ownPats[ofill[ns]] = int32(pi)
		ofill[ns]++
	}

	// edges in breadth-first ids
	a.edgeStart = make([]uint32, n+1)
	a.edgeClass = make([]uint8, 0, n)
	a.edgeTarget = make([]uint32, 0, n)
	for ns := 0; ns < n; ns++ {
		s := bfs[ns]
		for _, t := range children[childStart[s]:childStart[s+1]] {
			a.edgeClass = append(a.edgeClass, label[t])
			a.edgeTarget = append(a.edgeTarget, uint32(newID[t]))
		}
		a.edgeStart[ns+1] = uint32(len(a.edgeClass))
	}

	// Failure links and dense rows, breadth-first: a state's failure state
	// is shallower, so its row (or its edges and failure) is complete.
	stride := int(a.stride)
	a.shift = uint32(bits.Len32(a.stride - 1))
	rowLen := 1 << a.shift
	a.nDense = uint32(min(n, max(64, maxDense/(4*rowLen))))
	a.dense = make([]uint32, int(a.nDense)*rowLen)
	a.fail = make([]uint32, n)
	a.dict = make([]int32, n)
	hasOwn := func(s uint32) bool { return a.ownStart[s+1] > a.ownStart[s] }
	for s := uint32(0); s < uint32(n); s++ {
		f := a.fail[s]
		a.dict[s] = -1
		if s > 0 {
			if hasOwn(f) {
				a.dict[s] = int32(f)
			} else {
				a.dict[s] = a.dict[f]
			}
		}
		if s < a.nDense {
			row := a.dense[int(s)*rowLen : int(s)*rowLen+stride]
			if s > 0 {
				copy(row, a.dense[int(f)*rowLen:int(f)*rowLen+stride])
			}
			for e := a.edgeStart[s]; e < a.edgeStart[s+1]; e++ {
				row[a.edgeClass[e]] = a.edgeTarget[e]
			}
		}
		for e := a.edgeStart[s]; e < a.edgeStart[s+1]; e++ {
			t := a.edgeTarget[e]
			if s == 0 {
				a.fail[t] = 0
			} else {
				a.fail[t] = a.rawNext(f, a.edgeClass[e])
			}
		}
	}
	// fold the ␣ after each boundary byte into the dense rows (their ␣
	// column stays plain, for plainNext)
	for s := range int(a.nDense) {
		row := a.dense[s*rowLen : s*rowLen+stride]
		for c := range row {
			if a.bnd[c] {
				row[c] = a.rawNext(row[c], classBound)
			}
		}
	}
	start := a.rawNext(0, classBound)
	a.skipWords = true
	for c := range stride {
		if !a.bnd[c] && c != classBound && a.dense[c] != 0 {
			a.skipWords = false
		}
	}
	// encode the states, and mark transitions into states that end a
	// pattern
	a.denseEnd = a.nDense << a.shift
	out := func(t uint32) uint32 {
		if hasOwn(t) || a.dict[t] >= 0 {
			return a.enc(t) | outBit
		}
		return a.enc(t)
	}
	for s := range int(a.nDense) {
		row := a.dense[s*rowLen : s*rowLen+stride]
		for c, t := range row {
			row[c] = out(t)
		}
	}
	for i, t := range a.edgeTarget {
		a.edgeTarget[i] = out(t)
	}
	for i, t := range a.fail {
		a.fail[i] = a.enc(t)
	}
	a.start = a.enc(start)
	return a
}

// hitAt is a state that ends a pattern (by number), reached at byte end.
type hitAt struct {
	end   int32
	state uint32
}

// splitWalk is the shortest text walked as two interleaved streams.
const splitWalk = 2048

// walk scans b[from:to], starting as after a word boundary, and appends
// to hits every state that ends a pattern, in text order (tmp is scratch
// space). A long text is walked as two halves at once: each step of the
// walk waits on one table load, and two independent walks in one loop let
// the processor overlap their loads. The second stream starts a longest
// pattern before the middle, so it sees every pattern that ends past the
// middle from its first byte, and keeps only those hits: a hit it invents
// by starting inside a word (as if after a boundary) ends by the middle.
func (a *automaton) walk(b []byte, from, to int, hits []hitAt, tmp *[]hitAt) []hitAt {
	if to-from < splitWalk {
		_, hits = a.walk1(b, from, to, a.start, hits, from)
		return hits
	}
	mid := from + (to-from)/2
	q := max(from, mid-a.maxLen)
	// the step is written out in both loops (not a method): locals for the
	// table keep it about 5 % faster, measured
	dense, denseEnd, cl := a.dense, a.denseEnd, &a.class
	hb := (*tmp)[:0]
	sA, sB := a.start, a.start
	n := mid - from
	bA, bB := b[from:mid], b[q:q+n]
	for k := range bA {
		cA, cB := cl[bA[k]], cl[bB[k]]
		var vA, vB uint32
		if sA < denseEnd {
			vA = dense[sA+uint32(cA)]
		} else {
			vA = a.next(sA, cA)
		}
		if sB < denseEnd {
			vB = dense[sB+uint32(cB)]
		} else {
			vB = a.next(sB, cB)
		}
		sA, sB = vA&^outBit, vB&^outBit
		if vA&outBit != 0 {
			hits = append(hits, hitAt{int32(from + k + 1), a.id(sA)})
		}
		if vB&outBit != 0 && q+k+1 > mid {
			hb = append(hb, hitAt{int32(q + k + 1), a.id(sB)})
		}
	}
	_, hb = a.walk1(b, q+n, to, sB, hb, mid)
	hits = append(hits, hb...)
	*tmp = hb
	return hits
}

// walk1 scans b[from:to] from state s, appending the hits that end after
// byte after; it returns the state it ends in.
func (a *automaton) walk1(b []byte, from, to int, s uint32, hits []hitAt, after int) (uint32, []hitAt) {
	dense, denseEnd, cl := a.dense, a.denseEnd, &a.class
	for i := from; i < to; i++ {
		if s == 0 && a.skipWords {
			for i < to && asciiWord[b[i]] {
				i++
			}
			if i == to {
				break
			}
		}
		c := cl[b[i]]
		var v uint32
		if s < denseEnd {
			v = dense[s+uint32(c)]
		} else {
			v = a.next(s, c)
		}
		s = v &^ outBit
		if v&outBit != 0 && i+1 > after {
			hits = append(hits, hitAt{int32(i + 1), a.id(s)})
		}
	}
	return s, hits
}

// sizeBytes estimates the memory held by the automaton.
func (a *automaton) sizeBytes() int {
	return 512 + 4*len(a.dense) + 4*len(a.edgeStart) + len(a.edgeClass) + 4*len(a.edgeTarget) + 4*len(a.fail) +
		4*(len(a.ownStart)+len(a.ownPats)+len(a.dict)+len(a.patLen))
}

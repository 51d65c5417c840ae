package nudges

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// automaton is an Aho-Corasick automaton over tokens.
//
// The text is read as tokens: a run of ASCII word bytes ([a-z0-9_]) is one
// token, every other byte is a token of its own. A token is a symbol: a
// word is its number in the vocabulary of the patterns' words (one hash
// probe; a word in no pattern is symUnknownWord), a boundary byte is its
// class (every byte in no pattern is symUnknownByte; a space and a line
// break share one, so a line break matches a space inside a phrase). The
// patterns are read the same way, so a pattern is a string of symbols and a
// step of the scan is one token, not one byte: chat text has about five
// bytes a token, and the tables the scan touches are a vocabulary and a
// row per state, not a row per byte of every phrase.
//
// Reading words whole means a pattern starts and ends where words do, which
// is what the matcher asks of nearly every pattern anyway (the judge checks
// word boundaries, with Unicode's rules, on every hit). The exception is a
// contraction's tail: "n't you" and "nt you" start inside "isn't you",
// "isnt you". So a word that is an auxiliary stem (auxStems) followed by
// "n" and "'t", or by "nt", is read as two tokens: the stem, then symN or
// symNT (the vocabulary says so, with the probe the word costs anyway). A
// pattern that starts with such a tail (tails) starts with that symbol, the
// pattern "isn't" is read as is, symN, ', t, like the text, and a pattern
// that ends "isn'" gets both readings. A token that ends inside what the
// judge calls a word ("do" in "don't") may end a pattern; the judge's
// boundary check drops such a hit, as it drops any other.
//
// The root and the states with many edges (numbered first) have dense
// rows: one table load per token, the failure links already folded in.
// The other states keep just their own edges (usually one or two) and a
// failure link; a miss there follows failure links until a dense row
// answers. So memory and build time grow with the number of trie states,
// not states × symbols.
//
// A transition's value is the target state, with outBit set when the target
// ends a pattern (its own or one on its dictionary chain).
//
// States are numbered while building (dense ones first); a scan sees them
// encoded (see enc): a dense state as the offset of its row, so a step is
// one add and one load, and a deeper state as an id above every row
// offset. Transitions and failure links hold encoded states; the pattern
// tables (own, dict) are indexed by number (see id).
type automaton struct {
	// vocab is the patterns' words, an open-addressing hash table of
	// 1<<(64-hashShift) slots (see wordKey).
	vocab     []vocabSlot
	hashShift uint8
	// longWords are the vocabulary's words longer than 8 bytes, which a
	// probe compares in full.
	longWords []string
	maxWord   int
	// class is the symbol of each boundary byte; skip marks the bytes
	// whose symbol is symUnknownByte.
	class [256]uint32
	skip  [256]bool
	// stride is the number of symbols; a dense row is 1<<shift entries.
	stride uint32
	shift  uint32
	// dense holds the rows of states 0..nDense-1; denseEnd is the first
	// encoded value past them.
	dense    []uint32
	nDense   uint32
	denseEnd uint32
	// sparse holds the other states (encoded state e is sparse[e-denseEnd]),
	// their edges in edges.
	sparse []sparseState
	edges  []edge
	// space is the symbol of a space.
	space uint32
	// own[s] lists the patterns that end exactly at state s; dict[s] is the
	// nearest state on the failure chain that ends a pattern (or -1).
	ownStart []int32
	ownPats  []int32
	dict     []int32
	// patLen is the byte length of each pattern; maxLen the longest.
	patLen []int32
	maxLen int
}

// vocabSlot is one slot of the vocabulary: an empty slot has key 0 (no
// word packs to 0).
type vocabSlot struct {
	key uint64
	// sym is the word's symbol (symUnknownWord for a word that is in the
	// table only for its split).
	sym uint32
	// more is 0, or for a word longer than 8 bytes moreLong | its index
	// in longWords<<2, or for an auxiliary stem with a contraction's tail
	// ("isn", "isnt") moreN or moreNT | the stem's symbol<<2.
	more uint32
}

// The kinds of vocabSlot.more.
const (
	moreLong = 1
	moreN    = 2 // "isn": split before "'t"
	moreNT   = 3 // "isnt": always split
)

// Reserved symbols.
const (
	symUnknownWord = iota // a word in no pattern
	symUnknownByte        // a boundary byte in no pattern
	symN                  // the "n" of "n't" split off an auxiliary stem
	symNT                 // the "nt" split off an auxiliary stem ("isnt")
	firstSym
)

// outBit marks a transition into a state that ends a pattern.
const outBit = 1 << 31

// denseBytes bounds the memory of the dense rows: the root and the states
// with the most edges, where a scan spends nearly all its time, fit (with
// the built-in rules, every state with denseDegree edges or more).
const denseBytes = 4 << 20

// denseDegree is the fewest edges that earn a state a dense row. Measured
// on chat text with the built-in rules: 6 scans about 10 % faster than 16,
// for 4 MB more memory and 4 ms more build time.
const denseDegree = 6

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

// sparseState is a state without a dense row: everything a step needs,
// in one place (a step that misses it costs one cache miss, not four).
type sparseState struct {
	// spaceNext is the transition on a space, failure links followed:
	// nearly half the tokens of chat are spaces.
	spaceNext uint32
	fail      uint32
	// edges[first:first+n] are the state's own edges.
	first, n uint32
}

// edge is one trie edge of a sparse state: on sym, to target (encoded).
type edge struct{ sym, target uint32 }

// next returns the transition of encoded state e on symbol c, following
// failure links down to a dense row.
func (a *automaton) next(e, c uint32) uint32 {
	for e >= a.denseEnd {
		st := &a.sparse[e-a.denseEnd]
		if c == a.space {
			return st.spaceNext
		}
		for _, ed := range a.edges[st.first : st.first+st.n] {
			if ed.sym == c {
				return ed.target
			}
		}
		e = st.fail
	}
	return a.dense[e+c]
}

// trie is the automaton's edges and failure links by state number, while
// it is built.
type trie struct {
	// edgeStart[s]..edgeStart[s+1] index the edges of state s in
	// edgeSym/edgeTarget (trie children only).
	edgeStart  []uint32
	edgeSym    []uint32
	edgeTarget []uint32
	fail       []uint32
	dense      []uint32
	nDense     uint32
	shift      uint32
}

// next is the transition of state s on symbol c (by number).
func (tr *trie) next(s, c uint32) uint32 {
	for {
		if s < tr.nDense {
			return tr.dense[s<<tr.shift+c]
		}
		for i := tr.edgeStart[s]; i < tr.edgeStart[s+1]; i++ {
			if tr.edgeSym[i] == c {
				return tr.edgeTarget[i]
			}
		}
		s = tr.fail[s]
	}
}

// sortSequences returns the indexes of n symbol sequences in their
// order. Each sequence's first symbols (of bps bits each) are packed into
// one key, so nearly every comparison is one of two integers (a sort that
// compared the sequences themselves was a fifth of the build).
func sortSequences(n int, seq func(int32) []uint32, bps int) []int32 {
	type keyed struct {
		key uint64
		k   int32
	}
	per := 64 / bps // symbols in a key
	ks := make([]keyed, n)
	for i := range ks {
		var key uint64
		p := seq(int32(i))
		for j := range per {
			key <<= bps
			if j < len(p) {
				key |= uint64(p[j]) + 1 // 0: the sequence has ended
			}
		}
		ks[i] = keyed{key, int32(i)}
	}
	slices.SortFunc(ks, func(x, y keyed) int {
		if x.key != y.key {
			if x.key < y.key {
				return -1
			}
			return 1
		}
		return slices.Compare(seq(x.k), seq(y.k))
	})
	order := make([]int32, n)
	for i, kv := range ks {
		order[i] = kv.k
	}
	return order
}

// setEdges writes the edges of state s into a dense row.
func (tr *trie) setEdges(row []uint32, s uint32) {
	for e := tr.edgeStart[s]; e < tr.edgeStart[s+1]; e++ {
		row[tr.edgeSym[e]] = tr.edgeTarget[e]
	}
}

// wordKey packs a word of at most 8 bytes into its little-endian bytes
// (word bytes are never 0, so neither is a key, and the top bit is clear);
// a longer word is hashed, with the top bit set.
func wordKey(w []byte) uint64 {
	if len(w) <= 8 {
		var k uint64
		for i := len(w) - 1; i >= 0; i-- {
			k = k<<8 | uint64(w[i])
		}
		return k
	}
	h := uint64(14695981039346656037)
	for _, c := range w {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h | 1<<63
}

// hashMul spreads a key over the table (Fibonacci hashing).
const hashMul = 0x9E3779B97F4A7C15

// lookup returns the symbol of word b[i:j], and its slot's more (see
// vocabSlot) when it is an auxiliary stem with a contraction's tail.
func (a *automaton) lookup(b []byte, i, j int) (uint32, uint32) {
	n := j - i
	if n > a.maxWord {
		return symUnknownWord, 0
	}
	var k uint64
	if n <= 8 && i+8 <= len(b) {
		k = binary.LittleEndian.Uint64(b[i:]) & (^uint64(0) >> (64 - 8*n))
	} else {
		k = wordKey(b[i:j])
	}
	mask := uint64(len(a.vocab) - 1)
	for h := k * hashMul >> a.hashShift; ; h = (h + 1) & mask {
		sl := &a.vocab[h]
		if sl.key == k {
			if sl.more&3 != moreLong {
				return sl.sym, sl.more
			}
			if a.longWords[sl.more>>2] == string(b[i:j]) {
				return sl.sym, 0
			}
		}
		if sl.key == 0 {
			return symUnknownWord, 0
		}
	}
}

// splitTail reports (while building) whether the word b[i:j] is read as
// two tokens, an auxiliary stem and a contraction's tail ("is" + "n"
// before "'t", "is" + "nt"), and returns where the stem ends and the
// tail's symbol.
func splitTail(b []byte, i, j int) (int, uint32, bool) {
	switch {
	case b[j-1] == 'n' && j+1 < len(b) && b[j] == '\'' && b[j+1] == 't':
		if isAuxStem(b[i : j-1]) {
			return j - 1, symN, true
		}
	case b[j-1] == 't' && j-i > 2 && b[j-2] == 'n':
		if isAuxStem(b[i : j-2]) {
			return j - 2, symNT, true
		}
	}
	return j, 0, false
}

// isAuxStem reports whether w is one of auxStems (building only: the scan
// learns it from the vocabulary, which has every stem with its tails).
func isAuxStem(w []byte) bool { return slices.Contains(auxStems, string(w)) }

// buildAutomaton compiles the patterns; tails[i] says pattern i starts
// with a contraction's tail ("n't …", "nt …"), inside the word before.
// Identical patterns may repeat (with different payloads); each keeps its
// own index.
func buildAutomaton(raw []string, tails []bool) *automaton {
	return buildAutomatonDense(raw, tails, denseBytes)
}

// buildAutomatonDense is buildAutomaton with the dense rows held to
// maxDense bytes (the root's row at least); tests make them few.
func buildAutomatonDense(raw []string, tails []bool, maxDense int) *automaton {
	a := &automaton{}
	// boundary byte symbols, in the order of how often the bytes occur in
	// English chat; a line break is read as a space
	var used [256]bool
	for _, p := range raw {
		for i := 0; i < len(p); i++ {
			if !asciiWord[p[i]] {
				used[p[i]] = true
			}
		}
	}
	used[' '] = used[' '] || used['\n']
	next := uint32(firstSym)
	assign := func(c byte) {
		if used[c] && a.class[c] == 0 && c != '\n' {
			a.class[c] = next
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
		if a.class[c] == 0 {
			a.class[c] = symUnknownByte
			a.skip[c] = !asciiWord[c]
		}
	}

	// the patterns as symbols; words numbered as they come
	// (a word of up to 8 bytes is found by its key: an integer map is
	// faster than a string one, and nearly every word is that short)
	short, long := map[uint64]uint32{}, map[string]uint32{}
	var wordList []string
	wordID := func(w string) (uint32, bool) {
		if len(w) <= 8 {
			s, ok := short[wordKey([]byte(w))]
			return s, ok
		}
		s, ok := long[w]
		return s, ok
	}
	intern := func(w string) uint32 {
		s, ok := wordID(w)
		if !ok {
			s = uint32(len(wordList))
			if len(w) <= 8 {
				short[wordKey([]byte(w))] = s
			} else {
				long[w] = s
			}
			wordList = append(wordList, w)
		}
		return s
	}
	const wordFlag = 1 << 31 // marks a word's index until symbols are final
	a.patLen = make([]int32, len(raw))
	// seq[seqAt[k]:seqAt[k+1]] is sequence k, of pattern seqPat[k]
	// sized up front (a sequence has at most one symbol a byte, and a few
	// patterns get a second reading): growing them cost a tenth of a build
	// (Compile/builtin 41.0 → 36.4 ms, interleaved ×5)
	total := 0
	for _, p := range raw {
		total += len(p)
	}
	seqAt := make([]int32, 1, len(raw)+len(raw)/8+1)
	seq := make([]uint32, 0, total+total/8)
	seqPat := make([]int32, 0, len(raw)+len(raw)/8)
	for pi, p := range raw {
		a.patLen[pi] = int32(len(p))
		a.maxLen = max(a.maxLen, len(p))
		b := []byte(p)
		for i := 0; i < len(b); {
			if !asciiWord[b[i]] {
				seq = append(seq, a.class[b[i]])
				i++
				continue
			}
			j := i + 1
			for j < len(b) && asciiWord[b[j]] {
				j++
			}
			switch w := p[i:j]; {
			case i == 0 && tails[pi] && w == "n" && len(b) > 2 && b[1] == '\'' && b[2] == 't':
				seq = append(seq, symN)
			case i == 0 && tails[pi] && w == "nt":
				seq = append(seq, symNT)
			default:
				e, sym, split := splitTail(b, i, j)
				seq = append(seq, wordFlag|intern(p[i:e]))
				if split {
					seq = append(seq, sym)
				}
			}
			i = j
		}
		seqPat = append(seqPat, int32(pi))
		seqAt = append(seqAt, int32(len(seq)))
		// A pattern that ends "isn'" is read "isn", ' alone, but "is", n,
		// ' where the text goes on "t": it gets both sequences.
		if n := len(b); n >= 3 && b[n-1] == '\'' && b[n-2] == 'n' {
			i := n - 2
			for i > 0 && asciiWord[b[i-1]] {
				i--
			}
			if isAuxStem(b[i : n-2]) {
				k := len(seq)
				seq = append(seq, seq[seqAt[len(seqAt)-2]:k-2]...)
				seq = append(seq, wordFlag|intern(p[i:n-2]), symN, a.class['\''])
				seqPat = append(seqPat, int32(pi))
				seqAt = append(seqAt, int32(len(seq)))
			}
		}
	}
	wordBase := next
	a.stride = wordBase + uint32(len(wordList))
	for i, c := range seq {
		if c&wordFlag != 0 {
			seq[i] = wordBase + c&^wordFlag
		}
	}
	a.buildVocab(wordList, wordBase, wordID)
	pat := func(k int32) []uint32 { return seq[seqAt[k]:seqAt[k+1]] }

	// The trie, built from the sequences in sorted order: each shares its
	// longest common prefix with the one before, so no lookup structure is
	// needed. Nodes are numbered depth-first here.
	order := sortSequences(len(seqPat), pat, bits.Len32(a.stride+1))
	parent := make([]int32, 1, len(seq)+1)
	label := make([]uint32, 1, len(seq)+1)
	parent[0] = -1
	endState := make([]int32, len(seqPat))
	var path []int32 // path[d] is the node at depth d+1 of the previous sequence
	var prev []uint32
	for _, k := range order {
		p := pat(k)
		l := 0
		for l < len(p) && l < len(prev) && p[l] == prev[l] {
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
			label = append(label, p[i])
			path = append(path, t)
			s = t
		}
		endState[k] = s
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
	// Breadth-first order; then the numbering: the root and the states
	// with many edges first (they get dense rows), each group in
	// breadth-first order. A state with few edges costs a short scan, but
	// one with dozens ("i ", "you ") would cost dozens of compares on every
	// visit, and chat visits them all the time.
	bfs := make([]int32, 0, n)
	bfs = append(bfs, 0)
	for q := 0; q < len(bfs); q++ {
		s := bfs[q]
		bfs = append(bfs, children[childStart[s]:childStart[s+1]]...)
	}
	stride := int(a.stride)
	a.shift = uint32(bits.Len32(a.stride - 1))
	rowLen := 1 << a.shift
	maxRows := max(1, maxDense/(4*rowLen))
	degree := func(s int32) int32 { return childStart[s+1] - childStart[s] }
	var many []int32
	for _, s := range bfs[1:] {
		if degree(s) >= denseDegree {
			many = append(many, s)
		}
	}
	if len(many) > maxRows-1 {
		// the most edges first (a stable sort keeps breadth-first order
		// among equals)
		slices.SortStableFunc(many, func(x, y int32) int { return int(degree(y) - degree(x)) })
		many = many[:maxRows-1]
	}
	isDense := make([]bool, n)
	isDense[0] = true
	for _, s := range many {
		isDense[s] = true
	}
	a.nDense = uint32(1 + len(many))
	newID := make([]int32, n)
	byNum := make([]int32, 0, n) // byNum[new] = old
	for _, dense := range []bool{true, false} {
		for _, s := range bfs {
			if isDense[s] == dense {
				newID[s] = int32(len(byNum))
				byNum = append(byNum, s)
			}
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
	a.ownPats = make([]int32, len(seqPat))
	ofill := append([]int32(nil), a.ownStart[:n]...)
	for k, s := range endState {
		ns := newID[s]
		a.ownPats[ofill[ns]] = seqPat[k]
		ofill[ns]++
	}

	// edges in breadth-first ids
	tr := &trie{edgeStart: make([]uint32, n+1), edgeSym: make([]uint32, 0, n), edgeTarget: make([]uint32, 0, n)}
	for ns := 0; ns < n; ns++ {
		s := byNum[ns]
		for _, t := range children[childStart[s]:childStart[s+1]] {
			tr.edgeSym = append(tr.edgeSym, label[t])
			tr.edgeTarget = append(tr.edgeTarget, uint32(newID[t]))
		}
		tr.edgeStart[ns+1] = uint32(len(tr.edgeSym))
	}

	// Failure links and dense rows, breadth-first: a state's failure state
	// is shallower, so its edges and failure (and its row) are complete.
	a.dense = make([]uint32, int(a.nDense)*rowLen)
	tr.dense, tr.nDense, tr.shift = a.dense, a.nDense, a.shift
	tr.fail = make([]uint32, n)
	a.dict = make([]int32, n)
	hasOwn := func(s uint32) bool { return a.ownStart[s+1] > a.ownStart[s] }
	var chain []uint32
	for _, old := range bfs {
		s := uint32(newID[old])
		f := tr.fail[s]
		a.dict[s] = -1
		if s > 0 {
			if hasOwn(f) {
				a.dict[s] = int32(f)
			} else {
				a.dict[s] = a.dict[f]
			}
		}
		if s < a.nDense {
			// the row of the first dense state on the failure chain, then
			// the edges of the states above it, nearest last
			row := a.dense[int(s)*rowLen : int(s)*rowLen+stride]
			if s > 0 {
				chain = chain[:0]
				d := f
				for d >= a.nDense {
					chain = append(chain, d)
					d = tr.fail[d]
				}
				copy(row, a.dense[int(d)*rowLen:int(d)*rowLen+stride])
				for k := len(chain) - 1; k >= 0; k-- {
					tr.setEdges(row, chain[k])
				}
			}
			tr.setEdges(row, s)
		}
		for e := tr.edgeStart[s]; e < tr.edgeStart[s+1]; e++ {
			t := tr.edgeTarget[e]
			if s == 0 {
				tr.fail[t] = 0
			} else {
				tr.fail[t] = tr.next(f, tr.edgeSym[e])
			}
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
	// the sparse states (their space transitions read the dense rows
	// before those are encoded)
	a.space = a.class[' ']
	a.sparse = make([]sparseState, n-int(a.nDense))
	a.edges = make([]edge, 0, len(tr.edgeSym)-int(tr.edgeStart[a.nDense]))
	for t := a.nDense; t < uint32(n); t++ {
		st := &a.sparse[t-a.nDense]
		st.fail, st.first = a.enc(tr.fail[t]), uint32(len(a.edges))
		for e := tr.edgeStart[t]; e < tr.edgeStart[t+1]; e++ {
			a.edges = append(a.edges, edge{tr.edgeSym[e], out(tr.edgeTarget[e])})
		}
		st.n = uint32(len(a.edges)) - st.first
		st.spaceNext = out(tr.next(t, a.space))
	}
	for s := range int(a.nDense) {
		row := a.dense[s*rowLen : s*rowLen+stride]
		for c, t := range row {
			row[c] = out(t)
		}
	}
	return a
}

// classOrder lists boundary bytes from the most to the least frequent in
// English chat text.
const classOrder = " .,'-?!:;/()\"*"

// buildVocab fills the vocabulary table: word i has symbol base+i
// (wordID: a word's number). Every auxiliary stem with a contraction's
// tail ("isn", "isnt") is in the table too, with the stem's symbol, so the
// scan tells where a word splits with the probe it makes anyway.
func (a *automaton) buildVocab(words []string, base uint32, wordID func(string) (uint32, bool)) {
	size := 16
	for size < 4*(len(words)+2*len(auxStems)) {
		size *= 2
	}
	a.vocab = make([]vocabSlot, size)
	a.hashShift = uint8(64 - bits.Len(uint(size-1)))
	mask := uint64(size - 1)
	slot := func(w string) *vocabSlot {
		k := wordKey([]byte(w))
		h := k * hashMul >> a.hashShift
		for a.vocab[h].key != 0 && a.vocab[h].key != k {
			h = (h + 1) & mask
		}
		if a.vocab[h].key == 0 {
			a.vocab[h] = vocabSlot{key: k, sym: symUnknownWord}
		}
		return &a.vocab[h]
	}
	for i, w := range words {
		a.maxWord = max(a.maxWord, len(w))
		if len(w) > 8 {
			// a long word's key is a hash: words that share one get
			// slots of their own, told apart by longWords
			k := wordKey([]byte(w))
			h := k * hashMul >> a.hashShift
			for a.vocab[h].key != 0 {
				h = (h + 1) & mask
			}
			a.vocab[h] = vocabSlot{key: k, sym: base + uint32(i), more: uint32(len(a.longWords))<<2 | moreLong}
			a.longWords = append(a.longWords, w)
			continue
		}
		slot(w).sym = base + uint32(i)
	}
	for _, stem := range auxStems {
		sym := uint32(symUnknownWord)
		if i, ok := wordID(stem); ok {
			sym = base + i
		}
		slot(stem + "n").more = sym<<2 | moreN
		slot(stem + "nt").more = sym<<2 | moreNT
		a.maxWord = max(a.maxWord, len(stem)+2)
	}
}

// hitAt is a state that ends a pattern (by number), reached at byte end.
type hitAt struct {
	end   int32
	state uint32
}

// walk scans b[from:to], starting as after a word boundary, and appends
// to hits every state that ends a pattern, in text order. Bytes past to
// are looked at only to tell how a word before them splits ("isn" before
// "'t").
func (a *automaton) walk(b []byte, from, to int, hits []hitAt) []hitAt {
	dense, denseEnd, space := a.dense, a.denseEnd, a.space
	vocab, hashShift := a.vocab, a.hashShift
	s := uint32(0)
	for i := from; i < to; {
		var c uint32
		if !asciiWord[b[i]] {
			c = a.class[b[i]]
			i++
			if c == symUnknownByte {
				// from any state, a byte in no pattern leads to the
				// root, and the root stays there on more of them:
				// skipped text (all separators) costs one step
				for a.skip[sepInline] && i+8 <= to && binary.LittleEndian.Uint64(b[i:]) == sepInline*0x0101010101010101 {
					i += 8 // a long skipped span, eight at a time
				}
				for i < to && a.skip[b[i]] {
					i++
				}
			}
		} else {
			j := i + 1
			for j < to && asciiWord[b[j]] {
				j++
			}
			// the first probe for a word of 1-8 bytes, here; the rest
			// in lookup
			var more uint32
			if n := j - i; n <= 8 && i+8 <= len(b) {
				k := binary.LittleEndian.Uint64(b[i:]) & (1<<(8*n) - 1)
				sl := &vocab[k*hashMul>>hashShift]
				switch sl.key {
				case k:
					c, more = sl.sym, sl.more
				case 0:
					c = symUnknownWord
				default:
					c, more = a.lookup(b, i, j)
				}
			} else {
				c, more = a.lookup(b, i, j)
			}
			if more > moreLong && (more&3 == moreNT || j+1 < len(b) && b[j] == '\'' && b[j+1] == 't') {
				// an auxiliary stem with a contraction's tail
				e, tail := j-1, uint32(symN)
				if more&3 == moreNT {
					e, tail = j-2, symNT
				}
				s, hits = a.step(s, more>>2, e, hits)
				c = tail
			}
			i = j
		}
		var v uint32
		if s < denseEnd {
			v = dense[s+c]
		} else {
			v = a.next(s, c)
		}
		s = v &^ outBit
		if v&outBit != 0 {
			hits = append(hits, hitAt{int32(i), a.id(s)})
		}
		// A token is most often followed by a space: take it in the
		// same turn of the loop (walk −11 %). The step is written out
		// twice: as a call (step) it is not inlined, and the walk takes
		// 20 % longer.
		if i < to && (b[i] == ' ' || b[i] == '\n') {
			i++
			if s < denseEnd {
				v = dense[s+space]
			} else {
				v = a.next(s, space)
			}
			s = v &^ outBit
			if v&outBit != 0 {
				hits = append(hits, hitAt{int32(i), a.id(s)})
			}
		}
	}
	return hits
}

// step is one transition of walk, on symbol c of a token that ends at end.
func (a *automaton) step(s, c uint32, end int, hits []hitAt) (uint32, []hitAt) {
	v := a.next(s, c)
	s = v &^ outBit
	if v&outBit != 0 {
		hits = append(hits, hitAt{int32(end), a.id(s)})
	}
	return s, hits
}

// sizeBytes estimates the memory held by the automaton.
func (a *automaton) sizeBytes() int {
	n := 1024 + 16*len(a.vocab) + 4*len(a.dense) + 16*len(a.sparse) + 8*len(a.edges) +
		4*(len(a.ownStart)+len(a.ownPats)+len(a.dict)+len(a.patLen))
	for _, w := range a.longWords {
		n += 16 + len(w)
	}
	return n
}

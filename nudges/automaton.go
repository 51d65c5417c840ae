package nudges

// automaton is an Aho-Corasick automaton compiled to a dense DFA over byte
// classes. Every byte that occurs in some pattern gets its own class; all
// other bytes share class 0, which always leads back to the root. Each
// transition entry is the target state's row offset (state × stride), and
// states are numbered so that every state ending a pattern comes after all
// the others: the hot loop is one table load and one comparison with
// outStart per byte, with nothing else on the dependency chain.
type automaton struct {
	class  [256]uint8
	stride uint32
	trans  []uint32
	// outStart is the row offset of the first state that ends a pattern.
	outStart uint32
	// own[s] lists the patterns that end exactly at state s; dict[s] is the
	// nearest state on the failure chain that ends a pattern (or -1).
	ownStart []int32
	ownPats  []int32
	dict     []int32
	// patLen is the byte length of each pattern.
	patLen []int32
}

// buildAutomaton compiles the patterns. Identical patterns may repeat (with
// different payloads); each keeps its own index.
func buildAutomaton(patterns []string) *automaton {
	a := &automaton{}
	// byte classes: 0 is "not in any pattern"; ' ' and '\n' share a class
	// so a newline matches a space inside a phrase.
	next := uint8(1)
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			c := p[i]
			if c == '\n' {
				c = ' '
			}
			if a.class[c] == 0 {
				a.class[c] = next
				next++
			}
		}
	}
	a.class['\n'] = a.class[' ']
	a.stride = uint32(next)

	// The trie, built straight into dense rows of state indices (0: no
	// child; the root is never a child). Rows become DFA rows below.
	stride := int(a.stride)
	total := 0
	for _, p := range patterns {
		total += len(p)
	}
	trans := make([]uint32, stride, stride*(total/2+1))
	a.patLen = make([]int32, len(patterns))
	endState := make([]int32, len(patterns))
	n := 1
	for pi, p := range patterns {
		a.patLen[pi] = int32(len(p))
		s := 0
		for i := 0; i < len(p); i++ {
			c := int(a.class[p[i]])
			t := int(trans[s*stride+c])
			if t == 0 {
				t = n
				n++
				trans = append(trans, make([]uint32, stride)...)
				trans[s*stride+c] = uint32(t)
			}
			s = t
		}
		endState[pi] = int32(s)
	}
	// own patterns per state, in pattern order (a counting sort)
	a.ownStart = make([]int32, n+1)
	for _, s := range endState {
		a.ownStart[s+1]++
	}
	for s := 0; s < n; s++ {
		a.ownStart[s+1] += a.ownStart[s]
	}
	a.ownPats = make([]int32, len(patterns))
	fill := append([]int32(nil), a.ownStart[:n]...)
	for pi, s := range endState {
		a.ownPats[fill[s]] = int32(pi)
		fill[s]++
	}
	hasOwn := func(s int32) bool { return a.ownStart[s+1] > a.ownStart[s] }

	// Breadth-first, children in class order (deterministic): failure
	// links, dictionary links, and the missing transitions filled from the
	// failure state's (already complete) row.
	fail := make([]int32, n)
	a.dict = make([]int32, n)
	for s := range a.dict {
		a.dict[s] = -1
	}
	queue := make([]int32, 0, n)
	for c := 0; c < stride; c++ {
		if t := trans[c]; t != 0 {
			queue = append(queue, int32(t))
		}
	}
	for q := 0; q < len(queue); q++ {
		s := queue[q]
		f := fail[s]
		if hasOwn(f) {
			a.dict[s] = f
		} else {
			a.dict[s] = a.dict[f]
		}
		row := int(s) * stride
		frow := int(f) * stride
		for c := 0; c < stride; c++ {
			if t := trans[row+c]; t != 0 {
				fail[t] = int32(trans[frow+c])
				queue = append(queue, int32(t))
			} else {
				trans[row+c] = trans[frow+c]
			}
		}
	}
	a.trans = trans
	a.renumber(func(s int) bool { return hasOwn(int32(s)) || a.dict[s] >= 0 })
	return a
}

// renumber puts the states for which out is true after all the others, so
// that "this state ends a pattern" is one comparison with outStart, and
// turns the transitions (state indices) into row offsets.
func (a *automaton) renumber(out func(s int) bool) {
	n := len(a.dict)
	stride := int(a.stride)
	perm := make([]int32, n)
	next := int32(0)
	for s := 0; s < n; s++ {
		if !out(s) {
			perm[s] = next
			next++
		}
	}
	a.outStart = uint32(next) * a.stride
	for s := 0; s < n; s++ {
		if out(s) {
			perm[s] = next
			next++
		}
	}
	trans := make([]uint32, len(a.trans))
	dict := make([]int32, n)
	ownStart := make([]int32, n+1)
	ownPats := make([]int32, 0, len(a.ownPats))
	inv := make([]int32, n)
	for s := 0; s < n; s++ {
		inv[perm[s]] = int32(s)
	}
	for ns := 0; ns < n; ns++ {
		s := int(inv[ns])
		for c := 0; c < stride; c++ {
			t := a.trans[s*stride+c]
			trans[ns*stride+c] = uint32(perm[t]) * a.stride
		}
		if a.dict[s] >= 0 {
			dict[ns] = perm[a.dict[s]]
		} else {
			dict[ns] = -1
		}
		ownPats = append(ownPats, a.ownPats[a.ownStart[s]:a.ownStart[s+1]]...)
		ownStart[ns+1] = int32(len(ownPats))
	}
	a.trans, a.dict, a.ownStart, a.ownPats = trans, dict, ownStart, ownPats
}

// sizeBytes estimates the memory held by the automaton.
func (a *automaton) sizeBytes() int {
	return 256 + 4*len(a.trans) + 4*(len(a.ownStart)+len(a.ownPats)+len(a.dict)+len(a.patLen))
}

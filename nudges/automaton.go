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

	// trie
	type node struct {
		child map[uint8]int32
		pats  []int32
	}
	nodes := []node{{}}
	a.patLen = make([]int32, len(patterns))
	for pi, p := range patterns {
		a.patLen[pi] = int32(len(p))
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := a.class[p[i]]
			if nodes[s].child == nil {
				nodes[s].child = map[uint8]int32{}
			}
			t, ok := nodes[s].child[c]
			if !ok {
				t = int32(len(nodes))
				nodes = append(nodes, node{})
				nodes[s].child[c] = t
			}
			s = t
		}
		nodes[s].pats = append(nodes[s].pats, int32(pi))
	}

	n := len(nodes)
	stride := int(a.stride)
	a.trans = make([]uint32, n*stride)
	fail := make([]int32, n)
	a.dict = make([]int32, n)
	a.ownStart = make([]int32, n+1)
	for s := range nodes {
		a.ownStart[s+1] = a.ownStart[s] + int32(len(nodes[s].pats))
		a.ownPats = append(a.ownPats, nodes[s].pats...)
		a.dict[s] = -1
	}

	// Breadth-first: fill the DFA rows, failure links and dictionary links.
	// Children are visited in class order so the build is deterministic.
	queue := make([]int32, 0, n)
	order := func(s int32) []uint8 {
		cs := make([]uint8, 0, len(nodes[s].child))
		for c := 0; c < stride; c++ {
			if _, ok := nodes[s].child[uint8(c)]; ok {
				cs = append(cs, uint8(c))
			}
		}
		return cs
	}
	for _, c := range order(0) {
		t := nodes[0].child[c]
		fail[t] = 0
		queue = append(queue, t)
	}
	for c := 0; c < stride; c++ {
		t, ok := nodes[0].child[uint8(c)]
		if !ok {
			t = 0
		}
		a.trans[c] = uint32(t) * a.stride
	}
	for q := 0; q < len(queue); q++ {
		s := queue[q]
		f := fail[s]
		if len(nodes[f].pats) > 0 {
			a.dict[s] = f
		} else {
			a.dict[s] = a.dict[f]
		}
		row := int(s) * stride
		frow := int(f) * stride
		for c := 0; c < stride; c++ {
			if t, ok := nodes[s].child[uint8(c)]; ok {
				a.trans[row+c] = uint32(t) * a.stride
				// failure of t: follow s's failure transition on c
				fail[t] = int32(a.trans[frow+c] / a.stride)
				queue = append(queue, t)
			} else {
				a.trans[row+c] = a.trans[frow+c]
			}
		}
	}
	a.renumber(func(s int) bool { return len(nodes[s].pats) > 0 || a.dict[s] >= 0 })
	return a
}

// renumber puts the states for which out is true after all the others, so
// that "this state ends a pattern" is one comparison with outStart.
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
			t := a.trans[s*stride+c] / a.stride
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

package nudges

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// automatonHits scans text as the matcher does (walk) and lists every
// (pattern, end) the automaton reports.
func automatonHits(a *automaton, text string) [][2]int {
	var hits [][2]int
	var tmp []hitAt
	for _, h := range a.walk([]byte(text), 0, len(text), nil, &tmp) {
		for t := int32(h.state); t >= 0; t = a.dict[t] {
			for _, pi := range a.ownPats[a.ownStart[t]:a.ownStart[t+1]] {
				hits = append(hits, [2]int{int(pi), int(h.end)})
			}
		}
	}
	slices.SortFunc(hits, func(x, y [2]int) int {
		if x[1] != y[1] {
			return x[1] - y[1]
		}
		return x[0] - y[0]
	})
	return hits
}

// naiveHits is the specification: every occurrence of every pattern, an
// anchored one only where it starts the text or follows a boundary byte.
func naiveHits(patterns []string, anchored []bool, text string) [][2]int {
	var hits [][2]int
	text = strings.ReplaceAll(text, "\n", " ") // a newline matches a space
	for pi, p := range patterns {
		for i := 0; i+len(p) <= len(text); i++ {
			if text[i:i+len(p)] != p {
				continue
			}
			if anchored[pi] && i > 0 && !isBoundary(text[i-1]) {
				continue
			}
			hits = append(hits, [2]int{pi, i + len(p)})
		}
	}
	slices.SortFunc(hits, func(x, y [2]int) int {
		if x[1] != y[1] {
			return x[1] - y[1]
		}
		return x[0] - y[0]
	})
	return hits
}

// randomPatterns draws patterns from a small alphabet (word bytes, space,
// apostrophe, punctuation, a two-byte letter) so they overlap a lot.
func randomPatterns(r *rand.Rand, n int) ([]string, []bool) {
	pieces := []string{"a", "b", "n", "i", "t", " ", "'", "?", ".", "é", "_", "1"}
	var ps []string
	var an []bool
	for range n {
		var sb strings.Builder
		for range 1 + r.IntN(6) {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		ps = append(ps, sb.String())
		an = append(an, r.IntN(3) > 0)
	}
	return ps, an
}

func TestAutomatonMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for round := range 300 {
		ps, an := randomPatterns(r, 1+r.IntN(40))
		a := buildAutomaton(ps, an)
		text := strings.Repeat(" ", r.IntN(2))
		for range r.IntN(80) {
			tp, _ := randomPatterns(r, 1)
			text += tp[0]
		}
		text += "\xff\n" + ps[r.IntN(len(ps))] // bytes outside every pattern, and one sure hit
		got, want := automatonHits(a, text), naiveHits(ps, an, text)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: patterns %q anchored %v text %q:\n got  %v\n want %v", round, ps, an, text, got, want)
		}
	}
}

// TestAutomatonSparseStates forces nearly every state out of the dense
// rows, so the failure-link path (and its ␣ step) is what gets tested.
func TestAutomatonSparseStates(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 1))
	for round := range 100 {
		ps, an := randomPatterns(r, 300)
		a := buildAutomatonDense(ps, an, 0)
		if int(a.nDense) >= len(a.fail) {
			t.Fatalf("round %d: all %d states are dense; the test needs sparse ones", round, len(a.fail))
		}
		var sb strings.Builder
		for range 100 {
			sb.WriteString(ps[r.IntN(len(ps))])
			if r.IntN(2) == 0 {
				sb.WriteByte(" ab.'"[r.IntN(5)])
			}
		}
		text := sb.String()
		got, want := automatonHits(a, text), naiveHits(ps, an, text)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: %d hits, want %d", round, len(got), len(want))
		}
	}
}

// TestAutomatonLongText: a text long enough to be walked as two streams
// reports what the naive search finds, wherever the middle falls (inside
// a word, a pattern, a run of boundaries), and hits come in text order.
func TestAutomatonLongText(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for round := range 60 {
		ps, an := randomPatterns(r, 1+r.IntN(60))
		a := buildAutomatonDense(ps, an, []int{0, 1 << 20}[round%2])
		var sb strings.Builder
		for sb.Len() < splitWalk+r.IntN(3*splitWalk) {
			sb.WriteString(ps[r.IntN(len(ps))])
			if r.IntN(3) == 0 {
				sb.WriteString([]string{" ", "x", "\n", "..", "'"}[r.IntN(5)])
			}
		}
		text := sb.String()
		got, want := automatonHits(a, text), naiveHits(ps, an, text)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%d bytes): %d hits, want %d", round, len(text), len(got), len(want))
		}
		var tmp []hitAt
		hs := a.walk([]byte(text), 0, len(text), nil, &tmp)
		if !slices.IsSortedFunc(hs, func(x, y hitAt) int { return int(x.end - y.end) }) {
			t.Fatalf("round %d: hits out of text order", round)
		}
	}
}

// TestAutomatonSplitStraddle puts a longest pattern (boundaries inside)
// across the middle of a long text at every offset: the second stream
// must start early enough to find it, and the first must not report past
// the middle.
func TestAutomatonSplitStraddle(t *testing.T) {
	ps, an := []string{" a a a a b", "a a a b", "a b", "b a"}, []bool{false, false, true, false}
	a := buildAutomaton(ps, an)
	for n := splitWalk; n < splitWalk+8; n++ {
		base := []byte(strings.Repeat("a ", n/2+1)[:n])
		mid := n / 2
		for k := mid - 12; k <= mid+12; k++ {
			text := slices.Clone(base)
			text[k] = 'b'
			got, want := automatonHits(a, string(text)), naiveHits(ps, an, string(text))
			if !slices.Equal(got, want) {
				t.Fatalf("%d bytes, b at %d (middle %d):\n got  %v\n want %v", n, k, mid, got, want)
			}
		}
	}
}

func FuzzAutomaton(f *testing.F) {
	f.Add("ab a'b\x00é?b", "a b", "'b", "é?", true, false)
	f.Add("n't it isn't", "n't", "it", "t i", false, true)
	f.Fuzz(func(t *testing.T, text, p1, p2, p3 string, an1, an2 bool) {
		var ps []string
		var an []bool
		for i, p := range []string{p1, p2, p3} {
			if p == "" || strings.IndexByte(p, boundMark) >= 0 || strings.IndexByte(p, '\n') >= 0 {
				continue
			}
			ps = append(ps, p)
			an = append(an, []bool{an1, an2, an1 != an2}[i])
		}
		if len(ps) == 0 {
			return
		}
		long := text // walked as two streams
		for len(long) < splitWalk {
			long += " " + text + p1
		}
		for _, a := range []*automaton{buildAutomaton(ps, an), buildAutomatonDense(ps, an, 0)} {
			got, want := automatonHits(a, text), naiveHits(ps, an, text)
			if !slices.Equal(got, want) {
				t.Fatalf("patterns %q anchored %v text %q:\n got  %v\n want %v", ps, an, text, got, want)
			}
			if got, want := automatonHits(a, long), naiveHits(ps, an, long); !slices.Equal(got, want) {
				t.Fatalf("patterns %q anchored %v, %d bytes of %q: %d hits, want %d", ps, an, len(long), text, len(got), len(want))
			}
		}
	})
}

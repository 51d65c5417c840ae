package nudges

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// automatonHits scans text as the matcher does (walk) and lists every
// (pattern, end) the automaton reports.
func automatonHits(a *automaton, text string) [][2]int {
	var hits [][2]int
	for _, h := range a.walk([]byte(text), 0, len(text), nil) {
		for t := int32(h.state); t >= 0; t = a.dict[t] {
			for _, pi := range a.ownPats[a.ownStart[t]:a.ownStart[t+1]] {
				hits = append(hits, [2]int{int(pi), int(h.end)})
			}
		}
	}
	sortHits(hits)
	return hits
}

func sortHits(hits [][2]int) {
	slices.SortFunc(hits, func(x, y [2]int) int {
		if x[1] != y[1] {
			return x[1] - y[1]
		}
		return x[0] - y[0]
	})
}

// naiveHits lists every occurrence of every pattern (a line break matches
// a space) where a pattern that starts with an ASCII word byte, not a
// contraction's tail, starts the text or follows a boundary byte.
func naiveHits(patterns []string, tails []bool, text string) [][2]int {
	var hits [][2]int
	text = strings.ReplaceAll(text, "\n", " ")
	for pi, p := range patterns {
		for i := 0; i+len(p) <= len(text); i++ {
			if text[i:i+len(p)] != p {
				continue
			}
			if !tails[pi] && asciiWord[p[0]] && i > 0 && asciiWord[text[i-1]] {
				continue
			}
			hits = append(hits, [2]int{pi, i + len(p)})
		}
	}
	sortHits(hits)
	return hits
}

// wanted reports whether the judge can keep a naive hit: one that ends
// inside a word (a contraction is one word), or a tail that does not
// follow an auxiliary stem, it always drops (emit, cliticFits); the
// automaton need not report those.
func wanted(patterns []string, tails []bool, text string, h [2]int) bool {
	p, end := patterns[h[0]], h[1]
	start := end - len(p)
	if asciiWord[p[len(p)-1]] && (end < len(text) && asciiWord[text[end]] || strings.HasPrefix(text[end:], "'t")) {
		return false // the word goes on ("isn" in "isn't")
	}
	if tails[h[0]] {
		j := start
		for j > 0 && asciiWord[text[j-1]] {
			j--
		}
		return isAuxStem([]byte(text[j:start]))
	}
	return true
}

// checkHits is the automaton's contract: it reports only real
// occurrences, and every occurrence the judge can keep.
func checkHits(t *testing.T, a *automaton, patterns []string, tails []bool, text string) {
	t.Helper()
	got, naive := automatonHits(a, text), naiveHits(patterns, tails, text)
	for _, h := range got {
		if _, ok := slices.BinarySearchFunc(naive, h, cmpHit); !ok {
			t.Fatalf("patterns %q tails %v text %q: reported %q ending at %d, which is not there", patterns, tails, text, patterns[h[0]], h[1])
		}
	}
	for _, h := range naive {
		if _, ok := slices.BinarySearchFunc(got, h, cmpHit); !ok && wanted(patterns, tails, text, h) {
			t.Fatalf("patterns %q tails %v text %q: missed %q ending at %d", patterns, tails, text, patterns[h[0]], h[1])
		}
	}
}

func cmpHit(x, y [2]int) int {
	if x[1] != y[1] {
		return x[1] - y[1]
	}
	return x[0] - y[0]
}

// randomPatterns draws patterns from a small alphabet (words, auxiliary
// stems and contractions, space, apostrophe, punctuation, a two-byte
// letter) so they overlap a lot; about one in five is a contraction's tail.
func randomPatterns(r *rand.Rand, n int) ([]string, []bool) {
	var ps []string
	var tails []bool
	for range n {
		p, tail := randomPiece(r), false
		if r.IntN(5) == 0 {
			p, tail = []string{"n't ", "nt "}[r.IntN(2)]+p, true
		}
		ps = append(ps, p)
		tails = append(tails, tail)
	}
	return ps, tails
}

func randomPiece(r *rand.Rand) string {
	pieces := []string{"a", "b", "n", "t", "do", "is", "don't", "isnt", "isn", "ca", "can't", " ", " ", "'", "?", ".", "é", "_", "1", "nt"}
	var sb strings.Builder
	for range 1 + r.IntN(6) {
		sb.WriteString(pieces[r.IntN(len(pieces))])
	}
	return sb.String()
}

func TestAutomatonMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for range 500 {
		ps, tails := randomPatterns(r, 1+r.IntN(40))
		a := buildAutomaton(ps, tails)
		text := strings.Repeat(" ", r.IntN(2))
		for range r.IntN(80) {
			text += randomPiece(r)
		}
		text += "\xff\n" + ps[r.IntN(len(ps))] // bytes outside every pattern, and one likely hit
		checkHits(t, a, ps, tails, text)
	}
}

// TestAutomatonSparseStates keeps every state but the root out of the
// dense rows, so the failure-link path is what gets tested.
func TestAutomatonSparseStates(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 1))
	for round := range 100 {
		ps, tails := randomPatterns(r, 300)
		a := buildAutomatonDense(ps, tails, 0)
		if a.nDense != 1 {
			t.Fatalf("round %d: %d dense states, want only the root", round, a.nDense)
		}
		var sb strings.Builder
		for range 100 {
			sb.WriteString(ps[r.IntN(len(ps))])
			if r.IntN(2) == 0 {
				sb.WriteByte(" ab.'"[r.IntN(5)])
			}
		}
		checkHits(t, a, ps, tails, sb.String())
	}
}

// TestAutomatonDenseStates: a state with many edges gets a dense row,
// whose failure links run through sparse states.
func TestAutomatonDenseStates(t *testing.T) {
	var ps []string
	for i := range 3 * denseDegree {
		ps = append(ps, fmt.Sprintf("x y w%d", i), fmt.Sprintf("y w%d z", i))
	}
	ps = append(ps, "x y w1 z q")
	tails := make([]bool, len(ps))
	a := buildAutomaton(ps, tails)
	if a.nDense < 3 {
		t.Fatalf("%d dense states; want the root, \"x y \" and \"y \"", a.nDense)
	}
	checkHits(t, a, ps, tails, "x y w1 z q x y w2 z y w47 z\nx y w3")
}

// TestAutomatonTails: a contraction's tail is found after an auxiliary
// stem, with or without the apostrophe, and nowhere else.
func TestAutomatonTails(t *testing.T) {
	ps := []string{"n't up for discussion", "nt up for discussion", "is", "up for", "don't"}
	tails := []bool{true, true, false, false, false}
	a := buildAutomaton(ps, tails)
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"this isn't up for discussion", []string{"up for", "n't up for discussion"}},
		{"this isnt up for discussion", []string{"up for", "nt up for discussion"}},
		{"this mayn't up for discussion", []string{"up for"}},
		{"it is. don't", []string{"is", "don't"}},
		{"isn't", nil},
		{"dont", nil},
	} {
		var got []string
		for _, h := range automatonHits(a, tc.text) {
			if wanted(ps, tails, tc.text, h) {
				got = append(got, ps[h[0]])
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: found %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestAutomatonLongWords: words longer than 8 bytes are hashed, and a
// probe compares them in full.
func TestAutomatonLongWords(t *testing.T) {
	ps := []string{"accountability matters", "responsibilities", "12345678", "123456789"}
	tails := make([]bool, len(ps))
	a := buildAutomaton(ps, tails)
	checkHits(t, a, ps, tails, "accountability matters; responsibilitiez responsibilities 12345678 123456789 1234567890")
	if got := automatonHits(a, "responsibilitiez"); len(got) != 0 {
		t.Errorf("a word one letter off a long pattern word was found: %v", got)
	}
}

func FuzzAutomaton(f *testing.F) {
	f.Add("ab a'b\x00é?b", "a b", "'b", "é?", true, false)
	f.Add("n't it isn't", "n't it", "it", "t i", true, false)
	f.Add("isnt up; is nt up", "nt up", "is", "up", true, true)
	f.Fuzz(func(t *testing.T, text, p1, p2, p3 string, tail1, tail2 bool) {
		var ps []string
		var tails []bool
		for i, p := range []string{p1, p2, p3} {
			if p == "" || strings.IndexByte(p, '\n') >= 0 {
				continue
			}
			ps = append(ps, p)
			tails = append(tails, []bool{tail1, tail2, false}[i] && (strings.HasPrefix(p, "n't") || strings.HasPrefix(p, "nt ")))
		}
		if len(ps) == 0 {
			return
		}
		for _, a := range []*automaton{buildAutomaton(ps, tails), buildAutomatonDense(ps, tails, 0)} {
			checkHits(t, a, ps, tails, text)
		}
	})
}

// TestAutomatonEveryStem: the scan splits every auxiliary stem's
// contraction as the patterns are split, with and without the
// apostrophe, and whether or not the stem is a word of some pattern.
func TestAutomatonEveryStem(t *testing.T) {
	for _, withStem := range []bool{false, true} {
		ps := []string{"n't x", "nt x"}
		tails := []bool{true, true}
		if withStem {
			ps = append(ps, auxStems...)
			tails = append(tails, make([]bool, len(auxStems))...)
		}
		a := buildAutomaton(ps, tails)
		for _, stem := range auxStems {
			for _, tc := range []struct{ text, want string }{{stem + "n't x", "n't x"}, {stem + "nt x", "nt x"}} {
				var got []string
				for _, h := range automatonHits(a, tc.text) {
					if ps[h[0]] == tc.want {
						got = append(got, ps[h[0]])
					}
				}
				if len(got) != 1 {
					t.Errorf("stem %q in the patterns %v: %q: found %q, want %q once", stem, withStem, tc.text, got, tc.want)
				}
			}
		}
	}
}

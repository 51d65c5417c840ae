package nudges

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// ungated returns a matcher for the same rules whose scan checks every
// hit the automaton reports (no need masks): the reference the gate must
// agree with.
func ungated(t testing.TB, m *Matcher) *Matcher {
	t.Helper()
	u, err := Compile(m.RuleSet())
	if err != nil {
		t.Fatal(err)
	}
	for L := range u.layers {
		ly := &u.layers[L]
		for s := range ly.gate {
			ly.gate[s] = needAll
		}
	}
	return u
}

// TestGateIsConservative holds the scan's hit gate (runRange) to the
// ungated scan: the same matches on every corpus line, and on long texts
// that pack many phrases and near-misses together across sentence ends,
// line breaks and gaps, where the gate skips most hits.
func TestGateIsConservative(t *testing.T) {
	m := compileBuiltin(t)
	u := ungated(t, m)
	files, err := filepath.Glob("testdata/corpus/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files (%v)", err)
	}
	var texts []string
	for _, f := range files {
		for _, e := range readCorpusFile(t, f) {
			texts = append(texts, e.Text)
		}
	}
	check := func(text string) {
		t.Helper()
		got, want := summary(m.MatchText(text)), summary(u.MatchText(text))
		if got != want {
			t.Fatalf("gated scan differs on %q:\n gated:   %s\n ungated: %s", text, got, want)
		}
	}
	// each line as written, and with its spaces as line breaks (parts
	// cut from one phrase may be adjacent across a line break)
	matched, broken := 0, 0
	for _, s := range texts {
		check(s)
		lines := strings.ReplaceAll(s, " ", "\n")
		check(lines)
		if len(u.MatchText(s)) > 0 {
			matched++
		}
		if len(u.MatchText(lines)) > 0 {
			broken++
		}
	}
	if matched == 0 || broken == 0 {
		t.Fatalf("%d lines matched, %d with line breaks: the comparison proves nothing", matched, broken)
	}
	// long texts: corpus lines and their word salads joined by sentence
	// ends, line breaks and plain spaces
	r := rand.New(rand.NewPCG(1, 2))
	seps := []string{" ", "\n", ". ", "! ", "? ", ", ", "\n\n", " and "}
	var words []string
	for _, s := range texts {
		words = append(words, strings.Fields(s)...)
	}
	for range 40 {
		var b strings.Builder
		for b.Len() < 4000 {
			if r.IntN(3) == 0 {
				for range 1 + r.IntN(12) {
					b.WriteString(words[r.IntN(len(words))])
					b.WriteByte(' ')
				}
			} else {
				b.WriteString(texts[r.IntN(len(texts))])
			}
			b.WriteString(seps[r.IntN(len(seps))])
		}
		check(b.String())
	}
}

// TestGateAcrossLineBreak: parts cut from one phrase may be adjacent across
// a line break, which otherwise ends a sentence; the gate must not forget
// the first part there.
func TestGateAcrossLineBreak(t *testing.T) {
	rs, err := ParseRules("cut.yaml", []byte(`version: 1
rules:
  - id: cut
    category: micromanagement
    phrases: ["{ab|cd|ef|gh|ij} {kl|mn|op|qr|st} {uniformly|variously|willingly|xenophobe|yachtsmen}"]
    tip: {title: t, why: w, try: [x]}
`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	if n := m.chains[0].nparts; n < 2 {
		t.Fatalf("the phrase has %d part: the test needs a cut one", n)
	}
	u := ungated(t, m)
	for _, text := range []string{"ab kl uniformly", "ab kl\nuniformly", "so ab\nkl\nuniformly", "ab kl\n\nuniformly", "ab kl\nuniformly. cd", "ab kl.\nuniformly", "ab\n\nkl uniformly"} {
		got, want := summary(m.MatchText(text)), summary(u.MatchText(text))
		if got != want {
			t.Errorf("%q: gated %s, ungated %s", text, got, want)
		}
		if strings.Count(text, "\n") <= 1 && !strings.Contains(text, ".") && want == "" {
			t.Errorf("%q: parts adjacent across a line break should match", text)
		}
	}
}

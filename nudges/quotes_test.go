package nudges

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzMaskQuotes holds maskQuotes to the plain search it replaced (each
// opening single quote searched to the end of its line, every time): the
// same spans masked, on any text.
func FuzzMaskQuotes(f *testing.F) {
	for _, s := range []string{
		`he said "no" and 'cause of that 'em all left`,
		`'a 'b 'c d' e`,
		"'open\x00'close' x",
		"'line one\nline two' x",
		`"unclosed 'single' quote`,
		"students' work, the '90s, don't 'quoted' \"double \x00 across\" 'x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := []byte(s)
		maskQuotesNaive(want, nil)
		got := []byte(s)
		maskQuotes(got, nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("maskQuotes(%q)\n got %q\nwant %q", s, got, want)
		}
	})
}

// TestMaskQuotesManyOpeners: a long line of single quotes that open and
// never close is masked as the plain search masks it: not at all.
// (BenchmarkMaskQuotesManyOpeners shows the cost: the plain search looks
// at every later byte for each opener.)
func TestMaskQuotesManyOpeners(t *testing.T) {
	s := []byte(strings.Repeat("'cause ", 6000))
	want := append([]byte(nil), s...)
	maskQuotesNaive(want, nil)
	maskQuotes(s, nil)
	if !bytes.Equal(s, want) {
		t.Fatal("maskQuotes differs from the plain search on many openers")
	}
	if bytes.IndexByte(s, sepInline) >= 0 {
		t.Fatal("openers with no closer were masked")
	}
}

// BenchmarkMaskQuotesManyOpeners: 42 KB of "'cause " (a Slack message's
// size), the plain search against maskQuotes.
func BenchmarkMaskQuotesManyOpeners(b *testing.B) {
	src := []byte(strings.Repeat("'cause ", 6000))
	buf := make([]byte, len(src))
	for _, bc := range []struct {
		name string
		mask func([]byte, func(int, int))
	}{{"plain", maskQuotesNaive}, {"maskQuotes", maskQuotes}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				copy(buf, src)
				bc.mask(buf, nil)
			}
		})
	}
}

// maskQuotesNaive is maskQuotes as it was before openers that cannot
// close were skipped (with the line as a single quote's limit): the
// reference for FuzzMaskQuotes.
func maskQuotesNaive(b []byte, record func(from, to int)) {
	maskRange := func(b []byte, from, to int) {
		if record != nil {
			record(from, to)
			return
		}
		for k := from; k < to; k++ {
			b[k] = sepInline
		}
	}
	// The next double and single quote at or after i, found with the
	// vectorised IndexByte (-1: none left).
	nextDQ, nextSQ := bytes.IndexByte(b, '"'), bytes.IndexByte(b, '\'')
	for i := 0; i < len(b); i++ {
		if nextDQ >= 0 && nextDQ < i {
			nextDQ = indexByteFrom(b, i, '"')
		}
		if nextSQ >= 0 && nextSQ < i {
			nextSQ = indexByteFrom(b, i, '\'')
		}
		switch {
		case nextDQ < 0 && nextSQ < 0:
			return
		case nextSQ < 0 || nextDQ >= 0 && nextDQ < nextSQ:
			i = nextDQ
		default:
			i = nextSQ
		}
		switch b[i] {
		case '"':
			j := indexByteFrom(b, i+1, '"')
			if j < 0 {
				return
			}
			maskRange(b, i, j+1)
			i = j
		case '\'':
			if !singleQuoteOpens(b, i) {
				continue
			}
			for j := i + 1; j < len(b); j++ {
				if b[j] == sepBlock || b[j] == '\n' {
					break
				}
				if b[j] == '\'' && singleQuoteCloses(b, j) {
					maskRange(b, i, j+1)
					i = j
					break
				}
			}
		}
	}
}

package nudges

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxExpansions bounds how many literal variants one phrase may stand for,
// after {a|b} alternatives and contraction forms are multiplied out.
const maxExpansions = 512

// expandBraces expands {a|b} alternatives, left to right, in written order.
// Groups do not nest; an empty alternative ("{please |}") makes words optional.
func expandBraces(s string) ([]string, error) {
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
		alts := strings.Split(rest[:end], "|")
		if len(alts) < 2 {
			return nil, errors.New("a {…} group needs at least two alternatives separated by '|'")
		}
		if len(out)*len(alts) > maxExpansions {
			return nil, fmt.Errorf("expands to more than %d variants", maxExpansions)
		}
		next := make([]string, 0, len(out)*len(alts))
		for _, o := range out {
			for _, a := range alts {
				next = append(next, o+prefix+a)
			}
		}
		out = next
		s = rest[end+1:]
	}
	return out, nil
}

// checkPhraseSyntax validates a phrase as written in a rules file.
func checkPhraseSyntax(ph string) error {
	if !utf8.ValidString(ph) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range ph {
		if unicode.IsControl(r) && r != '\t' {
			return fmt.Errorf("contains the control character %U", r)
		}
	}
	vs, err := phraseVariants(ph)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		return errors.New("expands to nothing")
	}
	return nil
}

// phraseVariants returns every normalized literal a phrase stands for: its
// {a|b} alternatives times the contraction forms (don't / do not / dont),
// deduplicated, in a deterministic order.
func phraseVariants(ph string) ([]string, error) {
	alts, err := expandBraces(ph)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, a := range alts {
		n := normalizePhrase(a)
		if n == "" {
			return nil, fmt.Errorf("alternative %q is empty after normalization", a)
		}
		if !hasWordRune(n) {
			return nil, fmt.Errorf("alternative %q has no letters or digits", a)
		}
		for _, v := range contractionForms(n) {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		if len(out) > maxExpansions {
			return nil, fmt.Errorf("expands to more than %d variants (alternatives × contraction forms)", maxExpansions)
		}
	}
	return out, nil
}

func hasWordRune(s string) bool {
	for _, r := range s {
		if isWordRune(r) {
			return true
		}
	}
	return false
}

// normalizePhrase normalizes a phrase exactly as message text is normalized,
// minus the skipping of code, quotes and entities (a phrase is all words).
func normalizePhrase(s string) string {
	var n normalizer
	n.reset(nil)
	n.plain(s, 0)
	return strings.TrimSpace(string(n.buf))
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
}

// contractionIndex maps a form (as a word sequence) to its group.
type contractionIndex struct {
	one map[string][]string // single-word forms → group
	two map[string][]string // "w1 w2" forms → group
}

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

// contractionForms returns the normalized phrase with every contraction
// spelled every way, original spelling first.
func contractionForms(n string) []string {
	ix := buildContractionIndex()
	words := strings.Split(n, " ")
	var out []string
	var walk func(i int, acc []string)
	walk = func(i int, acc []string) {
		if len(out) > maxExpansions {
			return
		}
		if i >= len(words) {
			out = append(out, strings.Join(acc, " "))
			return
		}
		if i+1 < len(words) {
			if g, ok := ix.two[words[i]+" "+words[i+1]]; ok {
				for _, f := range orderFirst(g, words[i]+" "+words[i+1]) {
					walk(i+2, append(acc[:len(acc):len(acc)], f))
				}
				return
			}
		}
		if g, ok := ix.one[words[i]]; ok {
			for _, f := range orderFirst(g, words[i]) {
				walk(i+1, append(acc[:len(acc):len(acc)], f))
			}
			return
		}
		walk(i+1, append(acc[:len(acc):len(acc)], words[i]))
	}
	walk(0, nil)
	return out
}

// orderFirst returns g with first moved to the front, keeping the rest in
// group order, so the phrase as written is always the first variant.
func orderFirst(g []string, first string) []string {
	out := make([]string, 0, len(g))
	out = append(out, first)
	for _, f := range g {
		if f != first {
			out = append(out, f)
		}
	}
	return out
}

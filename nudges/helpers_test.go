package nudges

import (
	"errors"
	"strings"
)

// phraseVariants (for tests) returns every normalized literal of a phrase without sets
// or gaps, in a deterministic order (the phrase as written first).
func phraseVariants(ph string) ([]string, error) {
	e, err := newExpander(nil, false).expand(ph)
	if err != nil {
		return nil, err
	}
	if len(e.parts) != 1 {
		return nil, errors.New("phrase has gaps")
	}
	var out []string
	for _, v := range e.parts[0] {
		if v.clitic == clitNone {
			out = append(out, v.text)
		}
	}
	return out, nil
}

// normalizePhrase (for tests) normalizes a phrase exactly as message text is normalized,
// minus the skipping of code, quotes and entities (a phrase is all words).
func normalizePhrase(s string) string {
	var n normalizer
	n.reset(nil)
	n.plain(s, 0)
	return strings.TrimSpace(string(n.buf))
}

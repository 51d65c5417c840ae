package fakeslack

import (
	"encoding/json"
	"sort"
	"strings"
)

// BlockTexts returns every "text" string found in a JSON value (typically a
// post's Block Kit blocks), in document order with object keys sorted,
// joined by newlines: what a person would read, for assertions in tests.
// Invalid JSON gives "".
func BlockTexts(raw []byte) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return ""
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if s, ok := x[k].(string); ok && k == "text" {
					out = append(out, s)
				} else {
					walk(x[k])
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return strings.Join(out, "\n")
}

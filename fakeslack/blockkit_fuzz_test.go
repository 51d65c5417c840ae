package fakeslack

import (
	"encoding/json"
	"testing"
)

// FuzzCheckBlocks: whatever blocks or view a client sends, the checker
// answers without panicking, and every problem names a pointer into the
// payload.
func FuzzCheckBlocks(f *testing.F) {
	f.Add([]byte(`[{"type":"section","text":{"type":"mrkdwn","text":"hi"},"accessory":{"type":"button","action_id":"a","text":{"type":"plain_text","text":"x"}}}]`))
	f.Add([]byte(`[{"type":"actions","elements":[{"type":"static_select","options":[{"text":1}]}]},{"type":"context","elements":[{"type":"image"}]}]`))
	f.Add([]byte(`[{"type":"input","label":null,"element":"x"},{"type":"header"},{"type":"section","fields":[{}]}]`))
	f.Add([]byte(`{"type":"modal","title":{"type":"plain_text","text":"t"},"blocks":[{"type":"input"}],"submit":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, surface := range []string{"message", "modal", "home"} {
			for _, p := range checkBlocksJSON(json.RawMessage(data), surface, "/blocks") {
				if len(p.pointer) < len("/blocks") || p.pointer[:7] != "/blocks" || p.msg == "" {
					t.Fatalf("problem %+v", p)
				}
			}
		}
		var v map[string]any
		if json.Unmarshal(data, &v) == nil && v != nil {
			for _, p := range checkView(v) {
				if len(p.pointer) < 5 || p.pointer[:5] != "/view" {
					t.Fatalf("problem %+v", p)
				}
			}
		}
	})
}

package reflection

import (
	"encoding/json"
	"testing"

	"github.com/leadnudge/leadnudge/store"
)

// FuzzInteractionValues fuzzes what arrives back from Slack in interaction
// payloads: button values ("2026-W07|prompt-id") and the modal's
// private_metadata. Nothing may panic, and anything the bot itself wrote
// must parse back to what it wrote.
func FuzzInteractionValues(f *testing.F) {
	for _, s := range []string{"2026-W07|lead-or-manage", "2026-W53|x", "|", "2026-W00|a", "9999999999-W01|", `{"w":"2026-W07","p":"x","c":"D1","ts":"1.2"}`, `{"w":5}`, "\xff"} {
		f.Add(s, 2026, 7, "lead-or-manage")
	}
	f.Fuzz(func(t *testing.T, raw string, year, num int, id string) {
		_, _, _ = parsePromptValue(raw)
		var meta modalMeta
		if json.Unmarshal([]byte(raw), &meta) == nil {
			_, _ = store.ParseWeek(meta.Week)
		}
		w := store.Week{Year: year, Num: num}
		if !w.Valid() || len(id) > 200 {
			return
		}
		gotW, gotID, err := parsePromptValue(promptValue(w, id))
		if err != nil || gotW != w || gotID != id {
			t.Fatalf("promptValue round trip: %v %q %v, want %v %q", gotW, gotID, err, w, id)
		}
	})
}

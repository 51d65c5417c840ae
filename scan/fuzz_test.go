package scan

import (
	"bytes"
	"testing"
)

// FuzzDecodeFile: whatever a day file or a JSON Lines file holds, decoding
// never panics, reports offsets inside the input, and hands on only
// messages it read whole.
func FuzzDecodeFile(f *testing.F) {
	f.Add([]byte(`[{"type":"message","user":"U1","text":"Just do it.","ts":"1.2"}]`), false)
	f.Add([]byte(`[{"text":5},{"text":"ok","blocks":[{"type":"rich_text","elements":[{"type":"text","text":"x","style":"bullet"}]}]}]`), false)
	f.Add([]byte(`[{"user":"U1","te`), false)
	f.Add([]byte(`{"not":"an array"}`), false)
	f.Add([]byte("{\"user\":\"U1\",\"text\":\"a\"}\n\nnot json\n{\"text\":[1]}\n"), true)
	f.Add([]byte(""), true)
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		n := 0
		err := decodeFile(bytes.NewReader(data), jsonl,
			func(m *Message) { n++ },
			func(off int64, err error) {
				if off < 0 || off > int64(len(data)) {
					t.Fatalf("bad message at offset %d of %d bytes", off, len(data))
				}
				if err == nil {
					t.Fatal("bad message without an error")
				}
			})
		if oe, ok := err.(*offsetError); ok && (oe.off < 0 || oe.off > int64(len(data))+1) {
			t.Fatalf("error offset %d of %d bytes", oe.off, len(data))
		}
		if n > len(data) {
			t.Fatalf("%d messages from %d bytes", n, len(data))
		}
	})
}

package scan

import (
	"bytes"
	"encoding/json"
	"reflect"
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

// FuzzFastReaderAgrees holds the hand-written reader to encoding/json: on
// a day file that is valid JSON, both read the same messages and flag as
// many wrong-shaped ones; on JSON that is not valid, the hand-written
// reader reports an error (encoding/json's streaming reader may stop
// silently at trailing garbage; ours names it).
func FuzzFastReaderAgrees(f *testing.F) {
	f.Add([]byte(`[{"type":"message","user":"U1","text":"Just do it.","ts":"1.2","user_profile":{"a":[1,2.5e3,-0.1,true,null]}}]`))
	f.Add([]byte(`[{"text":5},{"TEXT":"a","text":"b","Text":"c"},null,{"blocks":[{"type":"rich_text","elements":[{"type":"text","text":"x","style":"bullet"},{"type":"text","text":"y","style":{"code":true}}]}]}]`))
	f.Add([]byte(`[{"blocks":[{"text":"a","elements":[{"text":"b"}]}],"blocks":[{"type":"t"}]}]`))
	f.Add([]byte(`[{"text":"caf\u00e9 \ud83d\ude00 \ud800 \"q\" \\ \/","ts":"1"}]` + "\n"))
	f.Add([]byte("[{\"text\":\"\xff\xfe bad utf8\"}]"))
	f.Add([]byte(`[{"blocks":{"no":"array"}},{"blocks":[5]},{"blocks":[{"style":{"code":"yes"}}]}]`))
	f.Add([]byte(`[{"a":01}]`))
	f.Add([]byte(`[1, "x", [], {}]`))
	f.Add([]byte(`[{"user":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		type result struct {
			msgs []Message
			bad  []int64
		}
		var ref, got result
		refErr := decodeFile(bytes.NewReader(data), false,
			func(m *Message) { ref.msgs = append(ref.msgs, *m) },
			func(off int64, err error) { ref.bad = append(ref.bad, off) })
		gotErr := decodeBytes(data, false,
			func(m *Message) { got.msgs = append(got.msgs, *m) },
			func(off int64, err error) { got.bad = append(got.bad, off) })
		if !json.Valid(data) {
			if gotErr == nil && len(bytes.TrimSpace(data)) > 0 {
				t.Fatalf("invalid JSON read without an error: %q", data)
			}
			return
		}
		if (refErr == nil) != (gotErr == nil) {
			t.Fatalf("encoding/json error %v, ours %v, on %q", refErr, gotErr, data)
		}
		if refErr != nil {
			return
		}
		// encoding/json's offsets point before the comma; ours at the value
		if !reflect.DeepEqual(ref.msgs, got.msgs) || len(ref.bad) != len(got.bad) {
			t.Fatalf("on %q\nencoding/json: %+v\nours:          %+v", data, ref, got)
		}
		for _, off := range got.bad {
			if c := data[off]; c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				t.Fatalf("offset %d of %q is not where the value starts", off, data)
			}
		}
	})
}

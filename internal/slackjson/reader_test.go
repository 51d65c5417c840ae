package slackjson

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/leadnudge/leadnudge/nudges"
)

// readBlocks reads {"blocks": …} as the bots' decoders do.
func readBlocks(b []byte) (blocks []nudges.Element, err error) {
	r := NewReader(b)
	err = r.Object("", "message", func(key []byte) error {
		if KeyIs(key, "blocks") {
			return r.Elements(&blocks, "blocks")
		}
		return r.Skip()
	})
	if err == nil {
		err = r.End()
	}
	if err == nil {
		err = r.TakeShape()
	}
	return blocks, err
}

// FuzzElements holds Elements (and the Object, Skip and string reading
// under it) to encoding/json: on valid JSON the same blocks or both an
// error; on invalid JSON an error.
func FuzzElements(f *testing.F) {
	for _, s := range []string{
		`{"blocks":[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"just do it","style":{"code":true}}]}]}]}`,
		`{"blocks":[{"type":"rich_text_list","style":"bullet","elements":[]}],"x":[1,2.5e-3,true,null,{"a":"\u00e9"}]}`,
		`{"BLOCKS":[{"TYPE":"t"}],"blocks":[{"type":"u","Type":"v"}]}`,
		`{"blocks":[{"text":5}]}`, `{"blocks":{"no":"array"}}`, `{"blocks":[{"style":{"code":"yes"}}]}`,
		`{"blocks":null}`, `{"blocks":[null,{"type":"emoji"}]}`, `[]`, `null`, `{"a":01}`, `{"blocks":[`,
		"{\"blocks\":[{\"text\":\"\xff\\ud800\"}]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want struct {
			Blocks []nudges.Element `json:"blocks"`
		}
		wantErr := json.Unmarshal(data, &want)
		got, gotErr := readBlocks(data)
		if !json.Valid(data) {
			if gotErr == nil {
				t.Fatalf("invalid JSON read without an error: %q", data)
			}
			return
		}
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("on %q: encoding/json error %v, ours %v", data, wantErr, gotErr)
		}
		if wantErr == nil && !reflect.DeepEqual(want.Blocks, got) {
			t.Fatalf("on %q\nencoding/json: %+v\nours:          %+v", data, want.Blocks, got)
		}
	})
}

// TestShapeErrorNames: a wrong-shaped value is named by its path in the
// blocks, built only when reported.
func TestShapeErrorNames(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"blocks":5}`, `field "blocks" is a JSON number`},
		{`{"blocks":[{"type":1}]}`, `field "blocks.type" is a JSON number, not a string`},
		{`{"blocks":[{"elements":[{"elements":[{"text":[]}]}]}]}`, `field "blocks.elements.elements.text" is a JSON array`},
		{`{"blocks":[{"style":{"code":"x"}}]}`, `field "blocks.style.code" is a JSON string, not a bool`},
		{`7`, `a JSON number where a message was expected`},
	} {
		_, err := readBlocks([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.in, err, c.want)
		}
	}
}

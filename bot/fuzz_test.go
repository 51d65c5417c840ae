package bot

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/leadnudge/leadnudge/nudges"
)

func fuzzBot(t testing.TB) *Bot {
	rs, err := nudges.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	m, err := nudges.Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{rules: NewRules(m)}
	b.opts.setDefaults()
	b.filter.Store(buildChannelFilter(nil, nil, nil))
	b.selfUser = "UBOT"
	return b
}

// FuzzClassify feeds arbitrary event payloads (and mutations of real ones)
// to the message classifier: it must never panic, and a match must point
// into the text it was found in.
func FuzzClassify(f *testing.F) {
	b := fuzzBot(f)
	seeds := []string{
		`{"event_id":"Ev1","event":{"type":"message","user":"U1","channel":"C1","channel_type":"channel","text":"Just do it.","ts":"1.1"}}`,
		`{"event_id":"Ev2","event":{"type":"message","subtype":"message_changed","channel":"C1","message":{"user":"U1","text":"because I said so","ts":"1.2"},"previous_message":{"user":"U1","text":"ok"}}}`,
		`{"event_id":"Ev3","event":{"type":"message","user":"U1","channel":"C1","text":"x","blocks":[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"just do it","style":{"code":true}}]}]}]}}`,
		`{"event_id":"Ev4","event":{"type":"message","user":"U1","channel":"C1","text":"\xff\xfe just do it"}}`,
		`{"event_id":"Ev5","event":{"type":"message","subtype":"message_changed","channel":"C1"}}`,
		`{"event_id":"Ev6","event":{"type":"message","user":"U1","channel":"C1","blocks":[{"type":"rich_text","elements":[{"type":"rich_text_list","style":"bullet","elements":[]}]}]}}`,
		`{}`, `[]`, `null`, `{"event_id":"E","event":{"blocks":"nope"}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		me, msg, best, reason := b.classify(payload)
		if reason != "" {
			return
		}
		if msg == nil {
			t.Fatal("no reason and no message")
		}
		if best.Rule != nil {
			src := msg.Text
			if len(msg.Blocks) > 0 && strings.Contains(string(mustJSON(msg.Blocks)), "rich_text") {
				src = nudges.PlainText(msg.Blocks)
			}
			if best.Start < 0 || best.End > len(src) || src[best.Start:best.End] != best.Text {
				t.Fatalf("match %q at %d..%d does not point into the text", best.Text, best.Start, best.End)
			}
		}
		_ = me
	})
}

// FuzzDecodeMessageEvent holds the one-pass decoder of message events to
// encoding/json: on valid JSON both fail or both read the same event; on
// invalid JSON ours fails.
func FuzzDecodeMessageEvent(f *testing.F) {
	for _, s := range []string{
		`{"event_id":"Ev1","event":{"type":"message","user":"U1","channel":"C1","channel_type":"channel","text":"Just do it.","ts":"1.1"},"authorizations":[{"team_id":"T1","is_bot":true}],"event_time":1.5e9}`,
		`{"event_id":"Ev2","event":{"subtype":"message_changed","channel":"C1","message":{"user":"U1","text":"because I said so","ts":"1.2","edited":{"user":"U1"}},"previous_message":{"user":"U1","text":"ok"}}}`,
		`{"event_id":"Ev3","event":{"user":"U1","blocks":[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"just","style":{"code":true}}]}]}]}}`,
		`{"EVENT_ID":"a","event_id":"b","Event":{"Text":"x","text":"y"},"event":{"channel":"C"}}`,
		`{"event_id":"E","event":{"message":null,"previous_message":{"text":"\u00e9\ud800\"q\""}}}`,
		`{"event_id":"E","event":{"message":{"text":"a"},"message":{"user":"U"}}}`,
		`{"event_id":"E","event":{"message":"no"}}`, `{"event_id":5}`, `{"event":[]}`, `{"event":null}`,
		"{\"event_id\":\"E\",\"event\":{\"text\":\"\xff\xfe\"}}", `{}`, `[]`, `null`, `{"event_id":"E"} x`, `{"a":01}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		var want, got messageEvent
		wantErr := json.Unmarshal(payload, &want)
		gotErr := decodeMessageEvent(payload, &got)
		if !json.Valid(payload) {
			if gotErr == nil {
				t.Fatalf("invalid JSON read without an error: %q", payload)
			}
			return
		}
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("on %q: encoding/json error %v, ours %v", payload, wantErr, gotErr)
		}
		if wantErr == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("on %q\nencoding/json: %+v\nours:          %+v", payload, want, got)
		}
	})
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// FuzzParseSnooze checks the /nudges snooze argument parser: any input is
// either a duration within bounds or an error.
func FuzzParseSnooze(f *testing.F) {
	for _, s := range []string{"7d", "2w", "12h", "90m", "0d", "-1d", "999999999999d", "106751d", "15250w", "1.5h", "d", "", "7 d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSnooze(s)
		if err == nil && (d < 3600e9 || d > MaxSnooze) {
			t.Fatalf("ParseSnooze(%q) = %v out of bounds", s, d)
		}
	})
}

package bot

import (
	"encoding/json"
	"fmt"
	"testing"
)

// eventPayload is an events_api payload of an ordinary message as Slack
// sends it (text and rich_text blocks, the fields the bot never reads).
func eventPayload(i int, text string) []byte {
	ts := fmt.Sprintf("1796204303.%06d", i)
	return fmt.Appendf(nil, `{"token":"x","team_id":"T0FAKE","context_team_id":"T0FAKE","api_app_id":"A0FAKE",`+
		`"event":{"type":"message","channel":"C0PRODUCT","channel_type":"channel","user":"U%04d","text":%q,"ts":%q,"event_ts":%q,`+
		`"client_msg_id":"0f0e%028d","team":"T0FAKE","blocks":[{"type":"rich_text","block_id":"b%d","elements":[`+
		`{"type":"rich_text_section","elements":[{"type":"text","text":%q}]}]}]},`+
		`"type":"event_callback","event_id":"Ev%010d","event_time":1796204303,`+
		`"authorizations":[{"team_id":"T0FAKE","user_id":"U0BOT","is_bot":true}],"is_ext_shared_channel":false,"event_context":"4-x"}`,
		i%500, text, ts, ts, i, i, text, i)
}

// TestDecodeMessageEvent reads a realistic payload and an edit.
func TestDecodeMessageEvent(t *testing.T) {
	var me messageEvent
	if err := decodeMessageEvent(eventPayload(7, "Deploy is \"green\" — thanks"), &me); err != nil {
		t.Fatal(err)
	}
	ev := me.Event
	if me.EventID != "Ev0000000007" || ev.Channel != "C0PRODUCT" || ev.ChannelType != "channel" || ev.User != "U0007" ||
		ev.Text != "Deploy is \"green\" — thanks" || ev.TS != "1796204303.000007" || len(ev.Blocks) != 1 ||
		ev.Blocks[0].Elements[0].Elements[0].Text != ev.Text {
		t.Fatalf("decoded %+v", me)
	}
	var edit messageEvent
	err := decodeMessageEvent([]byte(`{"event_id":"E","event":{"subtype":"message_changed","channel":"C1",`+
		`"message":{"user":"U1","text":"new"},"previous_message":{"user":"U1","text":"old"}}}`), &edit)
	if err != nil || edit.Event.Message == nil || edit.Event.Message.Text != "new" || edit.Event.Previous.Text != "old" {
		t.Fatalf("edit decoded %+v, %v", edit, err)
	}
	for _, bad := range []string{`{"event_id":5}`, `{"event":{"text":["x"]}}`, `{"event_id":"E"`, `[]`} {
		if err := decodeMessageEvent([]byte(bad), &messageEvent{}); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// BenchmarkDecodeMessageEvent compares the bot's decoding of a message
// event (what classify reads from every message) with encoding/json into
// the same struct.
func BenchmarkDecodeMessageEvent(b *testing.B) {
	texts := []string{
		"Morning! Can someone review the migration PR before lunch?",
		"Deploy is green, thanks everyone :tada:",
		"I moved the sprint review to Thursday so design can join.",
		"Customer call went well, notes are in the doc.",
	}
	var payloads [][]byte
	for i := range 64 {
		payloads = append(payloads, eventPayload(i, texts[i%len(texts)]))
	}
	run := func(b *testing.B, decode func([]byte, *messageEvent) error) {
		b.SetBytes(int64(len(payloads[0])))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			var me messageEvent
			if err := decode(payloads[i%len(payloads)], &me); err != nil || me.EventID == "" || len(me.Event.Blocks) == 0 {
				b.Fatalf("decoded %+v, %v", me, err)
			}
			i++
		}
	}
	b.Run("leadnudge", func(b *testing.B) { run(b, decodeMessageEvent) })
	b.Run("encoding-json", func(b *testing.B) {
		run(b, func(p []byte, me *messageEvent) error { return json.Unmarshal(p, me) })
	})
}

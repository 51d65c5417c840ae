package bot

import (
	"testing"

	"github.com/slack-go/slack/slackevents"
)

// TestSlackGoSkipsMessageDecode holds the registry entry in place: a
// message event parsed by slack-go (as its Socket Mode client does) comes
// out as skippedEvent, other events still as slack-go's own types, and a
// message event that is not JSON is still an error.
func TestSlackGoSkipsMessageDecode(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		typ     string
		check   func(any) bool
		wantErr bool
	}{
		{
			name:    "message",
			payload: `{"type":"event_callback","event":{"type":"message","channel":"C1","user":"U1","text":"hi","ts":"1.0","blocks":[{"type":"rich_text","elements":[]}]}}`,
			typ:     "message",
			check:   func(d any) bool { _, ok := d.(*skippedEvent); return ok },
		},
		{
			name:    "message with odd field types",
			payload: `{"type":"event_callback","event":{"type":"message","channel":7,"blocks":"x"}}`,
			typ:     "message",
			check:   func(d any) bool { _, ok := d.(*skippedEvent); return ok },
		},
		{
			name:    "app_home_opened",
			payload: `{"type":"event_callback","event":{"type":"app_home_opened","user":"U1","tab":"home"}}`,
			typ:     "app_home_opened",
			check: func(d any) bool {
				ev, ok := d.(*slackevents.AppHomeOpenedEvent)
				return ok && ev.User == "U1" && ev.Tab == "home"
			},
		},
		{
			name:    "broken message",
			payload: `{"type":"event_callback","event":{"type":"message","text":"a}}`,
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := slackevents.ParseEvent([]byte(tt.payload), slackevents.OptionNoVerifyToken())
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseEvent = %+v, want an error", ev)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.InnerEvent.Type != tt.typ || !tt.check(ev.InnerEvent.Data) {
				t.Fatalf("inner event = %q %T, not what the bot registered", ev.InnerEvent.Type, ev.InnerEvent.Data)
			}
		})
	}
}

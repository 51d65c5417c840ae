package bot

import "github.com/slack-go/slack/slackevents"

// slack-go's Socket Mode client parses every events_api envelope with
// slackevents.ParseEvent, which decodes a message event into
// slackevents.MessageEvent by reflection, its Block Kit blocks included:
// under load that one decode was the largest single cost in the process
// (BENCHMARKS.md, "hot path"). The bot never reads that value: classify
// reads the envelope's raw payload with its own one-pass decoder. So the
// "message" entry of slack-go's process-wide registry, which its
// documentation says to configure at initialization before any parsing,
// names skippedEvent instead, and the client hands over the envelope
// without the second decode. The client itself is unmodified; only the
// type it decodes into changes. init is the one place that runs before any
// client in the process, which the registry's contract requires (it is not
// synchronized).
func init() {
	slackevents.EventsAPIInnerEventMapping[slackevents.Message] = skippedEvent{}
}

// skippedEvent is the value slack-go's parser decodes a message event into:
// nothing. json.Unmarshal still checks that the event is well-formed JSON
// before it calls UnmarshalJSON, so a broken frame is still an error there.
type skippedEvent struct{}

// UnmarshalJSON keeps nothing: the bot decodes the raw payload itself.
func (*skippedEvent) UnmarshalJSON([]byte) error { return nil }

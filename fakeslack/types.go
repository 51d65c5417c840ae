package fakeslack

import (
	"encoding/json"
	"fmt"
	"time"
)

// User is a workspace member known to the local Slack (POST /_fake/users).
type User struct {
	// ID is the user id; it must start with U or W.
	ID string `json:"id"`
	// Name is the handle; it defaults to the lower-cased id.
	Name string `json:"name"`
	// RealName is the display name; it defaults to Name.
	RealName string `json:"real_name"`
	// TZ is an IANA time zone name; it defaults to "UTC".
	TZ string `json:"tz"`
	// IsBot marks bot users.
	IsBot bool `json:"is_bot"`
	// Deleted marks deactivated users.
	Deleted bool `json:"deleted"`
	// StatusEmoji and StatusText are the user's Slack status (profile
	// status_emoji, e.g. ":palm_tree:", and status_text, e.g. "OOO").
	StatusEmoji string `json:"status_emoji,omitempty"`
	StatusText  string `json:"status_text,omitempty"`
}

// Message is a user's message to inject as a message events_api envelope
// (POST /_fake/messages).
type Message struct {
	// User is the author's user id (required).
	User string `json:"user"`
	// Channel is the channel id, C…, G… or D… (required).
	Channel string `json:"channel"`
	// Text is the message text.
	Text string `json:"text"`
	// ThreadTS makes the message a thread reply.
	ThreadTS string `json:"thread_ts,omitempty"`
	// ChannelType is channel, group, im or mpim; by default it follows the
	// channel id's first letter (C channel, G group, D im).
	ChannelType string `json:"channel_type,omitempty"`
}

// EventResult tells what an injected event became.
type EventResult struct {
	// EnvelopeID is the id of the first envelope carrying the event.
	EnvelopeID string `json:"envelope_id"`
	// EventID is the event_callback's event_id, kept across redeliveries.
	EventID string `json:"event_id"`
	// TS is the message ts (only for SendMessage).
	TS string `json:"ts,omitempty"`
}

// Command is a slash command to inject (POST /_fake/commands).
type Command struct {
	// User is the invoking user's id (required).
	User string `json:"user"`
	// Channel is the channel the command was typed in (required).
	Channel string `json:"channel"`
	// Command is the command, starting with "/" (required).
	Command string `json:"command"`
	// Text is what followed the command.
	Text string `json:"text"`
}

// CommandResult tells what an injected slash command became.
type CommandResult struct {
	// EnvelopeID is the id of the slash_commands envelope.
	EnvelopeID string `json:"envelope_id"`
	// TriggerID can be exchanged once in views.open within Options.TriggerTTL.
	TriggerID string `json:"trigger_id"`
	// ResponseURL accepts JSON posts (Calls("response_url") records them).
	ResponseURL string `json:"response_url"`
}

// InteractionResult tells what an injected interaction became.
type InteractionResult struct {
	// EnvelopeID is the id of the interactive envelope.
	EnvelopeID string `json:"envelope_id"`
	// TriggerID is the payload's trigger_id (added when it had none).
	TriggerID string `json:"trigger_id,omitempty"`
}

// Fault is a failure to inject (POST /_fake/faults). A Web API fault has
// Method set; Disconnect or DropConnections act on the Socket Mode
// connections instead.
type Fault struct {
	// Method is the Web API method (e.g. "chat.postMessage"), or "*" for all.
	Method string `json:"method,omitempty"`
	// Status is the HTTP status to answer: 429 (the default unless Error is
	// set), 500, or 200 with Error.
	Status int `json:"status,omitempty"`
	// RetryAfter is the Retry-After header of a 429, in seconds (default 1).
	RetryAfter int `json:"retry_after,omitempty"`
	// Count is how many of the next calls the fault hits (default 1).
	Count int `json:"count,omitempty"`
	// Error is the error code of an {"ok":false,"error":Error} answer.
	Error string `json:"error,omitempty"`
	// DelayMS adds latency in milliseconds before the answer.
	DelayMS int `json:"delay_ms,omitempty"`
	// Disconnect sends a disconnect message with this reason ("warning",
	// "refresh_requested", "link_disabled") to every open connection.
	Disconnect string `json:"disconnect,omitempty"`
	// DropConnections closes every open connection abruptly, without a frame.
	DropConnections bool `json:"drop_connections,omitempty"`
}

// Call is one recorded Web API (or response_url) request. It never contains
// a token.
type Call struct {
	// Method is the Web API method name, or "response_url".
	Method string `json:"method"`
	// Params are the request parameters: a flat object of strings for form
	// requests (first value of each field), the decoded body for JSON.
	Params map[string]any `json:"params"`
	// At is when the request arrived.
	At time.Time `json:"at"`
	// Error is set when the call was answered with an error (bad token,
	// fault, or a Slack error code such as channel_not_found).
	Error string `json:"error,omitempty"`
}

// MarshalJSON writes at as RFC 3339 with all nine nanosecond digits.
func (c Call) MarshalJSON() ([]byte, error) {
	type plain Call
	b, err := json.Marshal(struct {
		plain
		At string `json:"at"`
	}{plain(c), c.At.Format("2006-01-02T15:04:05.000000000Z07:00")})
	if err != nil {
		return nil, fmt.Errorf("marshal call: %w", err)
	}
	return b, nil
}

// Param returns the named parameter as a string ("" when absent; JSON values
// that are not strings are returned as their JSON text).
func (c Call) Param(name string) string {
	v, ok := c.Params[name]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// Envelope is the record of one Socket Mode envelope.
type Envelope struct {
	// EnvelopeID is the envelope's id; a redelivery gets a new one.
	EnvelopeID string `json:"envelope_id"`
	// Type is events_api, slash_commands or interactive.
	Type string `json:"type"`
	// EventID is the event_callback's event_id (events_api only).
	EventID string `json:"event_id,omitempty"`
	// RetryAttempt is 0 for the first delivery, then 1, 2, 3.
	RetryAttempt int `json:"retry_attempt"`
	// RetryReason is "" for the first delivery, then "timeout".
	RetryReason string `json:"retry_reason"`
	// Delivered tells whether the envelope was written to a connection.
	Delivered bool `json:"delivered"`
	// Acked tells whether an ack for EnvelopeID arrived.
	Acked bool `json:"acked"`
	// Expired tells whether the ack timeout passed without an ack (the
	// envelope was then redelivered, or given up after the last retry).
	Expired bool `json:"expired"`
	// AckMS is the time from delivery to ack in milliseconds (null if unacked).
	AckMS *float64 `json:"ack_ms"`
	// AckPayload is the ack frame's payload (null when it had none).
	AckPayload json.RawMessage `json:"ack_payload"`
	// Payload is the envelope's payload as sent.
	Payload json.RawMessage `json:"-"`
}

// Post is a message the bot posted with chat.postMessage (or, with Ephemeral
// set, chat.postEphemeral).
type Post struct {
	// Channel is the channel id the message landed in (D… for DMs).
	Channel string `json:"channel"`
	// TS is the message ts the post returned.
	TS string `json:"ts"`
	// Text is the message text (after any chat.update).
	Text string `json:"text"`
	// Blocks are the Block Kit blocks, always a JSON array.
	Blocks json.RawMessage `json:"blocks"`
	// ThreadTS is the parent's ts for thread replies.
	ThreadTS string `json:"thread_ts,omitempty"`
	// User is the recipient of an ephemeral message.
	User string `json:"user,omitempty"`
	// Ephemeral marks chat.postEphemeral messages.
	Ephemeral bool `json:"ephemeral,omitempty"`
	// Edited tells whether chat.update changed the message.
	Edited bool `json:"edited,omitempty"`
}

// View is a modal or home view the bot opened, updated or published.
type View struct {
	// ID is the view id (V…).
	ID string `json:"id"`
	// Type is "modal" or "home".
	Type string `json:"type"`
	// User is the home tab's user, or the user whose slash command or
	// click issued the trigger_id that opened the modal.
	User string `json:"user,omitempty"`
	// Opened is when a modal was opened (zero for home views).
	Opened time.Time `json:"opened,omitempty"`
	// CallbackID is the view's callback_id.
	CallbackID string `json:"callback_id,omitempty"`
	// Hash is the view's current hash.
	Hash string `json:"hash"`
	// JSON is the whole view as views.* returned it.
	JSON json.RawMessage `json:"view"`
}

package bot

import (
	"github.com/leadnudge/leadnudge/internal/slackjson"
)

// decodeMessageEvent reads what classify needs from an events_api
// payload, exactly as json.Unmarshal into messageEvent would (the fuzz
// test FuzzDecodeMessageEvent holds it to that), in one pass that skips
// everything else without building it. A payload of the wrong shape is an
// error, as it is for json.Unmarshal.
func decodeMessageEvent(payload []byte, me *messageEvent) error {
	r := slackjson.NewReader(payload)
	err := r.Object("", "messageEvent", func(key []byte) error {
		switch {
		case slackjson.KeyIs(key, "event_id"):
			return r.String(&me.EventID, "event_id")
		case slackjson.KeyIs(key, "event"):
			return r.Object("event", "eventBody", func(key []byte) error {
				return readEventField(r, &me.Event, key)
			})
		}
		return r.Skip()
	})
	if err != nil {
		return err
	}
	if err := r.End(); err != nil {
		return err
	}
	return r.TakeShape()
}

// readEventField reads the value of one key of a message event.
func readEventField(r *slackjson.Reader, ev *eventBody, key []byte) error {
	switch {
	case slackjson.KeyIs(key, "channel"):
		return r.String(&ev.Channel, "channel")
	case slackjson.KeyIs(key, "channel_type"):
		return r.String(&ev.ChannelType, "channel_type")
	case slackjson.KeyIs(key, "message"):
		return readBodyPtr(r, &ev.Message, "message")
	case slackjson.KeyIs(key, "previous_message"):
		return readBodyPtr(r, &ev.Previous, "previous_message")
	}
	return readBodyField(r, &ev.messageBody, key)
}

// readBodyPtr reads an edit's message or previous_message: null clears
// it; an object is read into it (allocated when absent).
func readBodyPtr(r *slackjson.Reader, dst **messageBody, field string) error {
	if c, ok := r.Peek(); ok {
		switch {
		case c == 'n':
			*dst = nil
			return r.Skip()
		case c == '{' && *dst == nil:
			*dst = &messageBody{}
		}
	}
	return r.Object(field, "messageBody", func(key []byte) error {
		return readBodyField(r, *dst, key)
	})
}

// readBodyField reads the value of one key of a message (or skips it).
func readBodyField(r *slackjson.Reader, m *messageBody, key []byte) error {
	switch {
	case slackjson.KeyIs(key, "text"):
		return r.String(&m.Text, "text")
	case slackjson.KeyIs(key, "user"):
		return r.String(&m.User, "user")
	case slackjson.KeyIs(key, "ts"):
		return r.String(&m.TS, "ts")
	case slackjson.KeyIs(key, "subtype"):
		return r.String(&m.Subtype, "subtype")
	case slackjson.KeyIs(key, "bot_id"):
		return r.String(&m.BotID, "bot_id")
	case slackjson.KeyIs(key, "blocks"):
		return r.Elements(&m.Blocks, "blocks")
	}
	return r.Skip()
}

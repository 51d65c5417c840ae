package scan

import (
	"errors"

	"github.com/leadnudge/leadnudge/internal/slackjson"
)

// The export's messages are read with slackjson's one-pass reader (most of
// a message is fields the scan never reads: user profiles, reactions,
// files); FuzzFastReaderAgrees holds it to encoding/json's results.

// readArray reads a day file: a JSON array of message objects.
func readArray(r *slackjson.Reader, fn func(m *Message), bad func(off int64, err error)) error {
	c, ok := r.Peek()
	switch {
	case !ok:
		return nil // an empty file holds no messages
	case c == '[':
	default:
		return &slackjson.SyntaxError{Off: r.Off(), Msg: "not a JSON array of messages"}
	}
	var m Message
	err := r.Array(func() error {
		start := r.Off()
		m = Message{}
		if err := readMessage(r, &m); err != nil {
			return err
		}
		if shape := r.TakeShape(); shape != nil {
			bad(int64(start), shape)
		} else {
			fn(&m)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return r.End()
}

// readMessage reads one value where a message object is expected. Anything
// other than an object (or null) is a shape error, read past.
func readMessage(r *slackjson.Reader, m *Message) error {
	return r.Object("", "message object", func(key []byte) error {
		var dst *string
		switch {
		case slackjson.KeyIs(key, "text"):
			dst = &m.Text
		case slackjson.KeyIs(key, "ts"):
			dst = &m.TS
		case slackjson.KeyIs(key, "user"):
			dst = &m.User
		case slackjson.KeyIs(key, "type"):
			dst = &m.Type
		case slackjson.KeyIs(key, "subtype"):
			dst = &m.Subtype
		case slackjson.KeyIs(key, "bot_id"):
			dst = &m.BotID
		case slackjson.KeyIs(key, "thread_ts"):
			dst = &m.ThreadTS
		case slackjson.KeyIs(key, "channel"):
			dst = &m.Channel
		case slackjson.KeyIs(key, "channel_type"):
			dst = &m.ChannelType
		case slackjson.KeyIs(key, "blocks"):
			return r.Elements(&m.Blocks, "blocks")
		default:
			return r.Skip()
		}
		return r.String(dst, string(key))
	})
}

// decodeBytes reads a whole day file (or one JSON Lines line when line is
// set) held in memory.
func decodeBytes(b []byte, line bool, fn func(m *Message), bad func(off int64, err error)) error {
	r := slackjson.NewReader(b)
	if !line {
		err := readArray(r, fn, bad)
		var se *slackjson.SyntaxError
		if errors.As(err, &se) {
			return &offsetError{int64(se.Off), err}
		}
		return err
	}
	var m Message
	if err := readMessage(r, &m); err != nil {
		return err
	}
	if err := r.End(); err != nil {
		return err
	}
	if shape := r.TakeShape(); shape != nil {
		return shape
	}
	fn(&m)
	return nil
}

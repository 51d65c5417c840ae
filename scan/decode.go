package scan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/leadnudge/leadnudge/nudges"
)

// Message is one message object of an export: the fields the bot reads.
type Message struct {
	Type     string           `json:"type"`
	Subtype  string           `json:"subtype"`
	User     string           `json:"user"`
	BotID    string           `json:"bot_id"`
	Text     string           `json:"text"`
	TS       string           `json:"ts"`
	ThreadTS string           `json:"thread_ts"`
	Blocks   []nudges.Element `json:"blocks"`
	// Channel and ChannelType are read from JSON Lines, whose objects
	// carry no folder to say where they were posted.
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
}

// FileError is a file, or a message in it, that could not be read.
type FileError struct {
	File string `json:"file"`
	// Offset is the byte offset in the (uncompressed) file where the bad
	// JSON value starts; -1 when the whole file is at fault.
	Offset int64  `json:"offset"`
	Err    string `json:"error"`
}

// Error says which file, where in it, and what was wrong.
func (e FileError) Error() string {
	if e.Offset < 0 {
		return e.File + ": " + e.Err
	}
	return fmt.Sprintf("%s: offset %d: %s", e.File, e.Offset, e.Err)
}

// decodeFile calls fn for each message of a day file (a JSON array of
// message objects) or a JSON Lines file, one at a time. A message of the
// wrong shape is reported through bad and skipped; JSON that cannot be
// read any further ends the file with an error at its offset.
func decodeFile(r io.Reader, jsonl bool, fn func(m *Message), bad func(off int64, err error)) error {
	if jsonl {
		return decodeLines(r, fn, bad)
	}
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file holds no messages
		}
		return &offsetError{0, err}
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return &offsetError{0, errors.New("not a JSON array of messages")}
	}
	var m Message
	for dec.More() {
		off := dec.InputOffset()
		m = Message{}
		if err := dec.Decode(&m); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				bad(off, shapeError(te))
				continue // the value was read whole: go on with the next one
			}
			return &offsetError{off, err}
		}
		fn(&m)
	}
	if _, err := dec.Token(); err != nil {
		return &offsetError{dec.InputOffset(), err}
	}
	return nil
}

// maxLine bounds one line of JSON Lines (a Slack message is at most 40,000
// characters; with blocks, well under 1 MiB).
const maxLine = 8 << 20

func decodeLines(r io.Reader, fn func(m *Message), bad func(off int64, err error)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var off int64
	for sc.Scan() {
		line := sc.Bytes()
		start := off
		off += int64(len(line)) + 1
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := decodeBytes(line, true, fn, nil); err != nil {
			bad(start, err)
		}
	}
	if err := sc.Err(); err != nil {
		return &offsetError{off, err}
	}
	return nil
}

// shapeError names the field of the wrong type.
func shapeError(te *json.UnmarshalTypeError) error {
	if te.Field != "" {
		return fmt.Errorf("message field %q is a JSON %s, not a %s", te.Field, te.Value, te.Type)
	}
	return fmt.Errorf("a JSON %s where a message object was expected", te.Value)
}

// offsetError is a JSON error at a byte offset of a file.
type offsetError struct {
	off int64
	err error
}

func (e *offsetError) Error() string { return e.err.Error() }
func (e *offsetError) Unwrap() error { return e.err }

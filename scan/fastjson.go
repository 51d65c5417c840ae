package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/leadnudge/leadnudge/nudges"
)

// A hand-written reader for the few fields of a message the scan needs.
// Slack's export is mostly fields the bot never reads (user profiles,
// reactions, files, attachments): encoding/json scans each value twice and
// reflects into every field, which made it the scan's bottleneck. This
// reader goes through the bytes once, skips what it does not need without
// building it, and reads the rest exactly as encoding/json would (keys
// matched case-insensitively, the last of duplicate keys winning, null
// leaving a field empty, invalid UTF-8 and lone surrogates replaced). A
// fuzz test holds it to encoding/json's results.

// errShape is a message of the wrong shape: a field of the wrong type. The
// value was read whole, so the next message can still be read.
type errShape struct{ msg string }

func (e *errShape) Error() string { return e.msg }

// errSyntax is JSON that cannot be read further.
type errSyntax struct {
	off int
	msg string
}

func (e *errSyntax) Error() string { return e.msg }

type jreader struct {
	b       []byte
	i       int
	shape   *errShape // the first wrong-shaped field of the current message
	scratch []byte    // decoded strings with escapes
}

func (r *jreader) syntax(what string) error {
	if r.i >= len(r.b) {
		return &errSyntax{r.i, "unexpected end of JSON input"}
	}
	return &errSyntax{r.i, fmt.Sprintf("invalid character %q %s", r.b[r.i], what)}
}

func (r *jreader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// readArray reads a day file: a JSON array of message objects.
func (r *jreader) readArray(fn func(m *Message), bad func(off int64, err error)) error {
	r.ws()
	if r.i >= len(r.b) {
		return nil // an empty file holds no messages
	}
	if r.b[r.i] != '[' {
		return &errSyntax{r.i, "not a JSON array of messages"}
	}
	var m Message
	err := r.array(func() error {
		start := r.i
		m = Message{}
		if err := r.message(&m); err != nil {
			return err
		}
		if r.shape != nil {
			bad(int64(start), r.shape)
			r.shape = nil
		} else {
			fn(&m)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return r.end()
}

// array reads [v, v, …] with r at '[', calling each with r at every value;
// each must read it.
func (r *jreader) array(each func() error) error {
	r.i++
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == ']' {
		r.i++
		return nil
	}
	for {
		r.ws()
		if err := each(); err != nil {
			return err
		}
		r.ws()
		if r.i >= len(r.b) {
			return r.syntax("")
		}
		switch r.b[r.i] {
		case ',':
			r.i++
		case ']':
			r.i++
			return nil
		default:
			return r.syntax("after array element")
		}
	}
}

// end checks that nothing but white space follows the array.
func (r *jreader) end() error {
	r.ws()
	if r.i < len(r.b) {
		return r.syntax("after top-level value")
	}
	return nil
}

// message reads one value where a message object is expected. Anything
// other than an object (or null) is a shape error, read past.
func (r *jreader) message(m *Message) error {
	if r.i >= len(r.b) {
		return r.syntax("")
	}
	if r.b[r.i] != '{' {
		if r.b[r.i] == 'n' {
			return r.literal("null")
		}
		kind := r.kind()
		if err := r.skip(0); err != nil {
			return err
		}
		r.wrong("", kind, "scan.Message")
		return nil
	}
	return r.object(func(key []byte) error {
		var dst *string
		switch {
		case keyIs(key, "text"):
			dst = &m.Text
		case keyIs(key, "ts"):
			dst = &m.TS
		case keyIs(key, "user"):
			dst = &m.User
		case keyIs(key, "type"):
			dst = &m.Type
		case keyIs(key, "subtype"):
			dst = &m.Subtype
		case keyIs(key, "bot_id"):
			dst = &m.BotID
		case keyIs(key, "thread_ts"):
			dst = &m.ThreadTS
		case keyIs(key, "channel"):
			dst = &m.Channel
		case keyIs(key, "channel_type"):
			dst = &m.ChannelType
		case keyIs(key, "blocks"):
			return r.elements(&m.Blocks, "blocks")
		default:
			return r.skip(0)
		}
		return r.stringField(dst, string(key))
	})
}

// keyIs matches a key as encoding/json matches a field name: exactly, or
// else case-insensitively.
func keyIs(key []byte, name string) bool {
	return string(key) == name || bytes.EqualFold(key, []byte(name))
}

// object reads {"key": value, …}, calling field for each key with r at its
// value; field must read the value.
func (r *jreader) object(field func(key []byte) error) error {
	r.i++ // '{'
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
		return nil
	}
	for {
		r.ws()
		if r.i >= len(r.b) || r.b[r.i] != '"' {
			return r.syntax("looking for beginning of object key string")
		}
		key, err := r.str(&r.scratch)
		if err != nil {
			return err
		}
		r.ws()
		if r.i >= len(r.b) || r.b[r.i] != ':' {
			return r.syntax("after object key")
		}
		r.i++
		r.ws()
		if err := field(key); err != nil {
			return err
		}
		r.ws()
		if r.i >= len(r.b) {
			return r.syntax("")
		}
		switch r.b[r.i] {
		case ',':
			r.i++
		case '}':
			r.i++
			return nil
		default:
			return r.syntax("after object key:value pair")
		}
	}
}

// stringField reads a string into dst; null leaves it as it is; any other
// value is a shape error.
func (r *jreader) stringField(dst *string, field string) error {
	if r.i >= len(r.b) {
		return r.syntax("")
	}
	switch r.b[r.i] {
	case '"':
		s, err := r.str(&r.scratch)
		if err != nil {
			return err
		}
		*dst = string(s)
		return nil
	case 'n':
		return r.literal("null")
	}
	kind := r.kind()
	if err := r.skip(0); err != nil {
		return err
	}
	r.wrong(field, kind, "string")
	return nil
}

// wrong records the first shape error of a message, in encoding/json's
// words.
func (r *jreader) wrong(field, kind, typ string) {
	if r.shape != nil {
		return
	}
	if field != "" {
		r.shape = &errShape{fmt.Sprintf("message field %q is a JSON %s, not a %s", field, kind, typ)}
	} else {
		r.shape = &errShape{fmt.Sprintf("a JSON %s where a message object was expected", kind)}
	}
}

// kind names the JSON value at r as encoding/json's errors do.
func (r *jreader) kind() string {
	if r.i >= len(r.b) {
		return "end of input"
	}
	switch c := r.b[r.i]; {
	case c == '"':
		return "string"
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return "bool"
	default:
		return "number"
	}
}

// elements reads an array of rich-text elements (blocks, or an element's
// elements).
func (r *jreader) elements(dst *[]nudges.Element, field string) error {
	if r.i >= len(r.b) {
		return r.syntax("")
	}
	switch r.b[r.i] {
	case 'n':
		if err := r.literal("null"); err != nil {
			return err
		}
		*dst = nil
		return nil
	case '[':
	default:
		kind := r.kind()
		if err := r.skip(0); err != nil {
			return err
		}
		r.wrong(field, kind, "[]nudges.Element")
		return nil
	}
	// like encoding/json, decode into the slice's existing elements (a
	// duplicate key) before appending new ones
	old := (*dst)[:cap(*dst)]
	out := (*dst)[:0]
	err := r.array(func() error {
		var e nudges.Element
		if len(out) < len(old) {
			e = old[len(out)]
		}
		if err := r.element(&e, field); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return err
	}
	if out == nil {
		out = []nudges.Element{} // [] is an empty slice, not nil
	}
	*dst = out
	return nil
}

func (r *jreader) element(e *nudges.Element, field string) error {
	if r.i >= len(r.b) {
		return r.syntax("")
	}
	if r.b[r.i] != '{' {
		if r.b[r.i] == 'n' {
			return r.literal("null")
		}
		kind := r.kind()
		if err := r.skip(0); err != nil {
			return err
		}
		r.wrong(field, kind, "nudges.Element")
		return nil
	}
	return r.object(func(key []byte) error {
		switch {
		case keyIs(key, "type"):
			return r.stringField(&e.Type, field+".type")
		case keyIs(key, "text"):
			return r.stringField(&e.Text, field+".text")
		case keyIs(key, "elements"):
			return r.elements(&e.Elements, field+".elements")
		case keyIs(key, "style"):
			return r.style(e)
		}
		return r.skip(0)
	})
}

// style reads a style as nudges.Style.UnmarshalJSON does: an object's
// "code" flag; anything else (a list's "bullet") is no style.
func (r *jreader) style(e *nudges.Element) error {
	if r.i < len(r.b) && r.b[r.i] == 'n' {
		if err := r.literal("null"); err != nil {
			return err
		}
		e.Style = nil
		return nil
	}
	if r.i >= len(r.b) || r.b[r.i] != '{' {
		if err := r.skip(0); err != nil {
			return err
		}
		e.Style = &nudges.Style{}
		return nil
	}
	st := &nudges.Style{}
	err := r.object(func(key []byte) error {
		if !keyIs(key, "code") {
			return r.skip(0)
		}
		switch {
		case r.i < len(r.b) && r.b[r.i] == 't':
			st.Code = true
			return r.literal("true")
		case r.i < len(r.b) && r.b[r.i] == 'f':
			st.Code = false
			return r.literal("false")
		case r.i < len(r.b) && r.b[r.i] == 'n':
			return r.literal("null")
		}
		kind := r.kind()
		if err := r.skip(0); err != nil {
			return err
		}
		r.wrong("blocks.style.code", kind, "bool")
		return nil
	})
	e.Style = st
	return err
}

// maxDepth bounds nesting, as encoding/json does (10,000).
const maxDepth = 10000

// skip reads past one value of any kind, checking its syntax.
func (r *jreader) skip(depth int) error {
	if depth > maxDepth {
		return &errSyntax{r.i, "exceeded max depth"}
	}
	if r.i >= len(r.b) {
		return r.syntax("")
	}
	switch c := r.b[r.i]; {
	case c == '"':
		_, err := r.skipStr()
		return err
	case c == '{':
		return r.object(func([]byte) error { return r.skip(depth + 1) })
	case c == '[':
		return r.array(func() error { return r.skip(depth + 1) })
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	}
	return r.syntax("looking for beginning of value")
}

func (r *jreader) literal(lit string) error {
	for k := 0; k < len(lit); k++ {
		if r.i >= len(r.b) || r.b[r.i] != lit[k] {
			return r.syntax("in literal " + lit)
		}
		r.i++
	}
	return nil
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *jreader) number() error {
	b := r.b
	if b[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		n := 0
		for r.i < len(b) && b[r.i] >= '0' && b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	switch {
	case r.i < len(b) && b[r.i] == '0':
		r.i++
	case r.i < len(b) && b[r.i] >= '1' && b[r.i] <= '9':
		digits()
	default:
		return r.syntax("in numeric literal")
	}
	if r.i < len(b) && b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return r.syntax("after decimal point in numeric literal")
		}
	}
	if r.i < len(b) && (b[r.i] == 'e' || b[r.i] == 'E') {
		r.i++
		if r.i < len(b) && (b[r.i] == '+' || b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return r.syntax("in exponent of numeric literal")
		}
	}
	return nil
}

// skipStr reads past a string, checking it, and reports whether it holds
// escapes or non-ASCII bytes (then str must decode it the slow way).
func (r *jreader) skipStr() (plain bool, err error) {
	b := r.b
	r.i++ // '"'
	plain = true
	for r.i < len(b) {
		c := b[r.i]
		switch {
		case c == '"':
			r.i++
			return plain, nil
		case c == '\\':
			plain = false
			r.i++
			if r.i >= len(b) {
				return false, r.syntax("")
			}
			switch b[r.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i++
			case 'u':
				r.i++
				for k := 0; k < 4; k++ {
					if r.i >= len(b) || !isHex(b[r.i]) {
						return false, r.syntax("in \\u hexadecimal character escape")
					}
					r.i++
				}
			default:
				return false, r.syntax("in string escape code")
			}
		case c < 0x20:
			return false, r.syntax("in string literal")
		case c >= utf8.RuneSelf:
			plain = false
			r.i++
		default:
			r.i++
		}
	}
	return false, r.syntax("")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// str reads a string and returns its decoded bytes: a slice of the input
// when it needs no decoding, else of *scratch (valid until the next call).
// The input is never written to.
func (r *jreader) str(scratch *[]byte) ([]byte, error) {
	start := r.i
	plain, err := r.skipStr()
	if err != nil {
		return nil, err
	}
	raw := r.b[start:r.i]
	if plain {
		return raw[1 : len(raw)-1], nil
	}
	if !bytes.ContainsRune(raw, '\\') && utf8.Valid(raw) {
		return raw[1 : len(raw)-1], nil
	}
	// escapes, invalid UTF-8, surrogates: exactly as encoding/json
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, &errSyntax{start, err.Error()}
	}
	*scratch = append((*scratch)[:0], s...)
	return *scratch, nil
}

// decodeBytes reads a whole day file (or one JSON Lines line when line is
// set) held in memory.
func decodeBytes(b []byte, line bool, fn func(m *Message), bad func(off int64, err error)) error {
	r := &jreader{b: b}
	if !line {
		err := r.readArray(fn, bad)
		var se *errSyntax
		if errors.As(err, &se) {
			return &offsetError{int64(se.off), err}
		}
		return err
	}
	r.ws()
	var m Message
	if err := r.message(&m); err != nil {
		return err
	}
	if err := r.end(); err != nil {
		return err
	}
	if r.shape != nil {
		return r.shape
	}
	fn(&m)
	return nil
}

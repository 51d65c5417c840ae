package slackjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/leadnudge/leadnudge/nudges"
)

// ShapeError is a value of the wrong shape: a field of the wrong type.
// The value was read whole, so reading can go on after it.
type ShapeError struct{ msg string }

func (e *ShapeError) Error() string { return e.msg }

// SyntaxError is JSON that cannot be read further.
type SyntaxError struct {
	// Off is the byte offset where reading stopped.
	Off int
	// Msg says what was wrong there.
	Msg string
}

func (e *SyntaxError) Error() string { return e.Msg }

// Reader reads one JSON document held in memory. Its methods read the
// value at the current position; the ones that take a field name record a
// wrong-shaped value as a ShapeError (see TakeShape) and read past it.
type Reader struct {
	b       []byte
	i       int
	shape   *ShapeError // the first wrong-shaped value since TakeShape
	scratch []byte      // decoded strings with escapes
}

// NewReader returns a Reader at the start of b, which it never writes to.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Off is the current byte offset.
func (r *Reader) Off() int { return r.i }

// Peek skips white space and returns the byte there (ok false at the end
// of the input).
func (r *Reader) Peek() (c byte, ok bool) {
	r.ws()
	if r.i >= len(r.b) {
		return 0, false
	}
	return r.b[r.i], true
}

// TakeShape returns the first ShapeError recorded since the last call (or
// nil), and forgets it.
func (r *Reader) TakeShape() error {
	if r.shape == nil {
		return nil
	}
	e := r.shape
	r.shape = nil
	return e
}

// Skip reads past one value of any kind, checking its syntax.
func (r *Reader) Skip() error { return r.skip(0) }

// Object reads the value where an object of type typ is expected: fn is
// called with each key and must read its value; null is nothing; any
// other value is a ShapeError (named by field, or by typ at the top).
func (r *Reader) Object(field, typ string, fn func(key []byte) error) error {
	return r.objectAt(path{base: field}, typ, fn)
}

// objectAt is Object for a field named by p.
func (r *Reader) objectAt(p path, typ string, fn func(key []byte) error) error {
	r.ws()
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
		r.wrong(p, kind, typ)
		return nil
	}
	return r.object(fn)
}

func (r *Reader) syntax(what string) error {
	if r.i >= len(r.b) {
		return &SyntaxError{r.i, "unexpected end of JSON input"}
	}
	return &SyntaxError{r.i, fmt.Sprintf("invalid character %q %s", r.b[r.i], what)}
}

func (r *Reader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// Array reads [v, v, …] with r at '[', calling each with r at every
// value; each must read it.
func (r *Reader) Array(each func() error) error {
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
		if more, err := r.more(']', "after array element"); !more {
			return err
		}
	}
}

// more reads what follows a value in an array or object: a comma (more
// is true) or the closing byte (more is false, err nil).
func (r *Reader) more(closing byte, what string) (more bool, err error) {
	r.ws()
	if r.i >= len(r.b) {
		return false, r.syntax("")
	}
	switch r.b[r.i] {
	case ',':
		r.i++
		return true, nil
	case closing:
		r.i++
		return false, nil
	}
	return false, r.syntax(what)
}

// End checks that nothing but white space follows.
func (r *Reader) End() error {
	r.ws()
	if r.i < len(r.b) {
		return r.syntax("after top-level value")
	}
	return nil
}

// KeyIs matches a key as encoding/json matches a field name: exactly, or
// else case-insensitively.
func KeyIs(key []byte, name string) bool {
	return string(key) == name || bytes.EqualFold(key, []byte(name))
}

// object reads {"key": value, …}, calling field for each key with r at its
// value; field must read the value.
func (r *Reader) object(field func(key []byte) error) error {
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
		if more, err := r.more('}', "after object key:value pair"); !more {
			return err
		}
	}
}

// String reads a string into dst; null leaves it as it is; any other
// value is a shape error.
func (r *Reader) String(dst *string, field string) error {
	return r.stringAt(dst, path{base: field}, false)
}

// path names a field in shape errors: base, then ".elements" depth times,
// then "."+key. It becomes a string only when an error is reported, so
// reading nested blocks builds no names.
type path struct {
	base  string
	depth int
	key   string
}

func (p path) String() string {
	s := p.base + strings.Repeat(".elements", p.depth)
	if p.key != "" {
		s += "." + p.key
	}
	return s
}

// blockTypes are the rich_text element types, kept as constants so that
// reading one allocates nothing.
var blockTypes = [...]string{"rich_text", "rich_text_section", "rich_text_list", "rich_text_quote",
	"rich_text_preformatted", "text", "link", "user", "usergroup", "channel", "emoji", "broadcast", "date", "color"}

// stringAt is String for a field named by p; intern says the value is
// likely one of blockTypes.
func (r *Reader) stringAt(dst *string, p path, intern bool) error {
	if r.i >= len(r.b) {
		return r.syntax("")
	}
	switch r.b[r.i] {
	case '"':
		s, err := r.str(&r.scratch)
		if err != nil {
			return err
		}
		if intern {
			for _, t := range blockTypes {
				if string(s) == t {
					*dst = t
					return nil
				}
			}
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
	r.wrong(p, kind, "string")
	return nil
}

// wrong records the first shape error, in encoding/json's words.
func (r *Reader) wrong(field path, kind, typ string) {
	if r.shape != nil {
		return
	}
	if field != (path{}) {
		r.shape = &ShapeError{fmt.Sprintf("field %q is a JSON %s, not a %s", field.String(), kind, typ)}
	} else {
		r.shape = &ShapeError{fmt.Sprintf("a JSON %s where a %s was expected", kind, typ)}
	}
}

// kind names the JSON value at r as encoding/json's errors do.
func (r *Reader) kind() string {
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

// Elements reads an array of rich-text elements (blocks, or an element's
// elements).
func (r *Reader) Elements(dst *[]nudges.Element, field string) error {
	return r.elements(dst, path{base: field})
}

func (r *Reader) elements(dst *[]nudges.Element, field path) error {
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
	err := r.Array(func() error {
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

func (r *Reader) element(e *nudges.Element, field path) error {
	return r.objectAt(field, "nudges.Element", func(key []byte) error {
		switch {
		case KeyIs(key, "type"):
			return r.stringAt(&e.Type, path{field.base, field.depth, "type"}, true)
		case KeyIs(key, "text"):
			return r.stringAt(&e.Text, path{field.base, field.depth, "text"}, false)
		case KeyIs(key, "name"):
			return r.stringAt(&e.Name, path{field.base, field.depth, "name"}, false)
		case KeyIs(key, "elements"):
			return r.elements(&e.Elements, path{field.base, field.depth + 1, ""})
		case KeyIs(key, "style"):
			return r.style(e)
		}
		return r.skip(0)
	})
}

// style reads a style as nudges.Style.UnmarshalJSON does: an object's
// "code" flag; anything else (a list's "bullet") is no style.
func (r *Reader) style(e *nudges.Element) error {
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
		if !KeyIs(key, "code") {
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
		r.wrong(path{base: "blocks.style.code"}, kind, "bool")
		return nil
	})
	e.Style = st
	return err
}

// maxDepth bounds nesting, as encoding/json does (10,000).
const maxDepth = 10000

// skip reads past one value of any kind, checking its syntax.
func (r *Reader) skip(depth int) error {
	if depth > maxDepth {
		return &SyntaxError{r.i, "exceeded max depth"}
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
		return r.Array(func() error { return r.skip(depth + 1) })
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

func (r *Reader) literal(lit string) error {
	for k := 0; k < len(lit); k++ {
		if r.i >= len(r.b) || r.b[r.i] != lit[k] {
			return r.syntax("in literal " + lit)
		}
		r.i++
	}
	return nil
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *Reader) number() error {
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
func (r *Reader) skipStr() (plain bool, err error) {
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
func (r *Reader) str(scratch *[]byte) ([]byte, error) {
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
		return nil, &SyntaxError{start, err.Error()}
	}
	*scratch = append((*scratch)[:0], s...)
	return *scratch, nil
}

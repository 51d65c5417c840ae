package nudges

import (
	"bytes"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Separators written into the normalized text where words were skipped. They
// are not word characters and never occur in a phrase, so no match can
// bridge skipped text.
const (
	// sepInline replaces inline skipped text (a mention, a link, an emoji
	// code, inline code, a quoted span).
	sepInline = 0x01
	// sepBlock replaces block-level skipped text (a code block, a block
	// quote, a list item edge) and also ends a sentence.
	sepBlock = 0x00
)

// mark records where the mapping from normalized to original offsets changes.
// A copy mark maps byte for byte (olen < 0); a transform mark maps the bytes
// emitted for one source character (olen bytes long in the original).
type mark struct {
	n, o, olen int32
}

// normalizer turns message text into the form phrases are matched against,
// remembering enough to map normalized offsets back to the original.
type normalizer struct {
	buf   []byte
	marks []mark
	// reveal keeps code, block quotes and quoted spans in the text and
	// records where they are in skips (Explain shows what they hid).
	reveal bool
	skips  []skipRange
	// laughs are the normalized offsets of laughing emoji (":joy:", or a
	// rich_text emoji element), which the text keeps only as separators
	// (see laughing).
	laughs []int32
}

// skipRange is text the matcher does not read, in original offsets.
type skipRange struct {
	from, to int
	what     string // "code", "quote", "quoted"
}

func (z *normalizer) reset(buf []byte) {
	z.buf = buf[:0]
	z.marks = z.marks[:0]
	z.skips = z.skips[:0]
	z.laughs = z.laughs[:0]
}

// revealed normalizes skipped text at base as plain words between
// separators and records it as skipped.
func (z *normalizer) revealed(kind byte, s string, base, from, to int, what string) {
	z.sep(kind, from)
	z.plain(s, base)
	z.sep(kind, to)
	z.skips = append(z.skips, skipRange{from: from, to: to, what: what})
}

// copyByte emits b, which stands for the single source byte at o.
func (z *normalizer) copyByte(b byte, o int) {
	n := len(z.buf)
	if k := len(z.marks); k == 0 || z.marks[k-1].olen >= 0 || int(z.marks[k-1].o)+(n-int(z.marks[k-1].n)) != o {
		z.marks = append(z.marks, mark{n: int32(n), o: int32(o), olen: -1})
	}
	z.buf = append(z.buf, b)
}

// transform starts the bytes that stand for an olen-byte source character at
// o; the caller appends them to z.buf.
func (z *normalizer) transform(o, olen int) {
	z.marks = append(z.marks, mark{n: int32(len(z.buf)), o: int32(o), olen: int32(olen)})
}

// space emits one space for a run of whitespace; a run that holds a newline
// becomes '\n', which matches like a space but ends a sentence.
func (z *normalizer) space(o int, newline bool) {
	if n := len(z.buf); n > 0 {
		switch z.buf[n-1] {
		case ' ':
			if newline {
				z.buf[n-1] = '\n'
			}
			return
		case '\n':
			return
		}
	}
	c := byte(' ')
	if newline {
		c = '\n'
	}
	z.copyByte(c, o)
}

// emoji skips an emoji at o (a :code: in the text, or a rich_text emoji
// element), remembering where a laughing one was (see laughing).
func (z *normalizer) emoji(name string, o int) {
	if laughCodes[name] {
		z.laughs = append(z.laughs, int32(len(z.buf)))
	}
	z.sep(sepInline, o)
}

// sep emits a separator for skipped text starting at o.
func (z *normalizer) sep(kind byte, o int) {
	if n := len(z.buf); n > 0 && (z.buf[n-1] == kind || z.buf[n-1] == sepBlock) {
		return
	}
	if kind == sepBlock {
		z.terminate() // a block edge ends a sentence: see terminate
	}
	z.transform(o, 0)
	z.buf = append(z.buf, kind)
}

// asciiLower maps ASCII bytes to their lower case.
func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// plain normalizes text that carries no markup (rich_text text elements and
// phrases): case, quotes, whitespace, compatibility forms. base is the
// offset of s in the original text.
func (z *normalizer) plain(s string, base int) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case isASCIISpace(c):
				z.space(base+i, c == '\n')
			case c < 0x20 || c == 0x7f:
				z.sep(sepInline, base+i)
			default:
				z.copyByte(asciiLower(c), base+i)
			}
			i++
			continue
		}
		i += z.rune(s[i:], base+i)
	}
}

// rune normalizes one non-ASCII character at the start of s and returns its
// length in s.
func (z *normalizer) rune(s string, o int) int {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size <= 1 {
		z.sep(sepInline, o)
		return 1
	}
	switch r {
	case '\u2018', '\u2019', '\u02bc', '\u2032', '\u201b', '\uff07':
		z.transform(o, size)
		z.buf = append(z.buf, '\'')
		return size
	case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb', '\uff02':
		z.transform(o, size)
		z.buf = append(z.buf, '"')
		return size
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return size // invisible: dropped
	case '\u2028', '\u2029', '\u0085':
		z.space(o, true)
		return size
	}
	if unicode.IsSpace(r) {
		z.space(o, false)
		return size
	}
	if unicode.IsControl(r) {
		z.sep(sepInline, o)
		return size
	}
	z.transform(o, size)
	d := norm.NFKD.PropertiesString(s[:size]).Decomposition()
	if len(d) == 0 {
		z.buf = utf8.AppendRune(z.buf, unicode.ToLower(r))
		return size
	}
	for len(d) > 0 {
		dr, ds := utf8.DecodeRune(d)
		d = d[ds:]
		switch {
		case dr == ' ':
			// compatibility spaces inside a decomposition
			z.buf = append(z.buf, ' ')
		case dr < utf8.RuneSelf:
			z.buf = append(z.buf, asciiLower(byte(dr)))
		default:
			z.buf = utf8.AppendRune(z.buf, unicode.ToLower(dr))
		}
	}
	return size
}

// mrkdwn normalizes a message's text field: Slack's mrkdwn with its
// entities. Code, block quotes, links, mentions and emoji codes are skipped.
func (z *normalizer) mrkdwn(s string) {
	if cap(z.buf)-len(z.buf) < len(s) {
		z.buf = append(make([]byte, 0, len(z.buf)+len(s)+len(s)/8), z.buf...)
	}
	lineStart := true
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			i += z.rune(s[i:], i)
			lineStart = false
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\v', '\f':
			z.space(i, false)
			i++
			continue
		case '\n':
			z.space(i, true)
			i++
			lineStart = true
			continue
		case '*', '_', '~':
			i++ // emphasis markers are dropped
			lineStart = false
			continue
		case '`':
			if strings.HasPrefix(s[i:], "```") {
				if end := strings.Index(s[i+3:], "```"); end >= 0 {
					if z.reveal {
						z.revealed(sepBlock, s[i+3:i+3+end], i+3, i, i+3+end+3, "code")
					} else {
						z.sep(sepBlock, i)
					}
					i += 3 + end + 3
					lineStart = false
					continue
				}
			} else if end := strings.IndexAny(s[i+1:], "`\n"); end >= 0 && s[i+1+end] == '`' {
				if z.reveal {
					z.revealed(sepInline, s[i+1:i+1+end], i+1, i, i+1+end+1, "code")
				} else {
					z.sep(sepInline, i)
				}
				i += 1 + end + 1
				lineStart = false
				continue
			}
			i++ // an unpaired backtick is dropped
			lineStart = false
			continue
		case '>':
			if lineStart {
				i = z.skipLine(s, i)
				continue
			}
		case '<':
			if end := strings.IndexAny(s[i+1:], "<>\n"); end >= 0 && s[i+1+end] == '>' {
				z.sep(sepInline, i)
				i += 1 + end + 1
				lineStart = false
				continue
			}
		case '&':
			switch {
			case strings.HasPrefix(s[i:], "&amp;"):
				z.transform(i, 5)
				z.buf = append(z.buf, '&')
				i += 5
				lineStart = false
				continue
			case strings.HasPrefix(s[i:], "&lt;"):
				z.transform(i, 4)
				z.buf = append(z.buf, '<')
				i += 4
				lineStart = false
				continue
			case strings.HasPrefix(s[i:], "&gt;"):
				if lineStart {
					i = z.skipLine(s, i)
					continue
				}
				z.transform(i, 4)
				z.buf = append(z.buf, '>')
				i += 4
				continue
			}
		case ':':
			if n := emojiCodeLen(s[i:]); n > 0 {
				z.emoji(s[i+1:i+n-1], i)
				i += n
				lineStart = false
				continue
			}
		}
		if c < 0x20 || c == 0x7f {
			z.sep(sepInline, i)
			i++
		} else {
			i = z.copyRun(s, i)
		}
		lineStart = false
	}
}

// plainASCII marks the bytes that mrkdwn copies as they are (lowercased):
// printable ASCII without markup meaning.
var plainASCII = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range "*_~`<>&:" {
		t[c] = false
	}
	return t
}()

// runASCII is plainASCII and the space: the bytes a run may hold.
var runASCII = func() (t [256]bool) {
	t = plainASCII
	t[' '] = true
	return t
}()

// runByte is runASCII as 1 or 0, so four bytes are tested in one
// expression.
var runByte = func() (t [256]uint8) {
	for c, ok := range runASCII {
		if ok {
			t[c] = 1
		}
	}
	return t
}()

// copyRun copies the run of plain ASCII bytes (and single spaces between
// them) starting at i, lowercased, with one mark for the whole run, and
// returns the offset after it.
func (z *normalizer) copyRun(s string, i int) int {
	z.copyByte(asciiLower(s[i]), i)
	buf := z.buf
	j := i + 1
	// prev|c is a space only when both are (s[i] is never one): one test
	// that is nearly never true, where testing c for a space first would
	// be a coin toss for the branch predictor. Four bytes a turn while
	// they all belong (one test of four table entries), then one.
	prev := s[i]
	for j+4 <= len(s) {
		c0, c1, c2, c3 := s[j], s[j+1], s[j+2], s[j+3]
		if runByte[c0]&runByte[c1]&runByte[c2]&runByte[c3] == 0 ||
			prev|c0 == ' ' || c0|c1 == ' ' || c1|c2 == ' ' || c2|c3 == ' ' {
			break
		}
		buf = append(buf, lowerASCII[c0], lowerASCII[c1], lowerASCII[c2], lowerASCII[c3])
		prev = c3
		j += 4
	}
	for ; j < len(s); j++ {
		c := s[j]
		if !runASCII[c] || prev|c == ' ' {
			break
		}
		buf = append(buf, lowerASCII[c])
		prev = c
	}
	z.buf = buf
	return j
}

// lowerASCII maps each byte to its ASCII lower case.
var lowerASCII = func() (t [256]byte) {
	for c := range t {
		t[c] = asciiLower(byte(c))
	}
	return t
}()

// skipLine skips a block-quote line starting at i and returns the offset of
// its newline (or the end of s).
func (z *normalizer) skipLine(s string, i int) int {
	end := len(s)
	if nl := strings.IndexByte(s[i:], '\n'); nl >= 0 {
		end = i + nl
	}
	if z.reveal {
		body := i + 1
		if s[i] == '&' {
			body = i + len("&gt;")
		}
		z.revealed(sepBlock, s[body:end], body, i, end, "quote")
		return end
	}
	z.sep(sepBlock, i)
	return end
}

// emojiCodeLen returns the length of a :shortcode: at the start of s, or 0.
func emojiCodeLen(s string) int {
	const maxLen = 100
	for j := 1; j < len(s) && j < maxLen; j++ {
		c := s[j]
		switch {
		case c == ':':
			if j == 1 {
				return 0
			}
			return j + 1
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '_', c == '-', c == '+', c == '\'':
		default:
			return 0
		}
	}
	return 0
}

// terminate ends the text with a full stop when it ends in a word: a
// message (or a block: a paragraph, a list item) is a sentence even when
// its author typed no full stop, so a phrase that ends at a sentence's end
// ("i'm your manager{.|!}") matches "I'm your manager" as it matches "I'm
// your manager." The stop maps to the end of the last word. (A line break
// is not given one: phrases may run across it.)
func (z *normalizer) terminate() {
	n := len(z.buf)
	if n == 0 || z.buf[n-1] >= utf8.RuneSelf || !isWordByte(z.buf[n-1]) && z.buf[n-1] != '\'' {
		return
	}
	z.transform(z.origEnd(n), 0)
	z.buf = append(z.buf, '.')
}

// maskQuotes masks the quoted spans of the normalized text, or, in reveal
// mode, records them as skipped.
func (z *normalizer) maskQuotes() {
	if !z.reveal {
		maskQuotes(z.buf, nil)
		return
	}
	maskQuotes(z.buf, func(from, to int) {
		z.skips = append(z.skips, skipRange{from: z.origStart(from), to: z.origEnd(to), what: "quoted"})
	})
}

// maskQuotes replaces text inside quotation marks with separators: quoted
// words are someone else's. Double quotes pair with the next double quote.
// A single quote opens only at the start of a word (before a letter) and
// closes only at the end of one, on the same line, so apostrophes ("don't",
// "the '90s", "students' work") never pair, nor does an "'cause" with an
// apostrophe lines later. When record is not nil, spans are reported
// to it instead of masked.
func maskQuotes(b []byte, record func(from, to int)) {
	maskRange := func(b []byte, from, to int) {
		if record != nil {
			record(from, to)
			return
		}
		for k := from; k < to; k++ {
			b[k] = sepInline
		}
	}
	// The next double and single quote at or after i, found with the
	// vectorised IndexByte (-1: none left).
	nextDQ, nextSQ := bytes.IndexByte(b, '"'), bytes.IndexByte(b, '\'')
	// A single quote that found no closing one before the edge at
	// sqFailUntil leaves every opening one before that edge without one
	// too (their search is a part of its search): they are not searched
	// again, so many openers ("'cause", "'em") cost linear time, not
	// quadratic.
	sqFailUntil := -1
	for i := 0; i < len(b); i++ {
		if nextDQ >= 0 && nextDQ < i {
			nextDQ = indexByteFrom(b, i, '"')
		}
		if nextSQ >= 0 && nextSQ < i {
			nextSQ = indexByteFrom(b, i, '\'')
		}
		switch {
		case nextDQ < 0 && nextSQ < 0:
			return
		case nextSQ < 0 || nextDQ >= 0 && nextDQ < nextSQ:
			i = nextDQ
		default:
			i = nextSQ
		}
		switch b[i] {
		case '"':
			j := indexByteFrom(b, i+1, '"')
			if j < 0 {
				return
			}
			maskRange(b, i, j+1)
			i = j
		case '\'':
			if i < sqFailUntil || !singleQuoteOpens(b, i) {
				continue
			}
			j := i + 1
			for ; j < len(b) && b[j] != sepBlock && b[j] != '\n'; j++ {
				if b[j] == '\'' && singleQuoteCloses(b, j) {
					break
				}
			}
			if j < len(b) && b[j] == '\'' {
				maskRange(b, i, j+1)
				i = j
			} else {
				sqFailUntil = j
			}
		}
	}
}

func indexByteFrom(b []byte, from int, c byte) int {
	if k := bytes.IndexByte(b[from:], c); k >= 0 {
		return from + k
	}
	return -1
}

func singleQuoteOpens(b []byte, i int) bool {
	if i > 0 {
		if r, _ := utf8.DecodeLastRune(b[:i]); isWordRune(r) {
			return false
		}
	}
	r, _ := utf8.DecodeRune(b[i+1:])
	return unicode.IsLetter(r)
}

func singleQuoteCloses(b []byte, j int) bool {
	if j == 0 || b[j-1] == ' ' || b[j-1] == '\n' {
		return false
	}
	if j+1 < len(b) {
		if r, _ := utf8.DecodeRune(b[j+1:]); isWordRune(r) {
			return false
		}
	}
	return true
}

// isWordRune reports whether r is part of a word: letters, digits, marks
// and the underscore, in any script.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// wordBefore reports whether the normalized text has a word character just
// before offset i (an apostrophe inside a word counts: "o'neill").
func wordBefore(b []byte, i int) bool {
	if i <= 0 {
		return false
	}
	r, size := utf8.DecodeLastRune(b[:i])
	if r == '\'' && i-size > 0 {
		r, _ = utf8.DecodeLastRune(b[:i-size])
		return unicode.IsLetter(r)
	}
	return isWordRune(r)
}

// wordAfter reports whether the normalized text has a word character at
// offset i (an apostrophe followed by a letter counts: "it's").
func wordAfter(b []byte, i int) bool {
	if i >= len(b) {
		return false
	}
	r, size := utf8.DecodeRune(b[i:])
	if r == '\'' && i+size < len(b) {
		r, _ = utf8.DecodeRune(b[i+size:])
		return unicode.IsLetter(r)
	}
	return isWordRune(r)
}

// possessiveAt reports whether a possessive "'s" ends a word at offset i
// ("nike's"). Exceptions and guards accept it as a word end, so "nike"
// also excuses "Nike's"; phrases do not ("just do it" is not in "just do
// it's").
func possessiveAt(b []byte, i int) bool {
	return i+1 < len(b) && b[i] == '\'' && b[i+1] == 's' && !wordAfter(b, i+2)
}

// origStart maps a normalized offset to the offset in the original text of
// the character it came from.
func (z *normalizer) origStart(p int) int {
	k := z.markAt(p)
	if k < 0 {
		return p
	}
	m := z.marks[k]
	if m.olen < 0 {
		return int(m.o) + p - int(m.n)
	}
	return int(m.o)
}

// origEnd maps an exclusive normalized end offset to the exclusive end, in
// the original text, of the last character before it.
func (z *normalizer) origEnd(p int) int {
	if p <= 0 {
		return 0
	}
	k := z.markAt(p - 1)
	if k < 0 {
		return p
	}
	m := z.marks[k]
	if m.olen < 0 {
		return int(m.o) + p - int(m.n)
	}
	return int(m.o + m.olen)
}

// markAt returns the index of the last mark at or before normalized offset p.
func (z *normalizer) markAt(p int) int {
	return sort.Search(len(z.marks), func(k int) bool { return int(z.marks[k].n) > p }) - 1
}

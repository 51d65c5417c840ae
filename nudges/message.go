package nudges

import "encoding/json"

// Message is what the matcher reads: a Slack message's text (mrkdwn, with
// Slack's entities) and, when present, its rich_text blocks. Blocks are
// preferred because they mark code and quotes exactly; Text is the
// fallback.
type Message struct {
	Text   string
	Blocks []Element
}

// Element is a node of a Slack rich_text block, decoded from the event's
// "blocks" JSON: a rich_text block, a section, list, quote or preformatted
// container, or an inline element (text, link, user, channel, emoji…). Only
// the fields the matcher needs are kept.
type Element struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	// Name is an emoji element's name ("joy"): the text around it is not
	// read, but a laughing emoji makes its sentence a joke.
	Name     string    `json:"name,omitempty"`
	Style    *Style    `json:"style,omitempty"`
	Elements []Element `json:"elements,omitempty"`
}

// Style is the inline style of a rich_text text element. Lists carry a
// string style ("bullet"), which decodes to the zero Style.
type Style struct {
	Code bool `json:"code,omitempty"`
}

// UnmarshalJSON accepts an object ({"code":true}) or anything else (the
// list style string), which it ignores.
func (s *Style) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '{' {
		*s = Style{}
		return nil
	}
	var v struct {
		Code bool `json:"code"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.Code = v.Code
	return nil
}

// maxBlockDepth bounds how deep the matcher walks nested blocks; deeper
// content is ignored (Slack itself nests lists a few levels at most).
const maxBlockDepth = 16

// hasRichText reports whether blocks hold a rich_text block to read.
func hasRichText(blocks []Element) bool {
	for i := range blocks {
		if blocks[i].Type == "rich_text" {
			return true
		}
	}
	return false
}

// blocks normalizes the rich_text blocks of a message. Offsets index the
// message's plain text as PlainText returns it. Code, quotes and every
// non-text inline element are skipped.
func (z *normalizer) blocks(blocks []Element) {
	off := 0
	for i := range blocks {
		if blocks[i].Type != "rich_text" {
			continue
		}
		off = z.element(&blocks[i], off, 0, "")
		z.sep(sepBlock, off)
	}
}

// element normalizes one element and returns the plain-text offset after it.
// skip says why its text is not read ("quote", "code", "hidden"), or "".
func (z *normalizer) element(e *Element, off, depth int, skip string) int {
	if depth > maxBlockDepth {
		return off
	}
	switch e.Type {
	case "text":
		why := skip
		if why == "" && e.Style != nil && e.Style.Code {
			why = "code"
		}
		switch {
		case why == "":
			z.plain(e.Text, off)
		case z.reveal && why != "hidden":
			z.revealed(sepInline, e.Text, off, off, off+len(e.Text), why)
		default:
			z.sep(sepInline, off)
		}
		return off + len(e.Text)
	case "rich_text_quote":
		z.sep(sepBlock, off)
		if skip == "" {
			skip = "quote"
		}
	case "rich_text_preformatted":
		z.sep(sepBlock, off)
		if skip == "" {
			skip = "code"
		}
	case "rich_text", "rich_text_section", "rich_text_list":
	case "link":
		z.sep(sepInline, off)
		return off + len(e.Text)
	case "emoji":
		z.emoji(e.Name, off)
		return off
	default:
		// user, channel, usergroup, broadcast, date, team, or a
		// container this version does not know: none of it is read.
		z.sep(sepInline, off)
		skip = "hidden"
	}
	for i := range e.Elements {
		if e.Type == "rich_text_list" {
			z.sep(sepBlock, off)
		}
		off = z.element(&e.Elements[i], off, depth+1, skip)
	}
	if e.Type == "rich_text_section" {
		z.sep(sepBlock, off)
	}
	return off
}

// PlainText returns the text of rich_text blocks as match offsets count it:
// the text of every text element (and link label), in order.
func PlainText(blocks []Element) string {
	var b []byte
	for i := range blocks {
		if blocks[i].Type == "rich_text" {
			b = appendPlain(b, &blocks[i], 0)
		}
	}
	return string(b)
}

func appendPlain(b []byte, e *Element, depth int) []byte {
	if depth > maxBlockDepth {
		return b
	}
	switch e.Type {
	case "text", "link":
		return append(b, e.Text...)
	}
	for i := range e.Elements {
		b = appendPlain(b, &e.Elements[i], depth+1)
	}
	return b
}

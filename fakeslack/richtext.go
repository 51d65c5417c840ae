package fakeslack

import (
	"strings"
)

// richText turns a message's mrkdwn text into the rich_text block Slack's
// composer would have attached to it: code fences become
// rich_text_preformatted, "> " lines rich_text_quote, `code` a text element
// with the code style, *bold* / _italic_ / ~strike~ styled text, and
// mentions, channel links, broadcasts, links and :emoji: codes their own
// elements. Text elements carry plain characters (entities decoded), as
// Slack's do.
func richText(text string) map[string]any {
	var blocks []any
	for len(text) > 0 {
		open := strings.Index(text, "```")
		if open < 0 {
			blocks = append(blocks, lineBlocks(text)...)
			break
		}
		closing := strings.Index(text[open+3:], "```")
		if closing < 0 {
			blocks = append(blocks, lineBlocks(text)...)
			break
		}
		if open > 0 {
			blocks = append(blocks, lineBlocks(text[:open])...)
		}
		code := strings.Trim(text[open+3:open+3+closing], "\n")
		blocks = append(blocks, map[string]any{
			"type":     "rich_text_preformatted",
			"elements": []any{map[string]any{"type": "text", "text": decodeEntities(code)}},
		})
		text = strings.TrimPrefix(text[open+3+closing+3:], "\n")
	}
	if len(blocks) == 0 {
		blocks = append(blocks, map[string]any{"type": "rich_text_section", "elements": []any{}})
	}
	return map[string]any{"type": "rich_text", "block_id": randHex(3), "elements": blocks}
}

// lineBlocks groups lines into sections and quotes.
func lineBlocks(text string) []any {
	var out []any
	var cur []string
	quote := false
	flush := func() {
		if len(cur) == 0 {
			return
		}
		typ := "rich_text_section"
		if quote {
			typ = "rich_text_quote"
		}
		out = append(out, map[string]any{"type": typ, "elements": inline(strings.Join(cur, "\n"))})
		cur = nil
	}
	for _, line := range strings.Split(text, "\n") {
		q := false
		for _, p := range []string{"&gt; ", "&gt;", "> ", ">"} {
			if strings.HasPrefix(line, p) {
				line, q = line[len(p):], true
				break
			}
		}
		if q != quote {
			flush()
			quote = q
		}
		cur = append(cur, line)
	}
	flush()
	return out
}

// inline parses one section's inline elements.
func inline(s string) []any {
	var out []any
	var buf strings.Builder
	style := map[string]any(nil)
	emit := func() {
		if buf.Len() == 0 {
			return
		}
		el := map[string]any{"type": "text", "text": decodeEntities(buf.String())}
		if style != nil {
			el["style"] = style
		}
		out = append(out, el)
		buf.Reset()
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '`':
			if end := strings.IndexAny(s[i+1:], "`\n"); end > 0 && s[i+1+end] == '`' {
				emit()
				out = append(out, map[string]any{"type": "text", "text": decodeEntities(s[i+1 : i+1+end]), "style": map[string]any{"code": true}})
				i += end + 2
				continue
			}
		case '<':
			if end := strings.IndexAny(s[i+1:], "<>\n"); end > 0 && s[i+1+end] == '>' {
				emit()
				out = append(out, entityElement(s[i+1:i+1+end]))
				i += end + 2
				continue
			}
		case ':':
			if n := emojiLen(s[i:]); n > 0 {
				emit()
				out = append(out, map[string]any{"type": "emoji", "name": s[i+1 : i+n-1]})
				i += n
				continue
			}
		case '*', '_', '~':
			if atWordStart(s, i) {
				if end := strings.IndexAny(s[i+1:], string(c)+"\n"); end > 0 && s[i+1+end] == c && atWordEnd(s, i+1+end) {
					emit()
					key := map[byte]string{'*': "bold", '_': "italic", '~': "strike"}[c]
					style = map[string]any{key: true}
					buf.WriteString(s[i+1 : i+1+end])
					emit()
					style = nil
					i += end + 2
					continue
				}
			}
		}
		buf.WriteByte(c)
		i++
	}
	emit()
	if out == nil {
		out = []any{}
	}
	return out
}

func atWordStart(s string, i int) bool {
	return (i == 0 || s[i-1] == ' ' || s[i-1] == '\n' || s[i-1] == '(') && i+1 < len(s) && s[i+1] != ' '
}

func atWordEnd(s string, j int) bool {
	return s[j-1] != ' ' && (j+1 >= len(s) || strings.IndexByte(" \n.,;:!?)'\"", s[j+1]) >= 0)
}

// entityElement turns the inside of <…> into a rich_text element.
func entityElement(e string) map[string]any {
	target, label, _ := strings.Cut(e, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		return map[string]any{"type": "user", "user_id": target[1:]}
	case strings.HasPrefix(target, "#"):
		return map[string]any{"type": "channel", "channel_id": target[1:]}
	case strings.HasPrefix(target, "!subteam^"):
		return map[string]any{"type": "usergroup", "usergroup_id": strings.TrimPrefix(target, "!subteam^")}
	case strings.HasPrefix(target, "!"):
		return map[string]any{"type": "broadcast", "range": target[1:]}
	}
	el := map[string]any{"type": "link", "url": target}
	if label != "" {
		el["text"] = decodeEntities(label)
	}
	return el
}

func emojiLen(s string) int {
	for j := 1; j < len(s) && j < 100; j++ {
		c := s[j]
		switch {
		case c == ':':
			if j == 1 {
				return 0
			}
			return j + 1
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '_', c == '-', c == '+':
		default:
			return 0
		}
	}
	return 0
}

func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

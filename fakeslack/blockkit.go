package fakeslack

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The local Slack checks every blocks array and view it receives against
// Block Kit's documented limits, and refuses a payload the way Slack does:
// chat.* methods answer invalid_blocks (with errors and
// response_metadata.messages naming a JSON pointer), views.* answer
// invalid_arguments; message text over 40,000 characters is msg_too_long.
// So a payload Slack would refuse fails here first, in tests.
//
// The limits (docs.slack.dev, Block Kit reference: blocks, block elements,
// composition objects, views):
//
//	blocks per message 50, per modal or Home tab 100
//	block_id ≤ 255 characters, unique in the message or view
//	section: text ≤ 3,000 and/or fields (≤ 10, each ≤ 2,000); one of the two
//	header: plain_text ≤ 150
//	context: 1–10 elements, text objects or images
//	actions: 1–25 elements; action_id ≤ 255, unique within the block
//	input (views): label plain_text ≤ 2,000, an element
//	image: image_url (or slack_file) and alt_text ≤ 2,000
//	text object: type plain_text or mrkdwn, text not empty
//	button: text plain_text ≤ 75, value ≤ 2,000, url ≤ 3,000, style primary or danger
//	modal: title plain_text ≤ 24 (required), submit and close plain_text ≤ 24,
//	       submit required with input blocks; callback_id ≤ 255,
//	       private_metadata ≤ 3,000
//
// Character counts are Unicode code points.

// maxMessageText is the longest text chat.postMessage accepts.
const maxMessageText = 40000

// problem is one rule a payload breaks, at a JSON pointer.
type problem struct {
	pointer string
	msg     string
}

func (p problem) String() string {
	return fmt.Sprintf("%s [json-pointer:%s]", p.msg, p.pointer)
}

type checker struct {
	problems []problem
	blockIDs map[string]bool
}

func (c *checker) add(ptr, format string, args ...any) {
	if len(c.problems) < 20 {
		c.problems = append(c.problems, problem{ptr, fmt.Sprintf(format, args...)})
	}
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// checkBlocksJSON validates a blocks array for a surface: "message",
// "modal" or "home". base is the pointer of the array ("/blocks").
func checkBlocksJSON(raw json.RawMessage, surface, base string) []problem {
	var blocks []any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return []problem{{base, "must be an array of blocks"}}
	}
	c := &checker{blockIDs: map[string]bool{}}
	c.blocks(blocks, surface, base)
	return c.problems
}

func (c *checker) blocks(blocks []any, surface, base string) {
	max := 100
	if surface == "message" {
		max = 50
	}
	if len(blocks) > max {
		c.add(base, "must contain at most %d blocks, got %d", max, len(blocks))
	}
	for i, b := range blocks {
		c.block(b, surface, base+"/"+strconv.Itoa(i))
	}
}

// blockTypes are the block types each surface accepts.
var blockTypes = map[string]map[string]bool{
	"message": {"section": true, "divider": true, "image": true, "actions": true, "context": true, "header": true,
		"input": true, "rich_text": true, "video": true, "file": true, "markdown": true},
	"modal": {"section": true, "divider": true, "image": true, "actions": true, "context": true, "header": true,
		"input": true, "rich_text": true, "video": true},
	"home": {"section": true, "divider": true, "image": true, "actions": true, "context": true, "header": true,
		"input": true, "rich_text": true, "video": true},
}

func (c *checker) block(v any, surface, ptr string) {
	b, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must be an object")
		return
	}
	typ, _ := b["type"].(string)
	if !blockTypes[surface][typ] {
		c.add(ptr+"/type", "unsupported block type %q in a %s", typ, surface)
		return
	}
	if id, ok := b["block_id"]; ok {
		s, isStr := id.(string)
		switch {
		case !isStr || s == "":
			c.add(ptr+"/block_id", "must be a non-empty string")
		case runes(s) > 255:
			c.add(ptr+"/block_id", "must be less than 256 characters")
		case c.blockIDs[s]:
			c.add(ptr+"/block_id", "duplicate block_id %q", s)
		default:
			c.blockIDs[s] = true
		}
	}
	switch typ {
	case "section":
		text, hasText := b["text"]
		fields, hasFields := b["fields"]
		if !hasText && !hasFields {
			c.add(ptr, "must provide text or fields")
		}
		if hasText {
			c.text(text, ptr+"/text", "", 3000)
		}
		if hasFields {
			fs, ok := fields.([]any)
			if !ok || len(fs) == 0 || len(fs) > 10 {
				c.add(ptr+"/fields", "must be an array of 1 to 10 text objects")
			}
			for i, f := range fs {
				c.text(f, ptr+"/fields/"+strconv.Itoa(i), "", 2000)
			}
		}
		if acc, ok := b["accessory"]; ok {
			c.element(acc, ptr+"/accessory", nil)
		}
	case "header":
		c.text(b["text"], ptr+"/text", "plain_text", 150)
	case "context":
		els, ok := b["elements"].([]any)
		if !ok || len(els) == 0 || len(els) > 10 {
			c.add(ptr+"/elements", "must be an array of 1 to 10 elements")
		}
		for i, e := range els {
			ep := ptr + "/elements/" + strconv.Itoa(i)
			if m, ok := e.(map[string]any); ok && m["type"] == "image" {
				c.image(m, ep)
				continue
			}
			c.text(e, ep, "", 3000)
		}
	case "actions":
		els, ok := b["elements"].([]any)
		if !ok || len(els) == 0 || len(els) > 25 {
			c.add(ptr+"/elements", "must be an array of 1 to 25 elements")
		}
		ids := map[string]bool{}
		for i, e := range els {
			c.element(e, ptr+"/elements/"+strconv.Itoa(i), ids)
		}
	case "input":
		if surface == "message" {
			break
		}
		c.text(b["label"], ptr+"/label", "plain_text", 2000)
		if el, ok := b["element"]; ok {
			c.element(el, ptr+"/element", nil)
		} else {
			c.add(ptr, "must provide an element")
		}
	case "image":
		c.image(b, ptr)
	case "rich_text":
		if _, ok := b["elements"].([]any); !ok {
			c.add(ptr+"/elements", "must be an array")
		}
	}
}

// text checks a text object: want "" accepts plain_text and mrkdwn.
func (c *checker) text(v any, ptr, want string, max int) {
	t, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must be a text object")
		return
	}
	typ, _ := t["type"].(string)
	switch {
	case typ != "plain_text" && typ != "mrkdwn":
		c.add(ptr+"/type", "must be plain_text or mrkdwn, got %q", typ)
	case want != "" && typ != want:
		c.add(ptr+"/type", "must be %s, got %s", want, typ)
	}
	if _, ok := t["emoji"]; ok && typ == "mrkdwn" {
		c.add(ptr+"/emoji", "emoji is only allowed on plain_text")
	}
	s, ok := t["text"].(string)
	switch {
	case !ok || s == "":
		c.add(ptr+"/text", "must be more than 0 characters")
	case runes(s) > max:
		c.add(ptr+"/text", "must be less than %d characters", max+1)
	}
}

func (c *checker) image(m map[string]any, ptr string) {
	_, url := m["image_url"].(string)
	_, file := m["slack_file"].(map[string]any)
	if !url && !file {
		c.add(ptr, "must provide image_url or slack_file")
	}
	if alt, ok := m["alt_text"].(string); !ok || alt == "" || runes(alt) > 2000 {
		c.add(ptr+"/alt_text", "must be 1 to 2000 characters")
	}
}

// element checks an interactive element; ids collects the block's
// action_ids (nil: not in an actions block).
func (c *checker) element(v any, ptr string, ids map[string]bool) {
	e, ok := v.(map[string]any)
	if !ok {
		c.add(ptr, "must be an element object")
		return
	}
	typ, _ := e["type"].(string)
	if typ == "image" {
		c.image(e, ptr)
		return
	}
	if id, ok := e["action_id"]; ok {
		s, isStr := id.(string)
		switch {
		case !isStr || s == "":
			c.add(ptr+"/action_id", "must be a non-empty string")
		case runes(s) > 255:
			c.add(ptr+"/action_id", "must be less than 256 characters")
		case ids != nil && ids[s]:
			c.add(ptr+"/action_id", "duplicate action_id %q in the block", s)
		case ids != nil:
			ids[s] = true
		}
	}
	switch typ {
	case "button":
		c.text(e["text"], ptr+"/text", "plain_text", 75)
		if s, ok := e["value"].(string); ok && runes(s) > 2000 {
			c.add(ptr+"/value", "must be less than 2001 characters")
		}
		if s, ok := e["url"].(string); ok && runes(s) > 3000 {
			c.add(ptr+"/url", "must be less than 3001 characters")
		}
		if st, ok := e["style"]; ok && st != "primary" && st != "danger" {
			c.add(ptr+"/style", "must be primary or danger")
		}
	case "plain_text_input":
		if n, ok := e["max_length"].(float64); ok && (n < 1 || n > 3000) {
			c.add(ptr+"/max_length", "must be between 1 and 3000")
		}
		if p, ok := e["placeholder"]; ok {
			c.text(p, ptr+"/placeholder", "plain_text", 150)
		}
	case "static_select", "multi_static_select", "overflow", "radio_buttons", "checkboxes":
		opts, _ := e["options"].([]any)
		max := 100
		if typ == "overflow" {
			max = 5
		}
		if len(opts) > max {
			c.add(ptr+"/options", "must contain at most %d options", max)
		}
		for i, o := range opts {
			om, _ := o.(map[string]any)
			c.text(om["text"], ptr+"/options/"+strconv.Itoa(i)+"/text", "", 75)
		}
	case "datepicker", "timepicker", "users_select", "conversations_select", "channels_select",
		"multi_users_select", "multi_conversations_select", "multi_channels_select", "external_select",
		"number_input", "email_text_input", "url_text_input", "datetimepicker", "rich_text_input", "file_input":
	default:
		c.add(ptr+"/type", "unsupported element type %q", typ)
	}
}

// checkView validates a views.open, views.update or views.publish payload.
func checkView(v map[string]any) []problem {
	c := &checker{blockIDs: map[string]bool{}}
	typ, _ := v["type"].(string)
	base := "/view"
	if typ == "modal" {
		c.text(v["title"], base+"/title", "plain_text", 24)
		for _, k := range []string{"submit", "close"} {
			if t, ok := v[k]; ok && t != nil {
				c.text(t, base+"/"+k, "plain_text", 24)
			}
		}
	}
	if s, ok := v["callback_id"].(string); ok && runes(s) > 255 {
		c.add(base+"/callback_id", "must be less than 256 characters")
	}
	if s, ok := v["private_metadata"].(string); ok && runes(s) > 3000 {
		c.add(base+"/private_metadata", "must be less than 3001 characters")
	}
	blocks, ok := v["blocks"].([]any)
	if !ok && v["blocks"] != nil {
		c.add(base+"/blocks", "must be an array of blocks")
		return c.problems
	}
	c.blocks(blocks, typ, base+"/blocks")
	if typ == "modal" {
		hasInput := false
		for _, b := range blocks {
			if m, ok := b.(map[string]any); ok && m["type"] == "input" {
				hasInput = true
			}
		}
		if sub, ok := v["submit"]; hasInput && (!ok || sub == nil) {
			c.add(base+"/submit", "is required when the view has input blocks")
		}
	}
	return c.problems
}

// blocksRefused is Slack's answer to a chat.* call with invalid blocks.
func blocksRefused(ps []problem) map[string]any {
	errs := make([]string, len(ps))
	msgs := make([]string, len(ps))
	for i, p := range ps {
		errs[i] = p.String()
		msgs[i] = "[ERROR] " + p.String()
	}
	return map[string]any{"errors": errs, "response_metadata": map[string]any{"messages": msgs}}
}

// viewRefused is Slack's answer to a views.* call with an invalid view.
func viewRefused(ps []problem) map[string]any {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = "[ERROR] " + p.String()
	}
	return map[string]any{"response_metadata": map[string]any{"messages": msgs}}
}

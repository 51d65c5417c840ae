package fakeslack_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/leadnudge/leadnudge/fakeslack"
)

// post calls a Web API method with a JSON body, as slack-go does for
// views.* and as any client may for chat.*, and returns the answer.
func post(t *testing.T, fs *fakeslack.Server, method string, body map[string]any) map[string]any {
	t.Helper()
	js, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, fs.URL()+method, bytes.NewReader(js))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+testBotToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func section(text string) map[string]any {
	return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}
}

func button(id, text string) map[string]any {
	return map[string]any{"type": "button", "action_id": id, "text": map[string]any{"type": "plain_text", "text": text}}
}

// TestBlockKitLimits: payloads Slack refuses are refused here, with Slack's
// error code and a message naming the JSON pointer; payloads at the limits
// pass.
func TestBlockKitLimits(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	if err := fs.AddChannel("C1"); err != nil {
		t.Fatal(err)
	}
	many := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"type": "divider"}
		}
		return out
	}
	tests := []struct {
		name   string
		blocks []any
		ptr    string // "" means accepted
	}{
		{"section text at the limit", []any{section(strings.Repeat("é", 3000))}, ""},
		{"section text too long", []any{section(strings.Repeat("é", 3001))}, "/blocks/0/text/text"},
		{"empty text", []any{section("")}, "/blocks/0/text/text"},
		{"50 blocks", many(50), ""},
		{"51 blocks", many(51), "/blocks"},
		{"unknown block type", []any{map[string]any{"type": "sectoin"}}, "/blocks/0/type"},
		{"header must be plain_text", []any{map[string]any{"type": "header", "text": map[string]any{"type": "mrkdwn", "text": "x"}}}, "/blocks/0/text/type"},
		{"duplicate block_id", []any{map[string]any{"type": "divider", "block_id": "a"}, map[string]any{"type": "divider", "block_id": "a"}}, "/blocks/1/block_id"},
		{"block_id too long", []any{map[string]any{"type": "divider", "block_id": strings.Repeat("b", 256)}}, "/blocks/0/block_id"},
		{"button text at the limit", []any{map[string]any{"type": "actions", "elements": []any{button("a", strings.Repeat("x", 75))}}}, ""},
		{"button text too long", []any{map[string]any{"type": "actions", "elements": []any{button("a", strings.Repeat("x", 76))}}}, "/blocks/0/elements/0/text/text"},
		{"duplicate action_id in a block", []any{map[string]any{"type": "actions", "elements": []any{button("a", "x"), button("a", "y")}}}, "/blocks/0/elements/1/action_id"},
		{"same action_id in two blocks", []any{map[string]any{"type": "actions", "elements": []any{button("a", "x")}}, map[string]any{"type": "actions", "elements": []any{button("a", "y")}}}, ""},
		{"bad button style", []any{map[string]any{"type": "actions", "elements": []any{map[string]any{"type": "button", "action_id": "a", "style": "green", "text": map[string]any{"type": "plain_text", "text": "x"}}}}}, "/blocks/0/elements/0/style"},
		{"context of 11", []any{map[string]any{"type": "context", "elements": func() []any {
			out := make([]any, 11)
			for i := range out {
				out[i] = map[string]any{"type": "mrkdwn", "text": "x"}
			}
			return out
		}()}}, "/blocks/0/elements"},
		{"emoji on mrkdwn", []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "x", "emoji": true}}}, "/blocks/0/text/emoji"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := post(t, fs, "chat.postMessage", map[string]any{"channel": "C1", "text": "fallback", "blocks": tt.blocks})
			if tt.ptr == "" {
				if out["ok"] != true {
					t.Fatalf("refused: %v", out)
				}
				return
			}
			if out["ok"] != false || out["error"] != "invalid_blocks" {
				t.Fatalf("answer %v, want invalid_blocks", out)
			}
			msgs, _ := out["response_metadata"].(map[string]any)["messages"].([]any)
			errs, _ := out["errors"].([]any)
			if len(msgs) == 0 || len(errs) == 0 || !strings.HasPrefix(msgs[0].(string), "[ERROR] ") ||
				!strings.Contains(msgs[0].(string), "[json-pointer:"+tt.ptr+"]") {
				t.Fatalf("messages %v, errors %v: want [ERROR] … [json-pointer:%s]", msgs, errs, tt.ptr)
			}
		})
	}
	if out := post(t, fs, "chat.postMessage", map[string]any{"channel": "C1", "text": strings.Repeat("x", 40001)}); out["error"] != "msg_too_long" {
		t.Errorf("40,001 characters: %v, want msg_too_long", out)
	}
}

func TestBlockKitViews(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	if err := fs.AddUser(fakeslack.User{ID: "U1", Name: "ana"}); err != nil {
		t.Fatal(err)
	}
	plain := func(s string) map[string]any { return map[string]any{"type": "plain_text", "text": s} }
	input := map[string]any{"type": "input", "block_id": "b", "label": plain("Answer"),
		"element": map[string]any{"type": "plain_text_input", "action_id": "a", "max_length": 3000}}
	tests := []struct {
		name string
		view map[string]any
		ptr  string
	}{
		{"home of 100 blocks", map[string]any{"type": "home", "blocks": func() []any {
			out := make([]any, 100)
			for i := range out {
				out[i] = map[string]any{"type": "divider"}
			}
			return out
		}()}, ""},
		{"home of 101 blocks", map[string]any{"type": "home", "blocks": func() []any {
			out := make([]any, 101)
			for i := range out {
				out[i] = map[string]any{"type": "divider"}
			}
			return out
		}()}, "/view/blocks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := post(t, fs, "views.publish", map[string]any{"user_id": "U1", "view": tt.view})
			if tt.ptr == "" {
				if out["ok"] != true {
					t.Fatalf("refused: %v", out)
				}
				return
			}
			msgs, _ := out["response_metadata"].(map[string]any)["messages"].([]any)
			if out["error"] != "invalid_arguments" || len(msgs) == 0 || !strings.Contains(msgs[0].(string), "[json-pointer:"+tt.ptr+"]") {
				t.Fatalf("answer %v, want invalid_arguments naming %s", out, tt.ptr)
			}
		})
	}
	// a modal: title at most 24 characters, submit needed with an input
	cmd, err := fs.SendCommand(fakeslack.Command{User: "U1", Channel: "C1", Command: "/reflect"})
	if err != nil {
		t.Fatal(err)
	}
	out := post(t, fs, "views.open", map[string]any{"trigger_id": cmd.TriggerID, "view": map[string]any{
		"type": "modal", "title": plain(strings.Repeat("t", 25)), "blocks": []any{input}}})
	msgs, _ := out["response_metadata"].(map[string]any)["messages"].([]any)
	joined := ""
	for _, m := range msgs {
		joined += m.(string) + "\n"
	}
	if out["error"] != "invalid_arguments" || !strings.Contains(joined, "/view/title/text") || !strings.Contains(joined, "/view/submit") {
		t.Fatalf("answer %v", out)
	}
	out = post(t, fs, "views.open", map[string]any{"trigger_id": cmd.TriggerID, "view": map[string]any{
		"type": "modal", "title": plain(strings.Repeat("t", 24)), "submit": plain("Save"), "blocks": []any{input}}})
	if out["ok"] != true {
		t.Fatalf("a valid modal refused: %v", out)
	}
}

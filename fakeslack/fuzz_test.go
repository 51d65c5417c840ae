package fakeslack

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// adminPaths are the admin endpoints that take a JSON body, with the parser
// each must agree with (nil: parsed inside the Send… method).
func adminPaths() []struct {
	path  string
	parse func([]byte) error
} {
	return []struct {
		path  string
		parse func([]byte) error
	}{
		{"/_fake/users", func(d []byte) error { _, err := parseUser(d); return err }},
		{"/_fake/messages", func(d []byte) error { _, err := parseMessage(d); return err }},
		{"/_fake/commands", func(d []byte) error { _, err := parseCommand(d); return err }},
		{"/_fake/faults", func(d []byte) error { _, err := parseFault(d); return err }},
		{"/_fake/events", nil},
		{"/_fake/interactions", nil},
	}
}

// FuzzAdminJSON feeds arbitrary bodies to every admin endpoint. The admin
// API must answer 200 or 400 with a JSON body, never panic, and answer 400
// whenever the body does not parse.
func FuzzAdminJSON(f *testing.F) {
	seeds := []string{
		`{"id":"U1","name":"ann","real_name":"Ann","tz":"Europe/Berlin","is_bot":false,"deleted":false}`,
		`{"user":"U1","channel":"C1","text":"hi","thread_ts":"1.2","channel_type":"channel"}`,
		`{"user":"U1","channel":"C1","command":"/reflect","text":"x"}`,
		`{"method":"chat.postMessage","status":429,"retry_after":1,"count":3}`,
		`{"disconnect":"refresh_requested"}`,
		`{"drop_connections":true}`,
		`{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home"}`,
		`{"type":"event_callback","event_id":"Ev1","event":{"type":"message"}}`,
		`{"type":"block_actions","user":{"id":"U1"},"trigger_id":"1.2.3"}`,
		`{"id":`, `[]`, `null`, `{"method":"x","delay_ms":-1}`, `{"id":"U\u0000"}`, "",
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		s, err := New(Options{HistoryLimit: 50})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		paths := adminPaths()
		p := paths[int(which)%len(paths)]
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:1"+p.path, bytes.NewReader(body))
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: status %d", p.path, rec.Code)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s: answer is not JSON: %q", p.path, rec.Body.Bytes())
		}
		if p.parse != nil && p.parse(body) != nil && rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: accepted a body its parser rejects: %q", p.path, body)
		}
		if rec.Code == http.StatusBadRequest {
			var e struct {
				OK    *bool  `json:"ok"`
				Error string `json:"error"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.OK == nil || *e.OK || e.Error == "" {
				t.Fatalf("%s: bad 400 body %q", p.path, rec.Body.Bytes())
			}
		}
	})
}

// TestRingKeepsNewest checks the bounded history helper.
func TestRingKeepsNewest(t *testing.T) {
	r := ring[int]{limit: 3}
	var evicted []int
	for i := range 7 {
		if old, ok := r.push(i); ok {
			evicted = append(evicted, old)
		}
	}
	var got []int
	r.each(func(v int) { got = append(got, v) })
	if len(got) != 3 || got[0] != 4 || got[2] != 6 || len(evicted) != 4 || evicted[0] != 0 {
		t.Fatalf("kept %v evicted %v", got, evicted)
	}
}

// TestScrubRemovesTokens checks the recorder's redaction on nested values.
func TestScrubRemovesTokens(t *testing.T) {
	v := scrub(map[string]any{
		"token": "xoxb-1", "text": "see xapp-1-abc", "ok": "fine",
		"nested": []any{map[string]any{"token": "x", "v": "xoxp-2"}},
	})
	b, _ := json.Marshal(v)
	if bytes.Contains(b, []byte("xox")) || bytes.Contains(b, []byte("xapp")) || bytes.Contains(b, []byte(`"token"`)) ||
		!bytes.Contains(b, []byte("fine")) {
		t.Fatalf("%s", b)
	}
}

// FuzzPageOf: any cursor and limit a client sends gives a page inside the
// list, or "invalid_cursor"; a cursor the server issued leads to the next
// page.
func FuzzPageOf(f *testing.F) {
	f.Add("", "200", 450)
	f.Add(nextCursor(200, 450), "200", 450)
	f.Add("b2Zmc2V0Oi0x", "0", 3) // offset:-1
	f.Add("!!", "-5", 0)
	f.Fuzz(func(t *testing.T, cursor, limit string, n int) {
		if n < 0 || n > 1e6 {
			return
		}
		r := &apiRequest{form: map[string][]string{"cursor": {cursor}, "limit": {limit}}}
		from, lim, bad := pageOf(r, n)
		if bad {
			return
		}
		if from < 0 || from > n || lim < 1 || lim > max(n, 1000) {
			t.Fatalf("pageOf(%q, %q, %d) = %d, %d", cursor, limit, n, from, lim)
		}
		if next := nextCursor(min(from+lim, n), n); next != "" {
			r2 := &apiRequest{form: map[string][]string{"cursor": {next}}}
			if f2, _, bad := pageOf(r2, n); bad || f2 != min(from+lim, n) {
				t.Fatalf("the issued cursor %q reads back as %d (bad %v)", next, f2, bad)
			}
		}
	})
}

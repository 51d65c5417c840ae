package playground_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/playground"
)

func setup(t *testing.T) (*fakeslack.Server, *httptest.Server) {
	t.Helper()
	fs, err := fakeslack.New(fakeslack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	for _, id := range []string{"U0ANA", "U0BEN"} {
		if err := fs.AddUser(fakeslack.User{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.AddChannel("C0PRODUCT", "U0ANA", "U0BEN"); err != nil {
		t.Fatal(err)
	}
	pg, err := playground.New(fs, playground.Options{
		People:   []playground.Person{{ID: "U0ANA", Name: "Ana"}, {ID: "U0BEN", Name: "Ben"}},
		Channels: []playground.Channel{{ID: "C0PRODUCT", Name: "product"}},
		Explain:  func(text string) string { return "explained: " + text },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pg.Handler(fs.Handler()))
	t.Cleanup(srv.Close)
	fs.SetBaseURL(srv.URL)
	return fs, srv
}

func post(t *testing.T, srv *httptest.Server, path, body string, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestPageHeaders(t *testing.T) {
	_, srv := setup(t)
	for _, path := range []string{"/", "/play/static/app.js", "/play/static/app.css"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, CSP %q", path, resp.StatusCode, csp)
		}
	}
	// the local Slack is still served behind the page
	resp, err := http.Get(srv.URL + "/_fake/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/_fake/health: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestMessagesAreEscapedAsSlackClientsSendThem(t *testing.T) {
	fs, srv := setup(t)
	code, out := post(t, srv, "/play/api/message", `{"user":"U0ANA","channel":"C0PRODUCT","text":"<script>x</script> & <@U0BEN>"}`, nil)
	if code != 200 || out["ok"] != true {
		t.Fatalf("post: %d %v", code, out)
	}
	env := fs.Envelopes()
	if len(env) != 1 {
		t.Fatalf("%d envelopes", len(env))
	}
	resp, err := http.Get(srv.URL + "/play/api/state?user=U0ANA")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Messages map[string][]struct{ Text string } `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if got := st.Messages["C0PRODUCT"]; len(got) != 1 || got[0].Text != "&lt;script&gt;x&lt;/script&gt; &amp; &lt;@U0BEN&gt;" {
		t.Errorf("stored message %+v, want Slack-escaped text", got)
	}
	code, out = post(t, srv, "/play/api/explain", `{}`, nil)
	if code != 200 || out["explain"] != "explained: <script>x</script> & <@U0BEN>" {
		t.Errorf("explain: %d %v (the drawer explains the text as typed)", code, out)
	}
}

func TestRefusals(t *testing.T) {
	_, srv := setup(t)
	tests := []struct {
		name, path, body string
		header           map[string]string
		want             int
	}{
		{"cross-origin", "/play/api/message", `{"user":"U0ANA","channel":"C0PRODUCT","text":"hi"}`, map[string]string{"Origin": "http://evil.example"}, 403},
		{"not JSON", "/play/api/message", `{"user":"U0ANA"}`, map[string]string{"Content-Type": "text/plain"}, 415},
		{"unknown person", "/play/api/message", `{"user":"U0EVE","channel":"C0PRODUCT","text":"hi"}`, nil, 400},
		{"unknown channel", "/play/api/message", `{"user":"U0ANA","channel":"C0NOPE","text":"hi"}`, nil, 400},
		{"empty", "/play/api/message", `{"user":"U0ANA","channel":"C0PRODUCT","text":"  "}`, nil, 400},
		{"broken JSON", "/play/api/click", `{"user":`, nil, 400},
		{"click nowhere", "/play/api/click", `{"user":"U0ANA","where":"mars","action_id":"x"}`, nil, 400},
		{"no weekly job", "/play/api/next-week", `{}`, nil, 400},
		{"no such modal", "/play/api/submit", `{"user":"U0ANA","view_id":"VNOPE"}`, nil, 400},
	}
	for _, tt := range tests {
		if code, out := post(t, srv, tt.path, tt.body, tt.header); code != tt.want {
			t.Errorf("%s: %d %v, want %d", tt.name, code, out, tt.want)
		}
	}
	code, _ := post(t, srv, "/play/api/message", `{"user":"U0ANA","channel":"C0PRODUCT","text":"same origin"}`,
		map[string]string{"Origin": srv.URL})
	if code != 200 {
		t.Errorf("a same-origin post was refused: %d", code)
	}
}

func TestEventsArePushed(t *testing.T) {
	fs, srv := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/play/api/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	changes := 0
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, _ = fs.SendMessage(fakeslack.Message{User: "U0BEN", Channel: "C0PRODUCT", Text: "hello"})
	}()
	for changes < 2 { // the first on connecting, then one for the message
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %d change events: %v", changes, err)
		}
		if line == "event: change\n" {
			changes++
		}
	}
}

package fakeslack_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/leadnudge/leadnudge/fakeslack"
)

// adminServer mounts a local Slack's handler on an httptest server, as a
// tool driving the admin API over HTTP would see it.
func adminServer(t *testing.T, o fakeslack.Options) (*fakeslack.Server, *httptest.Server) {
	t.Helper()
	if o.PingInterval == 0 {
		o.PingInterval = 50 * time.Millisecond
	}
	fs, err := fakeslack.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(fs.Handler())
	t.Cleanup(func() {
		ts.CloseClientConnections()
		if err := fs.Close(); err != nil {
			t.Error(err)
		}
		ts.Close()
	})
	return fs, ts
}

// adminDo sends one admin request and returns the status and raw body.
func adminDo(t *testing.T, ts *httptest.Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: content type %q", method, path, ct)
	}
	return resp.StatusCode, data
}

// TestAdminAPI checks every row of DESIGN.md §6's admin table, and the 400
// answers for bad requests.
func TestAdminAPI(t *testing.T) {
	_, ts := adminServer(t, fakeslack.Options{})
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantBody   string // regexp the body must match
	}{
		{"add user", "POST", "/_fake/users", `{"id":"U1","name":"ann","real_name":"Ann","tz":"Europe/Berlin","is_bot":false,"deleted":false}`, 200, `^\{"ok":true\}`},
		{"add user bad tz", "POST", "/_fake/users", `{"id":"U2","tz":"Mars/Olympus"}`, 400, `"ok":false,"error":".*time zone`},
		{"add user bad id", "POST", "/_fake/users", `{"id":"C1"}`, 400, `"ok":false`},
		{"message", "POST", "/_fake/messages", `{"user":"U1","channel":"C1","text":"hi"}`, 200,
			`^\{"envelope_id":"[0-9a-f-]{36}","event_id":"Ev[0-9A-Z]+","ts":"\d{10}\.\d{6}"\}`},
		{"message in thread, im", "POST", "/_fake/messages", `{"user":"U1","channel":"D1","text":"hi","thread_ts":"1.000001","channel_type":"im"}`, 200, `"envelope_id"`},
		{"message missing user", "POST", "/_fake/messages", `{"channel":"C1","text":"hi"}`, 400, `"ok":false`},
		{"message bad channel_type", "POST", "/_fake/messages", `{"user":"U1","channel":"C1","channel_type":"dm"}`, 400, `"ok":false`},
		{"raw inner event", "POST", "/_fake/events", `{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home"}`, 200,
			`^\{"envelope_id":"[0-9a-f-]{36}","event_id":"Ev[0-9A-Z]+"\}`},
		{"whole event_callback keeps its event_id", "POST", "/_fake/events",
			`{"type":"event_callback","team_id":"T0FAKE","event_id":"Ev0SAME","event_time":1,"event":{"type":"message","user":"U1","channel":"C1","text":"x","ts":"1.000001"}}`,
			200, `"event_id":"Ev0SAME"`},
		{"event without type", "POST", "/_fake/events", `{"user":"U1"}`, 400, `"ok":false`},
		{"event not an object", "POST", "/_fake/events", `[1,2]`, 400, `"ok":false`},
		{"command", "POST", "/_fake/commands", `{"user":"U1","channel":"C1","command":"/reflect","text":""}`, 200,
			`^\{"envelope_id":"[0-9a-f-]{36}","trigger_id":"\d+\.\d+\.[0-9a-f]+","response_url":"http://127\.0\.0\.1:\d+/resp/`},
		{"command without slash", "POST", "/_fake/commands", `{"user":"U1","channel":"C1","command":"reflect"}`, 400, `"ok":false`},
		{"interaction", "POST", "/_fake/interactions", `{"type":"block_actions","user":{"id":"U1"},"actions":[]}`, 200, `^\{"envelope_id":"[0-9a-f-]{36}"`},
		{"interaction without type", "POST", "/_fake/interactions", `{"user":{"id":"U1"}}`, 400, `"ok":false`},
		{"fault 429", "POST", "/_fake/faults", `{"method":"chat.postMessage","status":429,"retry_after":1,"count":2}`, 200, `^\{"ok":true\}`},
		{"fault defaults", "POST", "/_fake/faults", `{"method":"users.info"}`, 200, `^\{"ok":true\}`},
		{"fault disconnect", "POST", "/_fake/faults", `{"disconnect":"refresh_requested"}`, 200, `^\{"ok":true\}`},
		{"fault drop", "POST", "/_fake/faults", `{"drop_connections":true}`, 200, `^\{"ok":true\}`},
		{"fault without target", "POST", "/_fake/faults", `{"status":429}`, 400, `"ok":false`},
		{"fault bad status", "POST", "/_fake/faults", `{"method":"x","status":302}`, 400, `"ok":false`},
		{"calls", "GET", "/_fake/calls", "", 200, `^\[`},
		{"calls of a method", "GET", "/_fake/calls?method=chat.postMessage", "", 200, `^\[\]`},
		{"envelopes", "GET", "/_fake/envelopes", "", 200,
			`^\[\{"envelope_id":"[0-9a-f-]{36}","type":"events_api","event_id":"Ev[0-9A-Z]+","retry_attempt":0,"retry_reason":"","delivered":false,"acked":false,"expired":false,"ack_ms":null,"ack_payload":null\}`},
		{"dms", "GET", "/_fake/dms?user=U1", "", 200, `^\[\]`},
		{"dms without user", "GET", "/_fake/dms", "", 400, `"ok":false`},
		{"health", "GET", "/_fake/health", "", 200, `^\{"connections":0\}`},
		{"wrong method", "GET", "/_fake/users", "", 405, `"ok":false`},
		{"unknown endpoint", "GET", "/_fake/nope", "", 404, `"ok":false`},
		{"malformed JSON", "POST", "/_fake/users", `{"id":`, 400, `"ok":false`},
		{"trailing data", "POST", "/_fake/users", `{"id":"U3"} {}`, 400, `"ok":false`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := adminDo(t, ts, tc.method, tc.path, tc.body)
			if status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, tc.wantStatus, body)
			}
			if !regexp.MustCompile(tc.wantBody).Match(body) {
				t.Fatalf("body %s does not match %s", body, tc.wantBody)
			}
		})
	}
}

// TestAdminCallsAndDMs checks the shapes of /_fake/calls and /_fake/dms
// after real Web API traffic (form and JSON requests).
func TestAdminCallsAndDMs(t *testing.T) {
	fs, ts := adminServer(t, fakeslack.Options{})
	adminDo(t, ts, "POST", "/_fake/users", `{"id":"U1","name":"ann"}`)
	form := "token=" + testBotToken + "&channel=U1&text=hello&blocks=" +
		`[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]`
	resp, err := http.Post(ts.URL+"/api/chat.postMessage", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	var posted struct {
		Channel, TS string
	}
	if err := json.NewDecoder(resp.Body).Decode(&posted); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/api/views.publish", strings.NewReader(`{"user_id":"U1","view":{"type":"home","blocks":[]}}`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+testBotToken)
	doJSON(t, req, nil)

	_, body := adminDo(t, ts, "GET", "/_fake/calls", "")
	var calls []struct {
		Method string         `json:"method"`
		Params map[string]any `json:"params"`
		At     string         `json:"at"`
		Error  string         `json:"error"`
	}
	if err := json.Unmarshal(body, &calls); err != nil || len(calls) != 2 {
		t.Fatalf("%v: %s", err, body)
	}
	if calls[0].Method != "chat.postMessage" || calls[0].Params["text"] != "hello" ||
		calls[0].Params["blocks"] != `[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]` {
		t.Fatalf("form call %+v", calls[0])
	}
	if v, ok := calls[1].Params["view"].(map[string]any); !ok || v["type"] != "home" {
		t.Fatalf("JSON call %+v", calls[1])
	}
	if _, err := time.Parse(time.RFC3339Nano, calls[0].At); err != nil || !strings.Contains(calls[0].At, ".") {
		t.Fatalf("at %q: %v", calls[0].At, err)
	}
	_, body = adminDo(t, ts, "GET", "/_fake/calls?method=views.publish", "")
	if err := json.Unmarshal(body, &calls); err != nil || len(calls) != 1 {
		t.Fatalf("filtered calls: %s", body)
	}

	_, body = adminDo(t, ts, "GET", "/_fake/dms?user=U1", "")
	var dms []struct {
		Channel string            `json:"channel"`
		TS      string            `json:"ts"`
		Text    string            `json:"text"`
		Blocks  []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(body, &dms); err != nil || len(dms) != 1 {
		t.Fatalf("%v: %s", err, body)
	}
	if dms[0].Channel != fakeslack.DMChannel("U1") || dms[0].Channel != posted.Channel || dms[0].TS != posted.TS ||
		dms[0].Text != "hello" || len(dms[0].Blocks) != 1 {
		t.Fatalf("dm %+v, post %+v", dms[0], posted)
	}
	if got := fs.Calls("chat.postMessage"); len(got) != 1 {
		t.Fatalf("Go API sees %d calls", len(got))
	}
}

// TestAdminEnvelopesAfterAck checks ack_ms and ack_payload over HTTP after a
// raw WebSocket client acked with a payload.
func TestAdminEnvelopesAfterAck(t *testing.T) {
	_, ts := adminServer(t, fakeslack.Options{})
	ws := openRawConn(t, ts.URL+"/api/")
	status, body := adminDo(t, ts, "POST", "/_fake/commands", `{"user":"U1","channel":"C1","command":"/reflect","text":"x"}`)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var cmd struct {
		EnvelopeID string `json:"envelope_id"`
	}
	_ = json.Unmarshal(body, &cmd)
	env := readEnvelope(t, ws)
	if env["envelope_id"] != cmd.EnvelopeID || env["type"] != "slash_commands" || env["accepts_response_payload"] != true {
		t.Fatalf("%v", env)
	}
	if err := ws.WriteJSON(map[string]any{"envelope_id": cmd.EnvelopeID, "payload": map[string]any{"text": "ok"}}); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		_, body = adminDo(t, ts, "GET", "/_fake/envelopes", "")
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0]["acked"] == true {
			break
		}
		time.Sleep(5 * time.Millisecond) // polling an HTTP API, bounded by deadline
	}
	if len(got) != 1 || got[0]["acked"] != true {
		t.Fatalf("envelopes %s", body)
	}
	if ms, ok := got[0]["ack_ms"].(float64); !ok || ms < 0 {
		t.Fatalf("ack_ms %v", got[0]["ack_ms"])
	}
	if p, _ := json.Marshal(got[0]["ack_payload"]); string(p) != `{"text":"ok"}` {
		t.Fatalf("ack_payload %s", p)
	}
	_, body = adminDo(t, ts, "GET", "/_fake/health", "")
	if string(body) != "{\"connections\":1}\n" {
		t.Fatalf("health %q", body)
	}
}

// openRawConn opens a Socket Mode connection with a plain gorilla client and
// returns it after reading hello.
func openRawConn(t *testing.T, apiURL string) *websocket.Conn {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, apiURL+"apps.connections.open", nil)
	req.Header.Set("Authorization", "Bearer "+testAppToken)
	req.Header.Set("Content-Type", "application/json")
	var open struct {
		OK  bool   `json:"ok"`
		URL string `json:"url"`
	}
	doJSON(t, req, &open)
	if !open.OK {
		t.Fatal("apps.connections.open failed")
	}
	ws, _, err := dialWS(t, open.URL+"&debug_reconnects=true")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if hello := readEnvelope(t, ws); hello["type"] != "hello" {
		t.Fatalf("first frame %v", hello)
	}
	return ws
}

// readEnvelope reads the next text frame as a JSON object.
func readEnvelope(t *testing.T, ws *websocket.Conn) map[string]any {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(waitLong))
	var m map[string]any
	if err := ws.ReadJSON(&m); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return m
}

// TestServerAnswersClientPings checks the server reads continuously, so a
// client's PING (as Slack's Node SDK sends) gets a PONG, and that the server
// pings on its own.
func TestServerAnswersClientPings(t *testing.T) {
	_, ts := adminServer(t, fakeslack.Options{})
	ws := openRawConn(t, ts.URL+"/api/")
	pong := make(chan string, 1)
	ping := make(chan struct{}, 1)
	ws.SetPongHandler(func(data string) error {
		select {
		case pong <- data:
		default:
		}
		return nil
	})
	ws.SetPingHandler(func(string) error {
		select {
		case ping <- struct{}{}:
		default:
		}
		return nil
	})
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	if err := ws.WriteControl(websocket.PingMessage, []byte("node-ping"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-pong:
		if got != "node-ping" {
			t.Fatalf("pong %q", got)
		}
	case <-time.After(waitLong):
		t.Fatal("no pong")
	}
	select {
	case <-ping:
	case <-time.After(waitLong):
		t.Fatal("server never pinged")
	}
}

// TestTooManyConnections checks connections beyond MaxConnections get a
// too_many_websockets disconnect.
func TestTooManyConnections(t *testing.T) {
	fs, ts := adminServer(t, fakeslack.Options{MaxConnections: 1})
	openRawConn(t, ts.URL+"/api/")
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/apps.connections.open", nil)
	req.Header.Set("Authorization", "Bearer "+testAppToken)
	var open struct {
		URL string `json:"url"`
	}
	doJSON(t, req, &open)
	ws, _, err := dialWS(t, open.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if m := readEnvelope(t, ws); m["type"] != "disconnect" || m["reason"] != "too_many_websockets" {
		t.Fatalf("%v", m)
	}
	if n := fs.Connections(); n != 1 {
		t.Fatalf("%d connections", n)
	}
}

// TestListenAddress checks the loopback-only rule.
func TestListenAddress(t *testing.T) {
	tests := []struct {
		addr  string
		allow bool
		ok    bool
	}{
		{"127.0.0.1:0", false, true},
		{"localhost:3333", false, true},
		{"[::1]:3333", false, true},
		{"127.1.2.3:80", false, true},
		{":3333", false, false},
		{"0.0.0.0:3333", false, false},
		{"192.168.1.10:3333", false, false},
		{"0.0.0.0:3333", true, true},
		{"nonsense", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			err := fakeslack.CheckListenAddr(tc.addr, tc.allow)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckListenAddr(%q, %v) = %v", tc.addr, tc.allow, err)
			}
		})
	}
	fs, err := fakeslack.New(fakeslack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	if err := fs.Start("0.0.0.0:0"); err == nil {
		t.Fatal("Start listened on every interface without being allowed")
	}
}

// TestOptionsValidation checks New rejects bad options.
func TestOptionsValidation(t *testing.T) {
	for _, o := range []fakeslack.Options{
		{AppToken: "xoxb-nope"},
		{BotToken: "xapp-nope"},
		{AckTimeout: -time.Second},
		{HistoryLimit: -1},
	} {
		if _, err := fakeslack.New(o); err == nil {
			t.Errorf("New(%+v) accepted bad options", o)
		}
	}
}

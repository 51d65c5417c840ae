package fakeslack_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/slack-go/slack"
)

// TestWebAPIWithSlackGo calls every Web API method through the real slack-go
// client and checks answers and Slack's error codes.
func TestWebAPIWithSlackGo(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	api := newAPI(fs, testBotToken, testAppToken)
	if err := fs.AddUser(fakeslack.User{ID: "U1", Name: "ann", RealName: "Ann", TZ: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	if err := fs.AddChannel("C1", "U1"); err != nil {
		t.Fatal(err)
	}
	wantErr := func(t *testing.T, err error, code string) {
		t.Helper()
		if err == nil || err.Error() != code {
			t.Fatalf("err = %v, want %s", err, code)
		}
	}
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"auth.test", func(t *testing.T) {
			r, err := api.AuthTest()
			if err != nil {
				t.Fatal(err)
			}
			if r.UserID != fakeslack.BotUserID || r.BotID != fakeslack.BotID || r.TeamID != fakeslack.TeamID {
				t.Fatalf("%+v", r)
			}
		}},
		{"users.info", func(t *testing.T) {
			u, err := api.GetUserInfo("U1")
			if err != nil {
				t.Fatal(err)
			}
			if u.Name != "ann" || u.RealName != "Ann" || u.TZ != "Europe/Berlin" || (u.TZOffset != 3600 && u.TZOffset != 7200) {
				t.Fatalf("%+v", u)
			}
		}},
		{"users.info unknown", func(t *testing.T) {
			_, err := api.GetUserInfo("U404")
			wantErr(t, err, "user_not_found")
		}},
		{"conversations.open is stable", func(t *testing.T) {
			ch1, _, already, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U1"}})
			if err != nil {
				t.Fatal(err)
			}
			ch2, _, already2, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U1"}})
			if err != nil {
				t.Fatal(err)
			}
			if ch1.ID != fakeslack.DMChannel("U1") || ch2.ID != ch1.ID || !strings.HasPrefix(ch1.ID, "D") {
				t.Fatalf("ids %s %s", ch1.ID, ch2.ID)
			}
			if already || !already2 {
				t.Fatalf("already_open %v %v", already, already2)
			}
		}},
		{"conversations.open unknown user", func(t *testing.T) {
			_, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U404"}})
			wantErr(t, err, "user_not_found")
		}},
		{"chat.postMessage to a DM", func(t *testing.T) {
			ch, ts, err := api.PostMessage(fakeslack.DMChannel("U1"), slack.MsgOptionText("hello", false),
				slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*hi*", false, false), nil, nil)))
			if err != nil {
				t.Fatal(err)
			}
			dms := fs.DMs("U1")
			last := dms[len(dms)-1]
			if ch != fakeslack.DMChannel("U1") || last.TS != ts || last.Text != "hello" || !bytes.Contains(last.Blocks, []byte(`"*hi*"`)) {
				t.Fatalf("post %s %s, dms %+v", ch, ts, dms)
			}
		}},
		{"chat.postMessage to a user id lands in the DM", func(t *testing.T) {
			ch, _, err := api.PostMessage("U1", slack.MsgOptionText("via user id", false))
			if err != nil || ch != fakeslack.DMChannel("U1") {
				t.Fatalf("%s %v", ch, err)
			}
		}},
		{"chat.postMessage unknown channel", func(t *testing.T) {
			_, _, err := api.PostMessage("C404", slack.MsgOptionText("x", false))
			wantErr(t, err, "channel_not_found")
		}},
		{"chat.postMessage without text", func(t *testing.T) {
			_, _, err := api.PostMessage("C1")
			wantErr(t, err, "no_text")
		}},
		{"chat.update", func(t *testing.T) {
			_, ts, err := api.PostMessage("C1", slack.MsgOptionText("before", false))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := api.UpdateMessage("C1", ts, slack.MsgOptionText("after", false)); err != nil {
				t.Fatal(err)
			}
			posts := fs.Posts("C1")
			if p := posts[len(posts)-1]; p.Text != "after" || !p.Edited || p.TS != ts {
				t.Fatalf("%+v", p)
			}
			_, _, _, err = api.UpdateMessage("C1", "1.000001", slack.MsgOptionText("x", false))
			wantErr(t, err, "message_not_found")
		}},
		{"chat.postEphemeral", func(t *testing.T) {
			ts, err := api.PostEphemeral("C1", "U1", slack.MsgOptionText("only you", false))
			if err != nil || ts == "" {
				t.Fatalf("%q %v", ts, err)
			}
			eph := fs.Ephemerals("U1")
			if len(eph) != 1 || eph[0].Text != "only you" || eph[0].TS != ts {
				t.Fatalf("%+v", eph)
			}
			_, err = api.PostEphemeral("C1", "U404", slack.MsgOptionText("x", false))
			wantErr(t, err, "user_not_found")
		}},
		{"chat.getPermalink", func(t *testing.T) {
			link, err := api.GetPermalink(&slack.PermalinkParameters{Channel: "C1", Ts: "1700000000.000100"})
			if err != nil || link != "https://fake.slack.com/archives/C1/p1700000000000100" {
				t.Fatalf("%q %v", link, err)
			}
			_, err = api.GetPermalink(&slack.PermalinkParameters{Channel: "C404", Ts: "1.2"})
			wantErr(t, err, "channel_not_found")
		}},
		{"conversations.members", func(t *testing.T) {
			members, _, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: "C1"})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(members, ",") != fakeslack.BotUserID+",U1" {
				t.Fatalf("%v", members)
			}
		}},
		{"views.publish", func(t *testing.T) {
			home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
				slack.NewSectionBlock(slack.NewTextBlockObject("plain_text", "home", false, false), nil, nil)}}}
			v, err := api.PublishView("U1", home, "")
			if err != nil {
				t.Fatal(err)
			}
			got, ok := fs.HomeView("U1")
			if !ok || got.ID != v.ID || v.Hash == "" || !strings.HasPrefix(v.ID, "V") {
				t.Fatalf("%+v %+v", v, got)
			}
			_, err = api.PublishView("U1", home, "stale-hash")
			wantErr(t, err, "hash_conflict")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

// TestViewsOpenTriggerRules checks trigger_id handling: fresh works once,
// reuse is exchanged_trigger_id, unknown or old is expired_trigger_id.
func TestViewsOpenTriggerRules(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	fs := startFake(t, fakeslack.Options{Now: clock})
	api := newAPI(fs, testBotToken, testAppToken)
	modal := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "reflect",
		Title: slack.NewTextBlockObject("plain_text", "Reflect", false, false)}

	cmd, err := fs.SendCommand(fakeslack.Command{User: "U1", Channel: "C1", Command: "/reflect"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := api.OpenView(cmd.TriggerID, modal)
	if err != nil {
		t.Fatalf("fresh trigger: %v", err)
	}
	if v.ID == "" || v.CallbackID != "reflect" || v.Hash == "" {
		t.Fatalf("%+v", v)
	}
	if _, err := api.OpenView(cmd.TriggerID, modal); err == nil || err.Error() != "exchanged_trigger_id" {
		t.Fatalf("reused trigger: %v", err)
	}
	if _, err := api.OpenView("123.456.abc", modal); err == nil || err.Error() != "expired_trigger_id" {
		t.Fatalf("unknown trigger: %v", err)
	}
	old, err := fs.SendInteraction(json.RawMessage(`{"type":"shortcut","callback_id":"x","user":{"id":"U1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	advance(fakeslack.DefaultTriggerTTL + time.Millisecond)
	if _, err := api.OpenView(old.TriggerID, modal); err == nil || err.Error() != "expired_trigger_id" {
		t.Fatalf("old trigger: %v", err)
	}
	upd, err := api.UpdateView(modal, "", v.Hash, v.ID)
	if err != nil || upd.ID != v.ID || upd.Hash == v.Hash {
		t.Fatalf("views.update: %+v %v", upd, err)
	}
	if _, err := api.UpdateView(modal, "", v.Hash, v.ID); err == nil || err.Error() != "hash_conflict" {
		t.Fatalf("stale hash: %v", err)
	}
}

// TestTokenRules checks which tokens each method accepts, from the form
// field or the Authorization header.
func TestTokenRules(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	strict := startFake(t, fakeslack.Options{BotToken: "xoxb-exact", AppToken: "xapp-exact"})
	tests := []struct {
		name   string
		fs     *fakeslack.Server
		method string
		header string
		form   string
		wantOK bool
	}{
		{"bot token in form", fs, "auth.test", "", "token=xoxb-1", true},
		{"bot token in header", fs, "auth.test", "Bearer xoxb-1", "", true},
		{"app token for web api", fs, "auth.test", "Bearer xapp-1", "", false},
		{"no token", fs, "auth.test", "", "", false},
		{"user token", fs, "auth.test", "", "token=xoxp-1", false},
		{"app token opens connections", fs, "apps.connections.open", "Bearer xapp-1", "", true},
		{"bot token cannot open connections", fs, "apps.connections.open", "Bearer xoxb-1", "", false},
		{"exact bot token", strict, "auth.test", "Bearer xoxb-exact", "", true},
		{"other bot token refused", strict, "auth.test", "Bearer xoxb-other", "", false},
		{"exact app token", strict, "apps.connections.open", "Bearer xapp-exact", "", true},
		{"other app token refused", strict, "apps.connections.open", "Bearer xapp-other", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, tc.fs.URL()+tc.method, strings.NewReader(tc.form))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			var body struct {
				OK    bool   `json:"ok"`
				Error string `json:"error"`
				URL   string `json:"url"`
			}
			status := doJSON(t, req, &body)
			if status != http.StatusOK || body.OK != tc.wantOK {
				t.Fatalf("status %d body %+v, want ok=%v", status, body, tc.wantOK)
			}
			if !tc.wantOK && body.Error != "invalid_auth" {
				t.Fatalf("error %q, want invalid_auth", body.Error)
			}
			if tc.wantOK && tc.method == "apps.connections.open" && !strings.HasPrefix(body.URL, "ws://127.0.0.1:") {
				t.Fatalf("url %q", body.URL)
			}
		})
	}
}

// TestTicketsAreSingleUse checks a WebSocket URL works only once.
func TestTicketsAreSingleUse(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	req, _ := http.NewRequest(http.MethodPost, fs.URL()+"apps.connections.open", nil)
	req.Header.Set("Authorization", "Bearer "+testAppToken)
	var body struct {
		URL string `json:"url"`
	}
	doJSON(t, req, &body)
	u, err := url.Parse(body.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws1, _, err := dialWS(t, body.URL)
	if err != nil {
		t.Fatalf("first dial: %v", err)
	}
	defer ws1.Close()
	if _, resp, err := dialWS(t, body.URL); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("second dial of %s: %v", u.Path, err)
	}
}

// TestNoTokensRecorded sends tokens every way a client can (form field,
// header, JSON field, nested JSON, message text) and checks neither the Go
// API nor GET /_fake/calls ever shows one.
func TestNoTokensRecorded(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	api := newAPI(fs, testBotToken, testAppToken)
	if _, err := api.AuthTest(); err != nil {
		t.Fatal(err)
	}
	_, _, _ = api.PostMessage("U404", slack.MsgOptionText("my token is "+testBotToken, false))
	_, _ = api.PublishView("U404", slack.HomeTabViewRequest{Type: slack.VTHomeTab, PrivateMetadata: testAppToken}, "")
	for _, body := range []string{
		`{"token":"` + testBotToken + `","channel":"C1","text":"x"}`,
		`{"user_id":"U1","view":{"type":"home","token":"` + testBotToken + `"}}`,
	} {
		req, _ := http.NewRequest(http.MethodPost, fs.URL()+"chat.postMessage", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testBotToken)
		doJSON(t, req, nil)
	}
	req, _ := http.NewRequest(http.MethodPost, fs.URL()+"auth.test", strings.NewReader("token=xoxb-wrong-but-secret"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	doJSON(t, req, nil)
	c := startClient(t, fs, testAppToken)
	waitConnected(t, fs, 1)
	_ = c

	goCalls, err := json.Marshal(fs.Calls(""))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(fs.AdminURL() + "calls")
	if err != nil {
		t.Fatal(err)
	}
	httpCalls, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(fs.Calls("")) < 7 {
		t.Fatalf("only %d calls recorded", len(fs.Calls("")))
	}
	for _, dump := range [][]byte{goCalls, httpCalls} {
		for _, secret := range []string{testBotToken, testAppToken, "xoxb-", "xapp-", "secret"} {
			if bytes.Contains(dump, []byte(secret)) {
				t.Fatalf("recorded calls contain %q: %s", secret, dump)
			}
		}
	}
}

// TestTSValues checks every ts is wall-clock epoch seconds with six
// decimals, unique and increasing, even under concurrency.
func TestTSValues(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	if err := fs.AddChannel("C1"); err != nil {
		t.Fatal(err)
	}
	api := newAPI(fs, testBotToken, testAppToken)
	start := time.Now()
	var mu sync.Mutex
	var all []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				_, ts, err := api.PostMessage("C1", slack.MsgOptionText("x", false))
				if err != nil {
					t.Error(err)
					return
				}
				r, err := fs.SendMessage(fakeslack.Message{User: "U1", Channel: "C1", Text: "y"})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				all = append(all, ts, r.TS)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	re := regexp.MustCompile(`^\d{10}\.\d{6}$`)
	seen := map[string]bool{}
	for _, ts := range all {
		if !re.MatchString(ts) || seen[ts] {
			t.Fatalf("bad or repeated ts %q", ts)
		}
		seen[ts] = true
		f, _ := strconv.ParseFloat(ts, 64)
		if d := time.Unix(0, int64(f*1e9)).Sub(start); d < -time.Second || d > time.Minute {
			t.Fatalf("ts %s is %s away from the wall clock", ts, d)
		}
	}
	posts := fs.Posts("C1")
	for i := 1; i < len(posts); i++ {
		if posts[i].TS <= posts[i-1].TS {
			t.Fatalf("ts not increasing: %s then %s", posts[i-1].TS, posts[i].TS)
		}
	}
}

// TestResponseURL checks the response_url of a slash command accepts JSON
// posts, records them, and refuses unknown ones.
func TestResponseURL(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	cmd, err := fs.SendCommand(fakeslack.Command{User: "U1", Channel: "C1", Command: "/nudges", Text: "off"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cmd.ResponseURL, fs.BaseURL()+"/resp/") {
		t.Fatalf("response_url %q", cmd.ResponseURL)
	}
	api := newAPI(fs, testBotToken, testAppToken)
	if _, _, err := api.PostMessage("C1", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral),
		slack.MsgOptionText("nudges are off", false)); err != nil {
		t.Fatal(err)
	}
	calls := fs.Calls("response_url")
	if len(calls) != 1 || calls[0].Param("text") != "nudges are off" || calls[0].Param("response_type") != "ephemeral" {
		t.Fatalf("%+v", calls)
	}
	resp, err := http.Post(fs.BaseURL()+"/resp/nope", "application/json", strings.NewReader(`{"text":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown response_url: %d", resp.StatusCode)
	}
}

// TestFaultKinds checks each kind of Web API fault the admin API offers.
func TestFaultKinds(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	api := newAPI(fs, testBotToken, testAppToken)
	tests := []struct {
		name  string
		fault fakeslack.Fault
		check func(t *testing.T, err error, took time.Duration)
	}{
		{"default is one 429 with Retry-After 1", fakeslack.Fault{Method: "auth.test"}, func(t *testing.T, err error, _ time.Duration) {
			rl, ok := errAs[*slack.RateLimitedError](err)
			if !ok || rl.RetryAfter != time.Second {
				t.Fatalf("%v", err)
			}
		}},
		{"ok false with error", fakeslack.Fault{Method: "auth.test", Error: "account_inactive"}, func(t *testing.T, err error, _ time.Duration) {
			if err == nil || err.Error() != "account_inactive" {
				t.Fatalf("%v", err)
			}
		}},
		{"HTTP 500", fakeslack.Fault{Method: "*", Status: 500}, func(t *testing.T, err error, _ time.Duration) {
			sc, ok := errAs[slack.StatusCodeError](err)
			if !ok || sc.Code != 500 {
				t.Fatalf("%v (%T)", err, err)
			}
		}},
		{"added latency", fakeslack.Fault{Method: "auth.test", DelayMS: 200}, func(t *testing.T, err error, took time.Duration) {
			if err != nil || took < 200*time.Millisecond {
				t.Fatalf("%v after %s", err, took)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := fs.InjectFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err := api.AuthTest()
			tc.check(t, err, time.Since(start))
			if _, err := api.AuthTest(); err != nil {
				t.Fatalf("fault outlived its count: %v", err)
			}
		})
	}
}

// TestHistoryIsBounded checks recorded history never exceeds HistoryLimit
// and keeps the newest entries.
func TestHistoryIsBounded(t *testing.T) {
	fs := startFake(t, fakeslack.Options{HistoryLimit: 5})
	api := newAPI(fs, testBotToken, testAppToken)
	if err := fs.AddChannel("C1"); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, _, err := api.PostMessage("C1", slack.MsgOptionText(strconv.Itoa(i), false)); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.SendMessage(fakeslack.Message{User: "U1", Channel: "C1", Text: "x"}); err != nil && i < 5 {
			t.Fatal(err)
		}
	}
	calls, posts := fs.Calls(""), fs.Posts("C1")
	if len(calls) != 5 || len(posts) != 5 || posts[4].Text != "19" || calls[4].Param("text") != "19" {
		t.Fatalf("calls %d posts %d last %+v", len(calls), len(posts), posts)
	}
	if n := len(fs.Envelopes()); n != 5 {
		t.Fatalf("%d envelopes kept", n)
	}
	if q := fs.Queued(); q != 5 {
		t.Fatalf("queue holds %d envelopes, want the limit 5", q)
	}
}

// doJSON runs req and decodes the JSON answer into v (when not nil).
func doJSON(t *testing.T, req *http.Request, v any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("decode answer: %v", err)
		}
	}
	return resp.StatusCode
}

// TestRateLimitsOverTheWire: with Slack's limits on, slack-go gets Slack's
// answer (HTTP 429, Retry-After) once a Tier 2 method is called more than
// its burst, and the admin API counts it.
func TestRateLimitsOverTheWire(t *testing.T) {
	fs := startFake(t, fakeslack.Options{RateLimits: fakeslack.RateLimits{Enabled: true}})
	api := newAPI(fs, testBotToken, testAppToken)
	var rl *slack.RateLimitedError
	for i := range 25 {
		_, _, err := api.GetConversations(&slack.GetConversationsParameters{})
		if errors.As(err, &rl) {
			if i != 20 || rl.RetryAfter < time.Second {
				t.Fatalf("429 at call %d with Retry-After %v; want the 21st, at least 1 s", i+1, rl.RetryAfter)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if rl == nil {
		t.Fatal("25 calls of a Tier 2 method in a row were all answered")
	}
	st := fs.RateStats()["conversations.list"]
	if st.Calls != 21 || st.RateLimited != 1 {
		t.Errorf("stats = %+v", st)
	}
	resp, err := http.Get(fs.URL()[:len(fs.URL())-len("api/")] + "_fake/rates")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Enabled bool                             `json:"enabled"`
		Methods map[string]fakeslack.MethodStats `json:"methods"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || !body.Enabled || body.Methods["conversations.list"].RateLimited != 1 {
		t.Errorf("/_fake/rates = %+v, %v", body, err)
	}
}

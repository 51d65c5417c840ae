package fakeslack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// TestSocketModeEnvelopeTypes drives the real slack-go client through every
// envelope type: it must parse each one, and the local Slack must record
// each ack with its payload and latency.
func TestSocketModeEnvelopeTypes(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	if err := fs.AddUser(fakeslack.User{ID: "U1", Name: "ann", TZ: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	c := startClient(t, fs, testAppToken)
	waitConnected(t, fs, 1)

	tests := []struct {
		name    string
		send    func() (string, error)
		check   func(t *testing.T, evt socketmode.Event)
		ack     any
		wantAck string
	}{
		{
			name: "message event",
			send: func() (string, error) {
				r, err := fs.SendMessage(fakeslack.Message{User: "U1", Channel: "C1", Text: "just do it"})
				return r.EnvelopeID, err
			},
			check: func(t *testing.T, evt socketmode.Event) {
				ea, ok := evt.Data.(slackevents.EventsAPIEvent)
				if !ok {
					t.Fatalf("data %T", evt.Data)
				}
				cb, ok := ea.Data.(*slackevents.EventsAPICallbackEvent)
				if !ok || cb.EventID == "" || cb.TeamID != fakeslack.TeamID {
					t.Fatalf("callback %#v", ea.Data)
				}
				msg, ok := ea.InnerEvent.Data.(*slackevents.MessageEvent)
				if !ok {
					t.Fatalf("inner %T", ea.InnerEvent.Data)
				}
				if msg.User != "U1" || msg.Channel != "C1" || msg.Text != "just do it" || msg.ChannelType != "channel" || msg.TimeStamp == "" {
					t.Fatalf("message %+v", msg)
				}
				if evt.Request.RetryAttempt != 0 || evt.Request.AcceptsResponsePayload {
					t.Fatalf("request %+v", evt.Request)
				}
			},
			wantAck: "null",
		},
		{
			name: "raw app_home_opened event",
			send: func() (string, error) {
				r, err := fs.SendEvent(json.RawMessage(`{"type":"app_home_opened","user":"U1","channel":"` +
					fakeslack.DMChannel("U1") + `","tab":"home","event_ts":"1700000000.000100"}`))
				return r.EnvelopeID, err
			},
			check: func(t *testing.T, evt socketmode.Event) {
				ea := evt.Data.(slackevents.EventsAPIEvent)
				home, ok := ea.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
				if !ok || home.User != "U1" || home.Tab != "home" {
					t.Fatalf("inner %#v", ea.InnerEvent.Data)
				}
			},
			wantAck: "null",
		},
		{
			name: "slash command",
			send: func() (string, error) {
				r, err := fs.SendCommand(fakeslack.Command{User: "U1", Channel: "C1", Command: "/reflect", Text: "week"})
				return r.EnvelopeID, err
			},
			check: func(t *testing.T, evt socketmode.Event) {
				cmd, ok := evt.Data.(slack.SlashCommand)
				if !ok {
					t.Fatalf("data %T", evt.Data)
				}
				if cmd.Command != "/reflect" || cmd.Text != "week" || cmd.UserID != "U1" || cmd.UserName != "ann" ||
					cmd.ChannelID != "C1" || cmd.TriggerID == "" || cmd.ResponseURL == "" || cmd.APIAppID != fakeslack.AppID {
					t.Fatalf("command %+v", cmd)
				}
				if !evt.Request.AcceptsResponsePayload {
					t.Fatal("slash command must accept a response payload")
				}
			},
			ack:     map[string]any{"response_type": "ephemeral", "text": "ok"},
			wantAck: `{"response_type":"ephemeral","text":"ok"}`,
		},
		{
			name: "block action",
			send: func() (string, error) {
				r, err := fs.SendInteraction(json.RawMessage(`{"type":"block_actions","user":{"id":"U1"},` +
					`"actions":[{"action_id":"snooze","block_id":"b1","type":"button","value":"7"}],"container":{"type":"message"}}`))
				return r.EnvelopeID, err
			},
			check: func(t *testing.T, evt socketmode.Event) {
				ic, ok := evt.Data.(slack.InteractionCallback)
				if !ok {
					t.Fatalf("data %T", evt.Data)
				}
				if ic.Type != slack.InteractionTypeBlockActions || len(ic.ActionCallback.BlockActions) != 1 ||
					ic.ActionCallback.BlockActions[0].ActionID != "snooze" || ic.TriggerID == "" || ic.User.ID != "U1" {
					t.Fatalf("interaction %+v", ic)
				}
			},
			wantAck: "null",
		},
		{
			name: "view submission",
			send: func() (string, error) {
				r, err := fs.SendInteraction(json.RawMessage(`{"type":"view_submission","user":{"id":"U1"},` +
					`"view":{"id":"V1","type":"modal","callback_id":"reflect","state":{"values":{"b":{"a":{"type":"plain_text_input","value":"hi"}}}}}}`))
				return r.EnvelopeID, err
			},
			check: func(t *testing.T, evt socketmode.Event) {
				ic := evt.Data.(slack.InteractionCallback)
				if ic.Type != slack.InteractionTypeViewSubmission || ic.View.CallbackID != "reflect" ||
					ic.View.State.Values["b"]["a"].Value != "hi" {
					t.Fatalf("interaction %+v", ic)
				}
			},
			ack:     map[string]any{"response_action": "errors", "errors": map[string]string{"b": "too short"}},
			wantAck: `{"errors":{"b":"too short"},"response_action":"errors"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := tc.send()
			if err != nil {
				t.Fatal(err)
			}
			evt := c.next(t)
			if evt.Request.EnvelopeID != id {
				t.Fatalf("got envelope %s, want %s", evt.Request.EnvelopeID, id)
			}
			tc.check(t, evt)
			c.ack(t, evt, tc.ack)
			env, err := fs.WaitForAck(ctxT(t), id)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(env.AckPayload); got != tc.wantAck && !(tc.wantAck == "null" && got == "") {
				t.Fatalf("ack payload %s, want %s", got, tc.wantAck)
			}
			if env.AckMS == nil || *env.AckMS < 0 || !env.Delivered {
				t.Fatalf("ack latency %v delivered %v", env.AckMS, env.Delivered)
			}
		})
	}
}

// TestRedeliveryAfterMissingAck checks Slack's retry: a new envelope_id, the
// same event_id, retry_attempt+1 and retry_reason "timeout", at most three
// times.
func TestRedeliveryAfterMissingAck(t *testing.T) {
	fs := startFake(t, fakeslack.Options{AckTimeout: 150 * time.Millisecond})
	c := startClient(t, fs, testAppToken)
	waitConnected(t, fs, 1)

	t.Run("acked on second try", func(t *testing.T) {
		res, err := fs.SendMessage(fakeslack.Message{User: "U1", Channel: "C1", Text: "first"})
		if err != nil {
			t.Fatal(err)
		}
		first := c.next(t) // not acked
		second := c.next(t)
		if second.Request.EnvelopeID == first.Request.EnvelopeID {
			t.Fatal("redelivery reused the envelope id")
		}
		if second.Request.RetryAttempt != 1 || second.Request.RetryReason != "timeout" {
			t.Fatalf("retry fields %d %q", second.Request.RetryAttempt, second.Request.RetryReason)
		}
		cb := second.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent)
		if cb.EventID != res.EventID {
			t.Fatalf("event id %s, want %s", cb.EventID, res.EventID)
		}
		c.ack(t, second, nil)
		if _, err := fs.WaitForAck(ctxT(t), second.Request.EnvelopeID); err != nil {
			t.Fatal(err)
		}
		orig, ok := fs.Envelope(res.EnvelopeID)
		if !ok || orig.Acked || !orig.Expired {
			t.Fatalf("original envelope %+v", orig)
		}
	})

	t.Run("gives up after three retries", func(t *testing.T) {
		res, err := fs.SendMessage(fakeslack.Message{User: "U1", Channel: "C1", Text: "never acked"})
		if err != nil {
			t.Fatal(err)
		}
		for want := 0; want <= 3; want++ {
			evt := c.next(t)
			if evt.Request.RetryAttempt != want {
				t.Fatalf("attempt %d, want %d", evt.Request.RetryAttempt, want)
			}
		}
		// Once the last attempt has expired, no fifth envelope may exist.
		var last []fakeslack.Envelope
		err = fs.WaitUntil(ctxT(t), func() bool {
			last = last[:0]
			for _, e := range fs.Envelopes() {
				if e.EventID == res.EventID {
					last = append(last, e)
				}
			}
			return len(last) == 4 && last[3].Expired
		})
		if err != nil {
			t.Fatalf("%v: %+v", err, last)
		}
		if n := fs.Queued(); n != 0 {
			t.Fatalf("%d envelopes still queued", n)
		}
		select {
		case evt := <-c.got:
			t.Fatalf("unexpected fifth delivery %+v", evt.Request)
		default:
		}
	})
}

// TestReconnectKeepsEnvelopes disconnects the client in each way Slack can
// and checks that envelopes sent meanwhile all arrive after the reconnect.
func TestReconnectKeepsEnvelopes(t *testing.T) {
	tests := []struct {
		name  string
		cause func(fs *fakeslack.Server) error
	}{
		{"disconnect warning", func(fs *fakeslack.Server) error {
			return fs.InjectFault(fakeslack.Fault{Disconnect: "warning"})
		}},
		{"disconnect refresh_requested", func(fs *fakeslack.Server) error {
			return fs.InjectFault(fakeslack.Fault{Disconnect: "refresh_requested"})
		}},
		{"abrupt drop", func(fs *fakeslack.Server) error {
			return fs.InjectFault(fakeslack.Fault{DropConnections: true})
		}},
		{"ping starvation", func(fs *fakeslack.Server) error {
			fs.SetPings(false)
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := startFake(t, fakeslack.Options{AckTimeout: 300 * time.Millisecond})
			c := startClient(t, fs, testAppToken, socketmode.OptionPingInterval(400*time.Millisecond))
			waitConnected(t, fs, 1)
			if err := tc.cause(fs); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for i := range 5 {
				res, err := fs.SendMessage(fakeslack.Message{User: "U1", Channel: "C1", Text: fmt.Sprint("m", i)})
				if err != nil {
					t.Fatal(err)
				}
				want[res.EventID] = true
			}
			ctx := ctxT(t)
			if err := fs.WaitUntil(ctx, func() bool { return fs.ConnectionsOpened() >= 2 }); err != nil {
				t.Fatalf("client did not reconnect: %v", err)
			}
			fs.SetPings(true)
			for len(want) > 0 {
				evt := c.next(t)
				cb := evt.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent)
				delete(want, cb.EventID)
				c.ack(t, evt, nil)
			}
		})
	}
}

// TestSeveralConnectionsShareStream runs three clients at once: every
// envelope reaches exactly one of them, and each gets some.
func TestSeveralConnectionsShareStream(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	clients := []*smClient{startClient(t, fs, testAppToken), startClient(t, fs, testAppToken), startClient(t, fs, testAppToken)}
	waitConnected(t, fs, 3)
	const n = 30
	sent := map[string]bool{}
	for i := range n {
		res, err := fs.SendMessage(fakeslack.Message{User: "U1", Channel: "C1", Text: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		sent[res.EnvelopeID] = true
	}
	var mu sync.Mutex
	seen := map[string]int{}
	perClient := make([]int, len(clients))
	var wg sync.WaitGroup
	ctx, stop := context.WithCancel(ctxT(t))
	defer stop()
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case evt := <-c.got:
					mu.Lock()
					seen[evt.Request.EnvelopeID]++
					perClient[i]++
					mu.Unlock()
					_ = c.sm.AckCtx(ctx, evt.Request.EnvelopeID, nil)
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	if err := fs.WaitUntil(ctxT(t), func() bool {
		for _, e := range fs.Envelopes() {
			if !e.Acked {
				return false
			}
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	stop()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for id := range sent {
		if seen[id] != 1 {
			t.Errorf("envelope %s delivered %d times", id, seen[id])
		}
	}
	for i, k := range perClient {
		if k == 0 {
			t.Errorf("client %d got no envelope (counts %v)", i, perClient)
		}
	}
	if len(fs.Envelopes()) != n {
		t.Errorf("%d envelopes recorded, want %d (no redelivery expected)", len(fs.Envelopes()), n)
	}
}

// TestQueuedWhileNoConnection checks envelopes sent before any client
// connects are delivered on the first connection, in order.
func TestQueuedWhileNoConnection(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	var ids []string
	for i := range 3 {
		res, err := fs.SendMessage(fakeslack.Message{User: "U1", Channel: "D" + "ABC", Text: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.EnvelopeID)
	}
	if fs.Queued() != 3 {
		t.Fatalf("queued %d, want 3", fs.Queued())
	}
	c := startClient(t, fs, testAppToken)
	for _, id := range ids {
		evt := c.next(t)
		if evt.Request.EnvelopeID != id {
			t.Fatalf("got %s, want %s", evt.Request.EnvelopeID, id)
		}
		msg := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent)
		if msg.ChannelType != "im" {
			t.Fatalf("channel_type %q, want im", msg.ChannelType)
		}
		c.ack(t, evt, nil)
	}
}

// TestRateLimitedSurfacesRetryAfter checks a 429 fault reaches slack-go as a
// *slack.RateLimitedError with the right RetryAfter, then clears.
func TestRateLimitedSurfacesRetryAfter(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	api := newAPI(fs, testBotToken, testAppToken)
	if err := fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 7, Count: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		_, _, err := api.PostMessage("U1", slack.MsgOptionText("hi", false))
		rl, ok := errAs[*slack.RateLimitedError](err)
		if !ok {
			t.Fatalf("call %d: err %v (%T), want *slack.RateLimitedError", i, err, err)
		}
		if rl.RetryAfter != 7*time.Second {
			t.Fatalf("RetryAfter %s, want 7s", rl.RetryAfter)
		}
	}
	if err := fs.AddUser(fakeslack.User{ID: "U1"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("U1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("third call: %v", err)
	}
	calls := fs.Calls("chat.postMessage")
	if len(calls) != 3 || calls[0].Error != "ratelimited" || calls[2].Error != "" {
		t.Fatalf("calls %+v", calls)
	}
}

// TestInvalidTokenStopsClient checks slack-go's RunContext gives up with
// invalid_auth for tokens the local Slack refuses.
func TestInvalidTokenStopsClient(t *testing.T) {
	tests := []struct {
		name     string
		opts     fakeslack.Options
		appToken string
	}{
		{"bot token as app token", fakeslack.Options{}, testBotToken},
		{"garbage", fakeslack.Options{}, "nope"},
		{"not the configured token", fakeslack.Options{AppToken: "xapp-the-only-one"}, testAppToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := startFake(t, tc.opts)
			api := newAPI(fs, testBotToken, tc.appToken)
			sm := socketmode.New(api)
			ctx := ctxT(t)
			go func() {
				for {
					select {
					case <-sm.Events:
					case <-ctx.Done():
						return
					}
				}
			}()
			err := sm.RunContext(ctx)
			if err == nil || err.Error() != "invalid_auth" || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("RunContext = %v, want invalid_auth", err)
			}
			if fs.Connections() != 0 || fs.ConnectionsOpened() != 0 {
				t.Fatal("a connection was opened with a bad token")
			}
		})
	}
}

// TestEchoBotMessages checks the bot's own posts come back as message
// events with bot_id, so self-loop filtering can be tested, and that raw
// frames reach the client.
func TestEchoBotMessages(t *testing.T) {
	fs := startFake(t, fakeslack.Options{EchoBotMessages: true})
	if err := fs.SendRaw([]byte(`{}`)); err == nil {
		t.Fatal("SendRaw without a connection succeeded")
	}
	if err := fs.AddChannel("C1"); err != nil {
		t.Fatal(err)
	}
	c := startClient(t, fs, testAppToken)
	waitConnected(t, fs, 1)
	_, ts, err := c.api.PostMessage("C1", slack.MsgOptionText("nudge", false))
	if err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	msg, ok := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || msg.BotID != fakeslack.BotID || msg.User != fakeslack.BotUserID || msg.TimeStamp != ts || msg.Text != "nudge" {
		t.Fatalf("echo %+v", evt.Data)
	}
	c.ack(t, evt, nil)
	if err := fs.SendRaw([]byte(`{"type":"slash_commands","envelope_id":"raw-1","payload":{"command":"/x"}}`)); err != nil {
		t.Fatal(err)
	}
	if evt := c.next(t); evt.Request.EnvelopeID != "raw-1" {
		t.Fatalf("raw frame arrived as %+v", evt.Request)
	}
}

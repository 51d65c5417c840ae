package fakeslack_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

const (
	testBotToken = "xoxb-test-bot-token-123"
	testAppToken = "xapp-test-app-token-456"
	// waitLong bounds every wait in these tests; passing runs finish far
	// sooner, so it only matters when something is broken.
	waitLong = 15 * time.Second
)

// startFake starts a local Slack with test-friendly timings.
func startFake(t *testing.T, o fakeslack.Options) *fakeslack.Server {
	t.Helper()
	if o.AckTimeout == 0 {
		o.AckTimeout = 10 * time.Second // tests that need redelivery set it small
	}
	if o.PingInterval == 0 {
		o.PingInterval = 50 * time.Millisecond
	}
	if o.DisconnectGrace == 0 {
		o.DisconnectGrace = 300 * time.Millisecond
	}
	fs, err := fakeslack.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := fs.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := fs.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return fs
}

// ctxT returns a context bounded by waitLong and the test's life.
func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLong)
	t.Cleanup(cancel)
	return ctx
}

// smClient is a real, unmodified slack-go Socket Mode client run against
// the local Slack. Its envelopes (events_api, slash_commands, interactive)
// arrive on got; every other event is drained.
type smClient struct {
	api  *slack.Client
	sm   *socketmode.Client
	got  chan socketmode.Event
	done chan error // RunContext's result

	mu       sync.Mutex
	hellos   int
	canceled bool
	cancel   context.CancelFunc
}

func newAPI(fs *fakeslack.Server, botToken, appToken string) *slack.Client {
	return slack.New(botToken, slack.OptionAppLevelToken(appToken), slack.OptionAPIURL(fs.URL()))
}

func startClient(t *testing.T, fs *fakeslack.Server, appToken string, opts ...socketmode.Option) *smClient {
	t.Helper()
	api := newAPI(fs, testBotToken, appToken)
	opts = append([]socketmode.Option{socketmode.OptionPingInterval(2 * time.Second)}, opts...)
	c := &smClient{api: api, sm: socketmode.New(api, opts...), got: make(chan socketmode.Event, 1000), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() { c.done <- c.sm.RunContext(ctx) }()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-c.sm.Events:
				switch evt.Type {
				case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
					c.got <- evt
				case socketmode.EventTypeHello:
					c.mu.Lock()
					c.hellos++
					c.mu.Unlock()
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-c.done:
		case <-time.After(waitLong):
			t.Errorf("socketmode client did not stop")
		}
	})
	return c
}

// next returns the next envelope the client received.
func (c *smClient) next(t *testing.T) socketmode.Event {
	t.Helper()
	select {
	case evt := <-c.got:
		return evt
	case <-time.After(waitLong):
		t.Fatalf("no envelope within %s", waitLong)
		return socketmode.Event{}
	}
}

// ack acks an envelope, optionally with a payload.
func (c *smClient) ack(t *testing.T, evt socketmode.Event, payload any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if evt.Request == nil {
		t.Fatalf("event %s has no request", evt.Type)
	}
	if err := c.sm.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil {
		t.Fatalf("ack: %v", err)
	}
}

// waitConnected waits for n open connections on fs.
func waitConnected(t *testing.T, fs *fakeslack.Server, n int) {
	t.Helper()
	if err := fs.WaitForConnections(ctxT(t), n); err != nil {
		t.Fatal(err)
	}
}

// errAs is errors.As for a fresh target.
func errAs[T error](err error) (T, bool) {
	var target T
	ok := errors.As(err, &target)
	return target, ok
}

// dialWS dials a Socket Mode URL the way slack-go does (Origin header).
func dialWS(t *testing.T, u string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.DialContext(ctxT(t), u, http.Header{"Origin": {"https://api.slack.com"}})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return ws, resp, err
}

package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"
)

// pipeNet is an in-memory network: every dial is one end of a net.Pipe
// whose other end the listener accepts. The neutral-path benchmark runs the
// real slack-go client and the bot over it, so no socket, no kernel and no
// loopback latency is measured.
type pipeNet struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeNet() *pipeNet { return &pipeNet{conns: make(chan net.Conn), closed: make(chan struct{})} }

func (p *pipeNet) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	c1, c2 := net.Pipe()
	select {
	case p.conns <- c2:
		return c1, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.closed:
		return nil, net.ErrClosed
	}
}

func (p *pipeNet) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.closed:
		return nil, net.ErrClosed
	}
}

func (p *pipeNet) Close() error   { p.once.Do(func() { close(p.closed) }); return nil }
func (p *pipeNet) Addr() net.Addr { return &net.UnixAddr{Name: "pipe", Net: "pipe"} }
func (p *pipeNet) host() string   { return "pipe" }

// benchNet is where a benchmark's Slack listens and its clients dial: an
// in-memory pipeNet, or loopback TCP (tcpNet).
type benchNet interface {
	net.Listener
	dial(ctx context.Context, network, addr string) (net.Conn, error)
	host() string
}

// tcpNet is loopback TCP, kernel included, as between the bot and Slack.
type tcpNet struct{ net.Listener }

func newTCPNet(b *testing.B) tcpNet {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return tcpNet{ln}
}

func (t tcpNet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}
func (t tcpNet) host() string { return t.Addr().String() }

// miniSlack is the least of Slack a Socket Mode app needs to start:
// auth.test, apps.connections.open and the WebSocket, whose server end it
// hands to the benchmark.
func miniSlack(b *testing.B, pn benchNet) chan *websocket.Conn {
	b.Helper()
	sockets := make(chan *websocket.Conn, 1)
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }} // Slack's client sends its own Origin
	mux := http.NewServeMux()
	mux.HandleFunc("/api/auth.test", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"ok":true,"url":"https://fake.slack.com/","team":"Fake","user":"leadnudge","team_id":"T0FAKE","user_id":"U0BOT","bot_id":"B0BOT"}`)
	})
	mux.HandleFunc("/api/apps.connections.open", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"ok":true,"url":"ws://`+pn.host()+`/link/"}`)
	})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"ok":true}`) })
	mux.HandleFunc("/link/", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			b.Logf("upgrade: %v", err)
			return
		}
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1,"debug_info":{"host":"pipe","approximate_connection_time":18060},"connection_info":{"app_id":"A0FAKE"}}`))
		sockets <- c
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(pn) //nolint:errcheck // ends with Close
	b.Cleanup(func() { srv.Close(); pn.Close() })
	return sockets
}

// neutralFrames are Socket Mode envelopes of ordinary messages that match no
// rule, as Slack sends them (text and rich_text blocks), each with its own
// envelope and event id.
func neutralFrames(n int) [][]byte {
	texts := []string{
		"Morning! Can someone review the migration PR before lunch?",
		"Deploy is green, thanks everyone :tada:",
		"I moved the sprint review to Thursday so design can join.",
		"Customer call went well, notes are in the doc.",
	}
	frames := make([][]byte, n)
	for i := range frames {
		text := texts[i%len(texts)]
		ts := fmt.Sprintf("1796204303.%06d", i)
		ev := map[string]any{
			"type": "message", "channel": "C0PRODUCT", "channel_type": "channel", "user": fmt.Sprintf("U%04d", i%500),
			"text": text, "ts": ts, "event_ts": ts, "client_msg_id": fmt.Sprintf("0f0e%028d", i), "team": "T0FAKE",
			"blocks": []any{map[string]any{"type": "rich_text", "block_id": "b" + fmt.Sprint(i), "elements": []any{
				map[string]any{"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": text}}}}}},
		}
		payload := map[string]any{
			"token": "x", "team_id": "T0FAKE", "context_team_id": "T0FAKE", "api_app_id": "A0FAKE", "event": ev,
			"type": "event_callback", "event_id": fmt.Sprintf("Ev%010d", i), "event_time": 1796204303,
			"authorizations":        []any{map[string]any{"team_id": "T0FAKE", "user_id": "U0BOT", "is_bot": true}},
			"is_ext_shared_channel": false, "event_context": "4-x",
		}
		env := map[string]any{"envelope_id": fmt.Sprintf("%08d-0000-4000-8000-000000000000", i), "payload": payload,
			"type": "events_api", "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": ""}
		frames[i], _ = json.Marshal(env)
	}
	return frames
}

// awaitSocket returns the server end of the app's WebSocket once it has
// connected.
func awaitSocket(b *testing.B, sockets chan *websocket.Conn) *websocket.Conn {
	b.Helper()
	select {
	case ws := <-sockets:
		return ws
	case <-time.After(10 * time.Second):
		b.Fatal("the app did not connect")
		return nil
	}
}

// driveNeutral sends b.N envelopes into the app's WebSocket and waits for
// as many acks; per op is one envelope in and its ack out.
func driveNeutral(b *testing.B, ws *websocket.Conn) {
	b.Helper()
	frames := neutralFrames(4096)
	var total int64
	for _, f := range frames {
		total += int64(len(f))
	}
	b.SetBytes(total / int64(len(frames)))
	acks := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			_, r, err := ws.NextReader()
			if err != nil {
				acks <- err
				return
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				acks <- err
				return
			}
		}
		acks <- nil
	}()
	for i := 0; i < b.N; i++ {
		if err := ws.WriteMessage(websocket.TextMessage, frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-acks; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
}

// clients builds slack-go's Web API and Socket Mode clients on pn.
func clients(pn benchNet) (*slack.Client, *socketmode.Client) {
	api := slack.New("xoxb-bench", slack.OptionAppLevelToken("xapp-bench"), slack.OptionAPIURL("http://"+pn.host()+"/api/"),
		slack.OptionHTTPClient(&http.Client{Transport: &http.Transport{DialContext: pn.dial}}))
	sm := socketmode.New(api, socketmode.OptionDialer(&websocket.Dialer{NetDialContext: pn.dial, HandshakeTimeout: 5 * time.Second}))
	return api, sm
}

// startBot runs the bot (product defaults, the built-in rules, a SQLite
// store) against a miniSlack on pn and returns the server end of its
// WebSocket.
func startBot(b *testing.B, pn benchNet) *websocket.Conn {
	b.Helper()
	sockets := miniSlack(b, pn)
	api, sm := clients(pn)
	st, err := store.Open(context.Background(), "sqlite", filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	bt, err := bot.New(bot.Deps{API: api, Socket: sm, Store: st, Rules: bot.NewRules(builtinMatcher(b)), Log: zap.NewNop()}, bot.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bt.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	return awaitSocket(b, sockets)
}

// startSlackGo runs slack-go's Socket Mode client alone against a
// miniSlack on pn, acking every events_api envelope as soon as the client
// hands it over, and returns the server end of its WebSocket.
func startSlackGo(b *testing.B, pn benchNet) *websocket.Conn {
	b.Helper()
	sockets := miniSlack(b, pn)
	_, sm := clients(pn)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sm.RunContext(ctx) }()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				if evt.Request != nil && evt.Type == socketmode.EventTypeEventsAPI {
					_ = sm.AckCtx(ctx, evt.Request.EnvelopeID, nil)
				}
			}
		}
	}()
	b.Cleanup(func() { cancel(); <-done })
	return awaitSocket(b, sockets)
}

// BenchmarkNeutralEnvelope is the whole neutral path of the bot (product
// defaults, the built-in rules): a message envelope's bytes arrive on the
// Socket Mode WebSocket, slack-go's client reads and parses it, the bot
// decodes, filters and matches it, and the ack frame goes back. Nothing
// else is running; the network is an in-memory pipe.
//
//	go test ./bot -run '^$' -bench 'NeutralEnvelope|SlackGoSocketMode' -benchmem -count 6
func BenchmarkNeutralEnvelope(b *testing.B) {
	driveNeutral(b, startBot(b, newPipeNet()))
}

// BenchmarkSlackGoSocketMode is the floor under the one above: slack-go's
// Socket Mode client alone, acking every envelope as soon as it is handed
// over, with nothing of the bot's. "skipped" is the client as the bot runs
// it (package bot registers a message type that slack-go's parser decodes
// into nothing, see bot/slackevents.go); "stock" puts slack-go's own
// MessageEvent back for the run, for the same-run ratio.
func BenchmarkSlackGoSocketMode(b *testing.B) {
	b.Run("skipped", func(b *testing.B) { driveNeutral(b, startSlackGo(b, newPipeNet())) })
	b.Run("stock", func(b *testing.B) {
		// Sequential, and before the client starts: the registry's contract.
		prev := slackevents.EventsAPIInnerEventMapping[slackevents.Message]
		slackevents.EventsAPIInnerEventMapping[slackevents.Message] = slackevents.MessageEvent{}
		b.Cleanup(func() { slackevents.EventsAPIInnerEventMapping[slackevents.Message] = prev })
		driveNeutral(b, startSlackGo(b, newPipeNet()))
	})
}

package bot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// harness runs the real bot, with the unmodified slack-go Socket Mode
// client, against the local Slack and a real store.
type harness struct {
	t      testing.TB
	fs     *fakeslack.Server
	st     *store.Store
	dbPath string
	bots   []*runningBot
	logs   *observer.ObservedLogs
	core   zapcore.Core
	mu     sync.Mutex
}

type runningBot struct {
	bot     *bot.Bot
	reg     *prometheus.Registry
	metrics *bot.Metrics
	cancel  context.CancelFunc
	done    chan error
	stopped atomic.Bool
}

type harnessOptions struct {
	fake     fakeslack.Options
	bot      bot.Options
	store    *store.Store // shared store (e.g. PostgreSQL); default: a fresh SQLite file
	noStart  bool
	rules    *nudges.Matcher
	deps     func(*bot.Deps)
	clockNow func() time.Time
}

// compiledBuiltin compiles the built-in rules once per test binary: a
// Matcher is immutable and safe for concurrent use, and compiling it under
// the race detector takes about a second.
var compiledBuiltin = sync.OnceValues(func() (*nudges.Matcher, error) {
	rs, err := nudges.Builtin()
	if err != nil {
		return nil, err
	}
	return nudges.Compile(rs)
})

func builtinMatcher(t testing.TB) *nudges.Matcher {
	t.Helper()
	m, err := compiledBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	if o.fake.AckTimeout == 0 {
		o.fake.AckTimeout = 500 * time.Millisecond
	}
	fs, err := fakeslack.New(o.fake)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	core, logs := observer.New(zapcore.DebugLevel)
	h := &harness{t: t, fs: fs, logs: logs, core: core}
	t.Cleanup(func() {
		// the bot's log tells why a test failed (it never holds message text)
		if t.Failed() {
			for _, e := range logs.All() {
				t.Logf("log: %s %s %s %v", e.Time.Format("15:04:05.000000"), e.Level, e.Message, e.ContextMap())
			}
		}
	})
	if o.store != nil {
		h.st = o.store
	} else {
		h.dbPath = filepath.Join(t.TempDir(), "leadnudge.db")
		var opts []store.Option
		if o.clockNow != nil {
			opts = append(opts, store.WithClock(o.clockNow))
		}
		st, err := store.Open(context.Background(), "sqlite", h.dbPath, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		h.st = st
	}
	for _, u := range []fakeslack.User{
		{ID: "U1", Name: "ana", RealName: "Ana Lead", TZ: "Europe/Paris"},
		{ID: "U2", Name: "ben", RealName: "Ben Dev", TZ: "America/Los_Angeles"},
		{ID: "U3", Name: "cai", RealName: "Cai Ops", TZ: "Asia/Kolkata"},
		{ID: "UBOT2", Name: "otherbot", IsBot: true},
	} {
		if err := fs.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	if !o.noStart {
		h.startBot(o)
	}
	return h
}

// startBot starts one more bot instance (a replica) on the harness's store.
func (h *harness) startBot(o harnessOptions) *runningBot {
	h.t.Helper()
	reg := prometheus.NewRegistry()
	metrics := bot.NewMetrics(reg)
	api := slack.New("xoxb-test",
		slack.OptionAppLevelToken("xapp-test"),
		slack.OptionAPIURL(h.fs.URL()),
		slack.OptionHTTPClient(&http.Client{Transport: metrics.InstrumentTransport(nil), Timeout: 10 * time.Second}),
	)
	sm := socketmode.New(api)
	m := o.rules
	if m == nil {
		m = builtinMatcher(h.t)
	}
	deps := bot.Deps{API: api, Socket: sm, Store: h.st, Rules: bot.NewRules(m), Log: zap.New(h.core), Metrics: metrics}
	if o.deps != nil {
		o.deps(&deps)
	}
	opts := o.bot
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 5 * time.Second
	}
	b, err := bot.New(deps, opts)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rb := &runningBot{bot: b, reg: reg, metrics: metrics, cancel: cancel, done: make(chan error, 1)}
	go func() { rb.done <- b.Run(ctx) }()
	h.t.Cleanup(func() { rb.stop(h.t) })
	h.mu.Lock()
	h.bots = append(h.bots, rb)
	want := 0
	for _, other := range h.bots {
		if !other.stopped.Load() {
			want++
		}
	}
	h.mu.Unlock()
	h.waitFor("bot connected", func() bool { return b.Connected() && h.fs.Connections() >= want })
	return rb
}

func (rb *runningBot) stop(t testing.TB) {
	rb.stopped.Store(true)
	rb.cancel()
	select {
	case err := <-rb.done:
		if err != nil {
			t.Errorf("bot.Run returned %v", err)
		}
		rb.done <- nil
	case <-time.After(15 * time.Second):
		t.Errorf("bot did not stop within 15s")
	}
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond (it may depend on the bot's state as well as the
// local Slack's) until it holds, for at most 10 seconds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// say posts a message as user in channel and waits until it is acked.
func (h *harness) say(user, channel, text string) fakeslack.EventResult {
	h.t.Helper()
	res, err := h.fs.SendMessage(fakeslack.Message{User: user, Channel: channel, Text: text})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
		h.t.Fatalf("message %q not acked: %v", text, err)
	}
	return res
}

// settle waits until every delivered envelope is acked and the bot's queue
// has drained and no Slack call happened for a moment.
func (h *harness) settle() {
	h.t.Helper()
	h.waitFor("all envelopes acked", func() bool {
		for _, e := range h.fs.Envelopes() {
			if e.Delivered && !e.Acked && !e.Expired {
				return false
			}
		}
		return true
	})
	last := -1
	stable := 0
	h.waitFor("bot idle", func() bool {
		n := len(h.fs.Calls(""))
		for _, rb := range h.bots {
			n += int(testutil.ToFloat64(rb.metrics.QueueDepth))
		}
		if n == last {
			stable++
		} else {
			stable, last = 0, n
		}
		time.Sleep(15 * time.Millisecond)
		return stable >= 6
	})
}

// nudgeDMs returns the DMs to user that carry nudge buttons.
func (h *harness) nudgeDMs(user string) []fakeslack.Post {
	var out []fakeslack.Post
	for _, p := range h.fs.DMs(user) {
		if strings.Contains(string(p.Blocks), bot.ActionHelpful) || strings.Contains(string(p.Blocks), "nudge_recorded") {
			out = append(out, p)
		}
	}
	return out
}

// waitSent waits until the store has n sent nudges for user (the DM is
// posted just before the nudge is marked sent).
func (h *harness) waitSent(user string, n int) {
	h.t.Helper()
	h.waitFor("nudges marked sent", func() bool {
		ns, err := h.st.ListNudges(context.Background(), user, 0)
		if err != nil {
			return false
		}
		sent := 0
		for _, x := range ns {
			if x.State == store.NudgeSent {
				sent++
			}
		}
		return sent >= n
	})
}

// click sends a block_actions payload for a button of a posted message, as
// Slack does when the person clicks it.
func (h *harness) click(user string, post fakeslack.Post, actionID string) {
	h.t.Helper()
	var blocks []map[string]any
	if err := json.Unmarshal(post.Blocks, &blocks); err != nil {
		h.t.Fatal(err)
	}
	value := ""
	for _, b := range blocks {
		els, _ := b["elements"].([]any)
		for _, e := range els {
			em, _ := e.(map[string]any)
			if em["action_id"] == actionID {
				value, _ = em["value"].(string)
			}
		}
	}
	if value == "" {
		h.t.Fatalf("no button %s in %s", actionID, post.Blocks)
	}
	payload := map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user, "username": user},
		"api_app_id": fakeslack.AppID,
		"team":       map[string]any{"id": fakeslack.TeamID},
		"container":  map[string]any{"type": "message", "channel_id": post.Channel, "message_ts": post.TS, "is_ephemeral": post.Ephemeral},
		"channel":    map[string]any{"id": post.Channel},
		"message":    map[string]any{"ts": post.TS, "text": post.Text, "blocks": blocks},
		"actions":    []any{map[string]any{"action_id": actionID, "block_id": "nudge_actions", "value": value, "type": "button", "action_ts": "1"}},
		"trigger_id": "1.2.3",
	}
	raw, _ := json.Marshal(payload)
	res, err := h.fs.SendInteraction(raw)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
		h.t.Fatal(err)
	}
}

// command runs a slash command as user and returns the private reply.
func (h *harness) command(user, cmd, text string) string {
	h.t.Helper()
	before := len(h.fs.Calls("response_url"))
	res, err := h.fs.SendCommand(fakeslack.Command{User: user, Channel: "C1", Command: cmd, Text: text})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
		h.t.Fatal(err)
	}
	var reply fakeslack.Call
	h.waitFor("command reply", func() bool {
		calls := h.fs.Calls("response_url")
		if len(calls) > before {
			reply = calls[len(calls)-1]
			return true
		}
		return false
	})
	if rt := reply.Param("response_type"); rt != "ephemeral" {
		h.t.Errorf("command reply response_type = %q, want ephemeral", rt)
	}
	return reply.Param("text")
}

func (h *harness) counter(rb *runningBot, name string, labels ...string) float64 {
	h.t.Helper()
	switch name {
	case "dropped":
		return testutil.ToFloat64(rb.metrics.Dropped.WithLabelValues(labels...))
	case "nudges":
		return testutil.ToFloat64(rb.metrics.Nudges.WithLabelValues(labels...))
	case "feedback":
		return testutil.ToFloat64(rb.metrics.Feedback.WithLabelValues(labels...))
	}
	h.t.Fatalf("unknown counter %s", name)
	return 0
}

// assertNoText checks that none of texts appears in the logs or in the
// database file.
func (h *harness) assertNoText(texts ...string) {
	h.t.Helper()
	for _, e := range h.logs.All() {
		line := e.Message
		for k, v := range e.ContextMap() {
			line += " " + k + "=" + toString(v)
		}
		for _, txt := range texts {
			if strings.Contains(strings.ToLower(line), strings.ToLower(txt)) {
				h.t.Errorf("log line contains message text %q: %s", txt, line)
			}
		}
	}
	if h.dbPath == "" {
		return
	}
	// Checkpoint the WAL by closing nothing: read the main file and the WAL.
	for _, p := range []string{h.dbPath, h.dbPath + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for _, txt := range texts {
			if strings.Contains(strings.ToLower(string(b)), strings.ToLower(txt)) {
				h.t.Errorf("database file %s contains message text %q", filepath.Base(p), txt)
			}
		}
	}
}

// blocksText returns every text of a post's blocks, joined by newlines.
func blocksText(p fakeslack.Post) string { return fakeslack.BlockTexts(p.Blocks) }

func toString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

package reflection_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/reflection"
	"github.com/leadnudge/leadnudge/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// clock is a settable clock shared by the store, the bot and the
// reflection.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// env is the real bot with the weekly reflection attached, running with the
// unmodified slack-go client against the local Slack and a real store.
type env struct {
	t       testing.TB
	fs      *fakeslack.Server
	st      *store.Store
	r       *reflection.Reflection
	b       *bot.Bot
	metrics *bot.Metrics
	clk     *clock
	logs    *observer.ObservedLogs
}

type envOptions struct {
	refl  reflection.Options
	fs    *fakeslack.Server // share a local Slack (replicas)
	st    *store.Store      // share a store (replicas); default a fresh SQLite file
	clk   *clock
	noRun bool // build but do not connect (fan-out needs only the Web API)
	// historyLimit of the local Slack (default 10000)
	historyLimit int
	// productPacing keeps the bot's default posting budget and bulk-method
	// pacing (the other tests run unpaced to measure the fan-out itself)
	productPacing bool
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

func builtinRules(t testing.TB) *bot.Rules {
	t.Helper()
	m, err := compiledBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	return bot.NewRules(m)
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	e := &env{t: t, clk: o.clk}
	if e.clk == nil {
		e.clk = &clock{t: time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)} // a Monday
	}
	if o.fs != nil {
		e.fs = o.fs
	} else {
		fs, err := fakeslack.New(fakeslack.Options{AckTimeout: 2 * time.Second, HistoryLimit: o.historyLimit})
		if err != nil {
			t.Fatal(err)
		}
		if err := fs.Start("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fs.Close() })
		e.fs = fs
	}
	if o.st != nil {
		e.st = o.st
	} else {
		st, err := store.Open(context.Background(), "sqlite", filepath.Join(t.TempDir(), "leadnudge.db"), store.WithClock(e.clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		e.st = st
	}
	core, logs := observer.New(zapcore.DebugLevel)
	e.logs = logs
	log := zap.New(core)
	rules := builtinRules(t)
	ro := o.refl
	ro.Log = log
	if ro.Rate == 0 && !o.productPacing {
		ro.Rate = 1000
	}
	r, err := reflection.New(e.st, rules, ro)
	if err != nil {
		t.Fatal(err)
	}
	e.r = r
	e.metrics = bot.NewMetrics(prometheus.NewRegistry())
	api := slack.New("xoxb-test", slack.OptionAppLevelToken("xapp-test"), slack.OptionAPIURL(e.fs.URL()),
		slack.OptionHTTPClient(&http.Client{Timeout: 10 * time.Second}))
	deps := bot.Deps{API: api, Socket: socketmode.New(api), Store: e.st, Rules: rules, Log: log, Metrics: e.metrics,
		Commands: r.Commands(), Actions: r.Actions(), Home: r.Home(), Events: r.Events()}
	// unpaced: these tests measure the fan-out's own pacing (reflection.rate)
	bo := bot.Options{Now: e.clk.Now, ShutdownTimeout: 5 * time.Second, MaxRetryWait: 2 * time.Second, PostsPerSecond: -1}
	if o.productPacing {
		bo.PostsPerSecond = 0 // the default
	}
	b, err := bot.New(deps, bo)
	if err != nil {
		t.Fatal(err)
	}
	r.Attach(b)
	e.b = b
	if !o.noRun {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("bot.Run: %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Errorf("bot did not stop")
			}
		})
		e.waitFor("bot connected", b.Connected)
	}
	return e
}

func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	e.t.Cleanup(cancel)
	return ctx
}

func (e *env) addUsers(tz string, ids ...string) {
	e.t.Helper()
	for _, id := range ids {
		if err := e.fs.AddUser(fakeslack.User{ID: id, TZ: tz}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// tick runs the weekly job as of the clock's instant t.
func (e *env) tick(t time.Time) reflection.Summary {
	e.t.Helper()
	e.clk.Set(t)
	sum, err := e.r.Tick(e.ctx(), t)
	if err != nil {
		e.t.Fatalf("tick at %s: %v", t, err)
	}
	return sum
}

// promptDMs returns the weekly prompts the bot sent user.
func (e *env) promptDMs(user string) []fakeslack.Post {
	var out []fakeslack.Post
	for _, p := range e.fs.DMs(user) {
		if strings.Contains(string(p.Blocks), "Your weekly reflection") {
			out = append(out, p)
		}
	}
	return out
}

// command runs a slash command as user and returns the private reply.
func (e *env) command(user, cmd, text string) fakeslack.Call {
	e.t.Helper()
	before := len(e.fs.Calls("response_url"))
	res, err := e.fs.SendCommand(fakeslack.Command{User: user, Channel: "C0GENERAL", Command: cmd, Text: text})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.fs.WaitForAck(e.ctx(), res.EnvelopeID); err != nil {
		e.t.Fatal(err)
	}
	var reply fakeslack.Call
	e.waitFor("reply to "+cmd+" "+text, func() bool {
		calls := e.fs.Calls("response_url")
		if len(calls) > before {
			reply = calls[before]
			return true
		}
		return false
	})
	if rt := reply.Param("response_type"); rt != "ephemeral" {
		e.t.Errorf("reply response_type %q, want ephemeral", rt)
	}
	return reply
}

// commandTrigger runs a slash command and returns its trigger id (for a
// command that opens a modal).
func (e *env) commandTrigger(user, text string) fakeslack.CommandResult {
	e.t.Helper()
	res, err := e.fs.SendCommand(fakeslack.Command{User: user, Channel: "C0GENERAL", Command: "/reflect", Text: text})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.fs.WaitForAck(e.ctx(), res.EnvelopeID); err != nil {
		e.t.Fatal(err)
	}
	return res
}

// modalFor waits for the answer modal opened for trigger and returns its
// private metadata and initial value.
func (e *env) modalFor(trigger string) (meta, initial string) {
	e.t.Helper()
	c, err := e.fs.WaitForCall(e.ctx(), "views.open", func(c fakeslack.Call) bool { return c.Param("trigger_id") == trigger })
	if err != nil {
		e.t.Fatalf("no views.open for trigger: %v", err)
	}
	if c.Error != "" {
		e.t.Fatalf("views.open failed: %s", c.Error)
	}
	var v struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		Blocks          []struct {
			Element struct {
				Type         string `json:"type"`
				Multiline    bool   `json:"multiline"`
				InitialValue string `json:"initial_value"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(c.Param("view")), &v); err != nil {
		e.t.Fatalf("view: %v", err)
	}
	if v.CallbackID != reflection.CallbackModal {
		e.t.Fatalf("modal callback %q", v.CallbackID)
	}
	for _, b := range v.Blocks {
		if b.Element.Type == "plain_text_input" {
			if !b.Element.Multiline {
				e.t.Error("answer input is not multiline")
			}
			initial = b.Element.InitialValue
		}
	}
	return v.PrivateMetadata, initial
}

// submit sends a view_submission of the answer modal and returns the ack
// payload.
func (e *env) submit(user, meta, answer string) map[string]any {
	e.t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user}, "team": map[string]any{"id": fakeslack.TeamID},
		"api_app_id": fakeslack.AppID,
		"view": map[string]any{"id": "V0TEST", "type": "modal", "callback_id": reflection.CallbackModal, "private_metadata": meta,
			"state": map[string]any{"values": map[string]any{reflection.BlockAnswer: map[string]any{
				reflection.InputAnswer: map[string]any{"type": "plain_text_input", "value": answer}}}}},
	})
	res, err := e.fs.SendInteraction(payload)
	if err != nil {
		e.t.Fatal(err)
	}
	env, err := e.fs.WaitForAck(e.ctx(), res.EnvelopeID)
	if err != nil {
		e.t.Fatal(err)
	}
	var ack map[string]any
	_ = json.Unmarshal(env.AckPayload, &ack)
	return ack
}

// click presses a button of a posted message as user; responseURL is set
// for buttons on ephemeral messages.
func (e *env) click(user string, post fakeslack.Post, actionID, value, responseURL string) {
	e.t.Helper()
	payload := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": fakeslack.TeamID},
		"api_app_id": fakeslack.AppID,
		"container":  map[string]any{"type": "message", "channel_id": post.Channel, "message_ts": post.TS, "is_ephemeral": post.TS == ""},
		"channel":    map[string]any{"id": post.Channel},
		"message":    map[string]any{"ts": post.TS, "text": post.Text},
		"actions":    []any{map[string]any{"action_id": actionID, "block_id": "b", "value": value, "type": "button", "action_ts": "1"}},
	}
	if responseURL != "" {
		payload["response_url"] = responseURL
	}
	raw, _ := json.Marshal(payload)
	res, err := e.fs.SendInteraction(raw)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.fs.WaitForAck(e.ctx(), res.EnvelopeID); err != nil {
		e.t.Fatal(err)
	}
}

// buttonValue finds the value of a button in blocks.
func buttonValue(t testing.TB, blocks json.RawMessage, actionID string) string {
	t.Helper()
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	_ = json.Unmarshal(blocks, &bs)
	for _, b := range bs {
		for _, el := range b.Elements {
			if el.ActionID == actionID {
				return el.Value
			}
		}
	}
	t.Fatalf("no button %s in %s", actionID, blocks)
	return ""
}

// texts returns every "text" string in a JSON value (blocks), joined by
// newlines.
func texts(raw []byte) string { return fakeslack.BlockTexts(raw) }

func callBlocks(c fakeslack.Call) []byte {
	switch b := c.Params["blocks"].(type) {
	case string:
		return []byte(b)
	case nil:
		return nil
	default:
		raw, _ := json.Marshal(b)
		return raw
	}
}

func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

func (e *env) promptCounter(outcome string) float64 {
	return testutil.ToFloat64(e.metrics.Prompts.WithLabelValues(outcome))
}

// assertLogsClean fails if any log line contains one of texts.
func (e *env) assertLogsClean(texts ...string) {
	e.t.Helper()
	for _, entry := range e.logs.All() {
		line := entry.Message
		for k, v := range entry.ContextMap() {
			line += fmt.Sprintf(" %s=%v", k, v)
		}
		for _, txt := range texts {
			if strings.Contains(line, txt) {
				e.t.Errorf("log line contains answer text %q: %s", txt, line)
			}
		}
	}
}

package bot_test

import (
	"fmt"
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
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const reloadRulesV1 = `version: 1
rules:
  - id: rule-one
    category: command-and-control
    phrases: ["do the first thing now"]
    tip: {title: One, why: w, try: [x]}
`

const reloadRulesV2 = reloadRulesV1 + `  - id: rule-two
    category: status-quo
    phrases: ["keep the old way forever"]
    tip: {title: Two, why: w, try: [x]}
`

const reloadRulesBroken = reloadRulesV2 + `  - id: rule-three
    category: no-such-category
    phrases: ["{unbalanced"]
`

func loadMatcher(path string) (*nudges.Matcher, error) {
	rs, err := nudges.LoadEffective(path)
	if err != nil {
		return nil, err
	}
	return nudges.Compile(rs)
}

func TestRulesHotReloadWhileMessagesFlow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, []byte(reloadRulesV1), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := loadMatcher(path)
	if err != nil {
		t.Fatal(err)
	}
	var watcher *bot.RulesWatcher
	h := newHarness(t, harnessOptions{
		rules: m,
		// unpaced: the background traffic nudges hundreds of times a second
		bot: bot.Options{DailyCap: 1 << 20, Cooldown: time.Nanosecond, PostsPerSecond: -1},
		deps: func(d *bot.Deps) {
			watcher = &bot.RulesWatcher{Path: path, Load: loadMatcher, Rules: d.Rules, Log: d.Log, Metrics: d.Metrics, Interval: 20 * time.Millisecond}
			watcher.Baseline()
			d.Runners = append(d.Runners, watcher.Run)
		},
	})
	rb := h.bots[0]

	// Background traffic the whole time: neutral messages and rule-one hits.
	var sent atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			text := "just chatting about lunch"
			if i%3 == 0 {
				text = "please do the first thing now"
			}
			if _, err := h.fs.SendMessage(fakeslack.Message{User: fmt.Sprintf("UF%d", i), Channel: "C1", Text: text}); err != nil {
				t.Error(err)
				return
			}
			sent.Add(1)
			time.Sleep(2 * time.Millisecond)
		}
	}()

	h.say("U1", "C1", "keep the old way forever")
	if len(h.nudgeDMs("U1")) != 0 {
		t.Fatal("rule-two matched before it existed")
	}
	// A valid change is picked up and swapped in.
	if err := os.WriteFile(path, []byte(reloadRulesV2), 0o644); err != nil {
		t.Fatal(err)
	}
	h.waitFor("reload", func() bool { return testutil.ToFloat64(rb.metrics.RuleReloads.WithLabelValues("ok")) == 1 })
	h.say("U2", "C1", "keep the old way forever")
	h.waitFor("rule-two nudge", func() bool { return len(h.nudgeDMs("U2")) == 1 })

	// An invalid change keeps the last good rules and says where it broke.
	if err := os.WriteFile(path, []byte(reloadRulesBroken), 0o644); err != nil {
		t.Fatal(err)
	}
	h.waitFor("failed reload", func() bool { return testutil.ToFloat64(rb.metrics.RuleReloads.WithLabelValues("error")) == 1 })
	st := watcher.Status()
	if st == nil || !strings.Contains(st.Error(), path+":12:15: rule rule-three: unknown category") {
		t.Errorf("Status() = %v, want the file:line:col error", st)
	}
	h.say("U3", "C1", "keep the old way forever")
	h.waitFor("last good rules still work", func() bool { return len(h.nudgeDMs("U3")) == 1 })

	// Fixing the file clears the error.
	if err := os.WriteFile(path, []byte(reloadRulesV1), 0o644); err != nil {
		t.Fatal(err)
	}
	h.waitFor("fixed", func() bool { return watcher.Status() == nil })

	close(stop)
	wg.Wait()
	h.waitFor("every envelope acked", func() bool {
		acked := 0
		for _, e := range h.fs.Envelopes() {
			if e.Acked {
				acked++
			}
		}
		return acked >= int(sent.Load())+3
	})
	if sent.Load() < 20 {
		t.Fatalf("only %d background messages were sent; the test did not overlap reloads with traffic", sent.Load())
	}
	if got := testutil.ToFloat64(rb.metrics.Dropped.WithLabelValues("panic")); got != 0 {
		t.Errorf("%v jobs panicked", got)
	}
}

// rulesFromV1 writes reloadRulesV1 to a file and returns it with the
// rules loaded from it.
func rulesFromV1(t *testing.T) (string, *bot.Rules) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, []byte(reloadRulesV1), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := loadMatcher(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, bot.NewRules(m)
}

func TestRulesReloadOnSignal(t *testing.T) {
	path, rules := rulesFromV1(t)
	trigger := make(chan os.Signal, 1)
	w := &bot.RulesWatcher{Path: path, Load: loadMatcher, Rules: rules, Trigger: trigger}
	ctx, cancel := contextWithCancel()
	defer cancel()
	go w.Run(ctx)
	if err := os.WriteFile(path, []byte(reloadRulesV2), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if len(rules.Load().RuleSet().Rules) != 1 {
		t.Fatal("reloaded without polling or a signal")
	}
	trigger <- os.Interrupt
	deadline := time.Now().Add(5 * time.Second)
	for len(rules.Load().RuleSet().Rules) != 2 {
		if time.Now().After(deadline) {
			t.Fatal("no reload after the signal")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRulesEditWhileStartingIsReloaded: an edit made after the rules were
// loaded but before the watcher runs is a change (Baseline), not the
// watcher's starting point.
func TestRulesEditWhileStartingIsReloaded(t *testing.T) {
	path, rules := rulesFromV1(t)
	w := &bot.RulesWatcher{Path: path, Load: loadMatcher, Rules: rules, Interval: 10 * time.Millisecond}
	w.Baseline()
	if err := os.WriteFile(path, []byte(reloadRulesV2), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithCancel()
	defer cancel()
	go w.Run(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for len(rules.Load().RuleSet().Rules) != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the edit made before Run was never reloaded")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLayeredRulesOverrideAndDisableEndToEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "workspace.yaml")
	if err := os.WriteFile(path, []byte(`version: 1
extends: builtin
disable: [not-my-job]
override:
  - id: because-i-said-so
    cooldown: 1ms
`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := loadMatcher(path)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{rules: m, bot: bot.Options{DailyCap: 100}})
	for i := 1; i <= 2; i++ {
		h.say("U1", "C1", "Because I said so.") // overridden: 1ms cooldown
		h.say("U2", "C1", "Just do it.")        // default 72h cooldown
		h.say("U3", "C1", "Not my job, sorry.") // disabled
		// The cooldown runs from the decision, not the message: the
		// second round starts after the first nudge is out (decided
		// back to back, two nudges can be under 1ms apart).
		h.waitFor("the overridden rule's nudge", func() bool { return len(h.nudgeDMs("U1")) >= i })
		time.Sleep(5 * time.Millisecond)
	}
	h.waitFor("two nudges for the overridden rule", func() bool { return len(h.nudgeDMs("U1")) == 2 })
	h.settle()
	if n := len(h.nudgeDMs("U2")); n != 1 {
		t.Errorf("default cooldown: %d nudges, want 1", n)
	}
	if n := len(h.nudgeDMs("U3")); n != 0 {
		t.Errorf("disabled rule: %d nudges, want 0", n)
	}
}

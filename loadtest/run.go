package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadnudge/leadnudge/config"
	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/nudges"
)

// Report is the outcome of one `leadnudge loadtest`.
type Report struct {
	// Date is when the run started (RFC 3339, UTC).
	Date string `json:"date"`
	// Machine describes where it ran.
	Machine Machine `json:"machine"`
	// Load is the load that was played against every target.
	Load Load `json:"load"`
	// Results has one entry per target: leadnudge, then the peer if asked.
	Results []Result `json:"results"`
	// NonDefault lists every setting of the bot (or the local Slack) that
	// differs from the product's default, and why.
	NonDefault []string `json:"non_default_settings"`
}

// Machine describes the host.
type Machine struct {
	CPUs  int    `json:"cpus"`
	Model string `json:"model"`
	OS    string `json:"os"`
}

// Load is the simulated workspace and traffic.
type Load struct {
	People      int     `json:"people"`
	Channels    int     `json:"channels"`
	Rate        float64 `json:"rate_per_s"`
	DurationS   float64 `json:"duration_s"`
	Seed        int64   `json:"seed"`
	LeaseS      float64 `json:"lease_s"`
	DailyCap    int     `json:"daily_cap"`
	CooldownH   float64 `json:"cooldown_h"`
	AckTimeoutS float64 `json:"ack_timeout_s"`
}

// Result is what one target (leadnudge or the peer) did under the load.
type Result struct {
	// Target is "leadnudge" or "bolt".
	Target string `json:"target"`
	// Store and Replicas describe leadnudge's set-up (empty for the peer).
	Store    string   `json:"store,omitempty"`
	Replicas int      `json:"replicas"`
	Faults   []string `json:"faults"`
	// Skipped says why the target did not run (then nothing else is set).
	Skipped string `json:"skipped,omitempty"`

	LoadSeconds   float64 `json:"load_s"`
	EventsSent    int     `json:"events_sent"`
	SendErrors    int     `json:"send_errors"`
	EventsAcked   int     `json:"events_acked"`
	EventsUnacked int     `json:"events_unacked"`
	Envelopes     int     `json:"envelopes"`
	// Redeliveries are envelopes the local Slack sent again after its ack
	// timeout (same event_id, retry_attempt > 0).
	Redeliveries int     `json:"redeliveries"`
	AckLatency   Latency `json:"ack_latency"`
	// DMLatency is the DM's ts minus the message's ts, per delivered nudge.
	DMLatency Latency `json:"dm_latency"`

	NudgesExpected int `json:"nudges_expected"`
	NudgesSent     int `json:"nudges_sent"`
	// Duplicates are nudges sent again for the same person and rule (for the
	// peer: DMs beyond one per matching message).
	Duplicates int `json:"duplicates"`
	// Extra are nudges the policy forbids (over the daily cap, or for a rule
	// none of the person's messages matched).
	Extra int `json:"extra"`
	// Lost are expected nudges that never arrived.
	Lost            int      `json:"lost"`
	LostDetail      []string `json:"lost_detail,omitempty"`
	DuplicateDetail []string `json:"duplicate_detail,omitempty"`

	// CPUSeconds is user+system time of every bot process (all replicas,
	// all incarnations); PeakRSSMB the largest peak RSS of any of them.
	CPUSeconds float64 `json:"cpu_s"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	Processes  int     `json:"processes"`
	// FaultEvents counts what the faults did (disconnects, drops, 429
	// answers, kills, database restarts).
	FaultEvents map[string]int `json:"fault_events,omitempty"`
	SettleS     float64        `json:"settle_s"`
	Notes       []string       `json:"notes,omitempty"`
}

// Clean tells whether the target ran and nothing was lost or duplicated.
func (r Result) Clean() bool {
	return r.Skipped == "" && r.Lost == 0 && r.Duplicates == 0 && r.Extra == 0 && r.EventsUnacked == 0
}

const (
	botToken = "xoxb-loadtest"
	appToken = "xapp-loadtest"
)

// cooldown is the product's default nudges.cooldown, which the expectation
// relies on being longer than any run.
var cooldown = config.Default().Nudges.Cooldown

// nonDefault lists the settings that differ from the product's defaults.
func nonDefault(cfg Config, ackTimeout time.Duration) []string {
	def := config.Default()
	out := []string{
		"reflection.enabled=false (default true): no weekly prompts during the load",
		"http.listen=127.0.0.1:0 (default 127.0.0.1:9090): a free port per replica",
	}
	if cfg.DailyCap != def.Nudges.DailyCap {
		out = append(out, fmt.Sprintf("nudges.daily_cap=%d (default %d)", cfg.DailyCap, def.Nudges.DailyCap))
	}
	if cfg.Lease != def.Nudges.Lease {
		out = append(out, fmt.Sprintf("nudges.lease=%s (default %s)", cfg.Lease, def.Nudges.Lease))
	}
	if ackTimeout != fakeslack.DefaultAckTimeout {
		out = append(out, fmt.Sprintf("local Slack ack timeout %s (Slack's is %s)", ackTimeout, fakeslack.DefaultAckTimeout))
	}
	for _, m := range rateLimits(cfg).Exempt {
		out = append(out, "local Slack: "+m+" not rate limited (the disconnect fault reconnects every few seconds; Slack allows about one a minute)")
	}
	return out
}

// Run plays the configured load against leadnudge (and the peer, if asked)
// and returns the report. It fails only when the harness itself cannot run;
// lost or duplicated nudges are in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	rs, err := nudges.Builtin()
	if err != nil {
		return nil, err
	}
	m, err := nudges.Compile(rs)
	if err != nil {
		return nil, err
	}
	work := cfg.WorkDir
	if work == "" {
		if work, err = os.MkdirTemp("", "leadnudge-loadtest-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o700); err != nil {
		return nil, err
	}
	ackTimeout := fakeslack.DefaultAckTimeout
	if cfg.Faults.AckDrop {
		ackTimeout = cfg.AckDropTimeout
	}
	rep := &Report{
		Date:       time.Now().UTC().Format(time.RFC3339),
		NonDefault: nonDefault(cfg, ackTimeout),
		Machine:    machine(),
		Load: Load{People: cfg.People, Channels: cfg.Channels, Rate: cfg.Rate, DurationS: cfg.Duration.Seconds(),
			Seed: cfg.Seed, LeaseS: cfg.Lease.Seconds(), DailyCap: cfg.DailyCap, CooldownH: cooldown.Hours(),
			AckTimeoutS: ackTimeout.Seconds()},
	}
	tag := runTag()
	r, err := runBot(ctx, cfg, rs, m, work, tag)
	if err != nil {
		return nil, err
	}
	rep.Results = append(rep.Results, r)
	if cfg.Peer == PeerBolt && ctx.Err() == nil {
		r, err := runPeer(ctx, cfg, rs, work, tag)
		if err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, r)
	}
	return rep, ctx.Err()
}

func (c *Config) logf(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, "loadtest: "+format+"\n", args...)
	}
}

// runTag makes the simulated ids unique per run, so a PostgreSQL database
// reused across runs holds no earlier cooldowns for these people.
func runTag() string {
	b := make([]byte, 2)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

func machine() Machine {
	mc := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				mc.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	return mc
}

// newSlack starts a local Slack sized for the run.
func newSlack(cfg Config, people []string) (*fakeslack.Server, error) {
	events := int(cfg.Rate*cfg.Duration.Seconds()) + 1
	opts := fakeslack.Options{
		HistoryLimit: max(fakeslack.DefaultHistoryLimit, 6*events+4*cfg.People),
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		RateLimits:   rateLimits(cfg),
	}
	if cfg.Faults.AckDrop {
		opts.AckTimeout = cfg.AckDropTimeout
	}
	fs, err := fakeslack.New(opts)
	if err != nil {
		return nil, err
	}
	if err := fs.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	for i, u := range people {
		if err := fs.AddUser(fakeslack.User{ID: u, Name: fmt.Sprintf("person%d", i)}); err != nil {
			fs.Close()
			return nil, err
		}
	}
	return fs, nil
}

// rateLimits are the local Slack's rate limits for a run: Slack's, except
// that the disconnect fault's reconnections (apps.connections.open is Tier
// 1) are not limited.
func rateLimits(cfg Config) fakeslack.RateLimits {
	rl := fakeslack.RateLimits{Enabled: true}
	if cfg.Faults.Disconnects {
		rl.Exempt = []string{"apps.connections.open"}
	}
	return rl
}

// counters is a small concurrent tally of fault events.
type counters struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counters) add(k string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[k] += n
}

func (c *counters) get() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

func (c *Config) driveOpts() driveOpts {
	o := driveOpts{rate: c.Rate, duration: c.Duration}
	if c.Faults.AckDrop {
		o.resend, o.resendDelay = c.AckDropResend, 500*time.Millisecond
	}
	return o
}

// every calls fn at each interval (the first after first) until ctx ends.
func every(ctx context.Context, first, interval time.Duration, fn func(i int)) {
	t := time.NewTimer(first)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fn(i)
		t.Reset(interval)
	}
}

// slackFaults runs the Slack-side faults (disconnects, 429 storms) until
// ctx ends.
func slackFaults(ctx context.Context, cfg Config, fs *fakeslack.Server, c *counters, wg *sync.WaitGroup) {
	if cfg.Faults.Disconnects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			every(ctx, cfg.DisconnectEvery/2, cfg.DisconnectEvery, func(i int) {
				if i%2 == 0 {
					c.add("disconnect_messages", fs.Disconnect("refresh_requested"))
				} else {
					c.add("connections_dropped", fs.DropConnections())
				}
			})
		}()
	}
	if cfg.Faults.RateLimit {
		wg.Add(1)
		go func() {
			defer wg.Done()
			every(ctx, time.Second, cfg.StormEvery, func(int) {
				if fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 1, Count: cfg.StormSize}) == nil {
					c.add("ratelimit_storms", 1)
				}
			})
		}()
	}
}

// settle waits until done reports true and stays unchanged for quiet, or
// until nothing has changed for limit (deliveries paced by the posting
// budget keep arriving long after the load: that is progress, not a hang),
// and at most settleCap. It returns how long it waited and whether it
// timed out.
func settle(ctx context.Context, limit, quiet time.Duration, state func() (n int, done bool)) (time.Duration, bool) {
	start := time.Now()
	last, lastChange := -1, time.Now()
	for time.Since(lastChange) < limit && time.Since(start) < settleCap && ctx.Err() == nil {
		n, done := state()
		if n != last {
			last, lastChange = n, time.Now()
		}
		if done && time.Since(lastChange) >= quiet {
			return time.Since(start), false
		}
		time.Sleep(200 * time.Millisecond)
	}
	return time.Since(start), true
}

// settleCap bounds the whole wait after the load.
const settleCap = 30 * time.Minute

// finish fills in a target's result after its run: envelope figures, the
// tally of expected against delivered nudges, fault events and process
// usage. It returns the notes about processes that exited unexpectedly.
func finish(r *Result, fs *fakeslack.Server, msgs []sent, t tally, c *counters, u *usage) []string {
	fill(r, fs, msgs)
	r.NudgesExpected, r.NudgesSent, r.Duplicates, r.Extra, r.Lost = t.Expected, t.Sent, t.Duplicates, t.Extra, t.Lost
	r.LostDetail, r.DuplicateDetail = capped(t.LostDetail, 20), capped(t.DupDetail, 20)
	r.DMLatency = summarize(t.DMLatencyMS)
	fe := c.get()
	limited := 0 // answered 429 by the local Slack's rate limits
	for _, st := range fs.RateStats() {
		limited += st.RateLimited
	}
	if n := countFaulted(fs, "chat.postMessage") - fs.RateStats()["chat.postMessage"].RateLimited; n > 0 {
		fe["ratelimited_answers"] = n // injected by the ratelimit fault
	}
	if limited > 0 {
		fe["slack_limit_429s"] = limited
	}
	if r.Redeliveries > 0 {
		fe["redeliveries"] = r.Redeliveries
	}
	r.FaultEvents = fe
	cpu, rss, started, unexpected := u.snapshot()
	r.CPUSeconds, r.PeakRSSMB, r.Processes = round2(cpu.Seconds()), round2(float64(rss)/1024), started
	return unexpected
}

// fill sets the envelope figures of r from the local Slack's history.
func fill(r *Result, fs *fakeslack.Server, msgs []sent) {
	ids := make(map[string]bool, len(msgs))
	for _, s := range msgs {
		ids[s.eventID] = false
	}
	var acks []float64
	for _, e := range fs.Envelopes() {
		if e.Type != "events_api" {
			continue
		}
		if _, ours := ids[e.EventID]; !ours {
			continue
		}
		r.Envelopes++
		if e.RetryAttempt > 0 {
			r.Redeliveries++
		}
		if e.Acked {
			ids[e.EventID] = true
		}
		if e.AckMS != nil {
			acks = append(acks, *e.AckMS)
		}
	}
	for _, acked := range ids {
		if acked {
			r.EventsAcked++
		}
	}
	r.EventsSent = len(msgs)
	r.EventsUnacked = r.EventsSent - r.EventsAcked
	r.AckLatency = summarize(acks)
}

func allAcked(fs *fakeslack.Server, msgs []sent) bool {
	acked := make(map[string]bool, len(msgs))
	for _, e := range fs.Envelopes() {
		if e.Acked {
			acked[e.EventID] = true
		}
	}
	for _, s := range msgs {
		if !acked[s.eventID] {
			return false
		}
	}
	return true
}

func capped(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(xs[:n:n], fmt.Sprintf("… and %d more", len(xs)-n))
}

// runBot plays the load against leadnudge replicas.
func runBot(ctx context.Context, cfg Config, rs *nudges.RuleSet, m *nudges.Matcher, work, tag string) (Result, error) {
	r := Result{Target: "leadnudge", Store: cfg.Store, Replicas: cfg.Replicas, Faults: cfg.Faults.Names()}
	g := newGenerator(cfg.Seed, cfg.People, cfg.Channels, rs, tag)
	fs, err := newSlack(cfg, g.people)
	if err != nil {
		return r, err
	}
	defer fs.Close()
	dsn := cfg.PostgresDSN
	if cfg.Store == StoreSQLite {
		dsn = filepath.Join(work, "leadnudge-"+tag+".db")
	}
	// Only what must differ is set: where Slack and the store are, the
	// tokens, a free metrics port, no weekly prompts, and the policy flags
	// the operator changed; everything else is the product's default.
	vars := []string{
		"LEADNUDGE_SLACK_API_URL=" + fs.URL(),
		"LEADNUDGE_SLACK_BOT_TOKEN=" + botToken,
		"LEADNUDGE_SLACK_APP_TOKEN=" + appToken,
		"LEADNUDGE_STORE_DRIVER=" + cfg.Store,
		"LEADNUDGE_STORE_DSN=" + dsn,
		"LEADNUDGE_HTTP_LISTEN=127.0.0.1:0",
		"LEADNUDGE_REFLECTION_ENABLED=false",
	}
	def := config.Default()
	if cfg.DailyCap != def.Nudges.DailyCap {
		vars = append(vars, "LEADNUDGE_NUDGES_DAILY_CAP="+itoa(cfg.DailyCap))
	}
	if cfg.Lease != def.Nudges.Lease {
		vars = append(vars, "LEADNUDGE_NUDGES_LEASE="+cfg.Lease.String())
	}
	var pprofAddr string
	if cfg.ProfileDir != "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return r, err
		}
		pprofAddr = ln.Addr().String()
		ln.Close()
		vars = append(vars, "LEADNUDGE_HTTP_PPROF=true")
		vars[slices.Index(vars, "LEADNUDGE_HTTP_LISTEN=127.0.0.1:0")] = "LEADNUDGE_HTTP_LISTEN=" + pprofAddr
	}
	env := childEnv(vars...)
	var (
		u        usage
		mu       sync.Mutex
		replicas = make([]*proc, cfg.Replicas)
	)
	start := func(i int) error {
		p, err := startProc(fmt.Sprintf("replica %d", i), []string{cfg.Binary, "run"}, env, work,
			filepath.Join(work, fmt.Sprintf("replica-%s-%d.log", tag, i)), &u)
		if err != nil {
			return err
		}
		mu.Lock()
		replicas[i] = p
		mu.Unlock()
		return nil
	}
	stopAll := func() {
		mu.Lock()
		ps := append([]*proc(nil), replicas...)
		mu.Unlock()
		var wg sync.WaitGroup
		for _, p := range ps {
			if p != nil {
				wg.Add(1)
				go func() { defer wg.Done(); p.stop() }()
			}
		}
		wg.Wait()
	}
	defer stopAll()
	for i := range replicas {
		if err := start(i); err != nil {
			return r, err
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := fs.WaitForConnections(wctx, i+1)
		cancel()
		if err != nil {
			return r, fmt.Errorf("replica %d did not connect to the local Slack within 30s; log: %s", i, tail(replicas[i].logPath, 5))
		}
	}
	cfg.logf("leadnudge: %d replica(s) on %s connected; %d events at %.0f/s, faults %s",
		cfg.Replicas, cfg.Store, int(cfg.Rate*cfg.Duration.Seconds()), cfg.Rate, strings.Join(r.Faults, ","))

	var (
		c      counters
		wg     sync.WaitGroup
		notesM sync.Mutex
		notes  []string
	)
	note := func(s string) { notesM.Lock(); notes = append(notes, s); notesM.Unlock() }
	lctx, stopFaults := context.WithCancel(ctx)
	slackFaults(lctx, cfg, fs, &c, &wg)
	if cfg.Faults.Kill {
		wg.Add(1)
		go func() {
			defer wg.Done()
			every(lctx, cfg.Duration/3, cfg.Duration/3, func(i int) {
				if i >= 2 {
					return
				}
				idx := i % cfg.Replicas
				mu.Lock()
				p := replicas[idx]
				mu.Unlock()
				p.kill()
				c.add("replicas_killed", 1)
				time.Sleep(time.Second)
				if err := start(idx); err != nil {
					note("restarting replica " + itoa(idx) + " failed: " + err.Error())
					return
				}
				c.add("replicas_restarted", 1)
			})
		}()
	}
	if cfg.Faults.PostgresRestart {
		wg.Add(1)
		go func() {
			defer wg.Done()
			every(lctx, cfg.Duration/2, time.Hour, func(i int) {
				if i > 0 {
					return
				}
				t0 := time.Now()
				if err := runShell(ctx, cfg.PGRestartCmd, 2*time.Minute); err != nil {
					note("--pg-restart-cmd failed: " + err.Error())
					return
				}
				c.add("postgres_restarts", 1)
				note(fmt.Sprintf("PostgreSQL restart command took %.1fs", time.Since(t0).Seconds()))
			})
		}()
	}
	profDone := make(chan error, 1)
	if pprofAddr != "" {
		go func() {
			profDone <- saveProfile(ctx, pprofAddr, "profile?seconds="+itoa(int(cfg.Duration.Seconds())), filepath.Join(cfg.ProfileDir, "cpu.pprof"))
		}()
	}
	dr := drive(ctx, fs, g, cfg.driveOpts())
	if pprofAddr != "" {
		if err := <-profDone; err != nil {
			note("CPU profile: " + err.Error())
		}
		if err := saveProfile(ctx, pprofAddr, "allocs", filepath.Join(cfg.ProfileDir, "allocs.pprof")); err != nil {
			note("allocation profile: " + err.Error())
		}
	}
	stopFaults()
	wg.Wait()
	msgs, elapsed := dr.msgs, dr.elapsed
	r.LoadSeconds, r.SendErrors = round2(elapsed.Seconds()), dr.sendErrors
	if dr.resent > 0 {
		c.add("events_resent_same_id", dr.resent)
	}

	// Expected nudges, from the events as sent.
	want := 0
	{
		perUser := map[string]map[string]bool{}
		for _, s := range msgs {
			if u, rule, ok := botExpectation(m, nudges.SeverityNudge, s.payload); ok {
				if perUser[u] == nil {
					perUser[u] = map[string]bool{}
				}
				perUser[u][rule] = true
			}
		}
		for _, rules := range perUser {
			want += min(cfg.DailyCap, len(rules))
		}
	}
	cfg.logf("leadnudge: load done (%d events in %.1fs); waiting for %d nudges", len(msgs), elapsed.Seconds(), want)
	waited, timedOut := settle(ctx, cfg.Settle, cfg.Lease+2*time.Second, func() (int, bool) {
		n := 0
		for _, p := range fs.Posts("") {
			if strings.Contains(string(p.Blocks), "nudge_helpful") {
				n++
			}
		}
		return n, n >= want && allAcked(fs, msgs)
	})
	r.SettleS = round2(waited.Seconds())
	if timedOut {
		note(fmt.Sprintf("gave up waiting after %.0fs", waited.Seconds()))
	}
	stopAll()

	for _, s := range finish(&r, fs, msgs, tallyBot(fs, g.people, msgs, m, rs, cfg.DailyCap), &c, &u) {
		note(s)
	}
	r.Notes = notes
	cfg.logf("leadnudge: %d/%d nudges, %d lost, %d duplicated", r.NudgesSent, r.NudgesExpected, r.Lost, r.Duplicates+r.Extra)
	return r, nil
}

func countFaulted(fs *fakeslack.Server, method string) int {
	n := 0
	for _, c := range fs.Calls(method) {
		if c.Error == "ratelimited" {
			n++
		}
	}
	return n
}

// PeerReady reports whether the Bolt peer can run from dir with the node
// executable: node on PATH (or as given) and node_modules installed. The
// error says what is missing and how to install it.
func PeerReady(node, dir string) error {
	if _, err := exec.LookPath(node); err != nil {
		return fmt.Errorf("node is not installed (%v): install Node.js 20+ and npm, then run `npm ci` in %s", err, dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "app.js")); err != nil {
		return fmt.Errorf("the Bolt peer is not in %s (app.js missing); pass --peer-dir", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@slack", "bolt", "package.json")); err != nil {
		return errors.New("the Bolt peer's node_modules are missing: run `npm ci` in " + dir + " (needs node and npm; .ci/setup-bolt.sh does it)")
	}
	return nil
}

// runPeer plays the same load against the Bolt peer on its own local Slack.
func runPeer(ctx context.Context, cfg Config, rs *nudges.RuleSet, work, tag string) (Result, error) {
	pf := Faults{Disconnects: cfg.Faults.Disconnects, RateLimit: cfg.Faults.RateLimit, AckDrop: cfg.Faults.AckDrop}
	r := Result{Target: "bolt", Replicas: 1, Faults: pf.Names()}
	if cfg.Faults.Kill || cfg.Faults.PostgresRestart {
		r.Notes = append(r.Notes, "kill and postgres-restart apply to leadnudge only")
	}
	if err := PeerReady(cfg.Node, cfg.PeerDir); err != nil {
		r.Skipped = err.Error()
		cfg.logf("bolt peer skipped: %s", r.Skipped)
		return r, nil
	}
	pcfg := cfg
	pcfg.Faults = pf
	g := newGenerator(cfg.Seed, cfg.People, cfg.Channels, rs, tag)
	fs, err := newSlack(pcfg, g.people)
	if err != nil {
		return r, err
	}
	defer fs.Close()
	var u usage
	app, err := filepath.Abs(filepath.Join(cfg.PeerDir, "app.js"))
	if err != nil {
		return r, err
	}
	p, err := startProc("bolt peer", []string{cfg.Node, app}, childEnv(
		"SLACK_BOT_TOKEN="+botToken, "SLACK_APP_TOKEN="+appToken, "SLACK_API_URL="+fs.URL(),
	), cfg.PeerDir, filepath.Join(work, "bolt-peer-"+tag+".log"), &u)
	if err != nil {
		return r, err
	}
	defer p.stop()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = fs.WaitForConnections(wctx, 1)
	cancel()
	if err != nil {
		return r, fmt.Errorf("the Bolt peer did not connect to the local Slack within 30s; log: %s", tail(p.logPath, 5))
	}
	cfg.logf("bolt peer connected; same load, faults %s", strings.Join(r.Faults, ","))
	var (
		c  counters
		wg sync.WaitGroup
	)
	lctx, stopFaults := context.WithCancel(ctx)
	slackFaults(lctx, pcfg, fs, &c, &wg)
	dr := drive(ctx, fs, g, cfg.driveOpts())
	stopFaults()
	wg.Wait()
	msgs, elapsed := dr.msgs, dr.elapsed
	r.LoadSeconds, r.SendErrors = round2(elapsed.Seconds()), dr.sendErrors
	if dr.resent > 0 {
		c.add("events_resent_same_id", dr.resent)
	}
	re := peerRegexp()
	want := 0
	for _, s := range msgs {
		if _, ok := peerExpectation(re, s.payload); ok {
			want++
		}
	}
	cfg.logf("bolt peer: load done; waiting for %d DMs", want)
	waited, timedOut := settle(ctx, cfg.Settle, 2*time.Second, func() (int, bool) {
		n := len(fs.Posts(""))
		return n, n >= want && allAcked(fs, msgs)
	})
	r.SettleS = round2(waited.Seconds())
	if timedOut {
		r.Notes = append(r.Notes, fmt.Sprintf("gave up waiting after %.0fs", waited.Seconds()))
	}
	p.stop()
	r.Notes = append(r.Notes, finish(&r, fs, msgs, tallyPeer(fs, g.people, msgs), &c, &u)...)
	cfg.logf("bolt peer: %d/%d DMs, %d lost, %d duplicated", r.NudgesSent, r.NudgesExpected, r.Lost, r.Duplicates)
	return r, nil
}

// saveProfile fetches http://addr/debug/pprof/<what> into path.
func saveProfile(ctx context.Context, addr, what, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/debug/pprof/"+what, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /debug/pprof/%s: %s", what, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

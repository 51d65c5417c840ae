package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/report"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
)

// Delivery modes for nudges.
const (
	DeliveryDM        = "dm"
	DeliveryEphemeral = "ephemeral"
)

// Options tune the bot. Zero values take the defaults documented on each
// field (the same as config's defaults).
type Options struct {
	// Delivery is DeliveryDM (default) or DeliveryEphemeral.
	Delivery string
	// Cooldown between two nudges of the same rule to the same person, unless
	// the rule sets its own (default 72h).
	Cooldown time.Duration
	// DailyCap is the most nudges a person gets in 24 hours (default 2).
	DailyCap int
	// Workers is the size of the delivery worker pool (default 8).
	Workers int
	// QueueSize bounds the jobs waiting for a worker (default 1024).
	QueueSize int
	// Lease is how long a pending nudge belongs to the worker that recorded
	// it before another worker or replica may take it over (default
	// DefaultLease). A delivering worker renews it every third of it.
	Lease time.Duration
	// AllowChannels, when not empty, limits nudges to these channels;
	// DenyChannels excludes channels. Entries are ids (C…, G…) or names
	// ("general" or "#general", looked up with conversations.list at start
	// and every 10 minutes).
	AllowChannels, DenyChannels []string
	// MinSeverity ignores rules below this severity (default nudge: all).
	MinSeverity nudges.Severity
	// ShutdownTimeout bounds how long in-flight deliveries may finish after
	// the bot is told to stop (default 10s).
	ShutdownTimeout time.Duration
	// Retention is how long the nudge log is kept (default 180 days).
	Retention time.Duration
	// MaxRetries bounds retries of one Slack Web API call after a 429 or a
	// server error (default 3).
	MaxRetries int
	// MaxRetryWait caps a single wait before a retry (default 30s).
	MaxRetryWait time.Duration
	// PostsPerSecond paces this process's chat.postMessage calls below
	// Slack's workspace-wide posting limit, nudges before weekly prompts
	// (default DefaultPostsPerSecond; negative: no pacing at all, the bulk
	// methods' included).
	PostsPerSecond float64
	// RecoveryInterval is how often pending nudges whose lease expired are
	// looked for, after a first look at start-up (default Lease/3).
	RecoveryInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Disabled stops nudging (messages are still acked; commands, App Home
	// and the weekly reflection keep working).
	Disabled bool
	// Admins see the anonymous team overview in their App Home.
	Admins []string
	// MinPeople is report.min_people: a team figure needs at least this
	// many people behind it (default 5, at least report.LowestMinPeople).
	MinPeople int
}

// postBurst is how many posts may go at once after a quiet spell (Slack
// allows short bursts).
const postBurst = 8

// DefaultPostsPerSecond is the default PostsPerSecond: the 5 a second
// (300 a minute) assumed for Slack's unpublished workspace-wide limit
// (fakeslack/RATES.md). A 429 still pauses the pacer for its Retry-After,
// so a workspace with a lower limit costs a few retries, not lost posts.
const DefaultPostsPerSecond = 5

// DefaultLease is the default Lease: after a crash, a nudge the dead
// process had recorded is delivered by the next one (or another replica)
// within about Lease + Lease/3 of the crash.
const DefaultLease = 10 * time.Second

func (o *Options) setDefaults() {
	if o.Delivery == "" {
		o.Delivery = DeliveryDM
	}
	if o.Cooldown <= 0 {
		o.Cooldown = 72 * time.Hour
	}
	if o.DailyCap == 0 {
		o.DailyCap = 2
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 1024
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.MinSeverity == 0 {
		o.MinSeverity = nudges.SeverityNudge
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	if o.Retention <= 0 {
		o.Retention = 180 * 24 * time.Hour
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 3
	}
	if o.MaxRetryWait <= 0 {
		o.MaxRetryWait = 30 * time.Second
	}
	if o.RecoveryInterval <= 0 {
		o.RecoveryInterval = o.Lease / 3
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MinPeople == 0 {
		o.MinPeople = 5
	}
	if o.PostsPerSecond == 0 {
		o.PostsPerSecond = DefaultPostsPerSecond
	}
	o.MinPeople = max(o.MinPeople, report.LowestMinPeople)
}

// Rules holds the compiled rules the bot matches with. Swapping in a new
// matcher is atomic: messages being matched finish on the old one, and the
// hot path takes no lock.
type Rules struct {
	p atomic.Pointer[nudges.Matcher]
}

// NewRules returns a holder with m in it.
func NewRules(m *nudges.Matcher) *Rules {
	r := &Rules{}
	r.p.Store(m)
	return r
}

// Load returns the current matcher.
func (r *Rules) Load() *nudges.Matcher { return r.p.Load() }

// Swap replaces the matcher.
func (r *Rules) Swap(m *nudges.Matcher) { r.p.Store(m) }

// Deps are what the bot is built from.
type Deps struct {
	// API is the Slack Web API client.
	API Slack
	// Socket is slack-go's Socket Mode client, built on the same API client.
	Socket *socketmode.Client
	Store  Store
	Rules  *Rules
	Log    *zap.Logger
	// Metrics may be nil (then metrics go to a private registry).
	Metrics *Metrics
	// Commands handles slash commands other than /nudges (the weekly
	// reflection adds /reflect); may be nil.
	Commands map[string]CommandHandler
	// Actions handles interactive payloads the bot itself does not know, by
	// action id prefix or view callback id; may be nil.
	Actions []ActionHandler
	// Home adds sections to the App Home; may be nil.
	Home []HomeSection
	// Runners are long-running jobs started with the bot (the weekly
	// scheduler); each runs until its context ends. An error stops the bot.
	Runners []func(ctx context.Context) error
	// Events handles Events API event types the bot itself does not (the
	// reflection's member directory takes user_change, user_status_changed
	// and team_join), by type. A handler runs after the ack, on the event
	// loop, with slack-go's parsed event: it must be quick and must not
	// call Slack.
	Events map[string]func(ctx context.Context, data any)
}

// Bot is the running application. Create it with New and start it with Run.
type Bot struct {
	api     Slack
	sm      *socketmode.Client
	store   Store
	rules   *Rules
	log     *zap.Logger
	metrics *Metrics
	opts    Options

	commands map[string]CommandHandler
	actions  []ActionHandler
	home     []HomeSection
	pacer    *pacer // nil: chat.postMessage not paced
	// bulk paces the methods whose volume grows with the workspace
	// (users.list, users.info, conversations.members, conversations.list)
	// below their tiers; nil when pacing is off.
	bulk    map[string]*pacer
	runners []func(context.Context) error
	events  map[string]func(context.Context, any)

	work     chan job
	filter   atomic.Pointer[channelFilter]
	selfUser string
	selfBot  string
	// workspaceURL is https://<team>.slack.com from auth.test ("" when
	// unknown: then permalinks come from chat.getPermalink).
	workspaceURL string
	connected    atomic.Bool
	ready        atomic.Bool
	inflight     sync.WaitGroup
}

// New builds a bot. Nothing talks to Slack until Run.
func New(d Deps, opts Options) (*Bot, error) {
	if d.API == nil || d.Socket == nil || d.Store == nil || d.Rules == nil || d.Rules.Load() == nil {
		return nil, errors.New("bot: API, Socket, Store and Rules are required")
	}
	opts.setDefaults()
	if opts.Delivery != DeliveryDM && opts.Delivery != DeliveryEphemeral {
		return nil, fmt.Errorf("bot: delivery must be %q or %q, got %q", DeliveryDM, DeliveryEphemeral, opts.Delivery)
	}
	if d.Log == nil {
		d.Log = zap.NewNop()
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(prometheus.NewRegistry())
	}
	b := &Bot{
		api: d.API, sm: d.Socket, store: d.Store, rules: d.Rules, log: d.Log, metrics: d.Metrics, opts: opts,
		commands: d.Commands, actions: d.Actions, home: d.Home, runners: d.Runners, events: d.Events,
		pacer: newPacer(opts.PostsPerSecond, postBurst, time.Now),
		work:  make(chan job, opts.QueueSize),
	}
	if b.pacer != nil {
		b.bulk = bulkPacers(time.Now)
	}
	b.filter.Store(buildChannelFilter(opts.AllowChannels, opts.DenyChannels, nil))
	return b, nil
}

// Connected reports whether the Socket Mode connection is up.
func (b *Bot) Connected() bool { return b.connected.Load() }

// Ready reports whether the bot is connected and serving.
func (b *Bot) Ready() bool { return b.ready.Load() && b.connected.Load() }

// SelfUserID is the bot's own user id (from auth.test), known once Run has
// started.
func (b *Bot) SelfUserID() string { return b.selfUser }

// API returns the Slack Web API client the bot uses.
func (b *Bot) API() Slack { return b.api }

// Metrics returns the bot's metrics.
func (b *Bot) Metrics() *Metrics { return b.metrics }

// Call runs one Slack Web API call with the bot's retry policy (429
// Retry-After honoured, bounded retries with backoff); method names the
// call for metrics and logs.
func (b *Bot) Call(ctx context.Context, method string, fn func(context.Context) error) error {
	return b.call(ctx, method, fn)
}

// Options returns the effective options.
func (b *Bot) Options() Options { return b.opts }

// Run connects to Slack and serves until ctx is cancelled or the connection
// fails for good (an invalid token). On cancellation it stops taking work,
// lets in-flight deliveries finish within ShutdownTimeout, and returns nil.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.authenticate(ctx); err != nil {
		return err
	}
	b.resolveChannels(ctx)
	// Workers outlive ctx by up to ShutdownTimeout, so they get their own
	// context, cancelled only when that bound is reached.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var workers sync.WaitGroup
	for i := 0; i < b.opts.Workers; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			b.worker(workCtx)
		}()
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		err := b.sm.RunContext(gctx)
		if gctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("socket mode: %w", err)
	})
	g.Go(func() error { return b.loop(gctx) })
	g.Go(func() error { b.recoverLoop(gctx); return nil })
	g.Go(func() error { b.purgeLoop(gctx); return nil })
	g.Go(func() error { b.channelNamesLoop(gctx); return nil })
	for _, r := range b.runners {
		g.Go(func() error { return r(gctx) })
	}
	b.ready.Store(true)
	b.log.Info("bot running", zap.String("bot_user", b.selfUser), zap.Int("workers", b.opts.Workers), zap.String("delivery", b.opts.Delivery))
	err := g.Wait()
	b.ready.Store(false)
	b.connected.Store(false)
	b.metrics.Connected.Set(0)

	// Stop taking work; let queued and in-flight jobs finish within the bound.
	b.inflight.Wait()
	close(b.work)
	done := make(chan struct{})
	go func() { workers.Wait(); close(done) }()
	select {
	case <-done:
		b.log.Info("bot stopped: all deliveries finished")
	case <-time.After(b.opts.ShutdownTimeout):
		cancelWork()
		<-done
		b.log.Warn("bot stopped: shutdown timeout reached; unfinished nudges stay pending and are delivered after restart",
			zap.Duration("timeout", b.opts.ShutdownTimeout))
	}
	return err
}

// authenticate learns the bot's own user id, retrying transient failures.
func (b *Bot) authenticate(ctx context.Context) error {
	var resp struct{ user, bot, url string }
	err := b.call(ctx, "auth.test", func(ctx context.Context) error {
		r, err := b.api.AuthTestContext(ctx)
		if err == nil {
			resp.user, resp.bot, resp.url = r.UserID, r.BotID, r.URL
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("auth.test: %w", err)
	}
	b.selfUser, b.selfBot = resp.user, resp.bot
	if u, err := url.Parse(resp.url); err == nil && u.Scheme == "https" && u.Host != "" {
		b.workspaceURL = "https://" + u.Host // permalinks are built from it: no call per nudge
	}
	return nil
}

// recoverLoop hands pending nudges whose owner died (a crash, a kill, a
// replica that went away) to the worker pool, at start-up and then every
// RecoveryInterval.
func (b *Bot) recoverLoop(ctx context.Context) {
	t := time.NewTicker(b.opts.RecoveryInterval)
	defer t.Stop()
	for {
		b.recoverPending(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *Bot) recoverPending(ctx context.Context) {
	for {
		ns, err := b.store.ClaimPendingNudges(ctx, b.opts.Lease, 100)
		if err != nil {
			if ctx.Err() == nil {
				b.log.Warn("claiming pending nudges failed", zap.Error(err))
			}
			return
		}
		for _, n := range ns {
			b.log.Info("recovering pending nudge", zap.Int64("nudge", n.ID), zap.String("rule", n.RuleID), zap.Int("attempts", n.Attempts))
			if !b.enqueue(ctx, job{kind: jobNudge, nudge: n}) {
				return
			}
		}
		if len(ns) < 100 {
			return
		}
	}
}

// purgeLoop forgets handled event ids after an hour and nudges after the
// retention period.
func (b *Bot) purgeLoop(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	lastRetention := time.Time{}
	for {
		if _, err := b.store.PurgeEvents(ctx, 0); err != nil && ctx.Err() == nil {
			b.log.Warn("purging handled event ids failed", zap.Error(err))
		}
		if now := b.opts.Now(); now.Sub(lastRetention) >= 24*time.Hour {
			n, err := b.store.PurgeNudges(ctx, b.opts.Retention)
			if err != nil && ctx.Err() == nil {
				b.log.Warn("retention purge failed", zap.Error(err))
			} else if err == nil {
				lastRetention = now
				b.log.Info("retention purge done", zap.Int64("nudges_removed", n), zap.Duration("retention", b.opts.Retention))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

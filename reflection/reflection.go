package reflection

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/config"
	"github.com/leadnudge/leadnudge/directory"
	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/store"
	"go.uber.org/zap"
)

// Store is the persistence the weekly reflection needs; *store.Store
// satisfies it. Every once-a-week guarantee is the store's (ClaimPrompt).
type Store interface {
	EnsureUser(ctx context.Context, userID string) (store.User, error)
	ListUsers(ctx context.Context) ([]store.User, error)
	SetWeeklyEnrolled(ctx context.Context, userID string, enrolled bool) (store.User, error)
	SetPromptsPausedUntil(ctx context.Context, userID string, until time.Time) (store.User, error)
	SetReflectionOff(ctx context.Context, userID string, off bool) (store.User, error)
	SetTimeZone(ctx context.Context, userID, tz string) (store.User, error)
	ClaimPrompt(ctx context.Context, userID string, week store.Week, promptID string, lease time.Duration) (bool, error)
	MarkPromptSent(ctx context.Context, userID string, week store.Week, d store.Delivery) (store.PromptDelivery, error)
	ReleasePrompt(ctx context.Context, userID string, week store.Week) error
	SkipPrompt(ctx context.Context, userID string, week store.Week) (store.PromptDelivery, error)
	PromptsLastSent(ctx context.Context, userID string) (map[string]time.Time, error)
	PromptDeliveriesForWeek(ctx context.Context, week store.Week) ([]store.PromptDelivery, error)
	GetPromptDelivery(ctx context.Context, userID string, week store.Week) (store.PromptDelivery, error)
	SaveReflection(ctx context.Context, userID string, week store.Week, promptID, answer string) (store.Reflection, error)
	GetReflection(ctx context.Context, userID string, week store.Week) (store.Reflection, error)
	ListReflections(ctx context.Context, userID string, limit int) ([]store.Reflection, error)
	DeleteReflections(ctx context.Context, userID string) (int64, error)
	ListPromptDeliveries(ctx context.Context, userID string, limit int) ([]store.PromptDelivery, error)
}

// Options configure the weekly reflection. Zero values take the defaults
// documented on each field (config's defaults).
type Options struct {
	// Schedule is the 5-field cron spec read in each person's own zone
	// (default "0 16 * * 5", Fridays at 16:00).
	Schedule string
	// Holidays are dates (YYYY-MM-DD, the person's local date) on which a
	// scheduled prompt does not go out.
	Holidays []string
	// DefaultTimezone is the IANA zone of people whose profile has none
	// (default UTC).
	DefaultTimezone string
	// Channels whose members are enrolled (channel ids).
	Channels []string
	// PostChannel also gets the week's prompt, once a week; "" for none.
	PostChannel string
	// Rate, when positive, caps how many prompt DMs are sent per second;
	// 0 (the default) sends as fast as the bot's posting budget
	// (slack.posts_per_second) allows, nudges first.
	Rate float64
	// Lease is how long a claimed prompt stays reserved for its sender
	// (default 10m).
	Lease time.Duration
	// UserCacheTTL is how long conversations.members answers, and
	// users.info answers about members missing from the last users.list,
	// are kept (default 1h).
	UserCacheTTL time.Duration
	// UsersRefresh is how often the member list (users.list) is read again;
	// events keep it current in between. 0 sizes it to the workspace (see
	// directory.Options.Refresh).
	UsersRefresh time.Duration
	// AwayEmoji and AwayText: a Slack status with one of these emoji, or
	// containing one of these fragments (any case), means away: no prompt.
	AwayEmoji, AwayText []string
	// Workers is how many prompts are prepared and sent in parallel during
	// a fan-out (default 8); the pace is Rate whatever the number.
	Workers int
	// Interval is how often the scheduler decides who is due (default 1m).
	Interval time.Duration
	// PauseFor is how long "Pause for a month" pauses (default 30 days).
	PauseFor time.Duration
	// FatigueAfter: after this many prompts in a row went unanswered, the
	// next one is replaced, once, by a friendly question (keep, pause for a
	// month, stop); 0 never asks.
	FatigueAfter int
	// Now is the clock (default: the bot's clock once attached, else
	// time.Now).
	Now func() time.Time
	// Log receives progress and outcomes, never answer text (default: none).
	Log *zap.Logger
}

// FromConfig maps the reflection section of the configuration (and the
// users.info cache lifetime) to Options.
func FromConfig(c config.ReflectionConfig, userCacheTTL, usersRefresh time.Duration, log *zap.Logger) Options {
	return Options{UsersRefresh: usersRefresh,
		Schedule: c.Schedule, Holidays: c.Holidays, DefaultTimezone: c.DefaultTimezone,
		Channels: c.Channels, PostChannel: c.PostChannel, Rate: c.Rate, Lease: c.Lease,
		UserCacheTTL: userCacheTTL, AwayEmoji: c.AwayEmoji, AwayText: c.AwayText, Log: log,
		FatigueAfter: c.FatigueAfter,
	}
}

func (o *Options) setDefaults() {
	if o.Schedule == "" {
		o.Schedule = "0 16 * * 5"
	}
	if o.DefaultTimezone == "" {
		o.DefaultTimezone = "UTC"
	}
	if o.Rate < 0 {
		o.Rate = 0
	}
	if o.Lease <= 0 {
		o.Lease = 10 * time.Minute
	}
	if o.UserCacheTTL <= 0 {
		o.UserCacheTTL = time.Hour
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.PauseFor <= 0 {
		o.PauseFor = 30 * 24 * time.Hour
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
}

// Reflection is the weekly reflection: the scheduler and its fan-out, the
// prompt DM with its buttons and modal, /reflect and the App Home section.
// Build it with New, hand its hooks (Commands, Actions, Home, Runners) to
// bot.New, then Attach the bot.
type Reflection struct {
	st    Store
	rules *bot.Rules
	opts  Options
	sched Schedule
	def   *time.Location
	log   *zap.Logger

	mu      sync.Mutex
	bot     *bot.Bot
	dir     *directory.Directory    // members' zones, flags and statuses
	members map[string]channelCache // conversations.members answers, by channel
	zones   Zones                   // guarded by mu
	pace    *pacer
}

// New builds the weekly reflection. A bad schedule, holiday or default
// time zone is an error naming its configuration key.
func New(st Store, rules *bot.Rules, opts Options) (*Reflection, error) {
	if st == nil || rules == nil || rules.Load() == nil {
		return nil, errors.New("reflection: a store and rules are required")
	}
	opts.setDefaults()
	sched, err := ParseSchedule(opts.Schedule, opts.Holidays)
	if err != nil {
		return nil, fmt.Errorf("reflection: %w", err)
	}
	def, err := time.LoadLocation(opts.DefaultTimezone)
	if err != nil {
		return nil, fmt.Errorf("reflection: reflection.default_timezone %q: %w", opts.DefaultTimezone, err)
	}
	r := &Reflection{
		st: st, rules: rules, opts: opts, sched: sched, def: def, log: opts.Log,
		members: map[string]channelCache{},
		pace:    newPacer(opts.Rate),
	}
	r.dir = directory.New(dirSlack{r}, directory.Options{Refresh: opts.UsersRefresh, InfoTTL: opts.UserCacheTTL,
		Now: r.now, Log: opts.Log})
	r.zones.Default = def
	return r, nil
}

// Attach gives the reflection the running bot it sends through. Call it
// once, after bot.New and before bot.Run.
func (r *Reflection) Attach(b *bot.Bot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bot = b
	if r.opts.Now == nil {
		r.opts.Now = b.Options().Now
	}
}

func (r *Reflection) attached() (*bot.Bot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bot == nil {
		return nil, errors.New("reflection: no bot attached (call Attach after bot.New)")
	}
	return r.bot, nil
}

func (r *Reflection) now() time.Time {
	r.mu.Lock()
	now := r.opts.Now
	r.mu.Unlock()
	if now == nil {
		return time.Now()
	}
	return now()
}

// Schedule returns the parsed schedule.
func (r *Reflection) Schedule() Schedule { return r.sched }

// prompts returns the reflection prompts of the current rules.
func (r *Reflection) prompts() []nudges.Prompt { return r.rules.Load().RuleSet().Prompts }

// prompt returns the prompt with id, or a zero prompt.
func (r *Reflection) prompt(id string) nudges.Prompt {
	for _, p := range r.prompts() {
		if p.ID == id {
			return p
		}
	}
	return nudges.Prompt{ID: id}
}

// location returns the zone named tz (the default zone if empty or unknown).
func (r *Reflection) location(tz string) *time.Location {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.zones.Load(tz)
}

// Commands returns the slash commands the reflection answers (/reflect),
// for bot.Deps.Commands.
func (r *Reflection) Commands() map[string]bot.CommandHandler {
	return map[string]bot.CommandHandler{"/reflect": r.handleCommand}
}

// Actions returns the handlers of the prompt's buttons, the answer modal
// and the App Home toggles, for bot.Deps.Actions.
func (r *Reflection) Actions() []bot.ActionHandler {
	return []bot.ActionHandler{{Prefix: actionPrefix, Action: r.handleAction, Submission: r.handleSubmission}}
}

// Home returns the App Home section, for bot.Deps.Home.
func (r *Reflection) Home() []bot.HomeSection {
	return []bot.HomeSection{r.homeSection}
}

// Events returns the handlers of the member events that keep the
// directory current (user_change, user_status_changed, team_join), for
// bot.Deps.Events; the app's manifest subscribes to them.
func (r *Reflection) Events() map[string]func(context.Context, any) {
	apply := func(_ context.Context, data any) {
		if p, ok := directory.FromEvent(data); ok {
			r.dir.Apply(p)
		}
	}
	return map[string]func(context.Context, any){
		"user_change": apply, "user_status_changed": apply, "team_join": apply,
	}
}

// Directory returns the member directory (for operations and tests).
func (r *Reflection) Directory() *directory.Directory { return r.dir }

// Runners returns the scheduler loop, for bot.Deps.Runners.
func (r *Reflection) Runners() []func(context.Context) error {
	return []func(context.Context) error{r.Run}
}

// Run is the scheduler: every Interval it runs Tick as of now, until ctx
// ends. A failed tick is logged and retried at the next interval; people
// already prompted are never prompted again (the ledger), so a tick that
// overlaps or repeats is harmless.
//
// A ticker driving the pure Due decision, rather than one cron entry per
// time zone, is deliberate: people live in dozens of zones that change with
// daylight saving and with their profiles, people enrol mid-week, and a
// process that was down at 16:00 must catch up when it returns. Deciding
// "who is due now" each minute covers all of it with one code path.
func (r *Reflection) Run(ctx context.Context) error {
	t := time.NewTicker(r.opts.Interval)
	defer t.Stop()
	r.log.Info("weekly reflection scheduler started", zap.String("schedule", r.sched.String()),
		zap.String("default_timezone", r.def.String()), zap.Float64("rate", r.opts.Rate))
	for {
		if _, err := r.Tick(ctx, r.now()); err != nil && ctx.Err() == nil {
			r.log.Warn("weekly reflection tick failed", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/config"
	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/reflection"
	"github.com/leadnudge/leadnudge/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/sync/errgroup"
)

// app is the wired product: store, rules, Slack clients, bot and the
// metrics/health listener. run and demo build it the same way; demo only
// points it at the in-process local Slack and a temporary database.
type app struct {
	cfg      config.Config
	log      *zap.Logger
	store    *store.Store
	rules    *bot.Rules
	bot      *bot.Bot
	registry *prometheus.Registry
	httpSrv  *http.Server
	httpLn   net.Listener
	// reflection is the weekly reflection; nil when reflection.enabled is false.
	reflection *reflection.Reflection
}

// newLogger builds the zap logger the config asks for, writing to w.
func newLogger(cfg config.LogConfig, w io.Writer) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(cfg.Level)
	if err != nil {
		return nil, fmt.Errorf("log.level: %w", err)
	}
	enc := zap.NewProductionEncoderConfig()
	enc.TimeKey = "time"
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	var encoder zapcore.Encoder
	if cfg.Format == "console" {
		enc.EncodeLevel = zapcore.CapitalLevelEncoder
		encoder = zapcore.NewConsoleEncoder(enc)
	} else {
		encoder = zapcore.NewJSONEncoder(enc)
	}
	return zap.New(zapcore.NewCore(encoder, zapcore.Lock(zapcore.AddSync(w)), level)), nil
}

// newApp opens the store, loads the rules, and builds the bot. Nothing talks
// to Slack yet.
func newApp(ctx context.Context, cfg config.Config, log *zap.Logger, opts ...func(*bot.Deps)) (*app, error) {
	m, name, err := loadRules(cfg.Rules.File)
	if err != nil {
		return nil, fmt.Errorf("rules %s:\n%w", name, err)
	}
	st, err := store.Open(ctx, cfg.Store.Driver, cfg.Store.DSN.Reveal())
	if err != nil {
		return nil, fmt.Errorf("opening the %s store: %w", cfg.Store.Driver, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg)
	api := slack.New(cfg.Slack.BotToken.Reveal(),
		slack.OptionAppLevelToken(cfg.Slack.AppToken.Reveal()),
		slack.OptionAPIURL(cfg.Slack.APIURL),
		slack.OptionHTTPClient(&http.Client{Transport: metrics.InstrumentTransport(nil), Timeout: 30 * time.Second}),
	)
	sm := socketmode.New(api)
	rules := bot.NewRules(m)
	deps := bot.Deps{API: api, Socket: sm, Store: st, Rules: rules, Log: log, Metrics: metrics}
	var refl *reflection.Reflection
	if cfg.Reflection.Enabled {
		if refl, err = reflection.New(st, rules, reflection.FromConfig(cfg.Reflection, cfg.Slack.UserCacheTTL, cfg.Slack.UsersRefresh, log)); err != nil {
			st.Close()
			return nil, err
		}
		deps.Commands, deps.Actions, deps.Home, deps.Runners = refl.Commands(), refl.Actions(), refl.Home(), refl.Runners()
		deps.Events = refl.Events()
	}
	var watcher *bot.RulesWatcher
	if cfg.Rules.File != "" {
		// Reload on change (when rules.watch) and on SIGHUP; the last good
		// rules keep running when the file is broken.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		interval := time.Duration(0)
		if cfg.Rules.Watch {
			interval = 2 * time.Second
		}
		watcher = &bot.RulesWatcher{
			Path: cfg.Rules.File, Rules: rules, Log: log, Metrics: metrics, Interval: interval, Trigger: hup,
			Load: func(path string) (*nudges.Matcher, error) {
				m, _, err := loadRules(path)
				return m, err
			},
		}
		watcher.Baseline() // the file the rules were just loaded from
		deps.Runners = append(deps.Runners, func(ctx context.Context) error {
			defer signal.Stop(hup)
			return watcher.Run(ctx)
		})
	}
	for _, o := range opts {
		o(&deps)
	}
	sev, err := nudges.ParseSeverity(cfg.Nudges.MinSeverity)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("nudges.min_severity: %w", err)
	}
	b, err := bot.New(deps, bot.Options{
		Delivery:        cfg.Nudges.Delivery,
		Cooldown:        cfg.Nudges.Cooldown,
		DailyCap:        cfg.Nudges.DailyCap,
		Workers:         cfg.Nudges.Workers,
		QueueSize:       cfg.Nudges.QueueSize,
		Lease:           cfg.Nudges.Lease,
		AllowChannels:   cfg.Nudges.Channels.Allow,
		DenyChannels:    cfg.Nudges.Channels.Deny,
		MinSeverity:     sev,
		ShutdownTimeout: cfg.Shutdown.Timeout,
		Retention:       cfg.Store.Retention,
		MaxRetries:      cfg.Slack.MaxRetries,
		Disabled:        !cfg.Nudges.Enabled,
		Admins:          cfg.Admins,
		MinPeople:       cfg.Report.MinPeople,
		PostsPerSecond:  postsPerSecond(cfg.Slack.PostsPerSecond),
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	if refl != nil {
		refl.Attach(b)
	}
	a := &app{cfg: cfg, log: log, store: st, rules: rules, bot: b, registry: reg, reflection: refl}
	if cfg.HTTP.Listen != "" {
		ln, err := net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("http.listen %s: %w", cfg.HTTP.Listen, err)
		}
		a.httpLn = ln
		checks := []bot.Check{{Name: "store", OK: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err := st.SchemaVersion(ctx)
			return err
		}}}
		if watcher != nil {
			checks = append(checks, bot.Check{Name: "rules", OK: watcher.Status, InfoOnly: true})
		}
		handler := b.Handler(reg, checks...)
		if cfg.HTTP.Pprof {
			handler = withPprof(handler)
		}
		a.httpSrv = &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 5 * time.Second,
		}
	}
	log.Info("leadnudge starting",
		zap.String("version", version),
		zap.String("store", cfg.Store.Driver),
		zap.String("rules", name),
		zap.Int("rule_count", len(m.RuleSet().Rules)),
		zap.String("slack_api", cfg.Slack.APIURL),
		zap.String("http", cfg.HTTP.Listen),
		zap.Bool("pprof", cfg.HTTP.Pprof && cfg.HTTP.Listen != ""))
	return a, nil
}

// run serves until ctx ends, then shuts down in order: stop taking events,
// finish deliveries (bounded), stop the listener, close the store.
func (a *app) run(ctx context.Context) error {
	defer a.store.Close()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.bot.Run(gctx) })
	if a.httpSrv != nil {
		g.Go(func() error {
			if err := a.httpSrv.Serve(a.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("http listener: %w", err)
			}
			return nil
		})
		g.Go(func() error {
			<-gctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return a.httpSrv.Shutdown(sctx)
		})
	}
	err := g.Wait()
	a.log.Info("leadnudge stopped")
	return err
}

// postsPerSecond maps slack.posts_per_second (0: no pacing) to the bot's
// option (negative: no pacing).
func postsPerSecond(v float64) float64 {
	if v == 0 {
		return -1
	}
	return v
}

// withPprof adds Go's profiler under /debug/pprof/ (http.pprof), on its
// own mux rather than http.DefaultServeMux.
func withPprof(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

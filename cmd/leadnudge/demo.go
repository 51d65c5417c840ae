package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/config"
	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/playground"
	"github.com/leadnudge/leadnudge/store"
	"github.com/spf13/cobra"
)

// The demo workspace.
const (
	demoChannel   = "C0PRODUCT"
	demoChannelNm = "product"
	demoAna       = "U0ANA"
	demoBen       = "U0BEN"
	demoYou       = "U0YOU"
)

func newDemoCmd() *cobra.Command {
	var listen, logLevel, rulesFile string
	var interactive, keep, web, allowRemote bool
	cmd := &cobra.Command{
		Use:   "demo [--listen ADDR] [--interactive] [--web] [--rules FILE]",
		Short: "Run the real bot against a built-in local Slack: a scripted tour with a readable transcript",
		Long: `Run the real bot (the same code as 'leadnudge run') against a local Slack that runs inside
this process, with a temporary SQLite database. Nothing leaves this machine.

Without flags it plays a scripted tour, prints what people wrote and what the bot did
(and why it stayed quiet), and exits 0.

--listen ADDR keeps it running after the tour, with the local Slack's admin API on ADDR
(see the README's "Developing offline with the local Slack"), until Ctrl-C.
--interactive reads lines you type as messages from a demo user and shows the bot's answers.

--web serves a Slack-like page instead of the tour (on --listen, default
127.0.0.1:8080): post as Ana, Ben or You in #product, watch the private DM
arrive, click its buttons, run /nudges and /reflect, open the Home tab, run the
weekly prompt and see which rule fired and why. Loopback only unless
--allow-remote. --rules FILE runs your own rules file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if web && interactive {
				return &exitError{code: 2, err: errors.New("--web and --interactive do not go together")}
			}
			if allowRemote && !web {
				return &exitError{code: 2, err: errors.New("--allow-remote is for --web")}
			}
			if web && listen == "" {
				listen = "127.0.0.1:8080"
			}
			d := &demo{out: cmd.OutOrStdout(), in: cmd.InOrStdin(), listen: listen, interactive: interactive,
				keep: keep || listen != "" || interactive, logLevel: logLevel, web: web, allowRemote: allowRemote, rulesFile: rulesFile}
			if err := d.run(cmd.Context()); err != nil {
				return &exitError{code: 1, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "serve the local Slack (and its admin API) on ADDR and keep running, e.g. 127.0.0.1:3333")
	cmd.Flags().BoolVar(&interactive, "interactive", false, "after the tour, read lines from standard input as messages from a demo user")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep running after the tour (implied by --listen and --interactive)")
	cmd.Flags().StringVar(&logLevel, "log-level", "error", "bot log level shown on standard error (debug, info, warn, error)")
	cmd.Flags().BoolVar(&web, "web", false, "serve the browser playground instead of the tour (default --listen 127.0.0.1:8080)")
	cmd.Flags().BoolVar(&allowRemote, "allow-remote", false, "with --web: allow a --listen address other than loopback")
	cmd.Flags().StringVar(&rulesFile, "rules", "", "rules file (default: the built-in rules)")
	return cmd
}

type demo struct {
	out         io.Writer
	in          io.Reader
	listen      string
	interactive bool
	keep        bool
	logLevel    string
	web         bool
	allowRemote bool
	rulesFile   string

	webMu  sync.Mutex
	weekAt time.Time // the playground's last weekly run

	fs       *fakeslack.Server
	app      *app
	failures []string
}

func (d *demo) printf(format string, args ...any) { fmt.Fprintf(d.out, format, args...) }

func (d *demo) run(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "leadnudge-demo-")
	if err != nil {
		return fmt.Errorf("creating the demo directory: %w", err)
	}
	defer os.RemoveAll(dir)

	// Slack's rate limits on, as in a real workspace
	fs, err := fakeslack.New(fakeslack.Options{RateLimits: fakeslack.RateLimits{Enabled: true}})
	if err != nil {
		return err
	}
	d.fs = fs
	addr := d.listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := fakeslack.CheckListenAddr(addr, d.allowRemote); err != nil {
		return fmt.Errorf("%w (--allow-remote to serve the playground to other machines)", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("demo --listen %s: %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	slackHandler := fs.Handler()
	if d.web {
		pg, err := playground.New(fs, playground.Options{
			People: playgroundPeople(), Channels: []playground.Channel{{ID: demoChannel, Name: demoChannelNm}},
			NextWeek: d.nextWeekly,
			Explain: func(text string) string {
				if d.app == nil {
					return "the bot is starting"
				}
				return explainText(d.app.rules.Load(), text)
			},
		})
		if err != nil {
			return err
		}
		slackHandler = pg.Handler(slackHandler)
	}
	mux.Handle("/", slackHandler)
	mux.HandleFunc("POST /_demo/tick", d.serveTick)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Shutdown
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx) //nolint:errcheck
		fs.Close()
	}()

	if err := seedWorkspace(fs); err != nil {
		return err
	}

	cfg := config.Default()
	cfg.Slack.APIURL = base + "/api/"
	cfg.Slack.BotToken = "xoxb-demo"
	cfg.Slack.AppToken = "xapp-demo"
	cfg.Store.Driver = "sqlite"
	cfg.Store.DSN = config.Secret(filepath.Join(dir, "leadnudge.db"))
	cfg.HTTP.Listen = ""
	cfg.Log.Level = d.logLevel
	cfg.Log.Format = "console"
	cfg.Reflection.Channels = []string{demoChannel}
	cfg.Reflection.Rate = 50
	cfg.Rules.File = d.rulesFile
	if err := cfg.Validate(); err != nil {
		return err
	}
	log, err := newLogger(cfg.Log, os.Stderr)
	if err != nil {
		return err
	}
	// In the demo the weekly job runs only when told to (the tour's week
	// passing, or POST /_demo/tick), never on the wall clock.
	a, err := newApp(ctx, cfg, log, func(deps *bot.Deps) { deps.Runners = nil })
	if err != nil {
		return err
	}
	d.app = a
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- a.run(runCtx) }()
	if err := d.waitFor(ctx, 10*time.Second, func() bool { return a.bot.Connected() }); err != nil {
		return errors.New("the bot did not connect to the local Slack")
	}

	if d.web {
		d.printf("leadnudge playground: the real bot, on a local Slack inside this process. Nothing leaves this machine.\n\n")
		d.printf("  %s/\n\n", base)
		printOpenHint(d.out, base+"/")
		d.printf("Ctrl-C to stop.\n")
		<-ctx.Done()
		stop()
		return <-done
	}
	d.printf("leadnudge demo: the real bot, on a local Slack inside this process. Nothing leaves this machine.\n")
	d.printf("People: Ana (team lead), Ben (engineer). Channel: #%s.\n\n", demoChannelNm)
	if err := d.tour(ctx); err != nil {
		stop()
		<-done
		return err
	}
	if d.keep {
		d.printf("\nThe bot keeps running. Local Slack Web API: %s/api/   admin API: %s/_fake/\n", base, base)
		d.printf("Try:  curl -s %s/_fake/messages -d '{\"user\":\"%s\",\"channel\":\"%s\",\"text\":\"Just do it.\"}'\n", base, demoYou, demoChannel)
		d.printf("      curl -s '%s/_fake/dms?user=%s'\n", base, demoYou)
		if d.interactive {
			d.printf("Type a message as You in #%s (Ctrl-D to end):\n", demoChannelNm)
			d.interact(ctx)
		} else {
			d.printf("Ctrl-C to stop.\n")
			<-ctx.Done()
		}
	}
	stop()
	if err := <-done; err != nil {
		return err
	}
	if len(d.failures) > 0 {
		return fmt.Errorf("the tour did not go as expected:\n  %s", strings.Join(d.failures, "\n  "))
	}
	return nil
}

func (d *demo) waitFor(ctx context.Context, limit time.Duration, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

var demoUsers = []fakeslack.User{
	{ID: demoAna, Name: "ana", RealName: "Ana (team lead)", TZ: "Europe/Paris"},
	{ID: demoBen, Name: "ben", RealName: "Ben (engineer)", TZ: "America/New_York"},
	{ID: demoYou, Name: "you", RealName: "You", TZ: "UTC"},
	{ID: "U0DEPLOY", Name: "deploybot", RealName: "Deploy Bot", IsBot: true},
}

func (d *demo) demoUser(id string) (fakeslack.User, bool) {
	for _, u := range demoUsers {
		if u.ID == id {
			return u, true
		}
	}
	return fakeslack.User{}, false
}

func displayName(user string) string {
	switch user {
	case demoAna:
		return "Ana"
	case demoBen:
		return "Ben"
	case demoYou:
		return "You"
	}
	return user
}

// tour plays the scripted story.
func (d *demo) tour(ctx context.Context) error {
	steps := []func(context.Context) error{
		d.say(demoAna, "Morning all! Could someone review the migration PR before lunch?", false, "nothing in it leans on authority"),
		d.say(demoAna, "Honestly, I don't have to explain myself to the team.", true, ""),
		d.say(demoBen, "He keeps saying \"just do it\" and I still don't know what the goal is.", false, "the words are in quotation marks: someone else's, not Ben's"),
		d.say(demoBen, "Here's the fix:\n```\n# just do it: retry until green\n```", false, "code is skipped"),
		d.sayBot("Deploy finished. Just do it again if it fails."),
		d.click(demoAna, bot.ActionHelpful, "Helpful"),
		d.say(demoAna, "That's how we've always done it, don't rock the boat.", true, ""),
		d.say(demoAna, "Because I said so, that's why.", false, "Ana already had 2 nudges today (the daily cap)"),
		d.command(demoBen, "/nudges", "snooze 7d"),
		d.say(demoBen, "Not my job, figure it out yourself.", false, "Ben snoozed nudges"),
		d.command(demoAna, "/nudges", "status"),
		d.weekPasses(demoAna),
		d.command(demoAna, "/reflect", "I led when I asked Ben what he needed to finish; I managed when I set Friday's deadline without asking anyone."),
		d.command(demoAna, "/reflect", "history"),
		d.home(demoAna),
	}
	for _, s := range steps {
		if err := s(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (d *demo) settleEnvelope(ctx context.Context, envelopeID string) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := d.fs.WaitForAck(wctx, envelopeID)
	return err
}

// say posts a message and reports what the bot did with it.
func (d *demo) say(user, text string, wantNudge bool, quietReason string) func(context.Context) error {
	return func(ctx context.Context) error {
		d.printf("#%s  %s: %s\n", demoChannelNm, displayName(user), indentAfterFirst(text, "      "))
		res, err := d.fs.SendMessage(fakeslack.Message{User: user, Channel: demoChannel, Text: text})
		if err != nil {
			return err
		}
		if err := d.settleEnvelope(ctx, res.EnvelopeID); err != nil {
			return fmt.Errorf("the bot did not ack a message: %w", err)
		}
		n, found, err := d.outcome(ctx, user, res.TS)
		if err != nil {
			return err
		}
		gotNudge := found && n.State == store.NudgeSent
		if gotNudge {
			dms := d.fs.DMs(user)
			if n.WithIntro {
				d.printf("      → private DM to %s (only %s sees it); the first one opens with a short introduction:\n", displayName(user), displayName(user))
			} else {
				d.printf("      → private DM to %s (only %s sees it):\n", displayName(user), displayName(user))
			}
			d.printPost(dms[len(dms)-1])
		} else {
			why := quietReason
			if found && n.Reason != "" {
				why = policyReason(n.Reason, user)
			}
			d.printf("      · no nudge: %s\n", why)
		}
		d.printf("\n")
		if gotNudge != wantNudge {
			d.failures = append(d.failures, fmt.Sprintf("%q: nudge=%v, expected %v", text, gotNudge, wantNudge))
		}
		return nil
	}
}

// outcome waits for the bot's decision on a message: the nudge log entry
// for it (if any) once it is no longer pending. The decision to record a
// nudge is made before the ack, so no entry after the ack means no nudge.
func (d *demo) outcome(ctx context.Context, user, ts string) (store.Nudge, bool, error) {
	var n store.Nudge
	found := false
	err := d.waitFor(ctx, 10*time.Second, func() bool {
		ns, err := d.app.store.ListNudges(ctx, user, 0)
		if err != nil {
			return false
		}
		for _, x := range ns {
			if x.MessageTS == ts {
				n, found = x, true
				return x.State != store.NudgePending
			}
		}
		return true
	})
	return n, found, err
}

func policyReason(reason, user string) string {
	switch store.Reason(reason) {
	case store.ReasonDailyCap:
		return displayName(user) + " already had today's nudges (the daily cap)"
	case store.ReasonCooldown:
		return "the same tip went to " + displayName(user) + " recently (the cooldown)"
	case store.ReasonSnoozed:
		return displayName(user) + " snoozed nudges"
	case store.ReasonOptedOut:
		return displayName(user) + " turned nudges off"
	}
	return reason
}

func (d *demo) sayBot(text string) func(context.Context) error {
	return func(ctx context.Context) error {
		d.printf("#%s  Deploy Bot (an app): %s\n", demoChannelNm, text)
		body, _ := json.Marshal(map[string]any{"type": "message", "subtype": "bot_message", "bot_id": "B0DEPLOY", "username": "deploybot",
			"channel": demoChannel, "channel_type": "channel", "text": text, "ts": fmt.Sprintf("%d.000100", time.Now().Unix())})
		res, err := d.fs.SendEvent(body)
		if err != nil {
			return err
		}
		if err := d.settleEnvelope(ctx, res.EnvelopeID); err != nil {
			return err
		}
		d.printf("      · no nudge: messages from bots are never nudged\n\n")
		return nil
	}
}

func (d *demo) click(user, action, label string) func(context.Context) error {
	return func(ctx context.Context) error {
		dms := d.fs.DMs(user)
		var post fakeslack.Post
		for i := len(dms) - 1; i >= 0; i-- {
			if strings.Contains(string(dms[i].Blocks), action) {
				post = dms[i]
				break
			}
		}
		if post.TS == "" {
			return fmt.Errorf("no nudge with a %s button for %s", label, user)
		}
		var blocks []any
		_ = json.Unmarshal(post.Blocks, &blocks)
		value := regexp.MustCompile(`"action_id":"` + action + `","value":"(\d+)"`).FindStringSubmatch(string(post.Blocks))
		if value == nil {
			return errors.New("nudge button has no value")
		}
		payload, _ := json.Marshal(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": fakeslack.TeamID},
			"container": map[string]any{"type": "message", "channel_id": post.Channel, "message_ts": post.TS},
			"channel":   map[string]any{"id": post.Channel},
			"message":   map[string]any{"ts": post.TS, "text": post.Text, "blocks": blocks},
			"actions":   []any{map[string]any{"action_id": action, "block_id": "nudge_actions", "value": value[1], "type": "button"}},
		})
		d.printf("%s clicks [%s] on the nudge.\n", displayName(user), label)
		if _, err := d.fs.SendInteraction(payload); err != nil {
			return err
		}
		err := d.waitFor(ctx, 10*time.Second, func() bool {
			for _, p := range d.fs.DMs(user) {
				if p.TS == post.TS && p.Edited {
					post = p
					return true
				}
			}
			return false
		})
		if err != nil {
			return errors.New("the nudge was not updated after the click")
		}
		d.printf("      → the DM now reads:\n")
		d.printPost(post)
		d.printf("\n")
		return nil
	}
}

func (d *demo) command(user, command, text string) func(context.Context) error {
	return func(ctx context.Context) error {
		d.printf("%s types: %s %s\n", displayName(user), command, text)
		before := len(d.fs.Calls("response_url"))
		if _, err := d.fs.SendCommand(fakeslack.Command{User: user, Channel: demoChannel, Command: command, Text: text}); err != nil {
			return err
		}
		var reply string
		var blocks json.RawMessage
		err := d.waitFor(ctx, 10*time.Second, func() bool {
			calls := d.fs.Calls("response_url")
			if len(calls) > before {
				c := calls[len(calls)-1]
				reply = c.Param("text")
				if b, ok := c.Params["blocks"].([]any); ok && len(b) > 0 {
					blocks, _ = json.Marshal(b)
				}
				return true
			}
			return false
		})
		if err != nil {
			return fmt.Errorf("no reply to %s", command)
		}
		d.printf("      → private reply to %s:\n", displayName(user))
		if len(blocks) > 0 {
			d.printBlocks(blocks)
		} else {
			for _, l := range strings.Split(d.plain(reply), "\n") {
				d.printf("        │ %s\n", l)
			}
		}
		d.printf("\n")
		return nil
	}
}

func (d *demo) home(user string) func(context.Context) error {
	return func(ctx context.Context) error {
		d.printf("%s opens the app's Home tab.\n", displayName(user))
		before := len(d.fs.Calls("views.publish"))
		body, _ := json.Marshal(map[string]any{"type": "app_home_opened", "user": user, "channel": fakeslack.DMChannel(user), "tab": "home",
			"event_ts": fmt.Sprintf("%d.000200", time.Now().Unix())})
		if _, err := d.fs.SendEvent(body); err != nil {
			return err
		}
		var view fakeslack.View
		err := d.waitFor(ctx, 10*time.Second, func() bool {
			if len(d.fs.Calls("views.publish")) <= before {
				return false
			}
			v, ok := d.fs.HomeView(user)
			view = v
			return ok
		})
		if err != nil {
			return errors.New("App Home was not published")
		}
		d.printf("      → App Home, visible only to %s:\n", displayName(user))
		var v struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(view.JSON, &v)
		d.printBlocks(v.Blocks)
		d.printf("\n")
		return nil
	}
}

// interact reads lines as messages from You and shows what the bot did.
func (d *demo) interact(ctx context.Context) {
	sc := bufio.NewScanner(d.in)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "/") {
			cmd, text, _ := strings.Cut(line, " ")
			if err := d.command(demoYou, cmd, text)(ctx); err != nil {
				d.printf("  (%v)\n", err)
			}
			continue
		}
		if err := d.say(demoYou, line, false, "no rule matched, or the policy held it back")(ctx); err != nil {
			d.printf("  (%v)\n", err)
		}
		d.failures = nil // in interactive mode there is no expectation
	}
}

func (d *demo) printPost(p fakeslack.Post) { d.printBlocks(p.Blocks) }

// printBlocks renders Block Kit blocks as indented plain text with buttons.
func (d *demo) printBlocks(raw json.RawMessage) {
	var blocks []struct {
		Type string `json:"type"`
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			Type string          `json:"type"`
			Text json.RawMessage `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return
	}
	for _, b := range blocks {
		switch b.Type {
		case "section", "header":
			if b.Text != nil {
				for _, l := range strings.Split(d.plain(b.Text.Text), "\n") {
					d.printf("        │ %s\n", l)
				}
			}
		case "actions":
			var labels []string
			for _, e := range b.Elements {
				var t struct {
					Text string `json:"text"`
				}
				_ = json.Unmarshal(e.Text, &t)
				labels = append(labels, "["+t.Text+"]")
			}
			d.printf("        │ %s\n", strings.Join(labels, " "))
		case "context":
			for _, e := range b.Elements {
				var s string
				if json.Unmarshal(e.Text, &s) == nil {
					d.printf("        │ (%s)\n", d.plain(s))
				}
			}
		case "divider":
			d.printf("        │ ───\n")
		}
	}
}

var mrkdwnLink = regexp.MustCompile(`<([^|>]+)\|([^>]+)>`)

// plain turns Slack mrkdwn into terminal text.
func (d *demo) plain(s string) string {
	s = mrkdwnLink.ReplaceAllString(s, "$2")
	s = strings.ReplaceAll(s, "<#"+demoChannel+">", "#"+demoChannelNm)
	s = strings.NewReplacer("```", "", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return strings.TrimRight(s, "\n")
}

func indentAfterFirst(s, indent string) string {
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

// serveTick runs the weekly job as of a given instant (POST /_demo/tick).
func (d *demo) serveTick(w http.ResponseWriter, r *http.Request) {
	var req struct {
		At time.Time `json:"at"`
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.At.IsZero() {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": `body must be {"at":"RFC3339"}`})
		return
	}
	if d.app == nil || d.app.reflection == nil {
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "the weekly reflection is off (reflection.enabled)"})
		return
	}
	sum, err := d.app.reflection.Tick(r.Context(), req.At)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "at": req.At, "candidates": sum.Candidates, "due": sum.Due,
		"sent": sum.Sent, "skipped": sum.Skipped, "failed": sum.Failed, "channel": sum.Channel})
}

// weekPasses runs the weekly job as of Friday 16:00 of this week in user's
// time zone, and shows who got their question and who did not yet.
func (d *demo) weekPasses(user string) func(context.Context) error {
	return func(ctx context.Context) error {
		if d.app.reflection == nil {
			return errors.New("the weekly reflection is off")
		}
		u, ok := d.demoUser(user)
		if !ok {
			return fmt.Errorf("unknown demo user %s", user)
		}
		loc, err := time.LoadLocation(u.TZ)
		if err != nil {
			return err
		}
		week := store.WeekOf(time.Now().In(loc))
		mon := week.Start(loc)
		at := time.Date(mon.Year(), mon.Month(), mon.Day()+4, 16, 0, 0, 0, loc)
		d.printf("A week passes. The weekly job runs as of %s in %s's time zone (%s); everyone in #%s is enrolled.\n",
			at.Format("Mon 2 Jan 15:04"), displayName(user), u.TZ, demoChannelNm)
		before := len(d.fs.DMs(user))
		sum, err := d.app.reflection.Tick(ctx, at)
		if err != nil {
			return err
		}
		dms := d.fs.DMs(user)
		if len(dms) > before {
			d.printf("      → private DM to %s, her weekly question:\n", displayName(user))
			d.printPost(dms[len(dms)-1])
		} else {
			d.failures = append(d.failures, displayName(user)+" got no weekly question")
		}
		for _, other := range []string{demoBen, demoYou} {
			o, _ := d.demoUser(other)
			oloc, _ := time.LoadLocation(o.TZ)
			d.printf("      · no question for %s yet: it is %s in %s; theirs comes at 16:00 their time\n",
				displayName(other), at.In(oloc).Format("Mon 15:04"), o.TZ)
		}
		d.printf("      (sent %d, due %d)\n\n", sum.Sent, sum.Due)
		if sum.Sent != 1 {
			d.failures = append(d.failures, fmt.Sprintf("weekly job sent %d prompts, expected 1", sum.Sent))
		}
		return nil
	}
}

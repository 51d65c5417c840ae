package config

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Validate checks every key and returns all problems at once (joined
// *FieldError values, sorted by key), or nil. Tokens may be empty, as `demo`
// and `check` need none; when set they must have the right prefix. Use
// ValidateForRun before connecting to Slack.
func (c Config) Validate() error { return joinSorted(c.problems(false)) }

// ValidateForRun is Validate plus what `leadnudge run` needs: both Slack
// tokens present.
func (c Config) ValidateForRun() error { return joinSorted(c.problems(true)) }

// problems collects every validation problem. No message ever contains the
// value of a Secret.
func (c Config) problems(forRun bool) []*FieldError {
	var ps []*FieldError
	add := func(key, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if strings.HasPrefix(msg, "must ") || strings.HasPrefix(msg, "is ") {
			msg = key + " " + msg
		} else {
			msg = key + ": " + msg
		}
		ps = append(ps, &FieldError{Key: key, Message: msg})
	}
	positive := func(key string, d time.Duration) {
		if d <= 0 {
			add(key, "must be a positive duration, got %s", formatDuration(d))
		}
	}
	oneOf := func(key, val string, allowed ...string) {
		for _, a := range allowed {
			if val == a {
				return
			}
		}
		add(key, "must be %s, got %q", orList(allowed), val)
	}
	atLeast := func(key string, n, lowest int) {
		if n < lowest {
			add(key, "must be at least %d, got %d", lowest, n)
		}
	}

	// slack
	token := func(key string, s Secret, prefix string) {
		switch {
		case s == "" && forRun:
			add(key, "is required to run the bot (set %s)", EnvName(key))
		case s != "" && !strings.HasPrefix(s.Reveal(), prefix):
			add(key, "must start with %s", prefix)
		case s != "" && strings.ContainsAny(s.Reveal(), " \t\r\n"):
			add(key, "must not contain spaces or line breaks")
		}
	}
	token("slack.bot_token", c.Slack.BotToken, "xoxb-")
	token("slack.app_token", c.Slack.AppToken, "xapp-")
	if u, err := url.Parse(c.Slack.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("slack.api_url", "must be an http or https URL such as https://slack.com/api/, got %q", c.Slack.APIURL)
	} else if !strings.HasSuffix(c.Slack.APIURL, "/") {
		add("slack.api_url", "must end with /, got %q", c.Slack.APIURL)
	}
	atLeast("slack.max_retries", c.Slack.MaxRetries, 0)
	positive("slack.user_cache_ttl", c.Slack.UserCacheTTL)
	if c.Slack.UsersRefresh < 0 {
		add("slack.users_refresh", "must be 0 (sized to the workspace) or a positive duration, got %s", c.Slack.UsersRefresh)
	}

	// store
	oneOf("store.driver", c.Store.Driver, "sqlite", "postgres")
	if c.Store.DSN == "" {
		add("store.dsn", "must not be empty")
	} else if c.Store.Driver == "postgres" && !strings.Contains(c.Store.DSN.Reveal(), "=") && !strings.Contains(c.Store.DSN.Reveal(), "://") {
		add("store.dsn", "must be a PostgreSQL URL (postgres://…) or key=value string when store.driver is postgres")
	}
	positive("store.retention", c.Store.Retention)
	positive("store.dedupe_window", c.Store.DedupeWindow)

	// http
	if c.HTTP.Listen != "" {
		c.checkListen(add)
	}

	// log
	oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	oneOf("log.format", c.Log.Format, "json", "console")

	// nudges
	oneOf("nudges.delivery", c.Nudges.Delivery, "dm", "ephemeral")
	if c.Nudges.Cooldown < 0 {
		add("nudges.cooldown", "must not be negative, got %s", formatDuration(c.Nudges.Cooldown))
	}
	atLeast("nudges.daily_cap", c.Nudges.DailyCap, 1)
	oneOf("nudges.min_severity", c.Nudges.MinSeverity, "nudge", "strong")
	atLeast("nudges.workers", c.Nudges.Workers, 1)
	atLeast("nudges.queue_size", c.Nudges.QueueSize, 1)
	positive("nudges.lease", c.Nudges.Lease)
	checkNames(add, "nudges.channels.allow", c.Nudges.Channels.Allow)
	checkNames(add, "nudges.channels.deny", c.Nudges.Channels.Deny)
	for _, a := range c.Nudges.Channels.Allow {
		for _, d := range c.Nudges.Channels.Deny {
			if a == d {
				add("nudges.channels.deny", "%q is also in nudges.channels.allow", a)
			}
		}
	}

	if c.Slack.PostsPerSecond < 0 {
		add("slack.posts_per_second", "must be 0 (no pacing) or a positive number of posts a second, got %g", c.Slack.PostsPerSecond)
	}

	// report and admins
	atLeast("report.min_people", c.Report.MinPeople, 3)
	for _, a := range c.Admins {
		if !slackUserIDRE.MatchString(a) {
			add("admins", "must list Slack user ids such as U0123ABCD, got %q", a)
		}
	}

	// reflection
	if err := checkSchedule(c.Reflection.Schedule); err != "" {
		add("reflection.schedule", "%s", err)
	}
	switch tz := c.Reflection.DefaultTimezone; {
	case tz == "" || tz == "Local":
		add("reflection.default_timezone", "must be an IANA time zone name such as UTC or Europe/Berlin, got %q", tz)
	default:
		if _, err := time.LoadLocation(tz); err != nil {
			add("reflection.default_timezone", "unknown time zone %q (use an IANA name such as UTC or Europe/Berlin)", tz)
		}
	}
	checkNames(add, "reflection.channels", c.Reflection.Channels)
	if r := c.Reflection.Rate; math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
		add("reflection.rate", "must be 0 (the posting budget alone) or a positive number of messages per second, got %s", strconv.FormatFloat(r, 'g', -1, 64))
	}
	positive("reflection.lease", c.Reflection.Lease)
	atLeast("reflection.fatigue_after", c.Reflection.FatigueAfter, 0)
	for _, e := range c.Reflection.AwayEmoji {
		if len(e) < 3 || !strings.HasPrefix(e, ":") || !strings.HasSuffix(e, ":") || strings.ContainsAny(e, " \t") {
			add("reflection.away_emoji", "%q is not an emoji code such as :palm_tree:", e)
		}
	}
	for _, t := range c.Reflection.AwayText {
		if strings.TrimSpace(t) == "" {
			add("reflection.away_text", "must not contain empty entries")
		}
	}
	for _, h := range c.Reflection.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			add("reflection.holidays", "%q is not a date in YYYY-MM-DD form", h)
		}
	}

	positive("shutdown.timeout", c.Shutdown.Timeout)
	return ps
}

// checkListen checks http.listen: host:port, and loopback unless allowed.
func (c Config) checkListen(add func(key, format string, args ...any)) {
	host, port, err := net.SplitHostPort(c.HTTP.Listen)
	if err != nil {
		add("http.listen", "must be host:port such as 127.0.0.1:9090 (or empty to disable), got %q", c.HTTP.Listen)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		add("http.listen", "port must be a number from 0 to 65535, got %q", port)
	}
	if c.HTTP.AllowNonLoopback || isLoopback(host) {
		return
	}
	add("http.listen", "%q is not a loopback address; metrics and health would be reachable from other machines (set http.allow_non_loopback: true if that is intended)", c.HTTP.Listen)
}

// isLoopback reports whether host names this machine only. An empty host
// listens on every interface and so is not loopback.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkSchedule returns why spec is not a usable weekly schedule, or "".
func checkSchedule(spec string) string {
	s := strings.TrimSpace(spec)
	switch {
	case s == "":
		return `must not be empty; use a 5-field cron spec such as "0 16 * * 5"`
	case strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ="):
		return "must not name a time zone: it is read in each person's own zone"
	case strings.HasPrefix(s, "@every"):
		return `@every is not supported; use a 5-field cron spec such as "0 16 * * 5"`
	}
	if _, err := cron.ParseStandard(s); err != nil {
		return fmt.Sprintf("%v (want a 5-field cron spec such as \"0 16 * * 5\")", err)
	}
	return ""
}

// checkNames rejects empty entries and entries with spaces in channel lists.
func checkNames(add func(key, format string, args ...any), key string, names []string) {
	for _, n := range names {
		if n == "" || strings.ContainsAny(n, " \t\r\n") {
			add(key, "%q is not a channel id or name", n)
		}
	}
}

// orList renders ["a","b","c"] as "a, b or c".
func orList(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// slackUserIDRE matches a Slack user id (U… or, on Enterprise Grid, W…).
var slackUserIDRE = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

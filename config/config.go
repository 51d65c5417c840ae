package config

import "time"

// DefaultFile is the configuration file read when no file is named and it
// exists in the working directory.
const DefaultFile = "leadnudge.yaml"

// EnvPrefix starts the name of every environment variable that sets a key:
// LEADNUDGE_<SECTION>_<KEY>, e.g. LEADNUDGE_SLACK_BOT_TOKEN.
const EnvPrefix = "LEADNUDGE"

// Config is the whole configuration of leadnudge. The yaml tag of each field
// is its key in the file, and its desc tag is the one-line meaning shown in
// the README reference. Start from Default, never from the zero value.
type Config struct {
	Slack      SlackConfig      `yaml:"slack"`
	Store      StoreConfig      `yaml:"store"`
	Rules      RulesConfig      `yaml:"rules"`
	HTTP       HTTPConfig       `yaml:"http"`
	Log        LogConfig        `yaml:"log"`
	Nudges     NudgesConfig     `yaml:"nudges"`
	Reflection ReflectionConfig `yaml:"reflection"`
	Report     ReportConfig     `yaml:"report"`
	Shutdown   ShutdownConfig   `yaml:"shutdown"`
	// Admins are the Slack user ids who see the anonymous team overview
	// in the App Home.
	Admins []string `yaml:"admins" desc:"Slack user ids (U…) who see the anonymous team overview in the App Home; nobody else does."`
}

// SlackConfig is the slack section: tokens and how the Web API is called.
type SlackConfig struct {
	BotToken       Secret        `yaml:"bot_token" desc:"Bot token (xoxb-…) for the Web API; required by run."`
	AppToken       Secret        `yaml:"app_token" desc:"App-level token (xapp-…) with connections:write, for Socket Mode; required by run."`
	APIURL         string        `yaml:"api_url" desc:"Base URL of Slack's Web API, ending in /; point it at a local Slack for development."`
	MaxRetries     int           `yaml:"max_retries" desc:"Retries of a Web API call after a 429 (honouring Retry-After) or a transient error."`
	UserCacheTTL   time.Duration `yaml:"user_cache_ttl" desc:"How long conversations.members answers, and users.info answers about people missing from the last users.list, are cached."`
	UsersRefresh   time.Duration `yaml:"users_refresh" desc:"How often the member list (time zones, statuses, deactivations) is read again with users.list; events keep it current in between. 0 sizes it to the workspace: 30 minutes per 200 members, at least an hour."`
	PostsPerSecond float64       `yaml:"posts_per_second" desc:"chat.postMessage calls a second this process allows itself, nudges before weekly prompts, to stay under Slack's unpublished workspace-wide limit (assumed 300 a minute; several replicas: divide); 0 turns all pacing off."`
}

// StoreConfig is the store section: where state is kept and for how long.
type StoreConfig struct {
	Driver       string        `yaml:"driver" desc:"Database: sqlite (one replica, nothing to install) or postgres (several replicas)."`
	DSN          Secret        `yaml:"dsn" desc:"SQLite file path, or PostgreSQL connection string (postgres://…)."`
	Retention    time.Duration `yaml:"retention" desc:"How long the nudge log is kept before the daily purge removes it (reflections stay until their author deletes them)."`
	DedupeWindow time.Duration `yaml:"dedupe_window" desc:"How long a handled event_id is remembered, so Slack's redeliveries are dropped."`
}

// RulesConfig is the rules section: the workspace rules file.
type RulesConfig struct {
	File  string `yaml:"file" desc:"Rules file: with extends: builtin it adds, disables or overrides built-in rules, without it replaces them; empty means the built-in rules."`
	Watch bool   `yaml:"watch" desc:"Reload the rules file when it changes (it is also reloaded on SIGHUP)."`
}

// HTTPConfig is the http section: the metrics and health listener.
type HTTPConfig struct {
	Listen           string `yaml:"listen" desc:"Address of the /metrics, /healthz and /readyz listener; empty disables it."`
	AllowNonLoopback bool   `yaml:"allow_non_loopback" desc:"Allow http.listen on a non-loopback address (metrics reachable from other machines)."`
	Pprof            bool   `yaml:"pprof" desc:"Also serve Go's profiler under /debug/pprof/ on http.listen (off by default: profiles show code paths and timings, never message text; keep the listener on loopback)."`
}

// LogConfig is the log section.
type LogConfig struct {
	Level  string `yaml:"level" desc:"Log level: debug, info, warn or error (debug adds per-event detail, never message text)."`
	Format string `yaml:"format" desc:"Log format: json or console."`
}

// NudgesConfig is the nudges section: when and how private nudges are sent.
type NudgesConfig struct {
	Enabled     bool           `yaml:"enabled" desc:"Send nudges at all (reflection prompts are governed by reflection.enabled)."`
	Delivery    string         `yaml:"delivery" desc:"How a nudge is delivered: dm (a direct message) or ephemeral (visible only to the author, in the channel)."`
	Cooldown    time.Duration  `yaml:"cooldown" desc:"Minimum time between two nudges for the same person and rule (a rule may override it)."`
	DailyCap    int            `yaml:"daily_cap" desc:"Most nudges one person gets per day."`
	MinSeverity string         `yaml:"min_severity" desc:"Least severe rule that nudges: nudge (all rules) or strong."`
	Workers     int            `yaml:"workers" desc:"Deliveries running at once; acks never wait for them."`
	QueueSize   int            `yaml:"queue_size" desc:"Matched messages waiting for a delivery worker."`
	Lease       time.Duration  `yaml:"lease" desc:"How long a pending nudge claimed by one replica is reserved before another may deliver it (renewed while it is delivered); after a crash, recorded nudges go out within about 1⅓ leases."`
	Channels    ChannelsConfig `yaml:"channels"`
}

// ChannelsConfig is the nudges.channels section: where nudges may come from.
type ChannelsConfig struct {
	Allow []string `yaml:"allow" desc:"Channel ids or names to watch; empty means every channel the bot is in."`
	Deny  []string `yaml:"deny" desc:"Channel ids or names never watched, even when allowed."`
}

// ReflectionConfig is the reflection section: the weekly private prompt.
type ReflectionConfig struct {
	Enabled         bool          `yaml:"enabled" desc:"Run the weekly reflection prompt."`
	Schedule        string        `yaml:"schedule" desc:"5-field cron spec read in each person's own time zone (default: Fridays at 16:00)."`
	DefaultTimezone string        `yaml:"default_timezone" desc:"IANA time zone for people whose Slack profile has none."`
	Channels        []string      `yaml:"channels" desc:"Channels whose members are enrolled, besides people who turned it on with /reflect on."`
	PostChannel     string        `yaml:"post_channel" desc:"Channel where the week's prompt is also posted; empty for none."`
	Rate            float64       `yaml:"rate" desc:"Caps the prompt DMs sent per second during the weekly fan-out; 0 sends as fast as slack.posts_per_second allows, nudges first."`
	Lease           time.Duration `yaml:"lease" desc:"How long a claimed prompt stays reserved before another replica may retry it."`
	FatigueAfter    int           `yaml:"fatigue_after" desc:"Ignored prompts in a row after which the person is asked once whether to keep, pause or stop; 0 never asks."`
	AwayEmoji       []string      `yaml:"away_emoji" desc:"Status emoji that mean away: no prompt that week."`
	AwayText        []string      `yaml:"away_text" desc:"Status text fragments (case-insensitive) that mean away: no prompt that week."`
	Holidays        []string      `yaml:"holidays" desc:"Dates (YYYY-MM-DD) on which no prompts are sent."`
}

// ReportConfig is the report section: the anonymous team figures of
// `leadnudge report` and the App Home's team overview.
type ReportConfig struct {
	MinPeople int `yaml:"min_people" desc:"A figure about people is shown only when at least this many distinct people stand behind it (at least 3)."`
}

// ShutdownConfig is the shutdown section.
type ShutdownConfig struct {
	Timeout time.Duration `yaml:"timeout" desc:"How long in-flight deliveries may take to finish after SIGTERM."`
}

// Default returns the configuration with every key at its default value.
// Each call returns fresh slices, so callers may modify the result.
func Default() Config {
	return Config{
		Slack: SlackConfig{
			APIURL:         "https://slack.com/api/",
			MaxRetries:     3,
			UserCacheTTL:   time.Hour,
			PostsPerSecond: 5,
		},
		Store: StoreConfig{
			Driver:       "sqlite",
			DSN:          "leadnudge.db",
			Retention:    180 * 24 * time.Hour,
			DedupeWindow: time.Hour,
		},
		Rules: RulesConfig{Watch: true},
		HTTP:  HTTPConfig{Listen: "127.0.0.1:9090"},
		Log:   LogConfig{Level: "info", Format: "json"},
		Nudges: NudgesConfig{
			Enabled:     true,
			Delivery:    "dm",
			Cooldown:    72 * time.Hour,
			DailyCap:    2,
			MinSeverity: "nudge",
			Workers:     8,
			QueueSize:   1024,
			Lease:       10 * time.Second,
			Channels:    ChannelsConfig{Allow: []string{}, Deny: []string{}},
		},
		Report: ReportConfig{MinPeople: 5},
		Admins: []string{},
		Reflection: ReflectionConfig{
			Enabled:         true,
			Schedule:        "0 16 * * 5",
			DefaultTimezone: "UTC",
			Channels:        []string{},
			Rate:            0,
			Lease:           10 * time.Minute,
			FatigueAfter:    3,
			AwayEmoji: []string{
				":palm_tree:", ":desert_island:", ":beach_with_umbrella:", ":airplane:",
				":face_with_thermometer:", ":thermometer:", ":sneezing_face:",
			},
			AwayText: []string{
				"OOO", "out of office", "vacation", "holiday", "on leave", "parental leave",
				"out sick", "sick leave", "PTO",
			},
			Holidays: []string{},
		},
		Shutdown: ShutdownConfig{Timeout: 10 * time.Second},
	}
}

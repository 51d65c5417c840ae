package config

import (
	"strings"
	"testing"
)

func TestValidateDefaults(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	err := Default().ValidateForRun()
	want := "slack.app_token is required to run the bot (set LEADNUDGE_SLACK_APP_TOKEN)\n" +
		"slack.bot_token is required to run the bot (set LEADNUDGE_SLACK_BOT_TOKEN)"
	if err == nil || err.Error() != want {
		t.Fatalf("Default().ValidateForRun() = %v, want:\n%s", err, want)
	}
}

// TestValidateFile checks the whole message list for a file full of mistakes:
// every problem at once, sorted by key, never a secret value.
func TestValidateFile(t *testing.T) {
	cfg, err := Load(LoadOptions{File: "testdata/invalid.yaml", Env: noEnv})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	err = cfg.Validate()
	want := strings.Join([]string{
		`admins must list Slack user ids such as U0123ABCD, got "ana"`,
		`http.listen: "0.0.0.0:9090" is not a loopback address; metrics and health would be reachable from other machines (set http.allow_non_loopback: true if that is intended)`,
		`log.format must be json or console, got "text"`,
		`log.level must be debug, info, warn or error, got "verbose"`,
		`nudges.channels.deny: "C1" is also in nudges.channels.allow`,
		`nudges.daily_cap must be at least 1, got 0`,
		`nudges.delivery must be dm or ephemeral, got "public"`,
		`nudges.workers must be at least 1, got 0`,
		`reflection.away_emoji: "palm_tree" is not an emoji code such as :palm_tree:`,
		`reflection.default_timezone: unknown time zone "Mars/Olympus_Mons" (use an IANA name such as UTC or Europe/Berlin)`,
		`reflection.holidays: "25/12/2025" is not a date in YYYY-MM-DD form`,
		`reflection.rate must be 0 (the posting budget alone) or a positive number of messages per second, got -1`,
		`reflection.schedule: expected exactly 5 fields, found 4: [0 16 * *] (want a 5-field cron spec such as "0 16 * * 5")`,
		`report.min_people must be at least 3, got 2`,
		`shutdown.timeout must be a positive duration, got 0s`,
		`slack.api_url must end with /, got "https://slack.com/api"`,
		`slack.app_token must start with xapp-`,
		`slack.bot_token must start with xoxb-`,
		`store.driver must be sqlite or postgres, got "mysql"`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Fatalf("Validate():\n%v\nwant:\n%s", err, want)
	}
	if strings.Contains(err.Error(), "SECRETVALUE") {
		t.Error("a validation message shows a token")
	}
}

func TestValidateCases(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		forRun bool
		want   string // "" means valid
	}{
		{"tokens ok for run", func(c *Config) { c.Slack.BotToken, c.Slack.AppToken = "xoxb-1", "xapp-1" }, true, ""},
		{"bot token with a space", func(c *Config) { c.Slack.BotToken = "xoxb-1 2" }, false, "slack.bot_token must not contain spaces or line breaks"},
		{"api url not http", func(c *Config) { c.Slack.APIURL = "ftp://x/" }, false, `slack.api_url must be an http or https URL such as https://slack.com/api/, got "ftp://x/"`},
		{"api url relative", func(c *Config) { c.Slack.APIURL = "/api/" }, false, `slack.api_url must be an http or https URL such as https://slack.com/api/, got "/api/"`},
		{"negative retries", func(c *Config) { c.Slack.MaxRetries = -1 }, false, "slack.max_retries must be at least 0, got -1"},
		{"empty dsn", func(c *Config) { c.Store.DSN = "" }, false, "store.dsn must not be empty"},
		{"postgres with a path", func(c *Config) { c.Store.Driver = "postgres" }, false, "store.dsn must be a PostgreSQL URL (postgres://…) or key=value string when store.driver is postgres"},
		{"postgres url", func(c *Config) { c.Store.Driver, c.Store.DSN = "postgres", "postgres://u:pw@h/db" }, false, ""},
		{"retention zero", func(c *Config) { c.Store.Retention = 0 }, false, "store.retention must be a positive duration, got 0s"},
		{"listen disabled", func(c *Config) { c.HTTP.Listen = "" }, false, ""},
		{"listen localhost", func(c *Config) { c.HTTP.Listen = "localhost:9090" }, false, ""},
		{"listen ipv6 loopback", func(c *Config) { c.HTTP.Listen = "[::1]:0" }, false, ""},
		{"listen all interfaces", func(c *Config) { c.HTTP.Listen = ":9090" }, false, `http.listen: ":9090" is not a loopback address; metrics and health would be reachable from other machines (set http.allow_non_loopback: true if that is intended)`},
		{"listen non-loopback allowed", func(c *Config) { c.HTTP.Listen, c.HTTP.AllowNonLoopback = ":9090", true }, false, ""},
		{"listen no port", func(c *Config) { c.HTTP.Listen = "127.0.0.1" }, false, `http.listen must be host:port such as 127.0.0.1:9090 (or empty to disable), got "127.0.0.1"`},
		{"listen bad port", func(c *Config) { c.HTTP.Listen = "127.0.0.1:99999" }, false, `http.listen: port must be a number from 0 to 65535, got "99999"`},
		{"negative cooldown", func(c *Config) { c.Nudges.Cooldown = -1 }, false, "nudges.cooldown must not be negative, got -1ns"},
		{"zero cooldown ok", func(c *Config) { c.Nudges.Cooldown = 0 }, false, ""},
		{"severity", func(c *Config) { c.Nudges.MinSeverity = "warn" }, false, `nudges.min_severity must be nudge or strong, got "warn"`},
		{"queue", func(c *Config) { c.Nudges.QueueSize = 0 }, false, "nudges.queue_size must be at least 1, got 0"},
		{"channel with space", func(c *Config) { c.Nudges.Channels.Allow = []string{"my channel"} }, false, `nudges.channels.allow: "my channel" is not a channel id or name`},
		{"schedule empty", func(c *Config) { c.Reflection.Schedule = "" }, false, `reflection.schedule must not be empty; use a 5-field cron spec such as "0 16 * * 5"`},
		{"schedule with zone", func(c *Config) { c.Reflection.Schedule = "CRON_TZ=UTC 0 16 * * 5" }, false, "reflection.schedule must not name a time zone: it is read in each person's own zone"},
		{"schedule every", func(c *Config) { c.Reflection.Schedule = "@every 1h" }, false, `reflection.schedule: @every is not supported; use a 5-field cron spec such as "0 16 * * 5"`},
		{"schedule descriptor", func(c *Config) { c.Reflection.Schedule = "@weekly" }, false, ""},
		{"schedule bad field", func(c *Config) { c.Reflection.Schedule = "0 25 * * 5" }, false, `reflection.schedule: end of range (25) above maximum (23): 25 (want a 5-field cron spec such as "0 16 * * 5")`},
		{"timezone Local", func(c *Config) { c.Reflection.DefaultTimezone = "Local" }, false, `reflection.default_timezone must be an IANA time zone name such as UTC or Europe/Berlin, got "Local"`},
		{"timezone ok", func(c *Config) { c.Reflection.DefaultTimezone = "Pacific/Auckland" }, false, ""},
		{"negative fatigue", func(c *Config) { c.Reflection.FatigueAfter = -1 }, false, "reflection.fatigue_after must be at least 0, got -1"},
		{"empty away text", func(c *Config) { c.Reflection.AwayText = []string{" "} }, false, "reflection.away_text must not contain empty entries"},
		{"lease", func(c *Config) { c.Reflection.Lease = 0 }, false, "reflection.lease must be a positive duration, got 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.mutate(&c)
			var err error
			if tt.forRun {
				err = c.ValidateForRun()
			} else {
				err = c.Validate()
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

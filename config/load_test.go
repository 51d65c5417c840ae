package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// envMap is an injected environment for Load.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// noEnv is an empty environment, so tests never see the real one.
func noEnv(string) (string, bool) { return "", false }

// flagSet returns a flag set with AddFlags registered and args parsed.
func flagSet(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse flags %q: %v", args, err)
	}
	return fs
}

// writeFile writes a config file into a fresh directory and returns its path.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "leadnudge.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(LoadOptions{Dir: t.TempDir(), Env: noEnv})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("Load with nothing set = %+v, want Default()", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v, want nil", err)
	}
}

func TestDefaultValues(t *testing.T) {
	d := Default()
	checks := []struct {
		key  string
		got  any
		want any
	}{
		{"slack.api_url", d.Slack.APIURL, "https://slack.com/api/"},
		{"store.driver", d.Store.Driver, "sqlite"},
		{"store.dsn", d.Store.DSN.Reveal(), "leadnudge.db"},
		{"store.retention", d.Store.Retention, 180 * 24 * time.Hour},
		{"rules.file", d.Rules.File, ""},
		{"rules.watch", d.Rules.Watch, true},
		{"http.listen", d.HTTP.Listen, "127.0.0.1:9090"},
		{"log.level", d.Log.Level, "info"},
		{"log.format", d.Log.Format, "json"},
		{"nudges.delivery", d.Nudges.Delivery, "dm"},
		{"nudges.cooldown", d.Nudges.Cooldown, 72 * time.Hour},
		{"nudges.daily_cap", d.Nudges.DailyCap, 2},
		{"nudges.workers", d.Nudges.Workers, 8},
		{"nudges.queue_size", d.Nudges.QueueSize, 1024},
		{"nudges.min_severity", d.Nudges.MinSeverity, "nudge"},
		{"reflection.enabled", d.Reflection.Enabled, true},
		{"reflection.schedule", d.Reflection.Schedule, "0 16 * * 5"},
		{"reflection.default_timezone", d.Reflection.DefaultTimezone, "UTC"},
		{"reflection.rate", d.Reflection.Rate, 0.0},
		{"slack.posts_per_second", d.Slack.PostsPerSecond, 5.0},
		{"slack.users_refresh", d.Slack.UsersRefresh, time.Duration(0)},
		{"reflection.lease", d.Reflection.Lease, 10 * time.Minute},
		{"shutdown.timeout", d.Shutdown.Timeout, 10 * time.Second},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("default %s = %v, want %v", c.key, c.got, c.want)
		}
	}
	if !strings.Contains(strings.Join(d.Reflection.AwayEmoji, ","), ":palm_tree:") ||
		!strings.Contains(strings.Join(d.Reflection.AwayText, ","), "OOO") {
		t.Errorf("away defaults = %q / %q", d.Reflection.AwayEmoji, d.Reflection.AwayText)
	}
	// Default returns fresh slices each time.
	d.Reflection.AwayEmoji[0] = "changed"
	if Default().Reflection.AwayEmoji[0] == "changed" {
		t.Error("Default shares slices between calls")
	}
}

// envValues holds, for every key, a non-default value as written in the
// environment and the Go value it must load as. TestEnvEveryKey fails when a
// key is missing here, so a new key cannot skip the test.
var envValues = map[string]struct {
	env  string
	want any
}{
	"slack.bot_token":             {"xoxb-env", Secret("xoxb-env")},
	"slack.app_token":             {"xapp-env", Secret("xapp-env")},
	"slack.api_url":               {"http://127.0.0.1:1/api/", "http://127.0.0.1:1/api/"},
	"slack.max_retries":           {"7", 7},
	"slack.user_cache_ttl":        {"2h", 2 * time.Hour},
	"store.driver":                {"postgres", "postgres"},
	"store.dsn":                   {"postgres://u:p@h/db", Secret("postgres://u:p@h/db")},
	"store.retention":             {"720h", 720 * time.Hour},
	"store.dedupe_window":         {"90m", 90 * time.Minute},
	"rules.file":                  {"/tmp/rules.yaml", "/tmp/rules.yaml"},
	"rules.watch":                 {"false", false},
	"http.listen":                 {"127.0.0.1:0", "127.0.0.1:0"},
	"http.allow_non_loopback":     {"true", true},
	"http.pprof":                  {"true", true},
	"log.level":                   {"debug", "debug"},
	"log.format":                  {"console", "console"},
	"nudges.enabled":              {"false", false},
	"nudges.delivery":             {"ephemeral", "ephemeral"},
	"nudges.cooldown":             {"1h30m", 90 * time.Minute},
	"nudges.daily_cap":            {"9", 9},
	"nudges.min_severity":         {"strong", "strong"},
	"nudges.workers":              {"3", 3},
	"nudges.queue_size":           {"16", 16},
	"nudges.lease":                {"45s", 45 * time.Second},
	"nudges.channels.allow":       {"C1, general", []string{"C1", "general"}},
	"nudges.channels.deny":        {"C2", []string{"C2"}},
	"reflection.enabled":          {"0", false},
	"reflection.schedule":         {"0 9 * * 1", "0 9 * * 1"},
	"reflection.default_timezone": {"Asia/Kolkata", "Asia/Kolkata"},
	"reflection.channels":         {"C3,C4", []string{"C3", "C4"}},
	"reflection.post_channel":     {"C5", "C5"},
	"reflection.rate":             {"0.5", 0.5},
	"reflection.lease":            {"1m", time.Minute},
	"reflection.fatigue_after":    {"5", 5},
	"reflection.away_emoji":       {":beach:", []string{":beach:"}},
	"reflection.away_text":        {"away,afk", []string{"away", "afk"}},
	"reflection.holidays":         {"2025-12-25,2026-01-01", []string{"2025-12-25", "2026-01-01"}},
	"shutdown.timeout":            {"1m", time.Minute},
	"report.min_people":           {"7", 7},
	"slack.posts_per_second":      {"2.5", 2.5},
	"slack.users_refresh":         {"12h", 12 * time.Hour},
	"admins":                      {"U0ADMIN1,W0ADMIN2", []string{"U0ADMIN1", "W0ADMIN2"}},
}

func TestEnvEveryKey(t *testing.T) {
	for _, l := range leaves() {
		t.Run(l.name, func(t *testing.T) {
			ev, ok := envValues[l.name]
			if !ok {
				t.Fatalf("envValues has no entry for %s: add one", l.name)
			}
			cfg, err := Load(LoadOptions{Dir: t.TempDir(), Env: envMap(map[string]string{EnvName(l.name): ev.env})})
			if err != nil {
				t.Fatalf("Load with %s=%q: %v", EnvName(l.name), ev.env, err)
			}
			got := reflect.ValueOf(cfg).FieldByIndex(l.index).Interface()
			if !reflect.DeepEqual(got, ev.want) {
				t.Errorf("%s=%q loads %s as %#v, want %#v", EnvName(l.name), ev.env, l.name, got, ev.want)
			}
			if def := reflect.ValueOf(Default()).FieldByIndex(l.index).Interface(); reflect.DeepEqual(got, def) {
				t.Errorf("test value for %s equals the default; pick another", l.name)
			}
			// Only that key changed.
			want := reflect.ValueOf(Default())
			gotAll := reflect.ValueOf(cfg)
			for _, other := range leaves() {
				if other.name == l.name {
					continue
				}
				if !reflect.DeepEqual(gotAll.FieldByIndex(other.index).Interface(), want.FieldByIndex(other.index).Interface()) {
					t.Errorf("setting %s also changed %s", EnvName(l.name), other.name)
				}
			}
		})
	}
	for k := range envValues {
		found := false
		for _, l := range leaves() {
			found = found || l.name == k
		}
		if !found {
			t.Errorf("envValues has %s, which is not a key", k)
		}
	}
}

// TestEnvDefaultsRoundTrip sets every key at once through the environment,
// in the form the reference table shows as its default, and expects Default.
func TestEnvDefaultsRoundTrip(t *testing.T) {
	env := map[string]string{}
	for _, k := range Keys() {
		env[k.Env] = k.Default
	}
	cfg, err := Load(LoadOptions{Dir: t.TempDir(), Env: envMap(env)})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Default()
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("defaults written to the environment load as\n%+v\nwant\n%+v", cfg, want)
	}
}

func TestEmptyEnvIsUnset(t *testing.T) {
	cfg, err := Load(LoadOptions{Dir: t.TempDir(), Env: envMap(map[string]string{"LEADNUDGE_LOG_LEVEL": ""})})
	if err != nil || cfg.Log.Level != "info" {
		t.Fatalf("empty LEADNUDGE_LOG_LEVEL: level %q, err %v; want info, nil", cfg.Log.Level, err)
	}
}

func TestPrecedence(t *testing.T) {
	file := "log:\n  level: warn\nnudges:\n  daily_cap: 4\n  channels:\n    allow: [file]\n"
	tests := []struct {
		name  string
		file  bool
		env   map[string]string
		args  []string
		level string
		cap   int
		allow []string
	}{
		{name: "defaults", level: "info", cap: 2, allow: []string{}},
		{name: "file over defaults", file: true, level: "warn", cap: 4, allow: []string{"file"}},
		{name: "env over defaults", env: map[string]string{"LEADNUDGE_LOG_LEVEL": "error"}, level: "error", cap: 2, allow: []string{}},
		{
			name: "env over file", file: true,
			env:   map[string]string{"LEADNUDGE_LOG_LEVEL": "error", "LEADNUDGE_NUDGES_CHANNELS_ALLOW": "env1,env2"},
			level: "error", cap: 4, allow: []string{"env1", "env2"},
		},
		{
			name: "flag over env and file", file: true,
			env:   map[string]string{"LEADNUDGE_LOG_LEVEL": "error", "LEADNUDGE_NUDGES_DAILY_CAP": "6"},
			args:  []string{"--log-level", "debug"},
			level: "debug", cap: 6, allow: []string{"file"},
		},
		{
			name: "--set over env and file", file: true,
			env:   map[string]string{"LEADNUDGE_NUDGES_DAILY_CAP": "6"},
			args:  []string{"--set", "nudges.daily_cap=8", "--set", "nudges.channels.allow=a,b"},
			level: "warn", cap: 8, allow: []string{"a", "b"},
		},
		{
			name: "unchanged flag does not override", file: true,
			args:  []string{},
			level: "warn", cap: 4, allow: []string{"file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := LoadOptions{Dir: t.TempDir(), Env: envMap(tt.env), Flags: flagSet(t, tt.args...)}
			if tt.file {
				opts.File = writeFile(t, file)
			}
			cfg, err := Load(opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg.Log.Level != tt.level || cfg.Nudges.DailyCap != tt.cap || !reflect.DeepEqual(cfg.Nudges.Channels.Allow, tt.allow) {
				t.Errorf("got level %q cap %d allow %q; want %q %d %q",
					cfg.Log.Level, cfg.Nudges.DailyCap, cfg.Nudges.Channels.Allow, tt.level, tt.cap, tt.allow)
			}
		})
	}
}

func TestFileSelection(t *testing.T) {
	t.Run("default file in dir is read", func(t *testing.T) {
		p := writeFile(t, "log:\n  level: warn\n")
		cfg, err := Load(LoadOptions{Dir: filepath.Dir(p), Env: noEnv})
		if err != nil || cfg.Log.Level != "warn" {
			t.Fatalf("level %q, err %v; want warn from %s", cfg.Log.Level, err, p)
		}
	})
	t.Run("missing default file is fine", func(t *testing.T) {
		if _, err := Load(LoadOptions{Dir: t.TempDir(), Env: noEnv}); err != nil {
			t.Fatal(err)
		}
	})
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	for name, opts := range map[string]LoadOptions{
		"File":             {File: missing, Env: noEnv},
		"--config":         {Flags: flagSet(t, "--config", missing), Env: noEnv},
		"LEADNUDGE_CONFIG": {Dir: t.TempDir(), Env: envMap(map[string]string{"LEADNUDGE_CONFIG": missing})},
	} {
		t.Run("missing explicit file via "+name, func(t *testing.T) {
			_, err := Load(opts)
			if err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("err = %v, want one naming %s", err, missing)
			}
		})
	}
	t.Run("--config wins over File", func(t *testing.T) {
		p := writeFile(t, "log:\n  level: error\n")
		cfg, err := Load(LoadOptions{File: missing, Flags: flagSet(t, "--config", p), Env: noEnv})
		if err != nil || cfg.Log.Level != "error" {
			t.Fatalf("level %q, err %v", cfg.Log.Level, err)
		}
	})
	t.Run("LEADNUDGE_CONFIG", func(t *testing.T) {
		p := writeFile(t, "log:\n  level: error\n")
		cfg, err := Load(LoadOptions{Dir: t.TempDir(), Env: envMap(map[string]string{"LEADNUDGE_CONFIG": p})})
		if err != nil || cfg.Log.Level != "error" {
			t.Fatalf("level %q, err %v", cfg.Log.Level, err)
		}
	})
}

func TestLoadFullFile(t *testing.T) {
	cfg, err := Load(LoadOptions{File: "testdata/full.yaml", Env: noEnv})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if err := cfg.ValidateForRun(); err != nil {
		t.Errorf("ValidateForRun: %v", err)
	}
	// Every key differs from its default, so the file proves each key is read.
	def := reflect.ValueOf(Default())
	got := reflect.ValueOf(cfg)
	for _, l := range leaves() {
		if reflect.DeepEqual(got.FieldByIndex(l.index).Interface(), def.FieldByIndex(l.index).Interface()) {
			t.Errorf("testdata/full.yaml leaves %s at its default", l.name)
		}
	}
	if cfg.Reflection.Rate != 2.5 || cfg.Store.Retention != 2160*time.Hour ||
		!reflect.DeepEqual(cfg.Nudges.Channels.Allow, []string{"C0GENERAL", "eng"}) {
		t.Errorf("unexpected values: %+v", cfg)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string // content; "@path" reads a testdata file
		env  map[string]string
		args []string
		want []string // the error's lines, in order
	}{
		{
			name: "unknown keys and bad types",
			file: "@testdata/bad-keys.yaml",
			want: []string{
				`logs: unknown key, did you mean log? (at {F}:9:1)`,
				`nudges.channels.allow: expected a list of strings (comma-separated in the environment), got 5 (at {F}:6:12)`,
				`nudges.channels.other: unknown key (at {F}:7:5)`,
				`nudges.daily_cap: expected an integer, got "abc" (at {F}:4:14)`,
				`reflection: expected a section of keys, got "yes please" (at {F}:8:13)`,
				`slack.bot_tokn: unknown key, did you mean slack.bot_token? (at {F}:2:3)`,
			},
		},
		{
			name: "type error from env names key and variable",
			env:  map[string]string{"LEADNUDGE_NUDGES_DAILY_CAP": "abc", "LEADNUDGE_RULES_WATCH": "maybe"},
			want: []string{
				`nudges.daily_cap: expected an integer, got "abc" (from $LEADNUDGE_NUDGES_DAILY_CAP)`,
				`rules.watch: expected true or false, got "maybe" (from $LEADNUDGE_RULES_WATCH)`,
			},
		},
		{
			name: "type errors in file",
			file: "nudges:\n  cooldown: 3\n  workers: 2.5\nreflection:\n  rate: fast\n  away_text: [ok, 3]\n",
			want: []string{
				`nudges.cooldown: expected a duration such as "72h" or "10m", got 3 (at {F}:2:13)`,
				`nudges.workers: expected an integer, got 2.5 (at {F}:3:12)`,
				`reflection.away_text: expected a list of strings, item 2 is 3 (at {F}:6:14)`,
				`reflection.rate: expected a number, got "fast" (at {F}:5:9)`,
			},
		},
		{
			name: "bad flags",
			args: []string{"--set", "nudges.nope=1", "--set", "novalue", "--log-level", "loud", "--set", "shutdown.timeout=soon"},
			want: []string{
				`--set "novalue": want key=value`,
				`nudges.nope: unknown key (from --set)`,
				`shutdown.timeout: expected a duration such as "72h" or "10m", got "soon" (from --set)`,
			},
		},
		{
			name: "secret of wrong type is not echoed",
			file: "slack:\n  bot_token: 123456789\n",
			want: []string{`slack.bot_token: expected a string, got a number (at {F}:2:14)`},
		},
		{
			name: "duplicate key",
			file: "log:\n  level: debug\n  level: info\n",
			want: []string{`log.level: set twice (at {F}:3:3)`},
		},
		{
			name: "top level not a mapping",
			file: "- a\n- b\n",
			want: []string{`config file {F}:1:1: the top level must be a mapping of sections such as slack: and store:`},
		},
		{
			name: "syntax error",
			file: "@testdata/bad-syntax.yaml",
			want: []string{`config file {F}: yaml: line 2: did not find expected node content`},
		},
		{
			name: "two documents",
			file: "log: {}\n---\nlog: {}\n",
			want: []string{`config file {F}: holds more than one YAML document`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := LoadOptions{Dir: t.TempDir(), Env: envMap(tt.env)}
			name := ""
			switch {
			case strings.HasPrefix(tt.file, "@"):
				name = tt.file[1:]
			case tt.file != "":
				name = writeFile(t, tt.file)
			}
			opts.File = name
			if tt.args != nil {
				opts.Flags = flagSet(t, tt.args...)
			}
			_, err := Load(opts)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			want := strings.ReplaceAll(strings.Join(tt.want, "\n"), "{F}", name)
			if name == "" {
				want = strings.Join(tt.want, "\n")
			}
			if err.Error() != want {
				t.Errorf("error:\n%s\nwant:\n%s", err, want)
			}
			if strings.Contains(err.Error(), "123456789") {
				t.Error("error echoes a secret value")
			}
		})
	}
}

func TestFieldErrorsAreInspectable(t *testing.T) {
	_, err := Load(LoadOptions{Dir: t.TempDir(), Env: envMap(map[string]string{"LEADNUDGE_NUDGES_WORKERS": "x"})})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Key != "nudges.workers" {
		t.Fatalf("errors.As(%v) = %v, want a FieldError for nudges.workers", err, fe)
	}
}

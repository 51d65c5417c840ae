package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/leadnudge/leadnudge/config"
)

var updateConfigGolden = flag.Bool("update-config", false, "rewrite testdata/config/*.golden")

// runConfigCLI runs the command line in-process with every LEADNUDGE_*
// variable cleared (an empty value counts as unset), plus env.
func runConfigCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv(config.ConfigEnv, "")
	for _, k := range config.Keys() {
		t.Setenv(k.Env, "")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestConfigPrintGolden(t *testing.T) {
	code, out, errOut := runConfigCLI(t,
		map[string]string{"LEADNUDGE_SLACK_APP_TOKEN": "xapp-1-ENVCANARY", "LEADNUDGE_NUDGES_DAILY_CAP": "5", "LEADNUDGE_LOG_LEVEL": "error"},
		"config", "print", "--config", "testdata/config/base.yaml", "--log-level", "debug", "--set", "reflection.rate=2")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if strings.Contains(out, "CANARY") {
		t.Fatalf("config print shows a secret:\n%s", out)
	}
	const path = "testdata/config/print.golden"
	if *updateConfigGolden {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("config print differs from %s (rerun with -update-config if intended):\n%s", path, out)
	}
	// Precedence as seen from the command line: flag > env > file > default.
	for _, line := range []string{"  level: debug\n", "  daily_cap: 5\n", "  rate: 2\n", "  default_timezone: Asia/Kolkata\n", "  workers: 8\n", "  app_token: <secret>\n"} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q", line)
		}
	}
}

func TestConfigPrintErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{
			name: "missing explicit file",
			args: []string{"config", "print", "--config", "testdata/config/nope.yaml"},
			code: 2,
			want: "leadnudge: cannot load the configuration: read config file: open testdata/config/nope.yaml: no such file or directory\n",
		},
		{
			name: "bad values, all listed",
			env:  map[string]string{"LEADNUDGE_NUDGES_DAILY_CAP": "abc"},
			args: []string{"config", "print", "--set", "nudges.cooldown=3 days"},
			code: 2,
			want: "leadnudge: cannot load the configuration:\n" +
				"  nudges.cooldown: expected a duration such as \"72h\" or \"10m\", got \"3 days\" (from --set)\n" +
				"  nudges.daily_cap: expected an integer, got \"abc\" (from $LEADNUDGE_NUDGES_DAILY_CAP)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runConfigCLI(t, tt.env, tt.args...)
			if code != tt.code || errOut != tt.want || out != "" {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, stderr:\n%s", code, out, errOut, tt.code, tt.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		out  string
		err  string
	}{
		{name: "defaults are valid", args: []string{"config", "validate"}, out: "configuration is valid\n"},
		{
			name: "run needs tokens", args: []string{"config", "validate", "--for-run"}, code: 1,
			err: "leadnudge: invalid configuration:\n" +
				"  slack.app_token is required to run the bot (set LEADNUDGE_SLACK_APP_TOKEN)\n" +
				"  slack.bot_token is required to run the bot (set LEADNUDGE_SLACK_BOT_TOKEN)\n",
		},
		{
			name: "tokens from env", args: []string{"config", "validate", "--for-run"},
			env: map[string]string{"LEADNUDGE_SLACK_APP_TOKEN": "xapp-1", "LEADNUDGE_SLACK_BOT_TOKEN": "xoxb-1"},
			out: "configuration is valid\n",
		},
		{
			name: "wrong token kind never echoed", args: []string{"config", "validate", "--set", "store.driver=mysql"},
			env:  map[string]string{"LEADNUDGE_SLACK_APP_TOKEN": "xoxb-CANARY"},
			code: 1,
			err: "leadnudge: invalid configuration:\n" +
				"  slack.app_token must start with xapp-\n" +
				"  store.driver must be sqlite or postgres, got \"mysql\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runConfigCLI(t, tt.env, tt.args...)
			if code != tt.code || out != tt.out || errOut != tt.err {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, stdout %q, stderr:\n%s", code, out, errOut, tt.code, tt.out, tt.err)
			}
		})
	}
}

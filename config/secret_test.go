package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"go.yaml.in/yaml/v3"
)

const (
	botToken = "xoxb-1111-2222-LEAKCANARYBOT"
	appToken = "xapp-1-A1-LEAKCANARYAPP"
	dsn      = "postgres://bot:LEAKCANARYPW@db/leadnudge"
)

// leaks reports which canary appears in s.
func leaks(s string) []string {
	var found []string
	for _, c := range []string{"LEAKCANARY", "xoxb-1111", "xapp-1-A1"} {
		if strings.Contains(s, c) {
			found = append(found, c)
		}
	}
	return found
}

func secretConfig() Config {
	c := Default()
	c.Slack.BotToken = botToken
	c.Slack.AppToken = appToken
	c.Store.Driver = "postgres"
	c.Store.DSN = dsn
	return c
}

func TestSecretRevealAndEmpty(t *testing.T) {
	s := Secret(botToken)
	if s.Reveal() != botToken || !s.IsSet() {
		t.Fatal("Reveal does not return the value")
	}
	if Secret("").String() != "" || fmt.Sprint(Secret("")) != "" || Secret("").IsSet() {
		t.Error("an empty secret should print as empty")
	}
}

func TestSecretFmt(t *testing.T) {
	s := Secret(botToken)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-10v", "%T"} {
		got := fmt.Sprintf(verb, s)
		if len(leaks(got)) > 0 {
			t.Errorf("Sprintf(%q, secret) = %q leaks", verb, got)
		}
		if verb != "%T" && !strings.Contains(got, Redacted) {
			t.Errorf("Sprintf(%q, secret) = %q, want %s", verb, got, Redacted)
		}
	}
	if got := fmt.Sprint(s, &s); len(leaks(got)) > 0 {
		t.Errorf("Sprint leaks: %q", got)
	}
	if s.String() != Redacted || s.GoString() != `"<secret>"` {
		t.Errorf("String/GoString = %q / %q", s.String(), s.GoString())
	}
}

func TestSecretNeverLeaks(t *testing.T) {
	c := secretConfig()
	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		outputs["fmt "+verb] = fmt.Sprintf(verb, c)
		outputs["fmt pointer "+verb] = fmt.Sprintf(verb, &c)
		outputs["fmt section "+verb] = fmt.Sprintf(verb, c.Slack)
	}
	var j bytes.Buffer
	je := json.NewEncoder(&j)
	je.SetEscapeHTML(false) // so the test can look for <secret> literally
	if err := je.Encode(c); err != nil {
		t.Fatal(err)
	}
	outputs["json"] = j.String()
	tx, _ := Secret(botToken).MarshalText()
	outputs["text"] = string(tx)
	y, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs["yaml.Marshal"] = string(y)
	var w bytes.Buffer
	if err := WriteYAML(&w, c); err != nil {
		t.Fatal(err)
	}
	outputs["WriteYAML"] = w.String()

	var sl bytes.Buffer
	slog.New(slog.NewTextHandler(&sl, nil)).Info("cfg", "token", c.Slack.BotToken, "cfg", c)
	slog.New(slog.NewJSONHandler(&sl, nil)).Info("cfg", "token", c.Slack.BotToken, "cfg", c)
	outputs["slog"] = sl.String()

	// zap: the observer, and real JSON and console encoders.
	core, logs := observer.New(zapcore.DebugLevel)
	var zbuf bytes.Buffer
	ws := zapcore.AddSync(&zbuf)
	enc := zap.NewProductionEncoderConfig()
	logger := zap.New(zapcore.NewTee(core,
		zapcore.NewCore(zapcore.NewJSONEncoder(enc), ws, zapcore.DebugLevel),
		zapcore.NewCore(zapcore.NewConsoleEncoder(enc), ws, zapcore.DebugLevel),
	))
	logger.Info("config", zap.Any("config", c), zap.Any("slack", c.Slack), zap.Any("token", c.Slack.BotToken),
		zap.Stringer("app", c.Slack.AppToken), zap.Reflect("reflected", c), zap.Object("obj", c))
	logger.Sugar().Infow("sugar", "cfg", c, "dsn", c.Store.DSN)
	logger.Sugar().Infof("printf %v %+v %s", c, c.Store, c.Store.DSN)
	_ = logger.Sync()
	outputs["zap encoders"] = zbuf.String()
	for _, e := range logs.All() {
		outputs["zap observer"] += fmt.Sprintf("%s %v\n", e.Message, e.ContextMap())
	}

	for name, out := range outputs {
		if l := leaks(out); len(l) > 0 {
			t.Errorf("%s leaks %v:\n%s", name, l, out)
		}
		if !strings.Contains(out, Redacted) {
			t.Errorf("%s does not show %s:\n%s", name, Redacted, out)
		}
	}
	// The zap object form is the structured one, nested by section.
	obs := logs.All()[0].ContextMap()["config"].(map[string]any)
	slack := obs["slack"].(map[string]any)
	if slack["bot_token"] != Redacted || slack["api_url"] != "https://slack.com/api/" {
		t.Errorf("zap object slack section = %v", slack)
	}
	if got := obs["nudges"].(map[string]any)["cooldown"]; got != "72h" {
		t.Errorf("zap object nudges.cooldown = %v, want 72h", got)
	}
}

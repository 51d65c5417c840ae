package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
)

const reloadV1 = `version: 1
extends: builtin
disable: [just-do-it]
`

const reloadBroken = `version: 1
extends: builtin
disable: [no-such-rule]
`

const reloadV2 = `version: 1
extends: builtin
`

// TestRunReloadsRules runs the real command with a workspace rules file:
// a broken edit keeps the last good rules and shows the error in /readyz
// (still ready), SIGHUP reloads a fixed file.
func TestRunReloadsRules(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte(reloadV1), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, httpAddr := localRun(t, dir, "reload")
	t.Setenv("LEADNUDGE_RULES_FILE", rules)
	t.Setenv("LEADNUDGE_RULES_WATCH", "false")
	t.Setenv("LEADNUDGE_REFLECTION_ENABLED", "false")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, &stderr) }()
	get := func(path string) (int, string) { return httpGet(httpAddr, path) }
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; stderr:\n%s", what, stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitUntil("ready", func() bool { c, body := get("/readyz"); return c == 200 && strings.Contains(body, `"rules":"ok"`) })

	nudged := func(user, text string) bool {
		if _, err := fs.SendMessage(fakeslack.Message{User: user, Channel: "C1", Text: text}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		for _, p := range fs.DMs(user) {
			if strings.Contains(string(p.Blocks), "nudge_helpful") {
				return true
			}
		}
		return false
	}
	if nudged("UR1", "Just do it.") {
		t.Fatal("a disabled rule nudged")
	}

	// Broken file + SIGHUP: last good rules kept, error in /readyz, still ready.
	if err := os.WriteFile(rules, []byte(reloadBroken), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitUntil("reload error in /readyz", func() bool {
		c, body := get("/readyz")
		return c == 200 && strings.Contains(body, "rules.yaml:3:11: disable: no built-in rule has the id")
	})
	if _, m := get("/metrics"); !strings.Contains(m, `leadnudge_rules_reloads_total{result="error"} 1`) {
		t.Errorf("metrics lack the failed reload")
	}
	if nudged("UR2", "Just do it.") {
		t.Fatal("the broken file was applied")
	}

	// Fixed file + SIGHUP: the rule is back.
	if err := os.WriteFile(rules, []byte(reloadV2), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitUntil("reload ok", func() bool { _, body := get("/readyz"); return strings.Contains(body, `"rules":"ok"`) })
	waitUntil("the re-enabled rule nudges", func() bool { return nudged("UR3", "Just do it.") })
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop")
	}
	if !strings.Contains(stderr.String(), "rules file is invalid: keeping the last good rules") {
		t.Errorf("the reload error was not logged")
	}
}

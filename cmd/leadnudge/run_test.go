package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
)

func TestDemoTour(t *testing.T) {
	code, out, errOut := runCLI(t, "", "demo")
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"→ private DM to Ana",
		"the first one opens with a short introduction",
		"no nudge: the words are in quotation marks",
		"no nudge: code is skipped",
		"no nudge: messages from bots are never nudged",
		"Thanks, noted as *helpful*",
		"no nudge: Ana already had today's nudges (the daily cap)",
		"no nudge: Ben snoozed nudges",
		"In the last 8 weeks you got 2 nudges",
		"App Home, visible only to Ana",
		"A week passes. The weekly job runs as of Fri",
		"private DM to Ana, her weekly question:",
		"[Answer] [Skip this week] [Pause for a month]",
		"no question for Ben yet: it is Fri ",
		"(sent 1, due 1)",
		"Ana types: /reflect I led when I asked Ben",
		"Saved your reflection for",
		"Your last 1 reflection (only you see this)",
		"Weekly reflection is *on*",
		"*Streak:* 1 week in a row",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo transcript lacks %q", want)
		}
	}
}

func TestRunNeedsTokens(t *testing.T) {
	t.Setenv("LEADNUDGE_SLACK_BOT_TOKEN", "")
	t.Setenv("LEADNUDGE_SLACK_APP_TOKEN", "")
	t.Chdir(t.TempDir())
	code, _, errOut := runCLI(t, "", "run")
	if code != 2 || !strings.Contains(errOut, "slack.bot_token") || !strings.Contains(errOut, "slack.app_token") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	t.Setenv("LEADNUDGE_SLACK_BOT_TOKEN", "xapp-wrong-kind")
	t.Setenv("LEADNUDGE_SLACK_APP_TOKEN", "xapp-1")
	code, _, errOut = runCLI(t, "", "run")
	if code != 2 || !strings.Contains(errOut, "xoxb-") || strings.Contains(errOut, "xapp-wrong-kind") {
		t.Fatalf("exit %d, stderr %q (must name the key, never echo the token)", code, errOut)
	}
}

// httpGet fetches http://addr+path and returns the status and body (0 and
// "" when nothing answers).
func httpGet(addr, path string) (int, string) {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// localRun prepares `leadnudge run` against a fresh local Slack: it starts
// the local Slack, makes dir the working directory, and sets the
// environment for its API URL, the tokens (xoxb-/xapp- + name), a store in
// dir and a free HTTP listener, whose address it returns.
func localRun(t *testing.T, dir, name string) (*fakeslack.Server, string) {
	t.Helper()
	fs, err := fakeslack.New(fakeslack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	httpAddr := freePort(t)
	t.Chdir(dir)
	t.Setenv("LEADNUDGE_SLACK_API_URL", fs.URL())
	t.Setenv("LEADNUDGE_SLACK_BOT_TOKEN", "xoxb-"+name)
	t.Setenv("LEADNUDGE_SLACK_APP_TOKEN", "xapp-"+name)
	t.Setenv("LEADNUDGE_STORE_DSN", filepath.Join(dir, "run.db"))
	t.Setenv("LEADNUDGE_HTTP_LISTEN", httpAddr)
	return fs, httpAddr
}

func TestRunAgainstLocalSlack(t *testing.T) {
	fs, httpAddr := localRun(t, t.TempDir(), "run-test-secret")
	t.Setenv("LEADNUDGE_LOG_LEVEL", "debug")

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, &stderr) }()

	get := func(path string) (int, string) { return httpGet(httpAddr, path) }
	deadline := time.Now().Add(15 * time.Second)
	for {
		if code, _ := get("/readyz"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("never ready; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, _ := get("/debug/pprof/"); code != 404 {
		t.Errorf("/debug/pprof/ = %d with http.pprof off, want 404", code)
	}
	_, err := fs.SendMessage(fakeslack.Message{User: "U1", Channel: "C1", Text: "Because I said so."})
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if _, err := fs.WaitForDM(wctx, "U1", func(p fakeslack.Post) bool { return strings.Contains(string(p.Blocks), "nudge_helpful") }); err != nil {
		t.Fatalf("no nudge DM: %v", err)
	}
	// the DM is visible as soon as the local Slack has it; the client
	// records the call's duration once it has read the answer
	code, metrics := get("/metrics")
	for i := 0; i < 100 && !strings.Contains(metrics, `method="chat.postMessage"`); i++ {
		time.Sleep(20 * time.Millisecond)
		code, metrics = get("/metrics")
	}
	for _, want := range []string{"leadnudge_events_total", "leadnudge_ack_latency_seconds_bucket", `leadnudge_matches_total{rule="because-i-said-so"} 1`, `leadnudge_slack_api_duration_seconds_count{method="chat.postMessage"}`, "go_goroutines"} {
		if code != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cancel()
	select {
	case c := <-done:
		if c != 0 {
			t.Errorf("run exit %d after cancel; stderr:\n%s", c, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop")
	}
	logs := stderr.String()
	for _, secret := range []string{"xoxb-run-test-secret", "xapp-run-test-secret", "Because I said so", "said so"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	if !strings.Contains(logs, "leadnudge starting") || !strings.Contains(logs, "bot stopped") {
		t.Errorf("expected start and stop log lines:\n%s", logs)
	}
}

// TestPprofOptIn: http.pprof serves Go's profiler next to the metrics.
func TestPprofOptIn(t *testing.T) {
	_, httpAddr := localRun(t, t.TempDir(), "pprof-test")
	t.Setenv("LEADNUDGE_HTTP_PPROF", "true")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, io.Discard) }()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if code, _ := httpGet(httpAddr, "/readyz"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := httpGet(httpAddr, "/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("/debug/pprof/ = %d %.80q", code, body)
	}
	if code, body := httpGet(httpAddr, "/debug/pprof/goroutine?debug=1"); code != 200 || !strings.Contains(body, "goroutine profile") {
		t.Errorf("goroutine profile = %d %.80q", code, body)
	}
	if code, _ := httpGet(httpAddr, "/healthz"); code != 200 {
		t.Errorf("/healthz = %d next to pprof", code)
	}
}

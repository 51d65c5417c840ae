package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for a command writing while the test
// reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startCommand runs `leadnudge ARGS…` in-process until the test ends,
// waits for its output to match re and returns the first submatch and a
// stop function that cancels the command (as SIGINT would) and checks it
// exits 0.
func startCommand(t *testing.T, re *regexp.Regexp, args ...string) (match string, stdout *lockedBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	stdout = &lockedBuffer{}
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, strings.NewReader(""), stdout, &stderr) }()
	for deadline := time.Now().Add(10 * time.Second); match == "" && time.Now().Before(deadline); {
		select {
		case code := <-done:
			t.Fatalf("exited early with %d: %s %s", code, stdout.String(), stderr.String())
		default:
		}
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			match = m[1]
		} else {
			time.Sleep(5 * time.Millisecond) // waiting for the first output line, bounded
		}
	}
	if match == "" {
		t.Fatalf("no %s in the output: %q", re, stdout.String())
	}
	stop = func() {
		t.Helper()
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatal("did not stop on cancel")
		}
	}
	return match, stdout, stop
}

// TestFakeslackCommand runs `leadnudge fakeslack` in-process, talks to it
// over HTTP, and stops it the way SIGINT would (context cancel).
func TestFakeslackCommand(t *testing.T) {
	api, stdout, stop := startCommand(t, regexp.MustCompile(`Web API:\s+(http://127\.0\.0\.1:\d+/api/)`),
		"fakeslack", "--listen", "127.0.0.1:0", "--bot-token", "xoxb-only")
	if strings.Contains(stdout.String(), "xoxb-only") {
		t.Fatal("the bot token was printed")
	}
	base := strings.TrimSuffix(api, "api/")
	resp, err := http.Get(base + "_fake/health")
	if err != nil {
		t.Fatal(err)
	}
	var health map[string]int
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n, ok := health["connections"]; !ok || n != 0 {
		t.Fatalf("health %v", health)
	}
	for token, wantOK := range map[string]bool{"xoxb-only": true, "xoxb-other": false} {
		resp, err := http.PostForm(api+"auth.test", map[string][]string{"token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			OK bool `json:"ok"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if r.OK != wantOK {
			t.Fatalf("auth.test with %s: ok=%v", token, r.OK)
		}
	}
	stop()
	if !strings.Contains(stdout.String(), "stopped") {
		t.Fatalf("output %q", stdout.String())
	}
}

// TestFakeslackCommandRefusesNonLoopback checks the listen address rule.
func TestFakeslackCommandRefusesNonLoopback(t *testing.T) {
	var stdout, stderr lockedBuffer
	code := run(t.Context(), []string{"fakeslack", "--listen", "0.0.0.0:0"}, strings.NewReader(""), &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "non-loopback") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestFakeslackCommandWeb: --web serves the playground page next to the
// local Slack, with the demo's people, and prints its address.
func TestFakeslackCommandWeb(t *testing.T) {
	page, stdout, stop := startCommand(t, regexp.MustCompile(`Browser playground: (http://127\.0\.0\.1:\d+/)`),
		"fakeslack", "--web", "--listen", "127.0.0.1:0")
	for path, want := range map[string]string{"": "<title>leadnudge playground</title>", "play/api/people": `"name":"Ana"`, "_fake/health": `"connections":0`} {
		resp, err := http.Get(page + path)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(b.String(), want) {
			t.Errorf("GET /%s: %d %.200q, want %q", path, resp.StatusCode, b.String(), want)
		}
	}
	if !strings.Contains(stdout.String(), "Web API:   "+page+"api/") {
		t.Errorf("the Web API URL should be on the same address: %q", stdout.String())
	}
	stop()
}

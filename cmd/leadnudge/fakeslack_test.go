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

// TestFakeslackCommand runs `leadnudge fakeslack` in-process, talks to it
// over HTTP, and stops it the way SIGINT would (context cancel).
func TestFakeslackCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"fakeslack", "--listen", "127.0.0.1:0", "--bot-token", "xoxb-only"},
			strings.NewReader(""), &stdout, &stderr)
	}()
	re := regexp.MustCompile(`Web API:\s+(http://127\.0\.0\.1:\d+/api/)`)
	var api string
	for deadline := time.Now().Add(10 * time.Second); api == "" && time.Now().Before(deadline); {
		select {
		case code := <-done:
			t.Fatalf("exited early with %d: %s %s", code, stdout.String(), stderr.String())
		default:
		}
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			api = m[1]
		} else {
			time.Sleep(5 * time.Millisecond) // waiting for the first output line, bounded
		}
	}
	if api == "" {
		t.Fatalf("no API URL printed: %q", stdout.String())
	}
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
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop on cancel")
	}
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
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"fakeslack", "--web", "--listen", "127.0.0.1:0"}, strings.NewReader(""), &stdout, &stderr)
	}()
	re := regexp.MustCompile(`Browser playground: (http://127\.0\.0\.1:\d+/)`)
	var page string
	for deadline := time.Now().Add(10 * time.Second); page == "" && time.Now().Before(deadline); {
		select {
		case code := <-done:
			t.Fatalf("exited early with %d: %s %s", code, stdout.String(), stderr.String())
		default:
		}
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			page = m[1]
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	if page == "" {
		t.Fatalf("no playground URL printed: %q", stdout.String())
	}
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

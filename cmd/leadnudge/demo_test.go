package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDemoInteractive(t *testing.T) {
	in := "Just do it.\n/nudges status\nThanks all, great work today\n"
	code, out, errOut := runCLI(t, in, "demo", "--interactive")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	tail := out[strings.Index(out, "Type a message as You"):]
	for _, want := range []string{"You: Just do it.", "private DM to You", "You types: /nudges status", "Nudges are *on*", "You: Thanks all, great work today", "· no nudge"} {
		if !strings.Contains(tail, want) {
			t.Errorf("interactive transcript lacks %q:\n%s", want, tail)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the demo's writes and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestDemoListenServesAdminAPI(t *testing.T) {
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"demo", "--listen", addr}, strings.NewReader(""), &out, io.Discard) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "Ctrl-C to stop") {
		if time.Now().After(deadline) {
			t.Fatalf("demo did not finish its tour:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	base := "http://" + addr
	resp, err := http.Post(base+"/_fake/messages", "application/json", strings.NewReader(`{"user":"U0YOU","channel":"C0PRODUCT","text":"Do as I say."}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var dms string
	for dms == "" || !strings.Contains(dms, "nudge_helpful") {
		if time.Now().After(deadline) {
			t.Fatalf("no nudge DM through the admin API: %s", dms)
		}
		r, err := http.Get(base + "/_fake/dms?user=U0YOU")
		if err == nil {
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			dms = string(b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r, err := http.Post(base+"/_demo/tick", "application/json", strings.NewReader(`{"at":"bad"}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("/_demo/tick with a bad body = %d, want 400", r.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("demo --listen exit %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("demo did not stop on cancel")
	}
}

package bot

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// TestPacerSpacesPosts: 10 a second with a burst of 2: 12 nudges take
// about a second; nothing waits after a quiet spell.
func TestPacerSpacesPosts(t *testing.T) {
	p := newPacer(10, 2, time.Now)
	start := time.Now()
	for range 12 {
		if _, err := p.wait(context.Background(), prioNudge); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 900*time.Millisecond || took > 1500*time.Millisecond {
		t.Errorf("12 posts at 10/s (burst 2) took %s, want about 1 s", took)
	}
	time.Sleep(300 * time.Millisecond)
	if waited, _ := p.wait(context.Background(), prioNudge); waited > 20*time.Millisecond {
		t.Errorf("after a quiet spell a post waited %s", waited)
	}
	if w, err := (*pacer)(nil).wait(context.Background(), prioPrompt); w != 0 || err != nil {
		t.Error("a nil pacer waited")
	}
}

// TestPacerNudgesFirst: with prompts queued for seconds of budget, a nudge
// goes within about one slot.
func TestPacerNudgesFirst(t *testing.T) {
	p := newPacer(20, 1, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var prompts atomic.Int32
	var wg sync.WaitGroup
	for range 60 { // three seconds of prompts at 20/s
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.wait(ctx, prioPrompt); err == nil {
				prompts.Add(1)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // the prompts are queued
	waited, err := p.wait(ctx, prioNudge)
	if err != nil {
		t.Fatal(err)
	}
	if waited > 150*time.Millisecond {
		t.Errorf("a nudge waited %s behind prompts, want about one slot (50 ms)", waited)
	}
	if n := prompts.Load(); n > 10 {
		t.Errorf("%d prompts went in 200 ms at 20/s", n)
	}
	cancel()
	wg.Wait()
}

// TestWorkQueueJobIsSmall: the work queue holds QueueSize jobs by value
// (1,024 by default), so a job must stay small: an InteractionCallback by
// value made it 4.4 KB, 4.4 MB of resident memory for the queue alone.
func TestWorkQueueJobIsSmall(t *testing.T) {
	if size := unsafe.Sizeof(job{}); size > 512 {
		t.Errorf("a job is %d bytes; keep large payloads behind pointers (≤ 512)", size)
	}
}

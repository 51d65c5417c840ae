package bot

import (
	"context"
	"sync"
	"time"
)

// priority orders the bot's own chat.postMessage calls when they compete
// for the workspace's posting budget.
type priority int

const (
	prioNudge  priority = iota // a nudge: about a message written seconds ago
	prioPrompt                 // the weekly fan-out: can wait
)

// pacer spaces the bot's chat.postMessage calls below Slack's
// workspace-wide posting limit, so 429s are the exception, and lets a nudge
// go before any waiting weekly prompt. It is one budget shared by every
// worker and the fan-out of this process.
//
// A caller reserves the next free slot (slots are 1/rate apart; up to
// burst of them may be taken at once after a quiet spell) and sleeps until
// it. Nudges reserve at once. Prompts reserve only a slot that is free now
// and only while no nudge waits, so a nudge never queues behind prompts:
// at most behind the one prompt already on its way.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	burst    int
	next     time.Time // the earliest free slot
	nudges   int       // nudges waiting for their slot
	now      func() time.Time
}

func newPacer(perSecond float64, burst int, now func() time.Time) *pacer {
	if perSecond <= 0 {
		return nil // no pacing
	}
	return &pacer{interval: time.Duration(float64(time.Second) / perSecond), burst: max(burst, 1), now: now}
}

// wait blocks until the caller may post, or ctx ends. It reports how long
// it waited. A nil pacer never waits.
func (p *pacer) wait(ctx context.Context, prio priority) (time.Duration, error) {
	if p == nil {
		return 0, nil
	}
	start := p.now()
	for {
		p.mu.Lock()
		now := p.now()
		floor := now.Add(-time.Duration(p.burst-1) * p.interval) // a quiet spell allows a burst
		if p.next.Before(floor) {
			p.next = floor
		}
		if prio == prioNudge || (p.nudges == 0 && !p.next.After(now)) {
			slot := p.next
			p.next = p.next.Add(p.interval)
			if prio == prioNudge {
				p.nudges++
			}
			p.mu.Unlock()
			err := sleepUntil(ctx, slot, now)
			if prio == prioNudge {
				p.mu.Lock()
				p.nudges--
				p.mu.Unlock()
			}
			return p.now().Sub(start), err
		}
		// a prompt: try again when the next slot is due
		d := max(p.next.Sub(now), p.interval/4)
		p.mu.Unlock()
		if err := sleepUntil(ctx, now.Add(d), now); err != nil {
			return p.now().Sub(start), err
		}
	}
}

func sleepUntil(ctx context.Context, at, now time.Time) error { return Sleep(ctx, at.Sub(now)) }

// Sleep waits d, or until ctx ends (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// bulkTiers are the per-minute figures of the Web API tiers of the methods
// whose volume grows with the workspace (fakeslack/RATES.md has the table
// and Slack's pages). Interactive methods (views.*, chat.update,
// chat.postEphemeral) follow what people do and are not paced: a 429 there
// is retried after its Retry-After.
var bulkTiers = map[string]float64{
	"users.list":            20,  // Tier 2
	"conversations.list":    20,  // Tier 2
	"users.info":            100, // Tier 4
	"conversations.members": 100, // Tier 4
}

// bulkPacers builds one pacer per bulk method: 95 % of the tier's rate,
// bursts of half a minute's quota.
func bulkPacers(now func() time.Time) map[string]*pacer {
	m := make(map[string]*pacer, len(bulkTiers))
	for method, perMinute := range bulkTiers {
		m[method] = newPacer(perMinute*0.95/60, int(perMinute/2), now)
	}
	return m
}

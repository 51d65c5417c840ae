package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/nudges"
)

// Kinds of simulated message, in the order of the mix.
const (
	kindTrigger       = "trigger"        // a person's message with a phrase of a built-in rule
	kindTriggerThread = "trigger_thread" // the same, as a thread reply
	kindTriggerEdit   = "trigger_edit"   // an edit (message_changed) that adds such a phrase
	kindCode          = "code"           // a phrase inside a code block or inline code
	kindQuote         = "quote"          // a phrase inside a block quote
	kindBot           = "bot"            // another app's bot_message containing a phrase
	kindEdit          = "edit"           // a neutral edit
	kindThread        = "thread"         // a neutral thread reply
	kindPlain         = "plain"          // a neutral channel message
)

// mix is the cumulative share of each kind: about 5% of the events carry a
// person's own triggering words; another 7% carry phrases the bot must not
// nudge for (code, quotes, other bots).
var mixKinds = []struct {
	kind  string
	share float64
}{
	{kindTrigger, 0.030}, {kindTriggerThread, 0.010}, {kindTriggerEdit, 0.010},
	{kindCode, 0.025}, {kindQuote, 0.020}, {kindBot, 0.025},
	{kindEdit, 0.030}, {kindThread, 0.200}, {kindPlain, 1},
}

// peerPhrases are the phrases of the Bolt peer's one regular expression
// (loadtest/testdata/bolt-peer/app.js). Keep both in step.
var peerPhrases = []string{
	"because i said so", "i'm the boss", "not up for discussion", "just do it",
	"end of discussion", "don't question me", "i outrank you", "who asked you",
}

// neutralTexts are ordinary workplace messages; the rules' own no_match
// examples (near misses) are added to them.
var neutralTexts = []string{
	"Morning! Can someone review the migration PR before lunch?",
	"Deploy is green, thanks everyone :tada:",
	"I moved the sprint review to Thursday so design can join.",
	"Customer call went well, notes are in the doc.",
	"<@U0PM> could you take a look at <https://example.com/tickets/42|ticket 42> when you have a minute?",
	"Lunch order closes at 11:30 :burrito:",
	"The flaky test is back, I'll pair with whoever is on call.",
	"Heads up: the staging database restarts at 5pm UTC.",
	"Thanks for the thorough review, I pushed the fixes.",
	"What do people think about moving standup to 9:45?",
	"I'm out tomorrow afternoon, ping me on my phone if the release is blocked.",
	"Here's the dashboard for last week's latency: p99 is down 30%.",
	"Can we timebox the retro to 45 minutes this time?",
	"Great job on the launch, the feedback so far is really positive.",
	"I don't have the numbers yet, I'll share them by Friday.",
	"Let's write down why we chose Postgres, future us will thank us.",
}

// generator makes the simulated workspace's messages from a seed.
type generator struct {
	rng      *rand.Rand
	people   []string
	channels []string
	triggers []string // sentences a person may write that carry a rule's phrase
	phrases  []string // bare phrases, for code, quotes and bots
	neutral  []string
	recent   []sentMessage // ring of recent neutral messages (for threads and edits)
	next     int
	runTag   string
}

type sentMessage struct {
	user, channel, ts, text string
}

func newGenerator(seed int64, people, channels int, rs *nudges.RuleSet, runTag string) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(uint64(seed), 0x1ead)), runTag: runTag}
	for i := 0; i < people; i++ {
		g.people = append(g.people, fmt.Sprintf("U%s%05d", runTag, i))
	}
	for i := 0; i < channels; i++ {
		g.channels = append(g.channels, fmt.Sprintf("C%s%04d", runTag, i))
	}
	for _, r := range rs.Rules {
		for _, e := range r.Examples.Match {
			g.triggers = append(g.triggers, e.Text)
		}
		for _, e := range r.Examples.NoMatch {
			g.neutral = append(g.neutral, e.Text)
		}
	}
	for _, p := range peerPhrases {
		s := strings.ToUpper(p[:1]) + p[1:]
		g.triggers = append(g.triggers, s+".", "Honestly, "+p+".", "Look, "+p+", let's move on.")
		g.phrases = append(g.phrases, p)
	}
	g.neutral = append(g.neutral, neutralTexts...)
	g.recent = make([]sentMessage, 0, 256)
	return g
}

func (g *generator) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *generator) kind() string {
	x := g.rng.Float64()
	for _, k := range mixKinds {
		if x < k.share {
			return k.kind
		}
	}
	return kindPlain
}

// item is one event to send.
type item struct {
	kind     string
	user     string
	channel  string
	text     string
	threadTS string
	edit     *sentMessage // the message an edit changes
}

func (g *generator) nextItem() item {
	k := g.kind()
	it := item{kind: k, user: g.pick(g.people), channel: g.pick(g.channels)}
	switch k {
	case kindTrigger:
		it.text = g.pick(g.triggers)
	case kindTriggerThread, kindThread:
		it.text = g.pick(g.neutral)
		if k == kindTriggerThread {
			it.text = g.pick(g.triggers)
		}
		if len(g.recent) > 0 {
			p := g.recent[g.rng.IntN(len(g.recent))]
			it.channel, it.threadTS = p.channel, p.ts
		}
	case kindTriggerEdit, kindEdit:
		if len(g.recent) == 0 {
			it.kind, it.text = kindPlain, g.pick(g.neutral)
			break
		}
		p := g.recent[g.rng.IntN(len(g.recent))]
		it.edit, it.user, it.channel = &p, p.user, p.channel
		if k == kindTriggerEdit {
			it.text = p.text + " " + g.pick(g.triggers)
		} else {
			it.text = p.text + " (edited: typo)"
		}
	case kindCode:
		ph := g.pick(g.phrases)
		if g.rng.IntN(2) == 0 {
			it.text = "The error string in the logs is:\n```\nassert failed: " + ph + "\n```\nanyone seen this?"
		} else {
			it.text = "Renamed the test to `" + strings.ReplaceAll(ph, " ", "_") + "` and `" + ph + "` in the fixture."
		}
	case kindQuote:
		it.text = "> " + g.pick(g.triggers) + "\nThat line from the old handbook didn't age well."
	case kindBot:
		it.text = "Build #" + strconv.Itoa(g.rng.IntN(9000)+1000) + " finished. Motto of the day: " + g.pick(g.phrases)
		it.user = ""
	default:
		it.text = g.pick(g.neutral)
	}
	return it
}

// remember keeps a neutral channel message for later thread replies and edits.
func (g *generator) remember(m sentMessage) {
	if len(g.recent) < cap(g.recent) {
		g.recent = append(g.recent, m)
		return
	}
	g.recent[g.next] = m
	g.next = (g.next + 1) % len(g.recent)
}

// sent is the record of one event the harness sent.
type sent struct {
	kind       string
	eventID    string
	envelopeID string
	// at is when the message was written, epoch seconds: the message ts the
	// local Slack made, or for an edit the edit's own time.
	at float64
	// payload is the event_callback exactly as the local Slack sent it.
	payload json.RawMessage
}

func epochTS(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'f', 6, 64)
}

func tsSeconds(ts string) float64 {
	f, _ := strconv.ParseFloat(ts, 64)
	return f
}

// send delivers one item into the local Slack.
func send(fs *fakeslack.Server, it item) (sent, error) {
	var (
		res fakeslack.EventResult
		err error
		at  float64
	)
	switch it.kind {
	case kindBot:
		now := epochTS(time.Now())
		ev := map[string]any{"type": "message", "subtype": "bot_message", "bot_id": "B0DEPLOY", "username": "deploybot",
			"channel": it.channel, "channel_type": "channel", "text": it.text, "ts": now, "event_ts": now}
		at = tsSeconds(now)
		res, err = sendEvent(fs, ev)
	case kindEdit, kindTriggerEdit:
		if it.edit == nil {
			return sent{}, fmt.Errorf("edit without a message")
		}
		now := epochTS(time.Now())
		ev := map[string]any{"type": "message", "subtype": "message_changed", "hidden": true,
			"channel": it.channel, "channel_type": "channel", "ts": now, "event_ts": now,
			"message": map[string]any{"type": "message", "user": it.user, "text": it.text, "ts": it.edit.ts,
				"edited": map[string]any{"user": it.user, "ts": now}},
			"previous_message": map[string]any{"type": "message", "user": it.user, "text": it.edit.text, "ts": it.edit.ts},
		}
		at = tsSeconds(now)
		res, err = sendEvent(fs, ev)
	default:
		res, err = fs.SendMessage(fakeslack.Message{User: it.user, Channel: it.channel, Text: it.text, ThreadTS: it.threadTS})
		at = tsSeconds(res.TS)
	}
	if err != nil {
		return sent{}, err
	}
	s := sent{kind: it.kind, eventID: res.EventID, envelopeID: res.EnvelopeID, at: at}
	if e, ok := fs.Envelope(res.EnvelopeID); ok {
		s.payload = e.Payload
	}
	return s, nil
}

func sendEvent(fs *fakeslack.Server, ev map[string]any) (fakeslack.EventResult, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return fakeslack.EventResult{}, err
	}
	return fs.SendEvent(b)
}

// driveOpts shape one load.
type driveOpts struct {
	rate     float64
	duration time.Duration
	// resend is the share of events sent a second time, as Slack does when
	// an ack is lost: the same event_callback (same event_id) in a new
	// envelope, resendDelay after the first.
	resend      float64
	resendDelay time.Duration
}

// driveResult is what drive sent.
type driveResult struct {
	msgs       []sent
	sendErrors int
	resent     int
	elapsed    time.Duration
}

// drive sends rate×duration events at the target rate and returns what it
// sent. It stops early when ctx ends, and in any case after twice the
// duration plus ten seconds.
func drive(ctx context.Context, fs *fakeslack.Server, g *generator, o driveOpts) driveResult {
	n := int(o.rate * o.duration.Seconds())
	res := driveResult{msgs: make([]sent, 0, n)}
	type resend struct {
		due     time.Time
		payload json.RawMessage
	}
	var resends []resend
	flush := func(all bool) {
		for len(resends) > 0 && (all || time.Now().After(resends[0].due)) {
			if d := time.Until(resends[0].due); d > 0 {
				time.Sleep(d)
			}
			if _, err := fs.SendEvent(resends[0].payload); err == nil {
				res.resent++
			} else {
				res.sendErrors++
			}
			resends = resends[1:]
		}
	}
	interval := time.Duration(float64(time.Second) / o.rate)
	start := time.Now()
	hardStop := start.Add(2*o.duration + 10*time.Second)
	for i := 0; i < n; i++ {
		if ctx.Err() != nil || time.Now().After(hardStop) {
			break
		}
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		flush(false)
		it := g.nextItem()
		s, err := send(fs, it)
		if err != nil {
			res.sendErrors++
			continue
		}
		res.msgs = append(res.msgs, s)
		if o.resend > 0 && g.rng.Float64() < o.resend && len(s.payload) > 0 {
			resends = append(resends, resend{due: time.Now().Add(o.resendDelay), payload: s.payload})
		}
		if it.kind == kindPlain && it.threadTS == "" {
			if p, ok := decodeEvent(s.payload); ok {
				g.remember(sentMessage{user: it.user, channel: it.channel, ts: p.Event.TS, text: it.text})
			}
		}
	}
	if ctx.Err() == nil {
		flush(true)
	}
	res.elapsed = time.Since(start)
	return res
}

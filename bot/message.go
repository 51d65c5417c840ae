package bot

import (
	"context"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"
)

// messageBody is the part of a message (or of an edit's new and previous
// message) the bot reads. It is decoded from the raw payload (see
// decodeMessageEvent; the json tags say what it reads, as encoding/json
// would), so rich_text blocks arrive in the matcher's own shape.
type messageBody struct {
	User    string           `json:"user"`
	BotID   string           `json:"bot_id"`
	Subtype string           `json:"subtype"`
	Text    string           `json:"text"`
	TS      string           `json:"ts"`
	Blocks  []nudges.Element `json:"blocks"`
}

// eventBody is a message event: the message itself, or for an edit the new
// and previous versions.
type eventBody struct {
	messageBody
	Channel     string       `json:"channel"`
	ChannelType string       `json:"channel_type"`
	Message     *messageBody `json:"message"`
	Previous    *messageBody `json:"previous_message"`
}

type messageEvent struct {
	EventID string    `json:"event_id"`
	Event   eventBody `json:"event"`
}

// preAckStoreTimeout bounds the store calls made before an envelope is
// acked; on timeout the envelope is left unacked and Slack redelivers it.
const preAckStoreTimeout = 2 * time.Second

// slowPreAck is when the pre-ack store calls are logged as slow.
const slowPreAck = 250 * time.Millisecond

// Subtypes whose text is the author's own new words.
func readableSubtype(s string) bool {
	return s == "" || s == "thread_broadcast" || s == "file_share"
}

// onMessage decides, before the ack, whether a message earns a nudge. The
// text is matched in memory and dropped; only the decision (user, rule,
// channel, ts, event id) is written to the store, and only then is the
// envelope acked, so a crash after the ack loses nothing.
func (b *Bot) onMessage(ctx context.Context, req *socketmode.Request, start time.Time) {
	if b.opts.Disabled {
		b.ack(ctx, req, nil, start)
		return
	}
	me, msg, best, reason := b.classify(req.Payload)
	if reason != "" {
		b.metrics.Dropped.WithLabelValues(reason).Inc()
		b.ack(ctx, req, nil, start)
		b.log.Debug("message ignored", zap.String("reason", reason), zap.String("channel", me.Event.Channel))
		return
	}
	if best.Rule == nil {
		b.ack(ctx, req, nil, start)
		return
	}
	ev := &me.Event
	b.metrics.Matches.WithLabelValues(best.Rule.ID).Inc()
	// The store calls before the ack are bounded, so a database that hangs
	// cannot stall the loop (and every other envelope's ack) for long.
	sctx, cancel := context.WithTimeout(ctx, preAckStoreTimeout)
	defer cancel()
	storeStart := time.Now()
	observed := false
	observe := func() { // once the store calls before the ack are done
		if observed {
			return
		}
		observed = true
		took := time.Since(storeStart)
		b.metrics.PreAckStore.Observe(took.Seconds())
		if took > slowPreAck {
			b.log.Warn("slow store before an ack", zap.Duration("took", took), zap.String("channel", ev.Channel), zap.String("rule", best.Rule.ID))
		}
	}
	defer observe()
	// A channel whose members turned nudges off: checked only for matches,
	// so neutral traffic costs no database read.
	off, err := b.store.ChannelNudgesOff(sctx, ev.Channel)
	if err != nil {
		b.metrics.Dropped.WithLabelValues("store_error").Inc()
		b.log.Error("reading the channel's settings failed; leaving the envelope unacked for redelivery", zap.String("channel", ev.Channel), zap.Error(err))
		return
	}
	if off {
		observe()
		b.metrics.Dropped.WithLabelValues("channel_off").Inc()
		b.ack(ctx, req, nil, start)
		return
	}
	n, created, err := b.store.RecordPendingNudge(sctx, store.NewNudge{
		EventID:   me.EventID,
		UserID:    msg.User,
		RuleID:    best.Rule.ID,
		Category:  string(best.Rule.Category),
		ChannelID: ev.Channel,
		MessageTS: msg.TS,
	}, b.opts.Lease)
	observe()
	if err != nil {
		// Not acked on purpose: Slack redelivers, and the decision is made
		// again once the store answers.
		b.metrics.Dropped.WithLabelValues("store_error").Inc()
		b.log.Error("recording a pending nudge failed; leaving the envelope unacked for redelivery",
			zap.String("rule", best.Rule.ID), zap.String("channel", ev.Channel), zap.String("ts", msg.TS), zap.Error(err))
		return
	}
	if !created {
		b.metrics.Nudges.WithLabelValues(best.Rule.ID, "duplicate").Inc()
		b.ack(ctx, req, nil, start)
		b.log.Debug("event already handled", zap.String("event_id", me.EventID), zap.Int("retry_attempt", req.RetryAttempt))
		return
	}
	b.ack(ctx, req, nil, start)
	b.log.Debug("nudge recorded", zap.Int64("nudge", n.ID), zap.String("rule", n.RuleID), zap.String("channel", n.ChannelID), zap.String("ts", n.MessageTS))
	// Never wait for a worker here: this goroutine acks every envelope.
	// The nudge is in the store with a lease; when the pool is saturated
	// (Slack answering 429s for minutes, say), the recovery loop delivers
	// it once the lease ends, and the acks stay fast meanwhile.
	if !b.tryEnqueue(job{kind: jobNudge, nudge: n, words: best.Text}) {
		b.metrics.Dropped.WithLabelValues("queue_full_deferred").Inc()
		b.log.Debug("work queue full; the nudge is delivered by recovery", zap.Int64("nudge", n.ID))
	}
}

// classify decodes a message event and decides, without side effects,
// what it earns: a reason it is ignored, or the best match (Rule nil when
// nothing matched). It is the parser of outside input on the hot path, and
// is fuzzed.
func (b *Bot) classify(payload []byte) (me messageEvent, msg *messageBody, best nudges.Match, reason string) {
	if err := decodeMessageEvent(payload, &me); err != nil || me.EventID == "" {
		return me, nil, best, "malformed"
	}
	msg, prev, reason := b.readable(&me.Event)
	if reason != "" {
		return me, nil, best, reason
	}
	m := b.rules.Load()
	matches := b.relevant(m.Match(nudges.Message{Text: msg.Text, Blocks: msg.Blocks}))
	if prev != nil && len(matches) > 0 {
		// An edit nudges only for what it added.
		matches = without(matches, b.relevant(m.Match(nudges.Message{Text: prev.Text, Blocks: prev.Blocks})))
	}
	best, _ = nudges.Best(matches)
	return me, msg, best, ""
}

// readable returns the message to match (and, for an edit, the previous
// version), or why it is ignored.
func (b *Bot) readable(ev *eventBody) (msg, prev *messageBody, reason string) {
	switch ev.ChannelType {
	case "channel", "group", "mpim", "":
	default:
		return nil, nil, "direct_message"
	}
	msg = &ev.messageBody
	if ev.Subtype == "message_changed" {
		if ev.Message == nil {
			return nil, nil, "malformed"
		}
		msg, prev = ev.Message, ev.Previous
		if prev == nil {
			prev = &messageBody{}
		}
	} else if r := SkipReason(ev.Subtype, ev.BotID, ev.User); r != "" {
		return nil, nil, r
	}
	switch { // an edit's new version: only who wrote it counts
	case msg.BotID != "" || msg.Subtype == "bot_message":
		return nil, nil, "bot"
	case msg.User == "":
		return nil, nil, "no_user"
	case msg.User == b.selfUser:
		return nil, nil, "self"
	case !b.channelAllowed(ev.Channel):
		return nil, nil, "channel_excluded"
	}
	return msg, prev, ""
}

// SkipReason says why the bot ignores a message with these fields, or ""
// when it reads it: "bot" (a bot or app wrote it), "subtype" (a join, a
// topic change… anything but the author's own new words), "no_user". It is
// the filter `leadnudge scan` applies to an export, so a scan decides as
// the bot does.
func SkipReason(subtype, botID, user string) string {
	switch {
	case botID != "" || subtype == "bot_message":
		return "bot"
	case !readableSubtype(subtype):
		return "subtype"
	case user == "":
		return "no_user"
	}
	return ""
}

// ChannelTest returns the bot's channel test for the configured allow and
// deny lists (ids or names), with channel names resolved through byName
// (name → id), as `leadnudge scan` needs it for an export.
func ChannelTest(allow, deny []string, byName map[string]string) func(channelID string) bool {
	return buildChannelFilter(allow, deny, byName).allowed
}

// channelAllowed applies the allow and deny lists (resolved to ids).
func (b *Bot) channelAllowed(ch string) bool {
	return b.filter.Load().allowed(ch)
}

// relevant keeps the matches at or above the configured severity.
func (b *Bot) relevant(ms []nudges.Match) []nudges.Match {
	out := ms[:0:0]
	for _, m := range ms {
		if m.Rule.Severity >= b.opts.MinSeverity {
			out = append(out, m)
		}
	}
	if len(out) == len(ms) {
		return ms
	}
	return out
}

// without returns the matches of rules that are not in old.
func without(ms, old []nudges.Match) []nudges.Match {
	var out []nudges.Match
	for _, m := range ms {
		seen := false
		for _, o := range old {
			if o.Rule.ID == m.Rule.ID {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, m)
		}
	}
	return out
}

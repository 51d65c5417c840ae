package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// Action ids of the buttons on a nudge; the value of each is the nudge id.
const (
	ActionHelpful    = "nudge_helpful"
	ActionNotHelpful = "nudge_not_helpful"
	ActionSnooze     = "nudge_snooze"
	ActionStop       = "nudge_stop"
)

// MaxDeliveryAttempts bounds how often a nudge whose delivery failed for a
// transient reason (429, 5xx, network) is tried again before it is marked
// failed.
const MaxDeliveryAttempts = 5

// MaxRateLimitedAge is how long a nudge held back only by Slack's rate
// limits keeps being retried (429s are Slack pacing the app, not a failure:
// they do not count towards MaxDeliveryAttempts); a nudge older than that
// is about a conversation long gone and is marked failed.
const MaxRateLimitedAge = time.Hour

// rateLimited reports whether err is a 429.
func rateLimited(err error) bool {
	var rl *slack.RateLimitedError
	return errors.As(err, &rl)
}

// SnoozeWeek is how long "Snooze a week" snoozes.
const SnoozeWeek = 7 * 24 * time.Hour

// deliverNudge runs the policy for a recorded nudge and, if it passes,
// delivers the tip privately and marks the nudge sent. Errors that may be
// transient leave the nudge pending: the recovery loop retries it after its
// lease.
func (b *Bot) deliverNudge(ctx context.Context, n store.Nudge, words string) {
	log := b.log.With(zap.Int64("nudge", n.ID), zap.String("rule", n.RuleID), zap.String("channel", n.ChannelID), zap.String("ts", n.MessageTS))
	rule := b.rules.Load().RuleSet().Rule(n.RuleID)
	if rule == nil {
		if _, err := b.store.MarkNudgeFailed(ctx, n.ID, "rule_removed"); err != nil {
			log.Warn("marking a nudge of a removed rule failed", zap.Error(err))
		}
		b.metrics.Nudges.WithLabelValues(n.RuleID, "failed").Inc()
		log.Info("rule no longer exists; nudge dropped")
		return
	}
	dec, err := b.store.DecideNudge(ctx, n.ID, store.Policy{Cooldown: b.cooldown(rule), DailyCap: b.opts.DailyCap})
	if err != nil {
		log.Warn("nudge policy check failed; will retry after the lease", zap.Error(err))
		return
	}
	n.WithIntro = dec.Nudge.WithIntro
	if !dec.Allowed {
		if dec.Reason != store.ReasonHandled {
			b.metrics.Nudges.WithLabelValues(n.RuleID, "suppressed").Inc()
			log.Debug("nudge suppressed", zap.String("reason", string(dec.Reason)))
		}
		return
	}
	// A job can wait in the queue longer than its lease when the pool is
	// saturated; the recovery loop may have claimed the nudge again since
	// (a newer attempt). Check the claim, and renew it, before posting: the
	// newer owner delivers it, never both.
	if ok, err := b.store.RenewNudgeLease(ctx, n.ID, n.Attempts, b.opts.Lease); err != nil || !ok {
		if err != nil {
			log.Warn("checking the nudge's lease failed; it is retried after its lease", zap.Error(err))
		} else {
			log.Debug("the nudge was claimed again while it waited for a worker; its new owner delivers it")
		}
		return
	}
	// Keep the lease while delivering (Retry-After waits can be long), so
	// no other worker or replica takes the nudge over and sends it twice;
	// if the lease is lost anyway, stop.
	dctx, stopLease := context.WithCancel(ctx)
	leaseDone := b.holdLease(dctx, stopLease, n)
	var d store.Delivery
	if b.opts.Delivery == DeliveryEphemeral {
		d, err = b.deliverEphemeral(dctx, n, rule, words)
	} else {
		d, err = b.deliverDM(dctx, n, rule, words)
	}
	stopLease()
	lost := <-leaseDone
	if err != nil {
		switch {
		case ctx.Err() != nil:
			log.Info("delivery interrupted by shutdown; the nudge stays pending")
			return
		case lost:
			log.Warn("lost the nudge's lease during delivery; another worker owns it now")
			return
		case b.transient(err) && (n.Attempts < MaxDeliveryAttempts || rateLimited(err) && b.opts.Now().Sub(n.CreatedAt) < MaxRateLimitedAge):
			// Rate limited or Slack unavailable: leave it pending, and hand
			// it back as soon as Slack said to try again (at least a
			// second), not a whole lease later: the recovery loop claims it
			// again once this short lease ends.
			wait, _ := b.retryWait(err, n.Attempts)
			if _, rerr := b.store.RenewNudgeLease(ctx, n.ID, n.Attempts, min(max(wait, time.Second), b.opts.Lease)); rerr != nil {
				log.Warn("shortening the lease of a nudge to retry failed; it is retried after its lease", zap.Error(rerr))
			}
			b.metrics.Nudges.WithLabelValues(n.RuleID, "retry").Inc()
			log.Warn("nudge delivery failed for now; it stays pending and is retried after its lease",
				zap.String("error", ErrorCode(err)), zap.Int("attempt", n.Attempts))
			return
		}
		code := ErrorCode(err)
		if _, merr := b.store.MarkNudgeFailed(ctx, n.ID, code); merr != nil {
			log.Warn("marking a failed nudge failed", zap.Error(merr))
		}
		b.metrics.Nudges.WithLabelValues(n.RuleID, "failed").Inc()
		log.Warn("nudge could not be delivered", zap.String("error", code), zap.Int("attempts", n.Attempts))
		return
	}
	if _, err := b.store.MarkNudgeSent(ctx, n.ID, d); err != nil {
		log.Warn("marking a nudge sent failed", zap.Error(err))
	}
	b.metrics.Nudges.WithLabelValues(n.RuleID, "sent").Inc()
	log.Debug("nudge sent")
}

// holdLease renews the nudge's lease every third of the lease until ctx
// ends. The channel reports whether the lease was lost (then stop() has
// been called, cancelling the delivery).
func (b *Bot) holdLease(ctx context.Context, stop context.CancelFunc, n store.Nudge) <-chan bool {
	done := make(chan bool, 1)
	go func() {
		t := time.NewTicker(b.opts.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				done <- false
				return
			case <-t.C:
				ok, err := b.store.RenewNudgeLease(ctx, n.ID, n.Attempts, b.opts.Lease)
				if err == nil && !ok {
					stop()
					done <- true
					return
				}
				if err != nil && ctx.Err() == nil {
					b.log.Warn("renewing a nudge's lease failed; retrying", zap.Int64("nudge", n.ID), zap.Error(err))
				}
			}
		}
	}()
	return done
}

// cooldown is the rule's own cooldown, or the operator's default.
func (b *Bot) cooldown(r *nudges.Rule) time.Duration {
	if r.Cooldown > 0 {
		return r.Cooldown
	}
	return b.opts.Cooldown
}

func (b *Bot) deliverDM(ctx context.Context, n store.Nudge, rule *nudges.Rule, words string) (store.Delivery, error) {
	// One call per nudge: posted to the person's user id, Slack puts it in
	// the app's DM with them and answers with that DM's channel id, which
	// the store keeps for later chat.update.
	link := b.permalink(ctx, n.ChannelID, n.MessageTS)
	blocks, text := b.withIntro(n, NudgeBlocks(n, rule, words, link), nudgeFallback(rule))
	if err := b.paced(ctx, prioNudge); err != nil {
		return store.Delivery{}, err
	}
	var ch, ts string
	err := b.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		ch, ts, err = b.api.PostMessageContext(ctx, n.UserID, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		return store.Delivery{}, err
	}
	return store.Delivery{Channel: ch, TS: ts}, nil
}

// WaitToPost waits for this process's posting budget before a
// chat.postMessage that is not a nudge (the weekly fan-out): any waiting
// nudge goes first.
func (b *Bot) WaitToPost(ctx context.Context) error { return b.paced(ctx, prioPrompt) }

// paced waits for this process's posting budget (see pacer), nudges
// first, and records the wait.
func (b *Bot) paced(ctx context.Context, prio priority) error {
	kind := "nudge"
	if prio == prioPrompt {
		kind = "other"
	}
	b.metrics.PostsWaiting.WithLabelValues(kind).Inc()
	waited, err := b.pacer.wait(ctx, prio)
	b.metrics.PostsWaiting.WithLabelValues(kind).Dec()
	b.metrics.PostWait.WithLabelValues(kind).Observe(waited.Seconds())
	return err
}

// withIntro puts the one-time introduction on top of the person's first
// nudge: one message, so the introduction arrives exactly when the nudge
// does, and is retried or given back with it (DecideNudge, MarkNudgeFailed).
func (b *Bot) withIntro(n store.Nudge, blocks []slack.Block, text string) ([]slack.Block, string) {
	if !n.WithIntro {
		return blocks, text
	}
	return append(append(introBlocks(b.opts.MinPeople), slack.NewDividerBlock()), blocks...), introText() + " " + text
}

func (b *Bot) deliverEphemeral(ctx context.Context, n store.Nudge, rule *nudges.Rule, words string) (store.Delivery, error) {
	blocks, text := b.withIntro(n, NudgeBlocks(n, rule, words, ""), nudgeFallback(rule))
	err := b.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := b.api.PostEphemeralContext(ctx, n.ChannelID, n.UserID, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		return store.Delivery{}, err
	}
	return store.Delivery{Channel: n.ChannelID}, nil
}

// DM sends a private message to a user. It is what other parts of the bot
// (the weekly reflection) use to reach a person.
//
// It is one call: posted to the user id, Slack delivers it into the app's
// DM with the person and answers with the DM's channel id.
func (b *Bot) DM(ctx context.Context, user, text string, blocks []slack.Block) (store.Delivery, error) {
	if err := b.paced(ctx, prioPrompt); err != nil {
		return store.Delivery{}, err
	}
	var ch, ts string
	err := b.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
		if len(blocks) > 0 {
			opts = append(opts, slack.MsgOptionBlocks(blocks...))
		}
		var err error
		ch, ts, err = b.api.PostMessageContext(ctx, user, opts...)
		return err
	})
	return store.Delivery{Channel: ch, TS: ts}, err
}

// permalink links to the message; on failure the nudge goes out without a
// link rather than not at all.
func (b *Bot) permalink(ctx context.Context, channel, ts string) string {
	if channel == "" || ts == "" {
		return ""
	}
	if b.workspaceURL != "" {
		// Slack's own form: /archives/CHANNEL/p + the ts without its dot
		return b.workspaceURL + "/archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
	}
	var link string
	err := b.call(ctx, "chat.getPermalink", func(ctx context.Context) error {
		var err error
		link, err = b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
		return err
	})
	if err != nil {
		b.log.Debug("permalink unavailable", zap.String("error", ErrorCode(err)))
		return ""
	}
	return link
}

// Escape makes user-supplied text safe to echo into a Slack message: with
// &, < and > escaped it cannot forge mentions, links or channel pings.
func Escape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// quoteWords shows matched words inline: escaped, on one line, without
// mrkdwn that could break the surrounding formatting.
func quoteWords(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.NewReplacer("*", "", "_", "", "~", "", "`", "'").Replace(s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return Escape(s)
}

func nudgeFallback(r *nudges.Rule) string {
	t := "A private leadership nudge: " + r.Tip.Title + ". " + r.Tip.Why
	if len(r.Tip.Try) > 0 {
		t += " Try: " + r.Tip.Try[0]
	}
	return Escape(t)
}

// NudgeBlocks lays out a nudge: what was noticed and where, why it can land
// badly, what to try instead, the feedback buttons and a privacy line.
func NudgeBlocks(n store.Nudge, r *nudges.Rule, words, permalink string) []slack.Block {
	where := "a channel"
	if n.ChannelID != "" {
		where = "<#" + n.ChannelID + ">"
	}
	if permalink != "" && strings.HasPrefix(permalink, "http") && !strings.ContainsAny(permalink, "|<> ") {
		where = "<" + permalink + "|your message> in " + where
	}
	noticed := fmt.Sprintf("In %s you wrote “%s”.", where, quoteWords(words))
	if words == "" {
		noticed = fmt.Sprintf("A message of yours in %s leaned this way.", where)
	}
	var try strings.Builder
	for _, t := range r.Tip.Try {
		try.WriteString("• " + Escape(t) + "\n")
	}
	id := strconv.FormatInt(n.ID, 10)
	button := func(action, label string, style slack.Style) slack.BlockElement {
		btn := slack.NewButtonBlockElement(action, id, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		if style != "" {
			btn.Style = style
		}
		return btn
	}
	return []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*"+Escape(r.Tip.Title)+"*\n"+noticed, false, false), nil, nil),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Why it can land badly:* "+Escape(r.Tip.Why), false, false), nil, nil),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Try instead:*\n"+strings.TrimRight(try.String(), "\n"), false, false), nil, nil),
		slack.NewActionBlock("nudge_actions",
			button(ActionHelpful, "Helpful", slack.StylePrimary),
			button(ActionNotHelpful, "Not helpful", ""),
			button(ActionSnooze, "Snooze a week", ""),
			button(ActionStop, "Stop these", slack.StyleDanger),
		),
		slack.NewContextBlock("nudge_privacy", slack.NewTextBlockObject(slack.MarkdownType,
			"Only you can see this. Your message text is never stored. `/nudges off` turns nudges off.", false, false)),
	}
}

func introText() string {
	return "Hi! I'm leadnudge. Now and then I'll send you a private tip when a message of yours leans on authority rather than influence."
}

func introBlocks(minPeople int) []slack.Block {
	return []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType,
			"*Hi, I'm leadnudge* :wave:\n"+
				"Now and then, when a message of yours leans on positional authority rather than influence, I'll send you a short tip here, "+
				"with why it can land badly and what to try instead.\n\n"+
				"• *Nobody else sees these*: not your team, not your manager. "+adminPromise(minPeople)+"\n"+
				"• *Your message text is never stored*; I only remember which tip I sent and when.\n"+
				"• `/nudges snooze 7d` pauses me, `/nudges off` stops me, and every tip has buttons for both.", false, false), nil, nil),
	}
}

package reflection

import (
	"context"
	"strconv"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// FatiguePromptID is the ledger's prompt id for the fatigue question, the
// DM that replaces a weekly prompt after FatigueAfter ignored ones.
const FatiguePromptID = "fatigue-check"

// Action ids of the fatigue question's buttons.
const (
	ActionFatigueKeep  = "reflect_fatigue_keep"
	ActionFatiguePause = "reflect_fatigue_pause"
	ActionFatigueStop  = "reflect_fatigue_stop"
)

// Fatigued reports whether the person ignored their last n prompts in a
// row (sent, the week over, neither answered nor skipped) with no fatigue
// question among them, given their ledger newest first, as of week current.
// It is pure, for tests and for the fan-out.
func Fatigued(ledger []store.PromptDelivery, current store.Week, n int) bool {
	if n <= 0 {
		return false
	}
	seen := 0
	for _, p := range ledger {
		if !p.Week.Before(current) {
			continue // this week's entry (or a claim for it) is not history yet
		}
		if p.PromptID == FatiguePromptID {
			return false // asked already: ask once per streak
		}
		if p.State != store.PromptSent {
			continue // skipped by the person or never sent: neither counts
		}
		if !p.Ignored(current) {
			return false
		}
		seen++
		if seen == n {
			return true
		}
	}
	return false
}

// fatigued reads the person's ledger and applies Fatigued.
func (r *Reflection) fatigued(ctx context.Context, user string, week store.Week) bool {
	if r.opts.FatigueAfter <= 0 {
		return false
	}
	ledger, err := r.st.ListPromptDeliveries(ctx, user, r.opts.FatigueAfter+4)
	if err != nil {
		r.log.Warn("weekly prompt: reading the ledger for the fatigue check failed", zap.String("user", user), zap.Error(err))
		return false
	}
	return Fatigued(ledger, week, r.opts.FatigueAfter)
}

func fatiguePrompt() nudges.Prompt {
	return nudges.Prompt{ID: FatiguePromptID, Text: "Still useful? (the weekly reflection)"}
}

func fatigueText() string {
	return "Your last few weekly reflections went unanswered, which is completely fine. Keep them, pause them for a month, or stop them?"
}

// fatigueBlocks asks, kindly, whether to keep the weekly prompt. Without an
// answer, prompts are paused for a month (said in the message).
func fatigueBlocks(week store.Week, days int) []slack.Block {
	value := promptValue(week, FatiguePromptID)
	return []slack.Block{
		slack.NewSectionBlock(mdText(":wave: *Still useful?*\nYour last few weekly reflections went unanswered, and that's completely fine: "+
			"busy weeks happen, and a habit only helps if it fits. Would you like to keep them coming, take a break, or stop?\n"+
			"_If I don't hear from you, I'll pause them for "+strconv.Itoa(days)+" days._"), nil, nil),
		slack.NewActionBlock("reflect_fatigue",
			slack.NewButtonBlockElement(ActionFatigueKeep, value, plainText("Keep them coming")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionFatiguePause, value, plainText("Pause for a month")),
			slack.NewButtonBlockElement(ActionFatigueStop, value, plainText("Stop them")),
		),
		slack.NewContextBlock("reflect_privacy", mdText(privacyLine)),
	}
}

// afterFatigueSent pauses prompts by default, until the person answers.
func (r *Reflection) afterFatigueSent(ctx context.Context, user string) {
	if _, err := r.st.SetPromptsPausedUntil(ctx, user, r.now().Add(r.opts.PauseFor)); err != nil {
		r.log.Warn("weekly prompt: pausing after the fatigue question failed", zap.String("user", user), zap.Error(err))
	}
}

// handleFatigue applies a click on the fatigue question and rewrites it.
func (r *Reflection) handleFatigue(ctx context.Context, ic slack.InteractionCallback, a *slack.BlockAction, user, channel, ts string) {
	b, err := r.attached()
	if err != nil {
		return
	}
	week, _, err := parsePromptValue(a.Value)
	if err != nil {
		return
	}
	var msg string
	switch a.ActionID {
	case ActionFatigueKeep:
		_, err = r.st.SetPromptsPausedUntil(ctx, user, time.Time{})
		msg = ":thumbsup: Great, they keep coming. Answer whenever a week gives you something to think about."
	case ActionFatiguePause:
		until := r.now().Add(r.opts.PauseFor)
		_, err = r.st.SetPromptsPausedUntil(ctx, user, until)
		msg = ":zzz: Paused until " + until.UTC().Format("Mon 2 Jan") + ". `/reflect on` resumes earlier."
	case ActionFatigueStop:
		err = r.setOn(ctx, user, false)
		msg = ":wave: Stopped. `/reflect on` brings the weekly reflection back any time."
	}
	if err != nil {
		r.log.Warn("fatigue answer failed", zap.String("user", user), zap.String("action", a.ActionID), zap.Error(err))
		return
	}
	// Any answer means the question was seen: it is not an ignored prompt.
	if _, err := r.st.SkipPrompt(ctx, user, week); err != nil {
		r.log.Debug("marking the fatigue question answered failed", zap.String("user", user), zap.Error(err))
	}
	b.Metrics().Prompts.WithLabelValues("fatigue_" + a.ActionID[len("reflect_fatigue_"):]).Inc()
	blocks := []slack.Block{
		slack.NewSectionBlock(mdText(":wave: *Still useful?*\n"+msg), nil, nil),
		slack.NewContextBlock("reflect_privacy", mdText(privacyLine)),
	}
	if channel != "" && ts != "" {
		err := b.Call(ctx, "chat.update", func(ctx context.Context) error {
			_, _, _, err := b.API().UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(msg, false), slack.MsgOptionBlocks(blocks...))
			return err
		})
		if err != nil {
			r.log.Warn("updating the fatigue question failed", zap.String("error", slackCode(err)))
		}
	}
	b.PublishHome(ctx, user)
}

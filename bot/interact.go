package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// ActionHandler handles interactive payloads that belong to another part
// of the bot (the weekly reflection's buttons and modals).
type ActionHandler struct {
	// Prefix selects block actions whose action id starts with it, and view
	// submissions whose callback id starts with it.
	Prefix string
	// Action handles a block action (on the worker pool, after the ack).
	Action func(ctx context.Context, ic slack.InteractionCallback, a *slack.BlockAction)
	// Submission handles a view submission before the ack and returns the
	// ack payload (nil closes the modal).
	Submission func(ctx context.Context, ic slack.InteractionCallback) any
}

// Matches reports whether h handles the view submission ic.
func (h ActionHandler) Matches(ic slack.InteractionCallback) bool {
	return strings.HasPrefix(ic.View.CallbackID, h.Prefix)
}

// Home-tab action ids.
const (
	ActionHomeOn       = "home_nudges_on"
	ActionHomeOff      = "home_nudges_off"
	ActionHomeSnooze   = "home_nudges_snooze"
	ActionHomeUnsnooze = "home_nudges_unsnooze"
)

func (b *Bot) handleInteraction(ctx context.Context, ic slack.InteractionCallback) {
	if ic.Type != slack.InteractionTypeBlockActions {
		b.drop("ignored_interaction")
		return
	}
	for _, a := range ic.ActionCallback.BlockActions {
		b.metrics.Commands.WithLabelValues(actionLabel(a.ActionID)).Inc()
		switch a.ActionID {
		case ActionHelpful, ActionNotHelpful, ActionSnooze, ActionStop:
			b.nudgeFeedback(ctx, ic, a)
		case ActionHomeOn, ActionHomeOff, ActionHomeSnooze, ActionHomeUnsnooze:
			b.homeAction(ctx, ic.User.ID, a.ActionID)
		default:
			handled := false
			for _, h := range b.actions {
				if h.Action != nil && strings.HasPrefix(a.ActionID, h.Prefix) {
					h.Action(ctx, ic, a)
					handled = true
					break
				}
			}
			if !handled {
				b.drop("unknown_action")
			}
		}
	}
}

func actionLabel(id string) string {
	switch {
	case strings.HasPrefix(id, "nudge_"), strings.HasPrefix(id, "home_"), strings.HasPrefix(id, "reflect_"):
		if len(id) <= 32 {
			return id
		}
	}
	return "other"
}

var feedbackOf = map[string]store.Feedback{
	ActionHelpful:    store.FeedbackHelpful,
	ActionNotHelpful: store.FeedbackNotHelpful,
	ActionSnooze:     store.FeedbackSnooze,
	ActionStop:       store.FeedbackStop,
}

// nudgeFeedback records a click on a nudge's buttons, applies snooze or
// stop, and rewrites the message to show what was recorded.
func (b *Bot) nudgeFeedback(ctx context.Context, ic slack.InteractionCallback, a *slack.BlockAction) {
	user := ic.User.ID
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		b.drop("bad_action_value")
		return
	}
	fb := feedbackOf[a.ActionID]
	n, err := b.store.RecordFeedback(ctx, id, user, fb)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			b.drop("feedback_not_found")
			return
		}
		b.log.Warn("recording feedback failed", zap.Int64("nudge", id), zap.Error(err))
		return
	}
	b.metrics.Feedback.WithLabelValues(n.RuleID, string(fb)).Inc()
	var confirm string
	switch fb {
	case store.FeedbackHelpful:
		confirm = ":white_check_mark: Thanks, noted as *helpful*."
	case store.FeedbackNotHelpful:
		confirm = ":ok_hand: Thanks, noted as *not helpful*. That helps tune the rules."
	case store.FeedbackSnooze:
		until := b.opts.Now().Add(SnoozeWeek)
		if _, err := b.store.SetSnoozedUntil(ctx, user, until); err != nil {
			b.log.Warn("snoozing failed", zap.Error(err))
			return
		}
		confirm = ":zzz: Snoozed for a week, until " + until.UTC().Format("Mon 2 Jan") + ". `/nudges on` ends it early."
	case store.FeedbackStop:
		if _, err := b.store.SetOptedOut(ctx, user, true); err != nil {
			b.log.Warn("opting out failed", zap.Error(err))
			return
		}
		confirm = ":wave: Nudges are off. `/nudges on` brings them back."
	}
	b.markRecorded(ctx, ic, confirm)
	b.refreshHome(ctx, user)
}

// markRecorded replaces the nudge's buttons with what was recorded.
func (b *Bot) markRecorded(ctx context.Context, ic slack.InteractionCallback, confirm string) {
	blocks := withoutActions(ic.Message.Blocks.BlockSet)
	blocks = append(blocks, slack.NewContextBlock("nudge_recorded", slack.NewTextBlockObject(slack.MarkdownType, confirm, false, false)))
	channel, ts := ic.Container.ChannelID, ic.Container.MessageTs
	if channel == "" {
		channel = ic.Channel.ID
	}
	if ts == "" {
		ts = ic.Message.Timestamp
	}
	var err error
	if ic.Container.IsEphemeral || ts == "" {
		if ic.ResponseURL == "" {
			return
		}
		err = b.call(ctx, "response_url", func(ctx context.Context) error {
			_, _, err := b.api.PostMessageContext(ctx, channel, slack.MsgOptionReplaceOriginal(ic.ResponseURL),
				slack.MsgOptionText(confirm, false), slack.MsgOptionBlocks(blocks...))
			return err
		})
	} else {
		err = b.call(ctx, "chat.update", func(ctx context.Context) error {
			_, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(confirm, false), slack.MsgOptionBlocks(blocks...))
			return err
		})
	}
	if err != nil {
		b.log.Warn("updating the nudge message failed", zap.String("error", ErrorCode(err)))
	}
}

func withoutActions(in []slack.Block) []slack.Block {
	out := make([]slack.Block, 0, len(in))
	for _, bl := range in {
		if bl.BlockType() == slack.MBTAction {
			continue
		}
		if c, ok := bl.(*slack.ContextBlock); ok && c.BlockID == "nudge_recorded" {
			continue
		}
		out = append(out, bl)
	}
	return out
}

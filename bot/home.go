package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// HomeSection adds blocks to a person's App Home (the weekly reflection
// adds its own section). It must only read the person's own data.
type HomeSection func(ctx context.Context, user string, u store.User) []slack.Block

func (b *Bot) homeAction(ctx context.Context, user, action string) {
	var err error
	switch action {
	case ActionHomeOn:
		if _, err = b.store.SetOptedOut(ctx, user, false); err == nil {
			_, err = b.store.SetSnoozedUntil(ctx, user, time.Time{})
		}
	case ActionHomeOff:
		_, err = b.store.SetOptedOut(ctx, user, true)
	case ActionHomeSnooze:
		_, err = b.store.SetSnoozedUntil(ctx, user, b.opts.Now().Add(SnoozeWeek))
	case ActionHomeUnsnooze:
		_, err = b.store.SetSnoozedUntil(ctx, user, time.Time{})
	}
	if err != nil {
		b.log.Warn("home action failed", zap.String("action", action), zap.Error(err))
		return
	}
	b.PublishHome(ctx, user)
}

// refreshHome republishes the App Home after a change of settings, so the
// tab never shows stale toggles.
func (b *Bot) refreshHome(ctx context.Context, user string) { b.PublishHome(ctx, user) }

// PublishHome renders and publishes a person's App Home: their settings with
// toggles, their nudges of the last eight weeks by category, how they rated
// them, and a privacy note.
func (b *Bot) PublishHome(ctx context.Context, user string) {
	u, err := b.store.EnsureUser(ctx, user)
	if err != nil {
		b.log.Warn("reading preferences for App Home failed", zap.Error(err))
		return
	}
	st, err := b.store.UserStats(ctx, user, 8, userLocation(u.TimeZone))
	if err != nil {
		b.log.Warn("reading stats for App Home failed", zap.Error(err))
		return
	}
	blocks := HomeBlocks(u, st, b.opts.Now())
	for _, sec := range b.home {
		blocks = append(blocks, sec(ctx, user, u)...)
	}
	if slices.Contains(b.opts.Admins, user) {
		blocks = append(blocks, b.teamOverview(ctx)...)
	}
	blocks = append(blocks, slack.NewDividerBlock(), slack.NewContextBlock("home_privacy", slack.NewTextBlockObject(slack.MarkdownType,
		":lock: *Private to you.* Your nudges and reflections are visible only to you: not to your team or your manager. "+
			adminPromise(b.opts.MinPeople)+" Message text is never stored; only which tip was sent, where and when.", false, false)))
	err = b.call(ctx, "views.publish", func(ctx context.Context) error {
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{
			UserID: user,
			View:   slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}},
		})
		return err
	})
	if err != nil {
		b.log.Warn("publishing App Home failed", zap.String("error", ErrorCode(err)))
	}
}

// HomeBlocks lays out the nudges part of the App Home.
func HomeBlocks(u store.User, st store.Stats, now time.Time) []slack.Block {
	var status string
	var buttons []slack.BlockElement
	btn := func(id, label string) slack.BlockElement {
		return slack.NewButtonBlockElement(id, id, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
	}
	switch {
	case u.OptedOut:
		status = ":no_bell: Nudges are *off*."
		buttons = append(buttons, btn(ActionHomeOn, "Turn nudges on"))
	case u.Snoozed(now):
		status = ":zzz: Nudges are *snoozed* until " + u.SnoozedUntil.UTC().Format("Mon 2 Jan 15:04") + " UTC."
		buttons = append(buttons, btn(ActionHomeUnsnooze, "End snooze"), btn(ActionHomeOff, "Turn off"))
	default:
		status = ":bell: Nudges are *on*."
		buttons = append(buttons, btn(ActionHomeSnooze, "Snooze a week"), btn(ActionHomeOff, "Turn off"))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Your leadership nudges", false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, status, false, false), nil, nil),
		slack.NewActionBlock("home_nudges", buttons...),
		slack.NewDividerBlock(),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Your last 8 weeks*\n"+WeeksChart(st), false, false), nil, nil),
	}
	if st.Total > 0 {
		blocks = append(blocks,
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*By habit*\n"+CategoryChart(st), false, false), nil, nil),
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Your feedback*\n"+FeedbackLine(st), false, false), nil, nil),
		)
	}
	return blocks
}

// WeeksChart draws nudges per week as a small text bar chart, oldest first.
func WeeksChart(st store.Stats) string {
	if st.Total == 0 {
		return "No nudges in the last 8 weeks. :seedling:"
	}
	var b strings.Builder
	b.WriteString("```")
	for _, w := range st.Weeks {
		fmt.Fprintf(&b, "%s %-10s %d\n", w.Week, strings.Repeat("█", min(w.Total, 10)), w.Total)
	}
	b.WriteString("```")
	return b.String()
}

// CategoryChart draws nudges per category over the whole range.
func CategoryChart(st store.Stats) string {
	var b strings.Builder
	b.WriteString("```")
	for _, c := range nudges.Categories() {
		n := st.ByCategory[string(c)]
		if n == 0 {
			continue
		}
		fmt.Fprintf(&b, "%-26s %-10s %d\n", c.Label(), strings.Repeat("█", min(n, 10)), n)
	}
	b.WriteString("```")
	return b.String()
}

// FeedbackLine summarises how the person rated their nudges.
func FeedbackLine(st store.Stats) string {
	return fmt.Sprintf("Helpful %d · Not helpful %d · Snoozed %d · Stopped %d · No answer %d",
		st.Feedback[store.FeedbackHelpful], st.Feedback[store.FeedbackNotHelpful],
		st.Feedback[store.FeedbackSnooze], st.Feedback[store.FeedbackStop], st.Feedback[store.FeedbackNone])
}

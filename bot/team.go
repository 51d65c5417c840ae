package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/leadnudge/leadnudge/report"
	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// teamWeeks is how far back the App Home's team overview looks.
const teamWeeks = 12

// adminPromise is the one sentence, said wherever the bot describes its
// privacy, about what admins can see.
func adminPromise(minPeople int) string {
	return fmt.Sprintf("Admins see only anonymous totals across at least %d people, never your name, messages, answers or own count.", minPeople)
}

// teamOverview is the App Home section admins get: the anonymous team
// report of the last twelve weeks, in short. It is built from
// report.Build, so every figure obeys report.min_people.
func (b *Bot) teamOverview(ctx context.Context) []slack.Block {
	now := b.opts.Now()
	data, err := b.store.TeamData(ctx, now.AddDate(0, 0, -7*teamWeeks))
	if err != nil {
		b.log.Warn("reading team figures for App Home failed", zap.Error(err))
		return nil
	}
	r := report.Build(data, b.opts.MinPeople, now)
	md := func(id, s string) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil, slack.SectionBlockOptionBlockID(id))
	}
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Team overview (admins only)", false, false), slack.HeaderBlockOptionBlockID("team_header")),
		slack.NewContextBlock("team_promise", slack.NewTextBlockObject(slack.MarkdownType,
			fmt.Sprintf(":busts_in_silhouette: You see this because you are a leadnudge admin. The last %d weeks, anonymous: %s",
				teamWeeks, strings.TrimPrefix(r.Promise(), "Anonymous totals only: ")), false, false)),
	}
	var lines []string
	for i := max(0, len(r.Weeks)-4); i < len(r.Weeks); i++ {
		wk := r.Weeks[i]
		lines = append(lines, fmt.Sprintf("• %s: %s sent, %s rated helpful", wk.Week, r.Cell(wk.Sent), r.Share(wk.Helpful, wk.Sent)))
	}
	if len(lines) == 0 {
		lines = append(lines, "No nudges were sent in this period.")
	}
	blocks = append(blocks, md("team_weeks", "*Nudges, recent weeks*\n"+strings.Join(lines, "\n")))
	lines = lines[:0]
	for _, row := range r.Top(5) {
		lines = append(lines, fmt.Sprintf("• `%s`: %s sent to %s people · %s helpful, %s not · %s snoozed and %s stopped within a day",
			row.ID, r.Cell(row.Sent), r.Cell(row.People), r.Cell(row.Helpful), r.Cell(row.NotHelpful), r.Cell(row.SnoozedAfter), r.Cell(row.StoppedAfter)))
	}
	if hidden := len(r.Rules) - len(r.Top(len(r.Rules))); hidden > 0 {
		lines = append(lines, fmt.Sprintf("• %d more %s with figures held back (fewer than %d people, or they would give such a figure away)",
			hidden, pluralRule(hidden), r.MinPeople))
	}
	if len(lines) > 0 {
		blocks = append(blocks, md("team_rules", "*Rules that nudged most*\n"+strings.Join(lines, "\n")))
	}
	refl := fmt.Sprintf("*Weekly reflection*: %s people enrolled", r.Cell(r.Reflection.Enrolled))
	if n := len(r.Reflection.Weeks); n > 0 {
		wk := r.Reflection.Weeks[n-1]
		refl += fmt.Sprintf("; %s: %s prompted, %s answered (%s)", wk.Week, r.Cell(wk.Prompted), r.Cell(wk.Answered), r.Share(wk.Answered, wk.Prompted))
	}
	blocks = append(blocks, md("team_reflection", refl+"."),
		slack.NewContextBlock("team_more", slack.NewTextBlockObject(slack.MarkdownType,
			"`leadnudge report` prints every figure (text, JSON or HTML).", false, false)))
	return blocks
}

func pluralRule(n int) string {
	if n == 1 {
		return "rule"
	}
	return "rules"
}

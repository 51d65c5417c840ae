package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// CommandHandler answers a slash command other than /nudges. It runs on the
// worker pool after the command was acked.
type CommandHandler func(ctx context.Context, cmd slack.SlashCommand)

// MaxSnooze bounds /nudges snooze.
const MaxSnooze = 365 * 24 * time.Hour

func (b *Bot) handleCommand(ctx context.Context, cmd slack.SlashCommand) {
	name := cmd.Command
	b.metrics.Commands.WithLabelValues(commandLabel(name)).Inc()
	if name == "/nudges" {
		b.nudgesCommand(ctx, cmd)
		return
	}
	if h, ok := b.commands[name]; ok {
		h(ctx, cmd)
		return
	}
	b.Reply(ctx, cmd, fmt.Sprintf("Sorry, I don't know %s. Try `/nudges help`.", Escape(name)))
}

func commandLabel(name string) string {
	switch name {
	case "/nudges", "/reflect":
		return name
	}
	return "other"
}

// Reply answers a slash command privately, through its response_url (so
// only the person who typed it sees the answer).
func (b *Bot) Reply(ctx context.Context, cmd slack.SlashCommand, text string, blocks ...slack.Block) {
	if cmd.ResponseURL == "" {
		if _, err := b.DM(ctx, cmd.UserID, text, blocks); err != nil {
			b.log.Warn("replying to a command by DM failed", zap.String("command", cmd.Command), zap.String("error", ErrorCode(err)))
		}
		return
	}
	err := b.call(ctx, "response_url", func(ctx context.Context) error {
		opts := []slack.MsgOption{slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText(text, false)}
		if len(blocks) > 0 {
			opts = append(opts, slack.MsgOptionBlocks(blocks...))
		}
		_, _, err := b.api.PostMessageContext(ctx, cmd.ChannelID, opts...)
		return err
	})
	if err != nil {
		b.log.Warn("replying to a command failed", zap.String("command", cmd.Command), zap.String("error", ErrorCode(err)))
	}
}

const nudgesHelp = "*leadnudge* sends you private tips when a message of yours leans on authority rather than influence. Only you see them.\n" +
	"• `/nudges status`: are nudges on, and what you got lately\n" +
	"• `/nudges off` / `/nudges on`: stop or resume nudges\n" +
	"• `/nudges snooze 7d`: pause for a while (`3d`, `12h`, `2w`)\n" +
	"• `/nudges channel off` / `/nudges channel on`: no nudges for anyone in this channel\n" +
	"• `/nudges help`: this message\n" +
	"Your message text is never stored. Open the app's Home tab for your personal picture."

func (b *Bot) nudgesCommand(ctx context.Context, cmd slack.SlashCommand) {
	args := strings.Fields(strings.ToLower(cmd.Text))
	verb := ""
	if len(args) > 0 {
		verb = args[0]
	}
	user := cmd.UserID
	switch verb {
	case "", "help":
		b.Reply(ctx, cmd, nudgesHelp)
	case "on":
		if _, err := b.store.SetOptedOut(ctx, user, false); err != nil {
			b.replyError(ctx, cmd, err)
			return
		}
		if _, err := b.store.SetSnoozedUntil(ctx, user, time.Time{}); err != nil {
			b.replyError(ctx, cmd, err)
			return
		}
		b.Reply(ctx, cmd, "Nudges are *on*. I'll send you a private tip now and then.")
		b.refreshHome(ctx, user)
	case "off", "stop":
		if _, err := b.store.SetOptedOut(ctx, user, true); err != nil {
			b.replyError(ctx, cmd, err)
			return
		}
		b.Reply(ctx, cmd, "Nudges are *off*. I won't send you any more tips. `/nudges on` brings them back.")
		b.refreshHome(ctx, user)
	case "snooze":
		d := SnoozeWeek
		if len(args) > 1 {
			var err error
			if d, err = ParseSnooze(args[1]); err != nil {
				b.Reply(ctx, cmd, "I couldn't read that duration: "+Escape(err.Error())+". Try `/nudges snooze 7d`.")
				return
			}
		}
		until := b.opts.Now().Add(d)
		if _, err := b.store.SetSnoozedUntil(ctx, user, until); err != nil {
			b.replyError(ctx, cmd, err)
			return
		}
		b.Reply(ctx, cmd, fmt.Sprintf("Snoozed: no nudges until %s (UTC). `/nudges on` ends the snooze early.", until.UTC().Format("Mon 2 Jan 15:04")))
		b.refreshHome(ctx, user)
	case "status":
		b.Reply(ctx, cmd, b.statusText(ctx, user))
	case "channel":
		b.channelCommand(ctx, cmd, args[1:])
	default:
		b.Reply(ctx, cmd, "I didn't understand `"+Escape(verb)+"`.\n"+nudgesHelp)
	}
}

// channelCommand turns nudges off or on for everyone in the channel the
// command was typed in.
func (b *Bot) channelCommand(ctx context.Context, cmd slack.SlashCommand, args []string) {
	if len(args) != 1 || (args[0] != "off" && args[0] != "on") {
		b.Reply(ctx, cmd, "Use `/nudges channel off` or `/nudges channel on` in the channel you mean.")
		return
	}
	if cmd.ChannelID == "" || strings.HasPrefix(cmd.ChannelID, "D") {
		b.Reply(ctx, cmd, "Run `/nudges channel off` in the channel itself, not in a direct message.")
		return
	}
	off := args[0] == "off"
	if err := b.store.SetChannelNudgesOff(ctx, cmd.ChannelID, off); err != nil {
		b.replyError(ctx, cmd, err)
		return
	}
	b.log.Info("channel nudges changed", zap.String("channel", cmd.ChannelID), zap.Bool("off", off))
	if off {
		b.Reply(ctx, cmd, "Nudges are now *off* in <#"+cmd.ChannelID+"> for everyone. Nobody else was told. `/nudges channel on` turns them back on.")
		return
	}
	b.Reply(ctx, cmd, "Nudges are *on* again in <#"+cmd.ChannelID+">.")
}

func (b *Bot) replyError(ctx context.Context, cmd slack.SlashCommand, err error) {
	b.log.Warn("command failed", zap.String("command", cmd.Command), zap.Error(err))
	b.Reply(ctx, cmd, "Sorry, something went wrong on my side and nothing was changed. Please try again in a minute.")
}

// ParseSnooze reads a snooze length: a number and a unit (h, d or w), or a
// Go duration; between one hour and a year.
func ParseSnooze(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	var d time.Duration
	if n := len(s); n >= 2 && (s[n-1] == 'd' || s[n-1] == 'w') {
		v, err := strconv.Atoi(s[:n-1])
		if err != nil || v < 0 || v > 1000 {
			return 0, fmt.Errorf("%q is not a number of days or weeks", s)
		}
		unit := 24 * time.Hour
		if s[n-1] == 'w' {
			unit *= 7
		}
		d = time.Duration(v) * unit
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 7d, 2w or 12h", s)
		}
	}
	if d < time.Hour || d > MaxSnooze {
		return 0, fmt.Errorf("%q must be between 1h and 365d", s)
	}
	return d, nil
}

func (b *Bot) statusText(ctx context.Context, user string) string {
	u, err := b.store.EnsureUser(ctx, user)
	if err != nil {
		b.log.Warn("reading preferences failed", zap.Error(err))
		return "Sorry, I couldn't read your settings just now."
	}
	now := b.opts.Now()
	var s strings.Builder
	switch {
	case u.OptedOut:
		s.WriteString("Nudges are *off*. `/nudges on` turns them back on.\n")
	case u.Snoozed(now):
		fmt.Fprintf(&s, "Nudges are *snoozed* until %s (UTC).\n", u.SnoozedUntil.UTC().Format("Mon 2 Jan 15:04"))
	default:
		s.WriteString("Nudges are *on*.\n")
	}
	st, err := b.store.UserStats(ctx, user, 8, userLocation(u.TimeZone))
	if err == nil {
		fmt.Fprintf(&s, "In the last 8 weeks you got %d nudge%s.", st.Total, plural(st.Total))
		if st.Total > 0 {
			fmt.Fprintf(&s, " You rated %d helpful and %d not helpful.", st.Feedback["helpful"], st.Feedback["not_helpful"])
		}
	}
	return s.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func userLocation(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

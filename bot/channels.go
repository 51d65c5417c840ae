package bot

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// channelFilter is the resolved allow and deny lists: channel ids only.
type channelFilter struct {
	allow, deny map[string]bool
	// restrict: an allow list was configured, so only its channels count
	// (even while its names are not resolved yet).
	restrict bool
}

// channelIDRE tells a channel id (C…, G…) from a channel name.
var channelIDRE = regexp.MustCompile(`^[CG][A-Z0-9]{1,20}$`)

// channelNames returns the configured entries that are names.
func channelNames(lists ...[]string) []string {
	var names []string
	for _, l := range lists {
		for _, e := range l {
			if !channelIDRE.MatchString(e) {
				names = append(names, strings.TrimPrefix(e, "#"))
			}
		}
	}
	return names
}

// buildChannelFilter resolves the allow and deny lists with byName
// (channel name → id); names it does not know are left out.
func buildChannelFilter(allow, deny []string, byName map[string]string) *channelFilter {
	f := &channelFilter{allow: map[string]bool{}, deny: map[string]bool{}, restrict: len(allow) > 0}
	add := func(set map[string]bool, entries []string) {
		for _, e := range entries {
			if channelIDRE.MatchString(e) {
				set[e] = true
			} else if id, ok := byName[strings.TrimPrefix(e, "#")]; ok {
				set[id] = true
			}
		}
	}
	add(f.allow, allow)
	add(f.deny, deny)
	return f
}

// allowed applies the filter to a channel id.
func (f *channelFilter) allowed(ch string) bool {
	if f.deny[ch] {
		return false
	}
	return !f.restrict || f.allow[ch]
}

// resolveChannels looks channel names up with conversations.list and swaps
// in the new filter. It is a no-op when every entry is an id.
func (b *Bot) resolveChannels(ctx context.Context) {
	names := channelNames(b.opts.AllowChannels, b.opts.DenyChannels)
	if len(names) == 0 {
		return
	}
	byName := map[string]string{}
	cursor := ""
	for {
		var chs []slack.Channel
		var next string
		err := b.call(ctx, "conversations.list", func(ctx context.Context) error {
			var err error
			chs, next, err = b.api.GetConversationsContext(ctx, &slack.GetConversationsParameters{
				Cursor: cursor, Limit: 500, ExcludeArchived: true, Types: []string{"public_channel", "private_channel"},
			})
			return err
		})
		if err != nil {
			b.log.Warn("resolving channel names failed; keeping the previous lists", zap.String("error", ErrorCode(err)))
			return
		}
		for _, c := range chs {
			byName[c.Name] = c.ID
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for _, n := range names {
		if _, ok := byName[n]; !ok {
			b.log.Warn("channel name in nudges.channels not found (check the spelling, and that the bot can see it)", zap.String("channel_name", n))
		}
	}
	b.filter.Store(buildChannelFilter(b.opts.AllowChannels, b.opts.DenyChannels, byName))
}

// channelNamesLoop refreshes the name lookup, so a renamed or new channel
// is picked up.
func (b *Bot) channelNamesLoop(ctx context.Context) {
	if len(channelNames(b.opts.AllowChannels, b.opts.DenyChannels)) == 0 {
		return
	}
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.resolveChannels(ctx)
		}
	}
}

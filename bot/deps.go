package bot

import (
	"context"
	"time"

	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack"
)

// Slack is the part of Slack's Web API the bot calls. *slack.Client
// satisfies it.
type Slack interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	GetPermalinkContext(ctx context.Context, params *slack.PermalinkParameters) (string, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	GetUsersPaginated(options ...slack.GetUsersOption) slack.UserPagination
	GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error)
	GetConversationsContext(ctx context.Context, params *slack.GetConversationsParameters) ([]slack.Channel, string, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
}

// Store is the persistence the bot needs. The store package's *Store
// satisfies it; every guarantee (dedupe, cooldown, cap, once a week) is the
// store's, enforced by the database.
type Store interface {
	RecordPendingNudge(ctx context.Context, n store.NewNudge, lease time.Duration) (store.Nudge, bool, error)
	ClaimPendingNudges(ctx context.Context, lease time.Duration, limit int) ([]store.Nudge, error)
	RenewNudgeLease(ctx context.Context, nudgeID int64, attempts int, lease time.Duration) (bool, error)
	DecideNudge(ctx context.Context, nudgeID int64, p store.Policy) (store.Decision, error)
	MarkNudgeSent(ctx context.Context, nudgeID int64, d store.Delivery) (store.Nudge, error)
	MarkNudgeFailed(ctx context.Context, nudgeID int64, reason string) (store.Nudge, error)
	RecordFeedback(ctx context.Context, nudgeID int64, userID string, fb store.Feedback) (store.Nudge, error)
	EnsureUser(ctx context.Context, userID string) (store.User, error)
	SetOptedOut(ctx context.Context, userID string, optedOut bool) (store.User, error)
	SetSnoozedUntil(ctx context.Context, userID string, until time.Time) (store.User, error)
	UserStats(ctx context.Context, userID string, weeks int, loc *time.Location) (store.Stats, error)
	PurgeEvents(ctx context.Context, maxAge time.Duration) (int64, error)
	PurgeNudges(ctx context.Context, retention time.Duration) (int64, error)
	SetChannelNudgesOff(ctx context.Context, channelID string, off bool) error
	ChannelNudgesOff(ctx context.Context, channelID string) (bool, error)
	TeamData(ctx context.Context, since time.Time) (store.TeamData, error)
}

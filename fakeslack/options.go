package fakeslack

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Identity of the local Slack workspace, app and bot user. They are what
// auth.test answers and what every envelope carries.
const (
	// TeamID is the workspace id.
	TeamID = "T0FAKE"
	// TeamDomain is the workspace domain (as in fake.slack.com).
	TeamDomain = "fake"
	// AppID is the Slack app id, sent in hello and in every envelope.
	AppID = "A0FAKE"
	// BotUserID is the bot's user id (auth.test user_id).
	BotUserID = "U0BOT"
	// BotID is the bot id (auth.test bot_id), set on messages the bot posts.
	BotID = "B0BOT"
	// BotName is the bot user's name.
	BotName = "leadnudge"
)

// Defaults applied by New to zero-valued Options fields.
const (
	// DefaultAckTimeout is Slack's ack deadline.
	DefaultAckTimeout = 3 * time.Second
	// DefaultMaxRetries is how often Slack redelivers an unacked event.
	DefaultMaxRetries = 3
	// DefaultPingInterval is far inside slack-go's 30 s ping timeout.
	DefaultPingInterval = 500 * time.Millisecond
	// DefaultTriggerTTL is how long Slack lets a trigger_id be exchanged.
	DefaultTriggerTTL = 3 * time.Second
	// DefaultHistoryLimit caps each recorded history.
	DefaultHistoryLimit = 10000
	// DefaultMaxConnections is Slack's limit of Socket Mode connections.
	DefaultMaxConnections = 10
	// DefaultDisconnectGrace is how long a told-to-disconnect socket stays up.
	DefaultDisconnectGrace = 2 * time.Second
	// DefaultListenAddr is where Start listens when given no address.
	DefaultListenAddr = "127.0.0.1:0"
)

// Options configure a Server. The zero value is usable: every zero field gets
// the matching Default… value.
type Options struct {
	// AppToken, when set, is the only app-level token apps.connections.open
	// accepts; otherwise any "xapp-…" token is accepted.
	AppToken string
	// BotToken, when set, is the only bot token the other Web API methods
	// accept; otherwise any "xoxb-…" token is accepted.
	BotToken string

	// AckTimeout is how long an envelope may stay unacked before it is sent
	// again (Slack: about 3 s). Default DefaultAckTimeout.
	AckTimeout time.Duration
	// MaxRetries is how many times an unacked envelope is redelivered.
	// Default DefaultMaxRetries; a negative value disables redelivery.
	MaxRetries int
	// PingInterval is how often each WebSocket gets a PING control frame.
	// It must stay well below the client's ping timeout (slack-go: 30 s by
	// default). Default DefaultPingInterval.
	PingInterval time.Duration
	// TriggerTTL is how long a trigger_id can be exchanged in views.open.
	// Default DefaultTriggerTTL.
	TriggerTTL time.Duration
	// HistoryLimit caps each recorded history (calls, envelopes, posts,
	// queued envelopes, auto-registered users and channels) so memory stays
	// bounded. Default DefaultHistoryLimit.
	HistoryLimit int
	// MaxConnections is how many Socket Mode connections may be open at once
	// (Slack allows 10). Default DefaultMaxConnections.
	MaxConnections int
	// DisconnectGrace is how long a connection that was sent a disconnect
	// message stays open before the server closes it. Default
	// DefaultDisconnectGrace.
	DisconnectGrace time.Duration

	// RateLimits makes the Web API enforce Slack's rate limits (off when
	// zero).
	RateLimits RateLimits

	// EchoBotMessages makes every chat.postMessage come back over Socket Mode
	// as a message event with bot_id set, as Slack does for channels the bot
	// is in, so self-loop filtering can be tested.
	EchoBotMessages bool
	// AllowNonLoopback lets Start listen on a non-loopback address.
	AllowNonLoopback bool

	// Now is the clock for ts values and trigger expiry. Default time.Now.
	Now func() time.Time
	// Logger receives debug and warning logs. Default: discard.
	Logger *slog.Logger
}

// withDefaults validates o and fills in defaults.
func (o Options) withDefaults() (Options, error) {
	if o.AppToken != "" && !strings.HasPrefix(o.AppToken, "xapp-") {
		return o, errors.New("fakeslack: Options.AppToken must start with xapp-")
	}
	if o.BotToken != "" && !strings.HasPrefix(o.BotToken, "xoxb-") {
		return o, errors.New("fakeslack: Options.BotToken must start with xoxb-")
	}
	for _, d := range []struct {
		name string
		val  *time.Duration
		def  time.Duration
	}{
		{"AckTimeout", &o.AckTimeout, DefaultAckTimeout},
		{"PingInterval", &o.PingInterval, DefaultPingInterval},
		{"TriggerTTL", &o.TriggerTTL, DefaultTriggerTTL},
		{"DisconnectGrace", &o.DisconnectGrace, DefaultDisconnectGrace},
	} {
		if *d.val < 0 {
			return o, fmt.Errorf("fakeslack: Options.%s must not be negative", d.name)
		}
		if *d.val == 0 {
			*d.val = d.def
		}
	}
	for _, n := range []struct {
		name string
		val  *int
		def  int
	}{
		{"HistoryLimit", &o.HistoryLimit, DefaultHistoryLimit},
		{"MaxConnections", &o.MaxConnections, DefaultMaxConnections},
	} {
		if *n.val < 0 {
			return o, fmt.Errorf("fakeslack: Options.%s must not be negative", n.name)
		}
		if *n.val == 0 {
			*n.val = n.def
		}
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o, nil
}

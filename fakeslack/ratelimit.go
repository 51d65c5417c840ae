package fakeslack

import (
	"math"
	"sync"
	"time"
)

// RateLimits make the local Slack enforce Slack's Web API rate limits:
// per method and per app, by the method's tier (RATES.md has the table and
// where Slack documents each method's tier), chat.postMessage at about one
// message a second per channel with short bursts plus a workspace-wide
// cap, answered with HTTP 429 and Retry-After as Slack does. The zero
// value is off (unit tests that need speed); `leadnudge fakeslack`, the
// demo and loadtest turn it on.
type RateLimits struct {
	Enabled bool
	// PostsPerMinute is the workspace-wide cap on chat.postMessage, which
	// Slack does not publish. Default DefaultPostsPerMinute: an assumption,
	// see RATES.md.
	PostsPerMinute int
	// Exempt methods are not limited (loadtest's disconnect fault makes
	// apps.connections.open, a Tier 1 method, far more often than any real
	// app needs).
	Exempt []string
}

// DefaultPostsPerMinute is the assumed workspace-wide chat.postMessage
// cap: 5 a second. Apps that DM thousands of people report having to slow
// to a few messages a second; 5 is deliberately conservative.
const DefaultPostsPerMinute = 300

// Tier is a Web API rate-limit tier.
type Tier int

// The tiers, and the special handling of chat.postMessage.
const (
	TierSpecial Tier = iota // method-specific (see perChannelPosts)
	Tier1                   // 1+ a minute
	Tier2                   // 20+ a minute
	Tier3                   // 50+ a minute
	Tier4                   // 100+ a minute
)

// perMinute is each tier's sustained rate; bursts of up to the same number
// are allowed (Slack: "occasional bursts" from Tier 2 up, "a small amount"
// for Tier 1, which gets a burst of 5).
var perMinute = map[Tier]float64{Tier1: 1, Tier2: 20, Tier3: 50, Tier4: 100}

// MethodTiers are the tiers of the methods the local Slack serves, from
// Slack's method reference (RATES.md). auth.test and chat.getPermalink are
// "Special" there without a published figure: they are treated as Tier 4.
var MethodTiers = map[string]Tier{
	"apps.connections.open": Tier1,
	"auth.test":             Tier4,
	"chat.getPermalink":     Tier4,
	"chat.postEphemeral":    Tier4,
	"chat.postMessage":      TierSpecial,
	"chat.update":           Tier3,
	"conversations.list":    Tier2,
	"conversations.members": Tier4,
	"conversations.open":    Tier3,
	"users.info":            Tier4,
	"users.list":            Tier2,
	"views.open":            Tier4,
	"views.publish":         Tier4,
	"views.update":          Tier4,
}

// perChannelPosts is chat.postMessage's limit per channel: one a second,
// with a burst of 3.
const (
	perChannelPerSecond = 1
	perChannelBurst     = 3
)

// bucket is a token bucket.
type bucket struct {
	tokens, cap, perSec float64
	at                  time.Time
}

// take spends a token, or reports how long until one is there.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	if !b.at.IsZero() {
		b.tokens = math.Min(b.cap, b.tokens+now.Sub(b.at).Seconds()*b.perSec)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.perSec * float64(time.Second))
}

// limiter holds the buckets and the per-method tally.
type limiter struct {
	mu       sync.Mutex
	opts     RateLimits
	methods  map[string]*bucket
	channels map[string]*bucket
	posts    *bucket
	stats    map[string]*MethodStats
}

// MethodStats counts one method's calls and the 429s it was answered.
type MethodStats struct {
	Calls       int `json:"calls"`
	RateLimited int `json:"ratelimited"`
}

func newLimiter(o RateLimits) *limiter {
	if o.PostsPerMinute <= 0 {
		o.PostsPerMinute = DefaultPostsPerMinute
	}
	return &limiter{opts: o, methods: map[string]*bucket{}, channels: map[string]*bucket{},
		posts: &bucket{tokens: float64(o.PostsPerMinute) / 60 * 3, cap: float64(o.PostsPerMinute) / 60 * 3, perSec: float64(o.PostsPerMinute) / 60},
		stats: map[string]*MethodStats{}}
}

// allow decides one call of method (channel: chat.postMessage's resolved
// target) at now; when refused it returns the Retry-After in whole seconds,
// at least 1, as Slack sends it.
func (l *limiter) allow(method, channel string, now time.Time) (ok bool, retryAfter int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.stats[method]
	if st == nil {
		st = &MethodStats{}
		l.stats[method] = st
	}
	st.Calls++
	if !l.opts.Enabled {
		return true, 0
	}
	for _, m := range l.opts.Exempt {
		if m == method {
			return true, 0
		}
	}
	var wait time.Duration
	tier, known := MethodTiers[method]
	switch {
	case !known:
		return true, 0
	case tier == TierSpecial:
		cb := l.channels[channel]
		if cb == nil {
			cb = &bucket{tokens: perChannelBurst, cap: perChannelBurst, perSec: perChannelPerSecond}
			l.channels[channel] = cb
		}
		// look before taking, so a refused call spends nothing
		if w := cb.peek(now); w > 0 {
			wait = w
		} else if w := l.posts.peek(now); w > 0 {
			wait = w
		} else {
			cb.take(now)
			l.posts.take(now)
		}
	default:
		b := l.methods[method]
		if b == nil {
			burst := perMinute[tier]
			if tier == Tier1 {
				burst = 5
			}
			b = &bucket{tokens: burst, cap: burst, perSec: perMinute[tier] / 60}
			l.methods[method] = b
		}
		if ok, w := b.take(now); !ok {
			wait = w
		}
	}
	if wait <= 0 {
		return true, 0
	}
	st.RateLimited++
	return false, max(1, int(math.Ceil(wait.Seconds())))
}

// peek reports how long until a token is there (0: one is there now),
// refilling but not spending.
func (b *bucket) peek(now time.Time) time.Duration {
	if !b.at.IsZero() {
		b.tokens = math.Min(b.cap, b.tokens+now.Sub(b.at).Seconds()*b.perSec)
	}
	b.at = now
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.perSec * float64(time.Second))
}

// snapshot copies the per-method tally.
func (l *limiter) snapshot() map[string]MethodStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]MethodStats, len(l.stats))
	for m, s := range l.stats {
		out[m] = *s
	}
	return out
}

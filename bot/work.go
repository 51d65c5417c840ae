package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

type jobKind int

const (
	jobNudge jobKind = iota
	jobCommand
	jobInteraction
	jobHome
	jobFunc
)

// job is one unit of work for the pool. words holds the matched words of a
// fresh nudge, in memory only; a recovered nudge has none.
type job struct {
	kind  jobKind
	nudge store.Nudge
	words string
	// command and interaction are pointers: the queue holds QueueSize jobs,
	// and an InteractionCallback by value is 4 KB (a 1,024-job queue was
	// 4.4 MB of resident memory).
	command     *slack.SlashCommand
	interaction *slack.InteractionCallback
	user        string
	fn          func(context.Context)
}

// enqueue hands a job to the pool. It blocks while the queue is full (the
// bound is what protects the process), and gives up only when ctx ends.
func (b *Bot) enqueue(ctx context.Context, j job) bool {
	select {
	case b.work <- j:
		b.metrics.QueueDepth.Set(float64(len(b.work)))
		return true
	default:
	}
	b.metrics.Dropped.WithLabelValues("queue_full_wait").Inc()
	select {
	case b.work <- j:
		b.metrics.QueueDepth.Set(float64(len(b.work)))
		return true
	case <-ctx.Done():
		return false
	}
}

// tryEnqueue hands a job to the pool if there is room, without waiting.
func (b *Bot) tryEnqueue(j job) bool {
	select {
	case b.work <- j:
		b.metrics.QueueDepth.Set(float64(len(b.work)))
		return true
	default:
		return false
	}
}

// Go runs fn on the worker pool (for work other parts of the bot schedule,
// such as the weekly fan-out's deliveries). It reports false if the bot is
// stopping.
func (b *Bot) Go(ctx context.Context, fn func(context.Context)) bool {
	return b.enqueue(ctx, job{kind: jobFunc, fn: fn})
}

func (b *Bot) worker(ctx context.Context) {
	for j := range b.work {
		b.metrics.QueueDepth.Set(float64(len(b.work)))
		b.runJob(ctx, j)
	}
}

func (b *Bot) runJob(ctx context.Context, j job) {
	defer func() {
		if r := recover(); r != nil {
			b.metrics.Dropped.WithLabelValues("panic").Inc()
			b.log.Error("job panicked", zap.Any("panic", r), zap.Int("kind", int(j.kind)))
		}
	}()
	switch j.kind {
	case jobNudge:
		b.deliverNudge(ctx, j.nudge, j.words)
	case jobCommand:
		b.handleCommand(ctx, *j.command)
	case jobInteraction:
		b.handleInteraction(ctx, *j.interaction)
	case jobHome:
		b.PublishHome(ctx, j.user)
	case jobFunc:
		j.fn(ctx)
	}
}

// call runs one Slack Web API call, retrying after a 429 (waiting what
// Retry-After says) and after server or network errors (with jittered
// exponential backoff), at most MaxRetries times. Other errors (a Slack
// error code such as channel_not_found) are returned at once.
func (b *Bot) call(ctx context.Context, method string, fn func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		if p := b.bulk[method]; p != nil {
			waited, err := p.wait(ctx, prioNudge)
			if waited > 0 {
				b.metrics.CallPacing.WithLabelValues(method).Observe(waited.Seconds())
			}
			if err != nil {
				return err
			}
		}
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait, retry := b.retryWait(err, attempt)
		if !retry {
			b.metrics.SlackErrors.WithLabelValues(method, ErrorCode(err)).Inc()
			return err
		}
		if attempt >= b.opts.MaxRetries {
			b.metrics.SlackErrors.WithLabelValues(method, "retries_exhausted").Inc()
			return fmt.Errorf("%s: gave up after %d attempts: %w", method, attempt+1, err)
		}
		b.log.Debug("retrying slack call", zap.String("method", method), zap.Int("attempt", attempt+1), zap.Duration("wait", wait), zap.String("error", ErrorCode(err)))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// transient reports whether err may go away by itself: a 429, a server
// error, a network failure, or retries that ran out on one of those.
func (b *Bot) transient(err error) bool {
	_, retry := b.retryWait(err, 0)
	return retry
}

func (b *Bot) retryWait(err error, attempt int) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		w := rl.RetryAfter
		if w <= 0 {
			w = time.Second
		}
		return min(w, b.opts.MaxRetryWait), true
	}
	var sc slack.StatusCodeError
	var ne net.Error
	if errors.As(err, &sc) && (sc.Code >= 500 || sc.Code == 429) || errors.As(err, &ne) {
		base := 200 * time.Millisecond << attempt
		return min(base/2+rand.N(base/2+1), b.opts.MaxRetryWait), true
	}
	return 0, false
}

// ErrorCode is a short, bounded description of a Slack error for logs and
// metric labels: the Slack error code, or a class of failure. It never
// includes request content.
func ErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return "ratelimited"
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return fmt.Sprintf("http_%d", sc.Code)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "canceled"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return "network"
	}
	return "error"
}

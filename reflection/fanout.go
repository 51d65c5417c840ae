package reflection

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/directory"
	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// Summary is what one run of the weekly job did.
type Summary struct {
	At         time.Time     `json:"at"`
	Candidates int           `json:"candidates"` // enrolled or channel members, before the decision
	Due        int           `json:"due"`        // due at At
	Sent       int           `json:"sent"`       // prompts delivered by this run
	Skipped    int           `json:"skipped"`    // due, but claimed elsewhere, away, a bot or deactivated
	Failed     int           `json:"failed"`     // delivery failed; released, so retried at the next tick
	Channel    bool          `json:"channel"`    // the week's prompt was posted in reflection.post_channel
	Elapsed    time.Duration `json:"elapsed_ns"`
}

// channelPrefix marks the ledger's pseudo-user of the post channel.
const channelPrefix = "#"

// Tick runs the weekly job as of instant at: it works out who is due, and
// sends each their prompt, once per person and ISO week across restarts and
// replicas (claims in the store). Deliveries are paced at Options.Rate. It
// returns when every due person was handled or ctx ends; people not reached
// then are left to the next tick.
func (r *Reflection) Tick(ctx context.Context, at time.Time) (Summary, error) {
	start := time.Now()
	sum := Summary{At: at}
	b, err := r.attached()
	if err != nil {
		return sum, err
	}
	if r.opts.PostChannel != "" {
		posted, err := r.postChannel(ctx, b, at)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("posting the week's prompt in the channel failed", zap.String("channel", r.opts.PostChannel), zap.Error(err))
		}
		sum.Channel = posted
	}
	people, err := r.roster(ctx, b, at)
	if err != nil {
		return sum, fmt.Errorf("reflection: tick at %s: %w", at.Format(time.RFC3339), err)
	}
	sum.Candidates = len(people)
	ledger, err := r.ledger(ctx, at, people)
	if err != nil {
		return sum, fmt.Errorf("reflection: tick at %s: %w", at.Format(time.RFC3339), err)
	}
	r.mu.Lock()
	due := Due(at, people, r.sched, ledger, &r.zones)
	r.mu.Unlock()
	sum.Due = len(due)
	if len(due) == 0 {
		sum.Elapsed = time.Since(start)
		return sum, nil
	}
	r.log.Info("weekly prompts: fan-out started", zap.Int("due", len(due)), zap.Int("candidates", len(people)),
		zap.Float64("rate", r.opts.Rate), zap.Time("as_of", at))
	sum.Sent, sum.Skipped, sum.Failed = r.fanOut(ctx, b, at, due)
	sum.Elapsed = time.Since(start)
	r.log.Info("weekly prompts: fan-out finished", zap.Int("due", sum.Due), zap.Int("sent", sum.Sent),
		zap.Int("skipped", sum.Skipped), zap.Int("failed", sum.Failed), zap.Duration("elapsed", sum.Elapsed),
		zap.Bool("interrupted", ctx.Err() != nil))
	if ctx.Err() != nil {
		return sum, fmt.Errorf("reflection: fan-out interrupted after %d of %d: %w", sum.Sent+sum.Skipped+sum.Failed, sum.Due, ctx.Err())
	}
	return sum, nil
}

// ledger loads the ledger entries of every week the candidates are in at
// instant at (two weeks at most: zones span 26 hours).
func (r *Reflection) ledger(ctx context.Context, at time.Time, people []Person) (Ledger, error) {
	weeks := map[store.Week]bool{}
	seen := map[string]bool{}
	for _, p := range people {
		if seen[p.TimeZone] {
			continue
		}
		seen[p.TimeZone] = true
		weeks[store.WeekOf(at.In(r.location(p.TimeZone)))] = true
	}
	var all [][]store.PromptDelivery
	for w := range weeks {
		es, err := r.st.PromptDeliveriesForWeek(ctx, w)
		if err != nil {
			return nil, fmt.Errorf("reading the ledger of %s: %w", w, err)
		}
		all = append(all, es)
	}
	return NewLedger(all...), nil
}

// roster lists the candidates: people who turned the reflection on and
// members of reflection.channels, with what the store and users.info know
// about them. People whose time zone is not known yet are looked up first,
// since the zone decides whether they are due.
func (r *Reflection) roster(ctx context.Context, b *bot.Bot, at time.Time) ([]Person, error) {
	users, err := r.st.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	byID := make(map[string]int, len(users))
	people := make([]Person, 0, len(users))
	for _, u := range users {
		if strings.HasPrefix(u.ID, channelPrefix) {
			continue
		}
		byID[u.ID] = len(people)
		people = append(people, Person{ID: u.ID, TimeZone: u.TimeZone, OptedIn: u.WeeklyEnrolled,
			OptedOut: u.ReflectionOff, PausedUntil: u.PromptsPausedUntil})
	}
	for _, ch := range r.opts.Channels {
		ids, err := r.channelMembers(ctx, b, ch)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.log.Warn("reading the members of a reflection channel failed", zap.String("channel", ch), zap.String("error", slackCode(err)))
			continue
		}
		for _, id := range ids {
			if id == b.SelfUserID() || id == "" {
				continue
			}
			if i, ok := byID[id]; ok {
				people[i].ChannelMember = true
				continue
			}
			byID[id] = len(people)
			people = append(people, Person{ID: id, ChannelMember: true})
		}
	}
	// Keep only candidates, with what the member directory knows (one
	// users.list for everyone); users.info only for a member it lacks whose
	// zone nobody told us yet, since the zone decides whether they are due.
	if err := r.dir.Ensure(ctx); err != nil {
		return nil, err
	}
	out := people[:0]
	var unknown []int
	for _, p := range people {
		if !p.Enrolled(at) {
			continue
		}
		if m, ok := r.dir.Lookup(p.ID); ok {
			r.storeZone(ctx, p.ID, p.TimeZone, m) // only when it changed
			p.apply(m, r)
		} else if p.TimeZone == "" {
			unknown = append(unknown, len(out))
		}
		out = append(out, p)
	}
	if len(unknown) > 0 {
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for range min(r.opts.Workers, len(unknown)) {
			wg.Go(func() {
				for {
					k := int(next.Add(1)) - 1
					if k >= len(unknown) || ctx.Err() != nil {
						return
					}
					p := &out[unknown[k]]
					m, err := r.dir.Get(ctx, p.ID)
					if err != nil {
						if ctx.Err() == nil {
							r.log.Warn("users.info failed; trying again at the next tick", zap.String("user", p.ID), zap.String("error", slackCode(err)))
						}
						p.Deleted = true // not decidable now
						continue
					}
					r.storeZone(ctx, p.ID, p.TimeZone, m)
					p.apply(m, r)
				}
			})
		}
		wg.Wait()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// fanOut delivers the prompts of due people with Options.Workers workers,
// paced together at Options.Rate.
func (r *Reflection) fanOut(ctx context.Context, b *bot.Bot, at time.Time, due []DuePerson) (sent, skipped, failed int) {
	var nSent, nSkipped, nFailed atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	progressEvery := max(len(due)/10, 100)
	for range min(r.opts.Workers, len(due)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				k := int(next.Add(1)) - 1
				if k >= len(due) {
					return
				}
				switch r.deliver(ctx, b, at, due[k]) {
				case outcomeSent:
					if n := nSent.Add(1); n%int64(progressEvery) == 0 {
						r.log.Info("weekly prompts: progress", zap.Int64("sent", n), zap.Int("due", len(due)),
							zap.Int64("skipped", nSkipped.Load()), zap.Int64("failed", nFailed.Load()))
					}
				case outcomeSkipped:
					nSkipped.Add(1)
				case outcomeFailed:
					nFailed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return int(nSent.Load()), int(nSkipped.Load()), int(nFailed.Load())
}

type outcome int

const (
	outcomeNone outcome = iota // interrupted before anything happened
	outcomeSent
	outcomeSkipped
	outcomeFailed
)

// deliver sends one person their prompt: refresh what Slack says about them,
// pick the prompt, claim it (one winner across replicas), wait for the pace,
// send, and mark it sent. A failure releases the claim so the next tick
// retries.
func (r *Reflection) deliver(ctx context.Context, b *bot.Bot, at time.Time, d DuePerson) outcome {
	prompts := b.Metrics().Prompts
	info, err := r.dir.Get(ctx, d.ID)
	if err != nil {
		if ctx.Err() != nil {
			return outcomeNone
		}
		r.log.Warn("weekly prompt: looking the person up failed", zap.String("user", d.ID), zap.String("error", slackCode(err)))
		prompts.WithLabelValues("failed").Inc()
		return outcomeFailed
	}
	p := Person{ID: d.ID, TimeZone: d.TimeZone, OptedIn: true}
	r.storeZone(ctx, d.ID, d.TimeZone, info)
	p.apply(info, r)
	if p.Bot || p.Deleted || p.Away {
		prompts.WithLabelValues("skipped").Inc()
		return outcomeSkipped
	}
	week := d.Week
	if p.TimeZone != d.TimeZone { // they moved: decide again in the new zone
		_, w, ok := r.sched.LastFire(at, r.location(p.TimeZone))
		if !ok {
			return outcomeSkipped
		}
		week = w
	}
	last, err := r.st.PromptsLastSent(ctx, d.ID)
	if err != nil {
		if ctx.Err() != nil {
			return outcomeNone
		}
		r.log.Warn("weekly prompt: reading the rotation failed", zap.String("user", d.ID), zap.Error(err))
		prompts.WithLabelValues("failed").Inc()
		return outcomeFailed
	}
	pr, ok := NextPrompt(r.prompts(), last)
	if !ok {
		r.log.Warn("weekly prompt: the rules have no prompts")
		return outcomeFailed
	}
	text, blocks := promptText(pr), promptBlocks(pr, week, stateOpen)
	fatigue := r.fatigued(ctx, d.ID, week)
	if fatigue {
		pr = fatiguePrompt()
		text, blocks = fatigueText(), fatigueBlocks(week, int(r.opts.PauseFor/(24*time.Hour)))
	}
	won, err := r.st.ClaimPrompt(ctx, d.ID, week, pr.ID, r.opts.Lease)
	if err != nil {
		if ctx.Err() != nil {
			return outcomeNone
		}
		r.log.Warn("weekly prompt: claim failed", zap.String("user", d.ID), zap.Error(err))
		prompts.WithLabelValues("failed").Inc()
		return outcomeFailed
	}
	if !won {
		prompts.WithLabelValues("skipped").Inc()
		return outcomeSkipped
	}
	// From the claim on, nothing is abandoned half way: either the prompt
	// is sent and marked, or the claim is released.
	bg := context.WithoutCancel(ctx)
	if err := r.pace.wait(ctx); err != nil {
		r.release(bg, d.ID, week)
		return outcomeNone
	}
	sctx, cancel := context.WithTimeout(bg, 2*time.Minute)
	defer cancel()
	del, err := r.post(sctx, b, d.ID, text, blocks)
	if err != nil {
		r.log.Warn("weekly prompt: delivery failed; it will be retried", zap.String("user", d.ID), zap.String("error", slackCode(err)))
		prompts.WithLabelValues("failed").Inc()
		r.release(bg, d.ID, week)
		return outcomeFailed
	}
	for attempt := 0; ; attempt++ {
		_, err = r.st.MarkPromptSent(sctx, d.ID, week, del)
		if err == nil || attempt == 4 || sctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	if err != nil {
		r.log.Error("weekly prompt: sent but not marked sent", zap.String("user", d.ID), zap.Error(err))
	}
	if fatigue {
		r.afterFatigueSent(bg, d.ID)
		prompts.WithLabelValues("fatigue_asked").Inc()
		r.log.Info("weekly prompt: asked whether to keep the reflection after ignored prompts", zap.String("user", d.ID), zap.Int("ignored", r.opts.FatigueAfter))
		return outcomeSent
	}
	prompts.WithLabelValues("sent").Inc()
	r.log.Debug("weekly prompt sent", zap.String("user", d.ID), zap.Stringer("week", week), zap.String("prompt", pr.ID))
	return outcomeSent
}

func (r *Reflection) release(ctx context.Context, user string, week store.Week) {
	if err := r.st.ReleasePrompt(ctx, user, week); err != nil {
		r.log.Warn("weekly prompt: releasing the claim failed; it is retried after its lease", zap.String("user", user), zap.Error(err))
	}
}

// post sends a message to a channel, or to a person's DM with the app when
// channel is a user id (one call; Slack answers with the D… channel). A 429
// pauses the whole fan-out for its Retry-After, and bot.Call retries.
func (r *Reflection) post(ctx context.Context, b *bot.Bot, channel, text string, blocks []slack.Block) (store.Delivery, error) {
	// the bot's posting budget, shared with the nudges, which go first
	if err := b.WaitToPost(ctx); err != nil {
		return store.Delivery{}, err
	}
	var del store.Delivery
	err := b.Call(ctx, "chat.postMessage", func(ctx context.Context) error {
		ch, ts, err := b.API().PostMessageContext(ctx, channel, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			r.pace.pause(rl.RetryAfter)
		}
		del = store.Delivery{Channel: ch, TS: ts}
		return err
	})
	return del, err
}

// postChannel posts the week's prompt in reflection.post_channel once per
// week (in the default time zone), claimed in the ledger under "#CHANNEL".
func (r *Reflection) postChannel(ctx context.Context, b *bot.Bot, at time.Time) (bool, error) {
	id := channelPrefix + r.opts.PostChannel
	_, week, ok := r.sched.LastFire(at, r.def)
	if !ok {
		return false, nil
	}
	if e, err := r.st.GetPromptDelivery(ctx, id, week); err == nil && Done(e, at) {
		return false, nil
	}
	last, err := r.st.PromptsLastSent(ctx, id)
	if err != nil {
		return false, err
	}
	pr, ok := NextPrompt(r.prompts(), last)
	if !ok {
		return false, nil
	}
	won, err := r.st.ClaimPrompt(ctx, id, week, pr.ID, r.opts.Lease)
	if err != nil || !won {
		return false, err
	}
	text := ":thought_balloon: *This week's reflection:* " + bot.Escape(pr.Text) +
		"\nAnswer privately with `/reflect`: only you can read your answer."
	del, err := r.post(context.WithoutCancel(ctx), b, r.opts.PostChannel, text, []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil),
	})
	if err != nil {
		r.release(context.WithoutCancel(ctx), id, week)
		return false, err
	}
	if _, err := r.st.MarkPromptSent(context.WithoutCancel(ctx), id, week, del); err != nil {
		return true, err
	}
	r.log.Info("weekly prompt posted in the channel", zap.String("channel", r.opts.PostChannel), zap.Stringer("week", week))
	return true, nil
}

// NextPrompt picks the prompt a person has not seen for the longest time:
// never-seen prompts first, in file order; then the one sent longest ago.
func NextPrompt(prompts []nudges.Prompt, lastSent map[string]time.Time) (nudges.Prompt, bool) {
	best := -1
	var bestAt time.Time
	for i, p := range prompts {
		t, seen := lastSent[p.ID]
		if !seen {
			return p, true
		}
		if best < 0 || t.Before(bestAt) {
			best, bestAt = i, t
		}
	}
	if best < 0 {
		return nudges.Prompt{}, false
	}
	return prompts[best], true
}

type channelCache struct {
	ids []string
	at  time.Time
}

// apply takes what the directory knows about the person.
func (p *Person) apply(m directory.Person, r *Reflection) {
	if m.TimeZone != "" {
		p.TimeZone = m.TimeZone
	}
	p.Bot = m.Bot || m.ID == r.selfID()
	p.Deleted, p.Away = m.Deleted, r.away(m.StatusEmoji, m.StatusText)
}

// selfID is the bot's own user id ("" before Attach).
func (r *Reflection) selfID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bot == nil {
		return ""
	}
	return r.bot.SelfUserID()
}

// storeZone records a person's zone when the directory knows a new one.
func (r *Reflection) storeZone(ctx context.Context, user, stored string, m directory.Person) {
	if m.TimeZone == "" || m.TimeZone == stored || m.Bot || m.Deleted {
		return
	}
	if _, err := r.st.SetTimeZone(ctx, user, m.TimeZone); err != nil && ctx.Err() == nil {
		r.log.Warn("storing a time zone failed", zap.String("user", user), zap.Error(err))
	}
}

// dirSlack is the member directory's Web API: users.list pages and
// users.info through the bot's pacing and retries.
type dirSlack struct{ r *Reflection }

func (s dirSlack) ListUsers(ctx context.Context, cursor string, limit int) ([]slack.User, string, error) {
	b, err := s.r.attached()
	if err != nil {
		return nil, "", err
	}
	var page slack.UserPagination
	err = b.Call(ctx, "users.list", func(ctx context.Context) error {
		p := b.API().GetUsersPaginated(slack.GetUsersOptionLimit(limit))
		p.Cursor = cursor
		var err error
		page, err = p.Next(ctx)
		return err
	})
	return page.Users, page.Cursor, err
}

func (s dirSlack) UserInfo(ctx context.Context, id string) (*slack.User, error) {
	b, err := s.r.attached()
	if err != nil {
		return nil, err
	}
	var u *slack.User
	err = b.Call(ctx, "users.info", func(ctx context.Context) error {
		var err error
		u, err = b.API().GetUserInfoContext(ctx, id)
		return err
	})
	return u, err
}

func (r *Reflection) away(emoji, text string) bool {
	if emoji != "" && slices.Contains(r.opts.AwayEmoji, emoji) {
		return true
	}
	lt := strings.ToLower(text)
	for _, f := range r.opts.AwayText {
		if f != "" && lt != "" && strings.Contains(lt, strings.ToLower(f)) {
			return true
		}
	}
	return false
}

// channelMembers returns the members of a channel (conversations.members,
// every page), cached for UserCacheTTL.
func (r *Reflection) channelMembers(ctx context.Context, b *bot.Bot, channel string) ([]string, error) {
	now := r.now()
	r.mu.Lock()
	c, ok := r.members[channel]
	r.mu.Unlock()
	if ok && now.Sub(c.at) < r.opts.UserCacheTTL && !now.Before(c.at) {
		return c.ids, nil
	}
	var ids []string
	cursor := ""
	for page := 0; page < 10000; page++ {
		var got []string
		var next string
		err := b.Call(ctx, "conversations.members", func(ctx context.Context) error {
			var err error
			got, next, err = b.API().GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: channel, Cursor: cursor, Limit: 1000})
			return err
		})
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
		if next == "" {
			break
		}
		cursor = next
	}
	r.mu.Lock()
	r.members[channel] = channelCache{ids: ids, at: now}
	r.mu.Unlock()
	return ids, nil
}

// slackCode is the bot's bounded description of a Slack error (an error
// code or a class of failure, never request content), for logs.
func slackCode(err error) string { return bot.ErrorCode(err) }

// pacer spaces deliveries at reflection.rate when it is set (a token
// bucket of depth one), shared by the fan-out's workers; a 429 pauses it
// for Retry-After either way.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
	paused   time.Time
}

// newPacer paces at rate a second; 0 does not pace (429s still pause).
func newPacer(rate float64) *pacer {
	if rate <= 0 {
		return &pacer{}
	}
	return &pacer{interval: time.Duration(float64(time.Second) / rate)}
}

// wait blocks until the caller may send, or ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	for {
		p.mu.Lock()
		now := time.Now()
		if now.Before(p.paused) {
			d := p.paused.Sub(now)
			p.mu.Unlock()
			if err := bot.Sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		slot := p.next
		if slot.Before(now) {
			slot = now
		}
		p.next = slot.Add(p.interval)
		p.mu.Unlock()
		return bot.Sleep(ctx, slot.Sub(now))
	}
}

// pause holds every sender for d (a 429's Retry-After).
func (p *pacer) pause(d time.Duration) {
	if d <= 0 {
		d = time.Second
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := time.Now().Add(d); until.After(p.paused) {
		p.paused = until
	}
}

package directory

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"go.uber.org/zap"
)

// Person is what the bot needs to know about one member.
type Person struct {
	ID string
	// TimeZone is the member's IANA zone ("" when Slack has none or the
	// name is not one this machine knows).
	TimeZone string
	// Bot and Deleted: bot users and deactivated members get no prompts.
	Bot, Deleted bool
	// StatusEmoji and StatusText are the member's Slack status; an expired
	// status is reported as none.
	StatusEmoji, StatusText string
	// StatusExpires is when the status clears (zero: never).
	StatusExpires time.Time
	// Updated is Slack's "updated" time of the user object: of two
	// answers about one member, the newer wins.
	Updated int64
}

// statusAt returns the status in force at now.
func (p Person) statusAt(now time.Time) Person {
	if !p.StatusExpires.IsZero() && !now.Before(p.StatusExpires) {
		p.StatusEmoji, p.StatusText = "", ""
	}
	return p
}

// FromUser converts slack-go's user object (users.list, users.info,
// team_join).
func FromUser(u *slack.User) Person {
	return fromFields(u.ID, u.TZ, u.IsBot, u.Deleted, u.Profile.StatusEmoji, u.Profile.StatusText,
		int64(u.Profile.StatusExpiration), int64(u.Updated))
}

// fromFields builds a Person, dropping a time zone this machine cannot
// load.
func fromFields(id, tz string, bot, deleted bool, emoji, text string, expires, updated int64) Person {
	p := Person{ID: id, TimeZone: tz, Bot: bot, Deleted: deleted, StatusEmoji: emoji, StatusText: text, Updated: updated}
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil {
			p.TimeZone = ""
		}
	}
	if expires > 0 {
		p.StatusExpires = time.Unix(expires, 0)
	}
	return p
}

// FromEvent converts a member event (user_change, user_status_changed,
// team_join, as slack-go parses them); ok is false for any other event.
func FromEvent(data any) (Person, bool) {
	var u *slackevents.User
	switch ev := data.(type) {
	case *slackevents.UserChangeEvent:
		u = &ev.User
	case *slackevents.UserStatusChangedEvent:
		u = &ev.User
	case *slackevents.TeamJoinEvent:
		if ev.User == nil {
			return Person{}, false
		}
		return FromUser(ev.User), true
	default:
		return Person{}, false
	}
	return fromFields(u.ID, u.TZ, u.IsBot, u.Deleted, u.Profile.StatusEmoji, u.Profile.StatusText,
		int64(u.Profile.StatusExpiration), u.Updated), true
}

// Slack is the part of the Web API the directory calls. Each method is one
// call; the implementation paces and retries it.
type Slack interface {
	// ListUsers returns one page of users.list and the next cursor ("" at
	// the end).
	ListUsers(ctx context.Context, cursor string, limit int) (users []slack.User, next string, err error)
	// UserInfo is users.info.
	UserInfo(ctx context.Context, id string) (*slack.User, error)
}

// Options configure a Directory. Zero values take the defaults.
type Options struct {
	// PageSize is users.list's limit (default 200, Slack's recommendation).
	PageSize int
	// Refresh is how often the whole list is read again (the events keep
	// it current in between). 0 sizes it to the workspace: 30 minutes per
	// page of the last listing, at least an hour (10,000 members: 25 h,
	// two calls an hour on average).
	Refresh time.Duration
	// RetryAfter is how long a failed listing waits before the next try
	// while an older listing is still served (default 5m).
	RetryAfter time.Duration
	// InfoTTL is how long a users.info answer about a member the listing
	// did not have is trusted (default 1h); events refresh it too.
	InfoTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives listing outcomes (default: none).
	Log *zap.Logger
}

func (o *Options) setDefaults() {
	if o.PageSize <= 0 {
		o.PageSize = 200
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = 5 * time.Minute
	}
	if o.InfoTTL <= 0 {
		o.InfoTTL = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
}

// entry is one member as known, and where from.
type entry struct {
	Person
	// info is set for users.info answers (trusted for InfoTTL from at);
	// listed and event entries are trusted until the next listing.
	info bool
	at   time.Time
}

// Directory is the member directory. It is safe for concurrent use.
type Directory struct {
	api  Slack
	opts Options

	listMu sync.Mutex // one listing at a time

	mu       sync.Mutex
	people   map[string]entry
	listedAt time.Time // last complete listing; zero: none yet
	pages    int       // pages of the last complete listing
	failedAt time.Time // last failed listing
	stats    Stats
}

// Stats count the directory's Web API calls and what it has learnt.
type Stats struct {
	// Listings is how many complete listings were read; ListCalls and
	// InfoCalls the users.list and users.info calls made (failed ones
	// included).
	Listings, ListCalls, InfoCalls int
	// Events is how many member events were applied.
	Events int
	// People is how many members are known.
	People int
}

// New builds a directory; nothing is read until the first Get or Ensure.
func New(api Slack, opts Options) *Directory {
	opts.setDefaults()
	return &Directory{api: api, opts: opts, people: map[string]entry{}}
}

// Stats returns the counters.
func (d *Directory) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.stats
	s.People = len(d.people)
	return s
}

// refreshEvery is the listing interval in force.
func (d *Directory) refreshEvery() time.Duration {
	if d.opts.Refresh > 0 {
		return d.opts.Refresh
	}
	return max(time.Hour, time.Duration(d.pages)*30*time.Minute)
}

// due reports whether a listing should be read now.
func (d *Directory) due(now time.Time) bool {
	if !d.failedAt.IsZero() && now.Sub(d.failedAt) < d.opts.RetryAfter && !d.listedAt.IsZero() {
		return false
	}
	return d.listedAt.IsZero() || now.Sub(d.listedAt) >= d.refreshEvery() || now.Before(d.listedAt)
}

// ErrNoListing is returned while no listing has ever completed and the
// latest attempt failed.
var ErrNoListing = errors.New("directory: the member list could not be read yet")

// Ensure reads the member list when none was read yet or the last one is
// due for a refresh. The first listing is shared: concurrent callers wait
// for it. A refresh is made by the caller that finds it due; the others go
// on with the current list meanwhile (a fan-out does not stall behind the
// minutes a large workspace's listing takes). A failed refresh is logged
// and the old list served (the next try after RetryAfter); a failed first
// listing is an error.
func (d *Directory) Ensure(ctx context.Context) error {
	d.mu.Lock()
	due, had := d.due(d.opts.Now()), !d.listedAt.IsZero()
	d.mu.Unlock()
	if !due {
		return nil
	}
	if !had {
		d.listMu.Lock()
	} else if !d.listMu.TryLock() {
		return nil // being refreshed: serve the current list
	}
	defer d.listMu.Unlock()
	d.mu.Lock()
	due, had = d.due(d.opts.Now()), !d.listedAt.IsZero()
	d.mu.Unlock()
	if !due { // another caller just read it
		return nil
	}
	err := d.list(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	d.mu.Lock()
	d.failedAt = d.opts.Now()
	d.mu.Unlock()
	if had {
		d.opts.Log.Warn("refreshing the member list failed; serving the previous one", zap.Error(err))
		return nil
	}
	return fmt.Errorf("%w: %w", ErrNoListing, err)
}

// list reads every page of users.list and replaces the directory with it,
// keeping any answer newer than the listing's (an event during the read).
func (d *Directory) list(ctx context.Context) error {
	start := d.opts.Now()
	got := map[string]entry{}
	cursor := ""
	pages := 0
	for {
		users, next, err := d.api.ListUsers(ctx, cursor, d.opts.PageSize)
		d.mu.Lock()
		d.stats.ListCalls++
		d.mu.Unlock()
		if err != nil {
			return fmt.Errorf("users.list page %d: %w", pages+1, err)
		}
		pages++
		for i := range users {
			p := FromUser(&users[i])
			if p.ID != "" {
				got[p.ID] = entry{Person: p, at: start}
			}
		}
		if next == "" {
			break
		}
		if next == cursor || pages >= 100_000 {
			return fmt.Errorf("users.list: the cursor does not advance after %d pages", pages)
		}
		cursor = next
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, old := range d.people {
		n, listed := got[id]
		switch {
		case listed && old.Updated > n.Updated: // an event newer than the page
			got[id] = old
		case !listed && !old.info: // joined during the read, or listed before
			got[id] = old
		} // a users.info answer the listing lacks is asked again when needed
	}
	d.people = got
	d.listedAt, d.pages, d.failedAt = start, pages, time.Time{}
	d.stats.Listings++
	d.opts.Log.Info("member list read", zap.Int("members", len(got)), zap.Int("pages", pages),
		zap.Duration("next_refresh_in", d.refreshEvery()))
	return nil
}

// Lookup returns what the directory knows about a member, without calling
// Slack; ok is false for a member it does not know (or whose users.info
// answer is stale).
func (d *Directory) Lookup(id string) (Person, bool) {
	now := d.opts.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.people[id]
	if !ok || e.info && (now.Sub(e.at) >= d.opts.InfoTTL || now.Before(e.at)) {
		return Person{}, false
	}
	return e.Person.statusAt(now), true
}

// Get returns a member: from the listing (read first when due), else from
// users.info, remembered for InfoTTL.
func (d *Directory) Get(ctx context.Context, id string) (Person, error) {
	if err := d.Ensure(ctx); err != nil {
		return Person{}, err
	}
	if p, ok := d.Lookup(id); ok {
		return p, nil
	}
	u, err := d.api.UserInfo(ctx, id)
	d.mu.Lock()
	d.stats.InfoCalls++
	d.mu.Unlock()
	if err != nil {
		return Person{}, fmt.Errorf("users.info: %w", err)
	}
	p := FromUser(u)
	now := d.opts.Now()
	d.mu.Lock()
	if old, ok := d.people[id]; !ok || old.Updated <= p.Updated || old.info {
		d.people[id] = entry{Person: p, info: true, at: now}
	}
	d.mu.Unlock()
	return p.statusAt(now), nil
}

// Apply records a member as an event told it (user_change,
// user_status_changed, team_join), unless the directory already has a
// newer answer.
func (d *Directory) Apply(p Person) {
	if p.ID == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stats.Events++
	if old, ok := d.people[p.ID]; ok && old.Updated > p.Updated {
		return
	}
	d.people[p.ID] = entry{Person: p, at: d.opts.Now()}
}

package directory_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/directory"
	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// api is the directory's Slack over slack-go's real client, talking to the
// local Slack.
type api struct{ c *slack.Client }

func (a api) ListUsers(ctx context.Context, cursor string, limit int) ([]slack.User, string, error) {
	p := a.c.GetUsersPaginated(slack.GetUsersOptionLimit(limit))
	p.Cursor = cursor
	p, err := p.Next(ctx)
	return p.Users, p.Cursor, err
}

func (a api) UserInfo(ctx context.Context, id string) (*slack.User, error) {
	return a.c.GetUserInfoContext(ctx, id)
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func setup(t *testing.T, members int) (*fakeslack.Server, *directory.Directory, *clock) {
	t.Helper()
	fs, err := fakeslack.New(fakeslack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	zones := []string{"Europe/Paris", "America/New_York", "Asia/Tokyo"}
	for i := range members {
		u := fakeslack.User{ID: fmt.Sprintf("U%05d", i), TZ: zones[i%3], Deleted: i%50 == 7, IsBot: i%50 == 8}
		if i%50 == 9 {
			u.StatusEmoji, u.StatusText = ":palm_tree:", "OOO"
		}
		if err := fs.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	ck := &clock{t: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
	d := directory.New(api{slack.New("xoxb-test", slack.OptionAPIURL(fs.URL()))}, directory.Options{Now: ck.now})
	return fs, d, ck
}

func TestOneListingServesEveryone(t *testing.T) {
	fs, d, _ := setup(t, 450)
	ctx := t.Context()
	for i := range 450 {
		p, err := d.Get(ctx, fmt.Sprintf("U%05d", i))
		if err != nil {
			t.Fatal(err)
		}
		zones := []string{"Europe/Paris", "America/New_York", "Asia/Tokyo"}
		if p.TimeZone != zones[i%3] || p.Deleted != (i%50 == 7) || p.Bot != (i%50 == 8) || (p.StatusEmoji == ":palm_tree:") != (i%50 == 9) {
			t.Fatalf("member %d: %+v", i, p)
		}
	}
	st := d.Stats()
	// 450 members and the app's bot user: 3 pages of 200
	if st.Listings != 1 || st.ListCalls != 3 || st.InfoCalls != 0 || st.People != 451 {
		t.Errorf("stats %+v: want one listing of 3 pages and no users.info", st)
	}
	if n := len(fs.Calls("users.list")); n != 3 {
		t.Errorf("the local Slack saw %d users.list calls, want 3", n)
	}
	if n := len(fs.Calls("users.info")); n != 0 {
		t.Errorf("the local Slack saw %d users.info calls, want 0", n)
	}
}

func TestConcurrentCallersShareOneListing(t *testing.T) {
	_, d, _ := setup(t, 450)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if _, err := d.Get(t.Context(), fmt.Sprintf("U%05d", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if st := d.Stats(); st.Listings != 1 || st.ListCalls != 3 {
		t.Errorf("stats %+v: want one listing", st)
	}
}

func TestNewcomerAskedOnceWithUsersInfo(t *testing.T) {
	fs, d, ck := setup(t, 10)
	ctx := t.Context()
	if err := d.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := fs.AddUser(fakeslack.User{ID: "UNEW", TZ: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		p, err := d.Get(ctx, "UNEW")
		if err != nil || p.TimeZone != "Asia/Tokyo" {
			t.Fatalf("Get = %+v, %v", p, err)
		}
	}
	if st := d.Stats(); st.InfoCalls != 1 {
		t.Errorf("users.info calls = %d, want 1 (then remembered)", st.InfoCalls)
	}
	ck.add(61 * time.Minute) // past InfoTTL; the next listing (hourly for one page) is due too
	if _, err := d.Get(ctx, "UNEW"); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Listings != 2 || st.InfoCalls != 1 {
		t.Errorf("stats %+v: the second listing should have brought the newcomer", st)
	}
	if _, err := d.Get(ctx, "UNOBODY"); err == nil {
		t.Error("an unknown user should be an error")
	}
}

func TestRefreshSizedToTheWorkspace(t *testing.T) {
	_, d, ck := setup(t, 1000) // 1,001 members: 6 pages → every 3 h
	ctx := t.Context()
	if err := d.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	ck.add(2*time.Hour + 59*time.Minute)
	if err := d.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Listings != 1 {
		t.Fatalf("listings = %d before 3 h, want 1", st.Listings)
	}
	ck.add(time.Minute)
	if err := d.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Listings != 2 || st.ListCalls != 12 {
		t.Errorf("stats %+v: want a second listing of 6 pages at 3 h", st)
	}
}

func TestFailedListing(t *testing.T) {
	fs, d, ck := setup(t, 10)
	ctx := t.Context()
	if err := fs.InjectFault(fakeslack.Fault{Method: "users.list", Error: "internal_error"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "U00001"); !errors.Is(err, directory.ErrNoListing) {
		t.Fatalf("Get with no listing yet = %v, want ErrNoListing", err)
	}
	if _, err := d.Get(ctx, "U00001"); err != nil {
		t.Fatalf("the next try should list: %v", err)
	}
	ck.add(2 * time.Hour)
	if err := fs.InjectFault(fakeslack.Fault{Method: "users.list", Error: "internal_error"}); err != nil {
		t.Fatal(err)
	}
	if p, err := d.Get(ctx, "U00001"); err != nil || p.TimeZone != "America/New_York" {
		t.Fatalf("a failed refresh should serve the old listing: %+v, %v", p, err)
	}
	calls := d.Stats().ListCalls
	ck.add(4 * time.Minute)
	if _, err := d.Get(ctx, "U00001"); err != nil {
		t.Fatal(err)
	}
	if d.Stats().ListCalls != calls {
		t.Error("a failed refresh should wait RetryAfter before the next try")
	}
	ck.add(time.Minute)
	if _, err := d.Get(ctx, "U00001"); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Listings != 2 {
		t.Errorf("stats %+v: the retry should have listed", st)
	}
}

func TestEventsKeepItCurrent(t *testing.T) {
	_, d, ck := setup(t, 10)
	ctx := t.Context()
	if err := d.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	old, _ := d.Lookup("U00001")
	parse := func(body string) any {
		t.Helper()
		ev, err := slackevents.ParseEvent([]byte(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatal(err)
		}
		return ev.InnerEvent.Data
	}
	ev := func(typ, user string, tz, emoji string, expires, updated int64) any {
		return parse(fmt.Sprintf(`{"type":"event_callback","event":{"type":%q,"user":{"id":%q,"tz":%q,"updated":%d,"profile":{"status_emoji":%q,"status_expiration":%d}}}}`,
			typ, user, tz, updated, emoji, expires))
	}
	p, ok := directory.FromEvent(ev("user_change", "U00001", "Asia/Kolkata", "", 0, old.Updated+1))
	if !ok {
		t.Fatal("user_change not understood")
	}
	d.Apply(p)
	if got, _ := d.Lookup("U00001"); got.TimeZone != "Asia/Kolkata" {
		t.Errorf("after user_change: %+v", got)
	}
	stale, _ := directory.FromEvent(ev("user_change", "U00001", "Europe/Oslo", "", 0, old.Updated))
	d.Apply(stale)
	if got, _ := d.Lookup("U00001"); got.TimeZone != "Asia/Kolkata" {
		t.Errorf("an older answer should not win: %+v", got)
	}
	expires := ck.now().Add(time.Hour).Unix()
	p, _ = directory.FromEvent(ev("user_status_changed", "U00002", "Asia/Tokyo", ":palm_tree:", expires, old.Updated+5))
	d.Apply(p)
	if got, _ := d.Lookup("U00002"); got.StatusEmoji != ":palm_tree:" {
		t.Errorf("after user_status_changed: %+v", got)
	}
	ck.add(61 * time.Minute)
	if got, _ := d.Lookup("U00002"); got.StatusEmoji != "" {
		t.Errorf("an expired status should read as none: %+v", got)
	}
	tj := parse(`{"type":"event_callback","event":{"type":"team_join","user":{"id":"UJOIN","tz":"No/Such_Zone","updated":9}}}`)
	p, ok = directory.FromEvent(tj)
	if !ok || p.ID != "UJOIN" || p.TimeZone != "" {
		t.Fatalf("team_join = %+v, %v (an unknown zone reads as none)", p, ok)
	}
	d.Apply(p)
	if _, ok := d.Lookup("UJOIN"); !ok {
		t.Error("a team_join member should be known without a call")
	}
	if _, ok := directory.FromEvent(parse(`{"type":"event_callback","event":{"type":"app_home_opened","user":"U1"}}`)); ok {
		t.Error("other events are not member events")
	}
}

// TestRefreshDoesNotStallOthers: while one caller refreshes a due list,
// the others are served the current one at once.
func TestRefreshDoesNotStallOthers(t *testing.T) {
	fs, d, ck := setup(t, 10)
	ctx := t.Context()
	if err := d.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	ck.add(2 * time.Hour)
	if err := fs.InjectFault(fakeslack.Fault{Method: "users.list", DelayMS: 1500}); err != nil {
		t.Fatal(err)
	}
	refreshed := make(chan error, 1)
	go func() { refreshed <- d.Ensure(ctx) }()
	time.Sleep(200 * time.Millisecond) // the refresh is under way
	start := time.Now()
	p, err := d.Get(ctx, "U00004")
	if err != nil || p.TimeZone != "America/New_York" {
		t.Fatalf("Get during a refresh = %+v, %v", p, err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("Get waited %s for the refresh", took)
	}
	if err := <-refreshed; err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Listings != 2 {
		t.Errorf("listings = %d, want 2", st.Listings)
	}
}

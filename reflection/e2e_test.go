package reflection_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/reflection"
	"github.com/leadnudge/leadnudge/store"
)

// People in UTC−8, UTC+5:30 and UTC+13, enrolled through a channel, each
// get their prompt at their own Friday 16:00, once; their zones are learnt
// from users.info and stored by name.
func TestFanOutAtEachOwnFriday1600(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{refl: reflection.Options{Channels: []string{"C0TEAM"}}, noRun: true})
	e.addUsers("America/Los_Angeles", "ULA")
	e.addUsers("Asia/Kolkata", "UIN")
	e.addUsers("Pacific/Auckland", "UNZ")
	if err := e.fs.AddChannel("C0TEAM", "ULA", "UIN", "UNZ"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at   time.Time
		sent int
		got  []string // who has a prompt afterwards
	}{
		{time.Date(2026, 1, 16, 2, 59, 0, 0, time.UTC), 0, nil},
		{time.Date(2026, 1, 16, 3, 0, 0, 0, time.UTC), 1, []string{"UNZ"}},
		{time.Date(2026, 1, 16, 10, 29, 0, 0, time.UTC), 0, []string{"UNZ"}},
		{time.Date(2026, 1, 16, 10, 30, 0, 0, time.UTC), 1, []string{"UNZ", "UIN"}},
		{time.Date(2026, 1, 16, 23, 59, 0, 0, time.UTC), 0, []string{"UNZ", "UIN"}},
		{time.Date(2026, 1, 17, 0, 0, 0, 0, time.UTC), 1, []string{"UNZ", "UIN", "ULA"}},
		{time.Date(2026, 1, 17, 6, 0, 0, 0, time.UTC), 0, []string{"UNZ", "UIN", "ULA"}},
	}
	for _, s := range steps {
		sum := e.tick(s.at)
		if sum.Sent != s.sent || sum.Failed != 0 {
			t.Errorf("tick at %s: %+v, want %d sent", s.at, sum, s.sent)
		}
		for _, u := range s.got {
			if n := len(e.promptDMs(u)); n != 1 {
				t.Errorf("after %s: %s has %d prompts, want 1", s.at, u, n)
			}
		}
	}
	for id, tz := range map[string]string{"ULA": "America/Los_Angeles", "UIN": "Asia/Kolkata", "UNZ": "Pacific/Auckland"} {
		u, err := e.st.GetUser(e.ctx(), id)
		if err != nil || u.TimeZone != tz {
			t.Errorf("%s stored zone %q (%v), want %q", id, u.TimeZone, err, tz)
		}
		p, err := e.st.GetPromptDelivery(e.ctx(), id, store.Week{Year: 2026, Num: 3})
		if err != nil || p.State != store.PromptSent || p.Delivery.Channel != fakeslack.DMChannel(id) {
			t.Errorf("%s ledger %+v (%v)", id, p, err)
		}
	}
	// The next week, the next prompt (rotation).
	e.tick(time.Date(2026, 1, 24, 0, 0, 0, 0, time.UTC))
	for _, u := range []string{"ULA", "UIN", "UNZ"} {
		ps := e.promptDMs(u)
		if len(ps) != 2 || texts(ps[0].Blocks) == texts(ps[1].Blocks) {
			t.Errorf("%s: second week's prompt missing or the same question again", u)
		}
	}
}

// Someone who moves is prompted at 16:00 in the new zone: Slack's
// user_change event tells the directory at once (no call), and the stored
// zone follows.
func TestPersonChangesTimeZone(t *testing.T) {
	t.Parallel()
	// no refresh within the test: only the event can tell
	e := newEnv(t, envOptions{refl: reflection.Options{UsersRefresh: 30 * 24 * time.Hour}})
	e.addUsers("Europe/Paris", "U1")
	if _, err := e.st.SetWeeklyEnrolled(e.ctx(), "U1", true); err != nil {
		t.Fatal(err)
	}
	e.tick(time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC))                                            // learns Paris
	if _, err := e.fs.ChangeUser(fakeslack.User{ID: "U1", TZ: "America/Los_Angeles"}); err != nil { // moves before Friday
		t.Fatal(err)
	}
	e.waitFor("the user_change event", func() bool {
		p, ok := e.r.Directory().Lookup("U1")
		return ok && p.TimeZone == "America/Los_Angeles"
	})
	calls := len(e.fs.Calls("users.list")) + len(e.fs.Calls("users.info"))
	paris := time.Date(2026, 1, 16, 15, 0, 0, 0, time.UTC)
	if sum := e.tick(paris); sum.Sent != 0 {
		t.Fatalf("prompted at 16:00 Paris after moving to Los Angeles: %+v", sum)
	}
	if u, _ := e.st.GetUser(e.ctx(), "U1"); u.TimeZone != "America/Los_Angeles" {
		t.Fatalf("stored zone %q after the move", u.TimeZone)
	}
	if sum := e.tick(time.Date(2026, 1, 17, 0, 0, 0, 0, time.UTC)); sum.Sent != 1 {
		t.Fatalf("not prompted at 16:00 Los Angeles: %+v", sum)
	}
	if n := len(e.promptDMs("U1")); n != 1 {
		t.Fatalf("%d prompts", n)
	}
	if n := len(e.fs.Calls("users.list")) + len(e.fs.Calls("users.info")); n != calls {
		t.Errorf("%d users.* calls after the event, want none", n-calls)
	}
}

// Without an event (missed while disconnected), the next listing brings
// the move: users.list again after slack.users_refresh.
func TestMoveLearntFromTheNextListing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{refl: reflection.Options{UsersRefresh: 2 * time.Hour}, noRun: true})
	e.addUsers("Europe/Paris", "U1")
	if _, err := e.st.SetWeeklyEnrolled(e.ctx(), "U1", true); err != nil {
		t.Fatal(err)
	}
	e.tick(time.Date(2026, 1, 16, 9, 0, 0, 0, time.UTC))
	e.addUsers("America/Los_Angeles", "U1") // no event
	if sum := e.tick(time.Date(2026, 1, 16, 10, 59, 0, 0, time.UTC)); sum.Sent != 0 {
		t.Fatalf("%+v", sum)
	}
	if u, _ := e.st.GetUser(e.ctx(), "U1"); u.TimeZone != "Europe/Paris" {
		t.Fatalf("stored zone %q before the refresh", u.TimeZone)
	}
	if sum := e.tick(time.Date(2026, 1, 16, 15, 0, 0, 0, time.UTC)); sum.Sent != 0 {
		t.Fatalf("prompted at 16:00 Paris after moving (the refresh at 11:00 should have told): %+v", sum)
	}
	if u, _ := e.st.GetUser(e.ctx(), "U1"); u.TimeZone != "America/Los_Angeles" {
		t.Fatalf("stored zone %q after the refresh", u.TimeZone)
	}
	if n := len(e.fs.Calls("users.list")); n != 2 {
		t.Errorf("users.list calls = %d, want 2 (one listing, one refresh)", n)
	}
	if n := len(e.fs.Calls("users.info")); n != 0 {
		t.Errorf("users.info calls = %d, want 0", n)
	}
}

// Enrolment: channel members and people who typed /reflect on get the
// prompt; /reflect off wins over membership; bots and deactivated users
// never get one; a pause holds until it ends.
func TestEnrolmentByChannelAndOptOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{refl: reflection.Options{Channels: []string{"C0TEAM"}}})
	e.addUsers("UTC", "UMEMBER", "UOFF", "UOPTIN", "UOTHER", "UPAUSE")
	if err := e.fs.AddUser(fakeslack.User{ID: "UBOTX", IsBot: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.fs.AddUser(fakeslack.User{ID: "UGONE", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.fs.AddChannel("C0TEAM", "UMEMBER", "UOFF", "UBOTX", "UGONE", "UPAUSE"); err != nil {
		t.Fatal(err)
	}
	if r := e.command("UOPTIN", "/reflect", "on").Param("text"); !strings.Contains(r, "*on*") {
		t.Errorf("/reflect on: %q", r)
	}
	if r := e.command("UOFF", "/reflect", "off").Param("text"); !strings.Contains(r, "*off*") {
		t.Errorf("/reflect off: %q", r)
	}
	if _, err := e.st.SetPromptsPausedUntil(e.ctx(), "UPAUSE", time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	sum := e.tick(time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC))
	if sum.Sent != 2 {
		t.Errorf("sent %d, want 2: %+v", sum.Sent, sum)
	}
	for u, want := range map[string]int{"UMEMBER": 1, "UOPTIN": 1, "UOFF": 0, "UOTHER": 0, "UBOTX": 0, "UGONE": 0, "UPAUSE": 0} {
		if n := len(e.promptDMs(u)); n != want {
			t.Errorf("%s: %d prompts, want %d", u, n, want)
		}
	}
	// The pause ends on Tuesday; the next Friday UPAUSE is asked again, and
	// /reflect on brings UOFF back despite the earlier off.
	e.command("UOFF", "/reflect", "on")
	e.tick(time.Date(2026, 1, 23, 16, 0, 0, 0, time.UTC))
	for u, want := range map[string]int{"UMEMBER": 2, "UOPTIN": 2, "UOFF": 1, "UPAUSE": 1, "UBOTX": 0} {
		if n := len(e.promptDMs(u)); n != want {
			t.Errorf("week 2: %s: %d prompts, want %d", u, n, want)
		}
	}
}

// manyUsers adds n people in Berlin, spread over channels of at most 900
// members (the local Slack keeps 1,000 per channel) named prefix0, prefix1…,
// and returns their ids and the channels.
func manyUsers(e *env, n int, prefix string) ([]string, []string) {
	e.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "UM" + strings.Repeat("0", 6-len(itoa(i))) + itoa(i)
	}
	e.addUsers("Europe/Berlin", ids...)
	var chans []string
	for i := 0; i < n; i += 900 {
		ch := prefix + itoa(i/900)
		chans = append(chans, ch)
		if err := e.fs.AddChannel(ch, ids[i:min(i+900, n)]...); err != nil {
			e.t.Fatal(err)
		}
	}
	return ids, chans
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// waitCalls polls until the local Slack recorded n calls of method (a
// WaitForCall whose match reads the history would be quadratic).
func waitCalls(e *env, method string, n int) {
	deadline := time.Now().Add(30 * time.Second)
	for len(e.fs.Calls(method)) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

// promptsPerUser counts the prompt DMs each person received.
func promptsPerUser(e *env) map[string]int {
	out := map[string]int{}
	for _, c := range e.fs.Calls("chat.postMessage") {
		if c.Error == "" && strings.Contains(c.Param("blocks"), reflection.ActionAnswer) {
			out[c.Param("channel")]++
		}
	}
	return out
}

// 2,000 people, with 429s from Slack in the middle of the fan-out: every
// one is prompted exactly once, and the 429s were honoured and retried.
func TestFanOut2000WithRateLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{refl: reflection.Options{Channels: []string{"C0ALL0", "C0ALL1", "C0ALL2"}, Rate: 5000, Workers: 8}, noRun: true})
	ids, _ := manyUsers(e, 2000, "C0ALL")
	at := time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)
	e.clk.Set(at)
	// Learn the zones first, so that the 429s land in the middle of the DMs.
	errs := make(chan error, 1)
	go func() {
		waitCalls(e, "chat.postMessage", 500)
		errs <- e.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 1, Count: 12})
	}()
	sum := e.tick(at)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	sent := sum.Sent
	if sum.Failed > 0 { // retries exhausted under 429s: released, so the next tick sends them
		again := e.tick(at.Add(time.Minute))
		sent += again.Sent
	}
	if sent != 2000 || sum.Due != 2000 {
		t.Fatalf("summary %+v, %d sent in all", sum, sent)
	}
	per := promptsPerUser(e)
	for _, id := range ids {
		if per[fakeslack.DMChannel(id)] != 1 && per[id] != 1 {
			t.Fatalf("%s got %d prompts", id, per[id]+per[fakeslack.DMChannel(id)])
		}
	}
	limited := 0
	for _, c := range e.fs.Calls("chat.postMessage") {
		if c.Error == "ratelimited" {
			limited++
		}
	}
	if limited == 0 {
		t.Error("no 429 was injected")
	}
	if got := e.promptCounter("sent"); got != float64(sent) {
		t.Errorf("sent counter %v", got)
	}
	if sum := e.tick(at.Add(time.Hour)); sum.Sent != 0 || sum.Due != 0 {
		t.Errorf("a second tick sent again: %+v", sum)
	}
	t.Logf("2000 people, %d 429s: %v", limited, sum.Elapsed)
}

// Stopping the fan-out half way (the context ends: a shutdown) and running
// it again sends the rest, and nobody twice.
func TestFanOutInterruptedAndResumed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{refl: reflection.Options{Channels: []string{"C0ALL0"}, Rate: 400, Workers: 4}, noRun: true})
	ids, _ := manyUsers(e, 200, "C0ALL")
	at := time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)
	e.clk.Set(at)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitCalls(e, "chat.postMessage", 60)
		cancel()
	}()
	first, err := e.r.Tick(ctx, at)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted tick: %v", err)
	}
	if first.Sent < 50 || first.Sent >= 200 {
		t.Fatalf("first run sent %d, want a part", first.Sent)
	}
	second := e.tick(at.Add(time.Minute))
	if first.Sent+second.Sent != 200 || second.Failed != 0 {
		t.Fatalf("first %+v, second %+v: want 200 in all", first, second)
	}
	per := promptsPerUser(e)
	for _, id := range ids {
		if n := per[id] + per[fakeslack.DMChannel(id)]; n != 1 {
			t.Fatalf("%s got %d prompts", id, n)
		}
	}
	t.Logf("interrupted after %d, resumed with %d", first.Sent, second.Sent)
}

// A sender that died after claiming (no release) holds the person only for
// the lease; then the next tick sends.
func TestClaimOfDeadSenderRetriedAfterLease(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{refl: reflection.Options{Lease: 10 * time.Minute}, noRun: true})
	e.addUsers("UTC", "U1")
	if _, err := e.st.SetWeeklyEnrolled(e.ctx(), "U1", true); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)
	e.clk.Set(at)
	if ok, err := e.st.ClaimPrompt(e.ctx(), "U1", store.WeekOf(at), "lead-or-manage", 10*time.Minute); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if sum := e.tick(at.Add(5 * time.Minute)); sum.Sent != 0 {
		t.Fatalf("sent while another sender held the claim: %+v", sum)
	}
	if sum := e.tick(at.Add(11 * time.Minute)); sum.Sent != 1 {
		t.Fatalf("not retried after the lease: %+v", sum)
	}
}

// The week's prompt is posted in reflection.post_channel once per week,
// even with two replicas ticking.
func TestPostChannelOncePerWeek(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{refl: reflection.Options{PostChannel: "C0REFLECT"}, noRun: true})
	if err := e.fs.AddChannel("C0REFLECT"); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, envOptions{refl: reflection.Options{PostChannel: "C0REFLECT"}, noRun: true, fs: e.fs, st: e.st, clk: e.clk})
	at := time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)
	if s := e.tick(at); !s.Channel {
		t.Errorf("not posted: %+v", s)
	}
	if s := e2.tick(at.Add(time.Minute)); s.Channel {
		t.Errorf("posted twice")
	}
	if s := e.tick(at.Add(7 * 24 * time.Hour)); !s.Channel {
		t.Errorf("not posted the next week")
	}
	if n := len(e.fs.Posts("C0REFLECT")); n != 2 {
		t.Errorf("%d posts in the channel, want 2", n)
	}
}

func TestBadScheduleFailsStartup(t *testing.T) {
	_, err := reflection.New(nil, nil, reflection.Options{Schedule: "0 16 * * 8"})
	if err == nil {
		t.Fatal("no error")
	}
	st, serr := store.Open(context.Background(), "sqlite", ":memory:")
	if serr != nil {
		t.Fatal(serr)
	}
	defer st.Close()
	_, err = reflection.New(st, builtinRules(t), reflection.Options{Schedule: "0 16 * * 8"})
	if err == nil || !strings.Contains(err.Error(), "reflection.schedule") {
		t.Fatalf("bad schedule: %v", err)
	}
	_, err = reflection.New(st, builtinRules(t), reflection.Options{DefaultTimezone: "Mars/Olympus"})
	if err == nil || !strings.Contains(err.Error(), "reflection.default_timezone") {
		t.Fatalf("bad zone: %v", err)
	}
}

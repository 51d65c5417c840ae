package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"
)

// TestContractSQLite runs the store contract against SQLite files.
func TestContractSQLite(t *testing.T) {
	t.Parallel()
	runContract(t, sqliteDB)
}

// TestContractPostgres runs the same contract against PostgreSQL, one
// fresh schema per test, when LEADNUDGE_TEST_POSTGRES_DSN is set.
func TestContractPostgres(t *testing.T) {
	t.Parallel()
	runContract(t, postgresDB(t))
}

// runContract is the one contract both backends must meet.
func runContract(t *testing.T, db testDB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db testDB)
	}{
		{"MigrateFromEmptyAndRerun", testMigrateFromEmptyAndRerun},
		{"MigrateConcurrentReplicas", testMigrateConcurrentReplicas},
		{"MigrateSchemaTooNew", testMigrateSchemaTooNew},
		{"MigrateInOrderTransactional", testMigrateInOrderTransactional},
		{"SchemaHoldsNoMessageText", testSchemaHoldsNoMessageText},
		{"Users", testUsers},
		{"IntroWithFirstNudge", testIntroWithFirstNudge},
		{"ClaimEvent", testClaimEvent},
		{"ClaimEventRace", testClaimEventRace},
		{"RecordPendingNudge", testRecordPendingNudge},
		{"RecordPendingNudgeRace", testRecordPendingNudgeRace},
		{"DecideNudgePolicy", testDecideNudgePolicy},
		{"DecideNudgeCooldownRace", testDecideNudgeCooldownRace},
		{"DecideNudgeCapRace", testDecideNudgeCapRace},
		{"DecideNudgeTimeAfterLock", testDecideNudgeTimeAfterLock},
		{"PendingNudgeLease", testPendingNudgeLease},
		{"ClaimPendingNudgesRace", testClaimPendingNudgesRace},
		{"MarkNudgeSentFailed", testMarkNudgeSentFailed},
		{"Feedback", testFeedback},
		{"Reflections", testReflections},
		{"ReflectionsOnlyForAuthor", testReflectionsOnlyForAuthor},
		{"ReflectionAnswersByteExact", testReflectionAnswersByteExact},
		{"PromptLedger", testPromptLedger},
		{"PromptLease", testPromptLease},
		{"ClaimPromptRace", testClaimPromptRace},
		{"PromptFanOutRace", testPromptFanOutRace},
		{"ExportAndDeleteUser", testExportAndDeleteUser},
		{"PurgeNudges", testPurgeNudges},
		{"UserStats", testUserStats},
		{"ContextCancelled", testContextCancelled},
		{"ChannelNudgesOff", testChannelNudgesOff},
		{"RenewNudgeLease", testRenewNudgeLease},
		{"ReflectionOff", testReflectionOff},
		{"TeamData", testTeamData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, db)
		})
	}
}

// --- migrations -------------------------------------------------------

func testMigrateFromEmptyAndRerun(t *testing.T, db testDB) {
	e := newEnv(t, db)
	v := must(e.s.SchemaVersion(bg))(t)
	if v != LatestSchemaVersion() || v < 1 {
		t.Fatalf("schema version after first open = %d, want %d", v, LatestSchemaVersion())
	}
	// Re-running the migrations (a restart) changes nothing.
	s2 := e.open()
	if v2 := must(s2.SchemaVersion(bg))(t); v2 != v {
		t.Fatalf("schema version after reopen = %d, want %d", v2, v)
	}
	var n int64
	ok(t, e.s.b.queryRow(bg, "SELECT COUNT(*) FROM schema_migrations").Scan(&n))
	if int(n) != v {
		t.Fatalf("schema_migrations has %d rows, want one per version (%d)", n, v)
	}
	// Every table works after migration.
	must(e.s.EnsureUser(bg, "U1"))(t)
}

func testMigrateConcurrentReplicas(t *testing.T, db testDB) {
	driver, dsn := db(t)
	clk := newClock()
	const replicas = 4
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	stores := make([]*Store, replicas)
	for i := range replicas {
		wg.Go(func() {
			stores[i], errs[i] = Open(bg, driver, dsn, WithClock(clk.Now))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: open: %v", i, err)
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	var n int64
	ok(t, stores[0].b.queryRow(bg, "SELECT COUNT(*) FROM schema_migrations").Scan(&n))
	if int(n) != LatestSchemaVersion() {
		t.Fatalf("schema_migrations has %d rows after %d concurrent starts, want %d", n, replicas, LatestSchemaVersion())
	}
}

func testMigrateSchemaTooNew(t *testing.T, db testDB) {
	e := newEnv(t, db)
	next := LatestSchemaVersion() + 1
	_ = must(e.s.b.exec(bg, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_the_future', 0)", next))(t)
	_, err := Open(bg, e.driver, e.dsn, WithClock(e.clock.Now))
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("open on a newer schema: err = %v, want ErrSchemaTooNew", err)
	}
	for _, want := range []string{fmt.Sprint(next), fmt.Sprint(LatestSchemaVersion()), "upgrade leadnudge"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func testMigrateInOrderTransactional(t *testing.T, db testDB) {
	driver, dsn := db(t)
	dir := DriverSQLite
	if driver == DriverPostgres {
		dir = DriverPostgres
	}
	src := fstest.MapFS{
		dir + "/0001_first.sql":  {Data: []byte("CREATE TABLE t1 (x INTEGER NOT NULL);")},
		dir + "/0002_second.sql": {Data: []byte("INSERT INTO t1 (x) VALUES (2); CREATE TABLE t2 (y INTEGER);")},
	}
	open := func() (*Store, error) {
		s, err := Open(bg, driver, dsn, withMigrations(src))
		if err == nil {
			t.Cleanup(func() { _ = s.Close() })
		}
		return s, err
	}
	s := must(open())(t)
	if v := must(s.SchemaVersion(bg))(t); v != 2 {
		t.Fatalf("version = %d, want 2", v)
	}
	// A new migration is applied once, after the others.
	src[dir+"/0003_third.sql"] = &fstest.MapFile{Data: []byte("INSERT INTO t1 (x) VALUES (3);")}
	s = must(open())(t)
	s = must(open())(t)
	var xs []int64
	rs := must(s.b.query(bg, "SELECT x FROM t1 ORDER BY x"))(t)
	xs = must(scanAll(rs, func(r rows) (int64, error) {
		var x int64
		err := r.Scan(&x)
		return x, err
	}))(t)
	if !slices.Equal(xs, []int64{2, 3}) {
		t.Fatalf("t1 = %v, want [2 3]: each migration exactly once, in order", xs)
	}
	// A failing migration leaves nothing behind and is not recorded.
	src[dir+"/0004_broken.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE t4 (z INTEGER); INSERT INTO no_such_table VALUES (1);")}
	if _, err := open(); err == nil || !strings.Contains(err.Error(), "0004_broken") {
		t.Fatalf("broken migration: err = %v, want an error naming 0004_broken", err)
	}
	if v := must(s.SchemaVersion(bg))(t); v != 3 {
		t.Fatalf("version after failed migration = %d, want 3", v)
	}
	if _, err := s.b.exec(bg, "INSERT INTO t4 (z) VALUES (1)"); err == nil {
		t.Fatal("table t4 of the failed migration exists: the migration was not transactional")
	}
	// A gap in the versions is refused before touching the database.
	delete(src, dir+"/0004_broken.sql")
	src[dir+"/0006_gap.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;")}
	if _, err := open(); err == nil || !strings.Contains(err.Error(), "version 6 found where 4 was expected") {
		t.Fatalf("gap: err = %v", err)
	}
}

func testSchemaHoldsNoMessageText(t *testing.T, db testDB) {
	e := newEnv(t, db)
	// The complete column list of the nudge log: adding a column (a "text"
	// one, say) must be a conscious change to this test.
	want := []string{"allowed_at", "attempts", "category", "channel_id", "created_at", "delivery_channel",
		"delivery_ts", "event_id", "feedback", "feedback_at", "finished_at", "id", "lease_until",
		"message_ts", "reason", "rule_id", "state", "user_id", "with_intro"}
	got := columns(t, e.s, "nudges")
	if !slices.Equal(got, want) {
		t.Fatalf("nudges columns = %v\nwant %v", got, want)
	}
	for _, table := range []string{"users", "nudges", "events_seen", "prompt_deliveries", "reflection_edits", "preference_events", "channels"} {
		for _, c := range columns(t, e.s, table) {
			if strings.Contains(c, "text") || strings.Contains(c, "message") && c != "message_ts" || strings.Contains(c, "body") {
				t.Errorf("table %s has column %q that looks like message content", table, c)
			}
		}
	}
}

func columns(t *testing.T, s *Store, table string) []string {
	t.Helper()
	q := `SELECT name FROM pragma_table_info($1)`
	if s.Driver() == DriverPostgres {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
	}
	rs := must(s.b.query(bg, q, table))(t)
	cols := must(scanAll(rs, func(r rows) (string, error) {
		var c string
		err := r.Scan(&c)
		return c, err
	}))(t)
	if len(cols) == 0 {
		t.Fatalf("table %s has no columns", table)
	}
	sort.Strings(cols)
	return cols
}

// --- users and preferences ----------------------------------------------

func testUsers(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	if _, err := s.GetUser(bg, "U404"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetUser(unknown) err = %v, want ErrNotFound", err)
	}
	if _, err := s.GetUser(bg, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("GetUser(\"\") err = %v, want ErrInvalid", err)
	}
	u := must(s.EnsureUser(bg, "U1"))(t)
	if !u.FirstSeen.Equal(t0) || u.OptedOut || u.WeeklyEnrolled || !u.SnoozedUntil.IsZero() || u.TimeZone != "" {
		t.Fatalf("new user = %+v", u)
	}
	e.clock.Advance(time.Hour)
	if u2 := must(s.EnsureUser(bg, "U1"))(t); !u2.FirstSeen.Equal(t0) {
		t.Fatalf("EnsureUser moved FirstSeen to %v", u2.FirstSeen)
	}
	now := e.clock.Now()

	u = must(s.SetOptedOut(bg, "U1", true))(t)
	if !u.OptedOut || !u.UpdatedAt.Equal(now) {
		t.Fatalf("after opt-out: %+v", u)
	}
	u = must(s.SetOptedOut(bg, "U1", false))(t)
	if u.OptedOut {
		t.Fatal("opt back in did not stick")
	}
	until := now.Add(7 * 24 * time.Hour)
	u = must(s.SetSnoozedUntil(bg, "U1", until))(t)
	if !u.SnoozedUntil.Equal(until) || !u.Snoozed(now) || u.Snoozed(until) {
		t.Fatalf("snooze: %+v", u)
	}
	u = must(s.SetSnoozedUntil(bg, "U1", time.Time{}))(t)
	if !u.SnoozedUntil.IsZero() {
		t.Fatal("clearing the snooze did not stick")
	}
	u = must(s.SetTimeZone(bg, "U1", "Pacific/Auckland"))(t)
	if u.TimeZone != "Pacific/Auckland" || !u.TimeZoneUpdatedAt.Equal(now) {
		t.Fatalf("time zone: %+v", u)
	}
	if _, err := s.SetTimeZone(bg, "U1", strings.Repeat("x", 65)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("overlong time zone: err = %v", err)
	}
	u = must(s.SetWeeklyEnrolled(bg, "U1", true))(t)
	if !u.WeeklyEnrolled {
		t.Fatal("enrolment did not stick")
	}
	pause := now.Add(30 * 24 * time.Hour)
	u = must(s.SetPromptsPausedUntil(bg, "U1", pause))(t)
	if !u.PromptsPausedUntil.Equal(pause) || !u.PromptsPaused(now) {
		t.Fatalf("prompt pause: %+v", u)
	}
	// Setters create the row of a user never seen before.
	u = must(s.SetWeeklyEnrolled(bg, "U0", true))(t)
	if !u.WeeklyEnrolled || !u.FirstSeen.Equal(now) {
		t.Fatalf("setter on a new user: %+v", u)
	}
	// Everything reads back the same.
	got := must(s.GetUser(bg, "U1"))(t)
	if got.TimeZone != "Pacific/Auckland" || !got.WeeklyEnrolled || !got.PromptsPausedUntil.Equal(pause) || got.OptedOut {
		t.Fatalf("GetUser = %+v", got)
	}
	users := must(s.ListUsers(bg))(t)
	if len(users) != 2 || users[0].ID != "U0" || users[1].ID != "U1" {
		t.Fatalf("ListUsers = %+v", users)
	}
}

// testIntroWithFirstNudge: the introduction goes to exactly one allowed
// nudge of a person, even when two replicas decide several of their
// nudges at once; never to a suppressed one; and a nudge that fails for
// good gives it back for the next one.
func testIntroWithFirstNudge(t *testing.T, db testDB) {
	e := newEnv(t, db)
	r2 := e.open()
	var ids []int64
	for i := range 8 {
		ids = append(ids, pending(t, e.s, fmt.Sprint("Ev-intro-", i), "U1", fmt.Sprint("rule-", i)))
	}
	var with atomic.Int32
	var wg sync.WaitGroup
	for i, id := range ids {
		s := e.s
		if i%2 == 1 {
			s = r2
		}
		wg.Go(func() {
			d := check(s.DecideNudge(bg, id, Policy{}))(t)
			if d.Allowed && d.Nudge.WithIntro {
				with.Add(1)
			}
		})
	}
	wg.Wait()
	if with.Load() != 1 {
		t.Fatalf("%d nudges carry the introduction, want exactly 1", with.Load())
	}
	if u := must(e.s.GetUser(bg, "U1"))(t); !u.IntroSentAt.Equal(t0) {
		t.Fatalf("IntroSentAt = %v", u.IntroSentAt)
	}
	// deciding again returns the recorded decision, introduction included
	for _, id := range ids {
		if d := must(e.s.DecideNudge(bg, id, Policy{}))(t); d.Nudge.WithIntro {
			if n := must(e.s.GetNudge(bg, id))(t); !n.WithIntro {
				t.Fatal("the recorded nudge lost its introduction")
			}
		}
	}

	// A suppressed nudge never takes it; a failed one gives it back.
	must(e.s.SetSnoozedUntil(bg, "U2", t0.Add(time.Hour)))(t)
	if d := deliver(t, e.s, "Ev-u2-snoozed", "U2", "a", Policy{}); d.Allowed || d.Nudge.WithIntro {
		t.Fatalf("a suppressed nudge = %+v", d)
	}
	must(e.s.SetSnoozedUntil(bg, "U2", time.Time{}))(t)
	first := must(e.s.DecideNudge(bg, pending(t, e.s, "Ev-u2-1", "U2", "a"), Policy{}))(t)
	if !first.Nudge.WithIntro {
		t.Fatal("the first allowed nudge has no introduction")
	}
	second := must(e.s.DecideNudge(bg, pending(t, e.s, "Ev-u2-2", "U2", "b"), Policy{}))(t)
	if second.Nudge.WithIntro {
		t.Fatal("a second nudge in flight took the introduction too")
	}
	must(e.s.MarkNudgeFailed(bg, first.Nudge.ID, "channel_not_found"))(t)
	if u := must(e.s.GetUser(bg, "U2"))(t); !u.IntroSentAt.IsZero() {
		t.Fatal("a failed nudge kept the introduction")
	}
	third := must(e.s.DecideNudge(bg, pending(t, e.s, "Ev-u2-3", "U2", "c"), Policy{}))(t)
	if !third.Nudge.WithIntro {
		t.Fatal("the next nudge after a failure has no introduction")
	}
	// failing a nudge without it changes nothing
	must(e.s.MarkNudgeFailed(bg, second.Nudge.ID, "x"))(t)
	if u := must(e.s.GetUser(bg, "U2"))(t); u.IntroSentAt.IsZero() {
		t.Fatal("failing a nudge without the introduction gave it back")
	}
	if _, err := e.s.MarkNudgeFailed(bg, second.Nudge.ID, "x"); !errors.Is(err, ErrConflict) {
		t.Fatalf("failing a failed nudge again: %v, want ErrConflict", err)
	}
}

// --- events and the nudge path ------------------------------------------

func testClaimEvent(t *testing.T, db testDB) {
	e := newEnv(t, db)
	if !must(e.s.ClaimEvent(bg, "Ev1"))(t) {
		t.Fatal("first claim lost")
	}
	if must(e.s.ClaimEvent(bg, "Ev1"))(t) {
		t.Fatal("second claim won")
	}
	if _, err := e.s.ClaimEvent(bg, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty id: err = %v", err)
	}
	// Within the retention the id stays claimed; after it, it is purged.
	e.clock.Advance(59 * time.Minute)
	must(e.s.ClaimEvent(bg, "Ev2"))(t)
	if n := must(e.s.PurgeEvents(bg, 0))(t); n != 0 {
		t.Fatalf("purged %d events younger than an hour", n)
	}
	e.clock.Advance(2 * time.Minute)
	if n := must(e.s.PurgeEvents(bg, 0))(t); n != 1 {
		t.Fatalf("purged %d events, want 1 (Ev1, 61 minutes old)", n)
	}
	if !must(e.s.ClaimEvent(bg, "Ev1"))(t) {
		t.Fatal("a purged event id could not be claimed again")
	}
	if must(e.s.ClaimEvent(bg, "Ev2"))(t) {
		t.Fatal("Ev2 was purged too early")
	}
}

func testClaimEventRace(t *testing.T, db testDB) {
	e := newEnv(t, db)
	replica := e.open()
	const racers, events = 24, 5
	var wins [events]atomic.Int32
	var wg sync.WaitGroup
	for i := range racers {
		s := e.s
		if i%2 == 1 {
			s = replica
		}
		wg.Go(func() {
			for ev := range events {
				if check(s.ClaimEvent(bg, fmt.Sprintf("Ev%d", ev)))(t) {
					wins[ev].Add(1)
				}
			}
		})
	}
	wg.Wait()
	for ev := range events {
		if n := wins[ev].Load(); n != 1 {
			t.Errorf("event %d claimed by %d racers, want exactly 1", ev, n)
		}
	}
}

func newNudge(ev, user, rule string) NewNudge {
	return NewNudge{EventID: ev, UserID: user, RuleID: rule, Category: "positional-authority", ChannelID: "C1", MessageTS: "1700000000.000100"}
}

func testRecordPendingNudge(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	n, claimed := must2(s.RecordPendingNudge(bg, newNudge("Ev1", "U1", "because-i-said-so"), time.Minute))(t)
	if !claimed {
		t.Fatal("first record not claimed")
	}
	if n.ID == 0 || n.State != NudgePending || n.UserID != "U1" || n.RuleID != "because-i-said-so" ||
		n.Category != "positional-authority" || n.ChannelID != "C1" || n.MessageTS != "1700000000.000100" ||
		n.EventID != "Ev1" || !n.CreatedAt.Equal(t0) || !n.LeaseUntil.Equal(t0.Add(time.Minute)) ||
		n.Attempts != 1 || !n.AllowedAt.IsZero() {
		t.Fatalf("recorded nudge = %+v", n)
	}
	if got := must(s.GetNudge(bg, n.ID))(t); got != n {
		t.Fatalf("GetNudge = %+v\nwant %+v", got, n)
	}
	// The same event again (a redelivery, another replica) records nothing.
	if _, claimed := must2(s.RecordPendingNudge(bg, newNudge("Ev1", "U1", "other-rule"), time.Minute))(t); claimed {
		t.Fatal("duplicate event recorded a second nudge")
	}
	// ... and so does an event already claimed with ClaimEvent.
	must(s.ClaimEvent(bg, "Ev2"))(t)
	if _, claimed := must2(s.RecordPendingNudge(bg, newNudge("Ev2", "U1", "r"), time.Minute))(t); claimed {
		t.Fatal("event claimed by ClaimEvent was recorded")
	}
	// A nudge whose event id was purged still refuses a duplicate.
	e.clock.Advance(2 * time.Hour)
	must(s.PurgeEvents(bg, 0))(t)
	if _, claimed := must2(s.RecordPendingNudge(bg, newNudge("Ev1", "U1", "r"), time.Minute))(t); claimed {
		t.Fatal("a second nudge for one event after the event id expired")
	}
	if ns := must(s.ListNudges(bg, "U1", 0))(t); len(ns) != 1 {
		t.Fatalf("U1 has %d nudges, want 1", len(ns))
	}
	// The author's user row exists now.
	if u := must(s.GetUser(bg, "U1"))(t); !u.FirstSeen.Equal(t0) {
		t.Fatalf("user first seen %v", u.FirstSeen)
	}
	for _, bad := range []NewNudge{
		{UserID: "U", RuleID: "r", ChannelID: "C", MessageTS: "1"},
		{EventID: "E", RuleID: "r", ChannelID: "C", MessageTS: "1"},
		{EventID: "E", UserID: "U", ChannelID: "C", MessageTS: "1"},
		{EventID: "E", UserID: "U", RuleID: "r", MessageTS: "1"},
		{EventID: "E", UserID: "U", RuleID: "r", ChannelID: "C"},
	} {
		if _, _, err := s.RecordPendingNudge(bg, bad, time.Minute); !errors.Is(err, ErrInvalid) {
			t.Errorf("RecordPendingNudge(%+v) err = %v, want ErrInvalid", bad, err)
		}
	}
	if _, _, err := s.RecordPendingNudge(bg, newNudge("Ev9", "U1", "r"), 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero lease: err = %v", err)
	}
	if _, err := s.GetNudge(bg, 987654); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetNudge(unknown) err = %v", err)
	}
}

func must2[A, B any](a A, b B, err error) func(testing.TB) (A, B) {
	return func(t testing.TB) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return a, b
	}
}

func testRecordPendingNudgeRace(t *testing.T, db testDB) {
	e := newEnv(t, db)
	replica := e.open()
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		s := e.s
		if i%2 == 1 {
			s = replica
		}
		wg.Go(func() {
			if _, claimed := check2(s.RecordPendingNudge(bg, newNudge("EvSame", "U1", fmt.Sprint("rule", i)), time.Minute))(t); claimed {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d racers recorded the same event, want 1", wins.Load())
	}
	if ns := must(e.s.ListNudges(bg, "U1", 0))(t); len(ns) != 1 {
		t.Fatalf("%d nudges recorded, want 1", len(ns))
	}
}

// pending records a pending nudge and returns its id.
func pending(t testing.TB, s *Store, ev, user, rule string) int64 {
	t.Helper()
	n, claimed := must2(s.RecordPendingNudge(bg, newNudge(ev, user, rule), time.Minute))(t)
	if !claimed {
		t.Fatalf("event %s already claimed", ev)
	}
	return n.ID
}

// deliver decides a fresh nudge and, if allowed, marks it sent.
func deliver(t testing.TB, s *Store, ev, user, rule string, p Policy) Decision {
	t.Helper()
	d := must(s.DecideNudge(bg, pending(t, s, ev, user, rule), p))(t)
	if d.Allowed {
		must(s.MarkNudgeSent(bg, d.Nudge.ID, Delivery{Channel: "D" + user, TS: "1.1"}))(t)
	}
	return d
}

func testDecideNudgePolicy(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	p := Policy{Cooldown: 72 * time.Hour, DailyCap: 2}
	ev := 0
	next := func(user, rule string) Decision {
		ev++
		return deliver(t, s, fmt.Sprint("Ev", ev), user, rule, p)
	}
	expect := func(d Decision, allowed bool, reason Reason) {
		t.Helper()
		if d.Allowed != allowed || d.Reason != reason {
			t.Fatalf("decision = allowed %t reason %q, want allowed %t reason %q", d.Allowed, d.Reason, allowed, reason)
		}
		wantState := NudgePending
		if !allowed {
			wantState = NudgeSuppressed
		}
		if d.Nudge.State != wantState || d.Nudge.Reason != string(reason) {
			t.Fatalf("decided nudge state %q reason %q, want %q %q", d.Nudge.State, d.Nudge.Reason, wantState, reason)
		}
	}
	d := next("U1", "a")
	expect(d, true, ReasonAllowed)
	if !d.Nudge.AllowedAt.Equal(t0) {
		t.Fatalf("AllowedAt = %v", d.Nudge.AllowedAt)
	}
	// Deciding again returns the recorded decision.
	id := pending(t, s, "EvAgain", "U9", "a")
	first := must(s.DecideNudge(bg, id, p))(t)
	again := must(s.DecideNudge(bg, id, p))(t)
	if !first.Allowed || !again.Allowed || again.Nudge.AllowedAt != first.Nudge.AllowedAt {
		t.Fatalf("re-decide: %+v then %+v", first, again)
	}

	expect(next("U1", "a"), false, ReasonCooldown) // same rule within 72 h
	e.clock.Advance(time.Hour)
	expect(next("U1", "b"), true, ReasonAllowed)   // another rule
	expect(next("U1", "c"), false, ReasonDailyCap) // third within 24 h
	expect(next("U2", "c"), true, ReasonAllowed)   // caps are per person

	// 24 h after the first nudge the cap has room again; rule a is still cooling down.
	e.clock.Advance(23*time.Hour + time.Second)
	expect(next("U1", "a"), false, ReasonCooldown)
	expect(next("U1", "c"), true, ReasonAllowed)
	// 72 h after the first nudge rule a may fire again.
	e.clock.Advance(48 * time.Hour)
	expect(next("U1", "a"), true, ReasonAllowed)

	// A failed delivery does not count towards cooldown or cap.
	e.clock.Advance(30 * 24 * time.Hour)
	id = pending(t, s, "EvFail", "U3", "a")
	if d := must(s.DecideNudge(bg, id, p))(t); !d.Allowed {
		t.Fatalf("first nudge of U3 refused: %+v", d)
	}
	must(s.MarkNudgeFailed(bg, id, "channel_not_found"))(t)
	expect(next("U3", "a"), true, ReasonAllowed)

	// An allowed but not yet sent nudge counts (a delivery in flight).
	id = pending(t, s, "EvInFlight", "U4", "a")
	must(s.DecideNudge(bg, id, p))(t)
	expect(next("U4", "a"), false, ReasonCooldown)

	// Opt-out and snooze come first.
	must(s.SetOptedOut(bg, "U5", true))(t)
	expect(next("U5", "a"), false, ReasonOptedOut)
	must(s.SetOptedOut(bg, "U5", false))(t)
	must(s.SetSnoozedUntil(bg, "U5", e.clock.Now().Add(time.Minute)))(t)
	expect(next("U5", "a"), false, ReasonSnoozed)
	e.clock.Advance(time.Minute)
	expect(next("U5", "a"), true, ReasonAllowed)

	// A zero policy lets everything through; a cap of 1 with no cooldown.
	for range 3 {
		expect(deliverP(t, s, &ev, "U6", "a", Policy{}), true, ReasonAllowed)
	}
	expect(deliverP(t, s, &ev, "U7", "a", Policy{DailyCap: 1, CapWindow: time.Hour}), true, ReasonAllowed)
	expect(deliverP(t, s, &ev, "U7", "b", Policy{DailyCap: 1, CapWindow: time.Hour}), false, ReasonDailyCap)
	e.clock.Advance(time.Hour + time.Second)
	expect(deliverP(t, s, &ev, "U7", "b", Policy{DailyCap: 1, CapWindow: time.Hour}), true, ReasonAllowed)

	// A suppressed or sent nudge keeps its decision.
	id = pending(t, s, "EvOptOut", "U8", "a")
	must(s.SetOptedOut(bg, "U8", true))(t)
	must(s.DecideNudge(bg, id, p))(t)
	must(s.SetOptedOut(bg, "U8", false))(t)
	expect(must(s.DecideNudge(bg, id, p))(t), false, ReasonOptedOut)
	d = deliverP(t, s, &ev, "U10", "a", p)
	if d2 := must(s.DecideNudge(bg, d.Nudge.ID, p))(t); d2.Allowed || d2.Reason != ReasonHandled {
		t.Fatalf("deciding a sent nudge: %+v", d2)
	}

	if _, err := s.DecideNudge(bg, 987654, p); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown nudge: err = %v", err)
	}
	if _, err := s.DecideNudge(bg, id, Policy{Cooldown: -1}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative cooldown: err = %v", err)
	}
}

func deliverP(t testing.TB, s *Store, ev *int, user, rule string, p Policy) Decision {
	t.Helper()
	*ev++
	return deliver(t, s, fmt.Sprint("EvP", *ev), user, rule, p)
}

// raceDecide records n pending nudges for one person (rule chooses each
// one's rule) and decides them all at once from many goroutines spread
// over two Store instances (two replicas); it returns how many were
// allowed.
func raceDecide(t *testing.T, db testDB, n int, rule func(i int) string, p Policy) int {
	e := newEnv(t, db)
	replica := e.open()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = pending(t, e.s, fmt.Sprint("Ev", i), "U1", rule(i))
	}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, id := range ids {
		s := e.s
		if i%2 == 1 {
			s = replica
		}
		wg.Go(func() {
			<-start
			if d := check(s.DecideNudge(bg, id, p))(t); d.Allowed {
				allowed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	// What the store recorded agrees with what the callers were told.
	var recorded int64
	ok(t, e.s.b.queryRow(bg, "SELECT COUNT(*) FROM nudges WHERE allowed_at > 0").Scan(&recorded))
	if recorded != int64(allowed.Load()) {
		t.Fatalf("callers were told %d allowed, the store recorded %d", allowed.Load(), recorded)
	}
	return int(allowed.Load())
}

func testDecideNudgeCooldownRace(t *testing.T, db testDB) {
	got := raceDecide(t, db, 16, func(int) string { return "same-rule" }, Policy{Cooldown: 72 * time.Hour, DailyCap: 100})
	if got != 1 {
		t.Fatalf("%d nudges of one rule allowed within the cooldown, want exactly 1", got)
	}
}

func testDecideNudgeCapRace(t *testing.T, db testDB) {
	got := raceDecide(t, db, 16, func(i int) string { return fmt.Sprint("rule-", i) }, Policy{Cooldown: 72 * time.Hour, DailyCap: 2})
	if got != 2 {
		t.Fatalf("%d nudges allowed under a daily cap of 2, want exactly 2", got)
	}
}

// testDecideNudgeTimeAfterLock: a decision that waited for the person's
// lock while another nudge of the same rule was let through decides at the
// time it got the lock. (Timed before the lock, it saw the other nudge as
// let through after itself, and a 10 ms cooldown refused it a second
// later.)
func testDecideNudgeTimeAfterLock(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	first := pending(t, s, "Ev-first", "U1", "same-rule")
	other := pending(t, s, "Ev-other", "U1", "same-rule")
	locked, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.b.inTx(bg, func(q querier) error {
			if _, err := getUser(bg, q, "U1", s.d.forUpdate()); err != nil {
				return err
			}
			close(locked)
			<-release
			// the other nudge is let through while the first waits
			_, err := q.exec(bg, `UPDATE nudges SET allowed_at = $2 WHERE id = $1`, other, t0.Add(time.Second).UnixMicro())
			return err
		})
	}()
	<-locked
	decided := make(chan Decision, 1)
	go func() {
		d, err := s.DecideNudge(bg, first, Policy{Cooldown: 10 * time.Millisecond})
		if err != nil {
			t.Errorf("deciding while the person is locked: %v", err)
		}
		decided <- d
	}()
	time.Sleep(100 * time.Millisecond) // the decision reaches the lock
	e.clock.Set(t0.Add(2 * time.Second))
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if d := <-decided; !d.Allowed || !d.Nudge.AllowedAt.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("decided after the lock, a second after the other nudge: %+v, want allowed at t0+2s", d)
	}
}

func testPendingNudgeLease(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	id := pending(t, s, "Ev1", "U1", "a")
	// While the recorder's lease runs, nobody else takes the nudge.
	if ns := must(s.ClaimPendingNudges(bg, time.Minute, 10))(t); len(ns) != 0 {
		t.Fatalf("claimed %d nudges under a live lease", len(ns))
	}
	e.clock.Advance(59 * time.Second)
	if ns := must(s.ClaimPendingNudges(bg, time.Minute, 10))(t); len(ns) != 0 {
		t.Fatalf("claimed %d nudges a second before the lease ends", len(ns))
	}
	// The recorder died: after the lease another worker takes over.
	e.clock.Advance(time.Second)
	ns := must(s.ClaimPendingNudges(bg, 2*time.Minute, 10))(t)
	if len(ns) != 1 || ns[0].ID != id || ns[0].Attempts != 2 || !ns[0].LeaseUntil.Equal(e.clock.Now().Add(2*time.Minute)) {
		t.Fatalf("claimed after lease = %+v", ns)
	}
	if ns := must(s.ClaimPendingNudges(bg, time.Minute, 10))(t); len(ns) != 0 {
		t.Fatal("a freshly claimed nudge was claimed again")
	}
	// The new owner decides (allowed) and crashes again before sending: the
	// next owner gets the same decision back and delivers once.
	if d := must(s.DecideNudge(bg, id, Policy{Cooldown: time.Hour}))(t); !d.Allowed {
		t.Fatalf("decision %+v", d)
	}
	e.clock.Advance(2 * time.Minute)
	ns = must(s.ClaimPendingNudges(bg, time.Minute, 10))(t)
	if len(ns) != 1 || ns[0].Attempts != 3 {
		t.Fatalf("second takeover = %+v", ns)
	}
	if d := must(s.DecideNudge(bg, id, Policy{Cooldown: time.Hour}))(t); !d.Allowed {
		t.Fatalf("re-decision after takeover %+v", d)
	}
	must(s.MarkNudgeSent(bg, id, Delivery{Channel: "D1", TS: "2.2"}))(t)
	e.clock.Advance(time.Hour)
	if ns := must(s.ClaimPendingNudges(bg, time.Minute, 10))(t); len(ns) != 0 {
		t.Fatal("a sent nudge was claimed")
	}
	// Suppressed and failed nudges are never claimed either; limit and order hold.
	sup := pending(t, s, "Ev2", "U1", "a")
	must(s.DecideNudge(bg, sup, Policy{Cooldown: 24 * time.Hour}))(t)
	fail := pending(t, s, "Ev3", "U2", "a")
	must(s.MarkNudgeFailed(bg, fail, "account_inactive"))(t)
	var want []int64
	for i := range 5 {
		want = append(want, pending(t, s, fmt.Sprint("EvL", i), "U3", "a"))
	}
	e.clock.Advance(time.Hour)
	ns = must(s.ClaimPendingNudges(bg, time.Minute, 3))(t)
	got := []int64{}
	for _, n := range ns {
		got = append(got, n.ID)
	}
	if !slices.Equal(got, want[:3]) {
		t.Fatalf("claimed %v, want the oldest three %v", got, want[:3])
	}
	if _, err := s.ClaimPendingNudges(bg, 0, 3); !errors.Is(err, ErrInvalid) {
		t.Fatalf("zero lease: err = %v", err)
	}
}

func testClaimPendingNudgesRace(t *testing.T, db testDB) {
	e := newEnv(t, db)
	replica := e.open()
	const total = 40
	for i := range total {
		pending(t, e.s, fmt.Sprint("Ev", i), fmt.Sprint("U", i%7), "a")
	}
	e.clock.Advance(time.Hour)
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 8 {
		s := e.s
		if w%2 == 1 {
			s = replica
		}
		wg.Go(func() {
			for {
				ns := check(s.ClaimPendingNudges(bg, time.Hour, 3))(t)
				if len(ns) == 0 {
					return
				}
				mu.Lock()
				for _, n := range ns {
					seen[n.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != total {
		t.Fatalf("claimed %d distinct nudges, want %d", len(seen), total)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("nudge %d claimed %d times under one lease", id, c)
		}
	}
}

func testMarkNudgeSentFailed(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	id := pending(t, s, "Ev1", "U1", "a")
	// Not decided yet: cannot be sent.
	if _, err := s.MarkNudgeSent(bg, id, Delivery{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("sending an undecided nudge: err = %v, want ErrConflict", err)
	}
	must(s.DecideNudge(bg, id, Policy{}))(t)
	e.clock.Advance(time.Second)
	n := must(s.MarkNudgeSent(bg, id, Delivery{Channel: "D123", TS: "1700000001.000200"}))(t)
	if n.State != NudgeSent || n.Delivery != (Delivery{Channel: "D123", TS: "1700000001.000200"}) ||
		!n.SentAt().Equal(e.clock.Now()) || !n.LeaseUntil.IsZero() {
		t.Fatalf("sent nudge = %+v", n)
	}
	// Idempotent, and a sent nudge cannot fail.
	if again := must(s.MarkNudgeSent(bg, id, Delivery{Channel: "D123", TS: "1700000001.000200"}))(t); again.State != NudgeSent {
		t.Fatalf("re-send: %+v", again)
	}
	if _, err := s.MarkNudgeFailed(bg, id, "x"); !errors.Is(err, ErrConflict) {
		t.Fatalf("failing a sent nudge: err = %v", err)
	}
	id2 := pending(t, s, "Ev2", "U1", "b")
	n = must(s.MarkNudgeFailed(bg, id2, "ratelimited"))(t)
	if n.State != NudgeFailed || n.Reason != "ratelimited" || n.SentAt() != (time.Time{}) || n.FinishedAt.IsZero() {
		t.Fatalf("failed nudge = %+v", n)
	}
	if _, err := s.MarkNudgeSent(bg, id2, Delivery{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("sending a failed nudge: err = %v", err)
	}
	if _, err := s.MarkNudgeSent(bg, 987654, Delivery{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown nudge: err = %v", err)
	}
	if _, err := s.MarkNudgeFailed(bg, 987654, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown nudge: err = %v", err)
	}
	// A long reason is cut, not refused.
	id3 := pending(t, s, "Ev3", "U1", "c")
	if n := must(s.MarkNudgeFailed(bg, id3, strings.Repeat("r", 500)))(t); len(n.Reason) != 200 {
		t.Fatalf("reason of %d bytes kept", len(n.Reason))
	}
}

func testFeedback(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	d := deliver(t, s, "Ev1", "U1", "a", Policy{})
	e.clock.Advance(time.Minute)
	n := must(s.RecordFeedback(bg, d.Nudge.ID, "U1", FeedbackHelpful))(t)
	if n.Feedback != FeedbackHelpful || !n.FeedbackAt.Equal(e.clock.Now()) {
		t.Fatalf("feedback = %+v", n)
	}
	n = must(s.RecordFeedback(bg, d.Nudge.ID, "U1", FeedbackNotHelpful))(t)
	if n.Feedback != FeedbackNotHelpful {
		t.Fatalf("changed feedback = %q", n.Feedback)
	}
	if got := must(s.GetNudge(bg, d.Nudge.ID))(t); got.Feedback != FeedbackNotHelpful {
		t.Fatalf("stored feedback = %q", got.Feedback)
	}
	// Someone else's click on my nudge is as if it did not exist.
	if _, err := s.RecordFeedback(bg, d.Nudge.ID, "U2", FeedbackStop); !errors.Is(err, ErrNotFound) {
		t.Fatalf("feedback by another user: err = %v, want ErrNotFound", err)
	}
	if _, err := s.RecordFeedback(bg, 987654, "U1", FeedbackStop); !errors.Is(err, ErrNotFound) {
		t.Fatalf("feedback on unknown nudge: err = %v", err)
	}
	if _, err := s.RecordFeedback(bg, d.Nudge.ID, "U1", Feedback("love it")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown feedback: err = %v", err)
	}
	id := pending(t, s, "Ev2", "U1", "b")
	if _, err := s.RecordFeedback(bg, id, "U1", FeedbackSnooze); !errors.Is(err, ErrConflict) {
		t.Fatalf("feedback on a pending nudge: err = %v, want ErrConflict", err)
	}
	for _, fb := range []Feedback{FeedbackSnooze, FeedbackStop, FeedbackHelpful} {
		must(s.RecordFeedback(bg, d.Nudge.ID, "U1", fb))(t)
	}
}

// --- reflections ----------------------------------------------------------

func testReflections(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	w := WeekOf(t0)
	if _, err := s.GetReflection(bg, "U1", w); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no reflection yet: err = %v", err)
	}
	r := must(s.SaveReflection(bg, "U1", w, "lead-or-manage", "I led the planning."))(t)
	if r.ID == 0 || r.UserID != "U1" || r.Week != w || r.PromptID != "lead-or-manage" || r.Answer != "I led the planning." ||
		!r.CreatedAt.Equal(t0) || !r.UpdatedAt.Equal(t0) || len(r.EditedAt) != 0 {
		t.Fatalf("saved = %+v", r)
	}
	e.clock.Advance(time.Hour)
	t1 := e.clock.Now()
	r = must(s.SaveReflection(bg, "U1", w, "", "I led the planning, and managed the release."))(t)
	e.clock.Advance(time.Hour)
	t2 := e.clock.Now()
	r = must(s.SaveReflection(bg, "U1", w, "", "Third version."))(t)
	if r.Answer != "Third version." || r.PromptID != "lead-or-manage" || !r.CreatedAt.Equal(t0) || !r.UpdatedAt.Equal(t2) ||
		!slices.EqualFunc(r.EditedAt, []time.Time{t1, t2}, time.Time.Equal) {
		t.Fatalf("edited = %+v", r)
	}
	if got := must(s.GetReflection(bg, "U1", w))(t); got.Answer != r.Answer || len(got.EditedAt) != 2 {
		t.Fatalf("GetReflection = %+v", got)
	}
	// Older weeks; history is newest first, limited.
	for i := 1; i <= 6; i++ {
		must(s.SaveReflection(bg, "U1", w.Add(-i), "p", fmt.Sprint("week -", i)))(t)
	}
	hist := must(s.ListReflections(bg, "U1", 5))(t)
	if len(hist) != 5 || hist[0].Week != w || hist[1].Week != w.Add(-1) || hist[4].Week != w.Add(-4) {
		t.Fatalf("history = %v", weeksOf(hist))
	}
	if len(hist[0].EditedAt) != 2 {
		t.Fatalf("history lost edit times: %+v", hist[0])
	}
	if all := must(s.ListReflections(bg, "U1", 0))(t); len(all) != 7 {
		t.Fatalf("all reflections: %d", len(all))
	}
	// Answering marks the week's prompt answered, or keeps it from being sent.
	if p := must(s.GetPromptDelivery(bg, "U1", w))(t); p.AnsweredAt.IsZero() || p.State != PromptSkipped {
		t.Fatalf("ledger after answering = %+v", p)
	}
	for _, bad := range []string{"", "   \n\t "} {
		if _, err := s.SaveReflection(bg, "U1", w, "", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("blank answer %q: err = %v", bad, err)
		}
	}
	if _, err := s.SaveReflection(bg, "U1", w, "", strings.Repeat("x", MaxAnswerBytes+1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("oversized answer: err = %v", err)
	}
	if _, err := s.SaveReflection(bg, "U1", Week{2026, 54}, "", "x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid week: err = %v", err)
	}
	// /reflect delete.
	if n := must(s.DeleteReflections(bg, "U1"))(t); n != 7 {
		t.Fatalf("deleted %d reflections, want 7", n)
	}
	if all := must(s.ListReflections(bg, "U1", 0))(t); len(all) != 0 {
		t.Fatalf("%d reflections left after delete", len(all))
	}
	var edits int64
	ok(t, s.b.queryRow(bg, "SELECT COUNT(*) FROM reflection_edits").Scan(&edits))
	if edits != 0 {
		t.Fatalf("%d edit history rows left after delete", edits)
	}
}

func weeksOf(rs []Reflection) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Week.String())
	}
	return out
}

func testReflectionsOnlyForAuthor(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	w := WeekOf(t0)
	must(s.SaveReflection(bg, "UALICE", w, "p", "Alice's private answer"))(t)
	must(s.SaveReflection(bg, "UBOB", w, "p", "Bob's private answer"))(t)
	if r := must(s.GetReflection(bg, "UBOB", w))(t); r.Answer != "Bob's private answer" {
		t.Fatalf("Bob read %q", r.Answer)
	}
	for _, r := range must(s.ListReflections(bg, "UBOB", 0))(t) {
		if r.UserID != "UBOB" || strings.Contains(r.Answer, "Alice") {
			t.Fatalf("Bob's history holds %+v", r)
		}
	}
	if _, err := s.GetReflection(bg, "UCAROL", w); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Carol got someone's reflection: err = %v", err)
	}
	// Deleting Bob's leaves Alice's.
	must(s.DeleteReflections(bg, "UBOB"))(t)
	if r := must(s.GetReflection(bg, "UALICE", w))(t); r.Answer != "Alice's private answer" {
		t.Fatalf("Alice's answer after Bob's delete: %q", r.Answer)
	}
	// Bob's export holds nothing of Alice's.
	ex := must(s.ExportUser(bg, "UBOB"))(t)
	b, _ := json.Marshal(ex)
	if strings.Contains(string(b), "Alice") {
		t.Fatalf("Bob's export mentions Alice: %s", b)
	}
}

func testReflectionAnswersByteExact(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	var threeK strings.Builder
	for threeK.Len() < 3000 {
		threeK.WriteString("é")
	}
	var mb strings.Builder
	for mb.Len() < 1<<20 {
		mb.WriteString("Where did I lead? 🧭 Où ai-je dirigé ? どこで導いた？\n")
	}
	answers := map[string]string{
		"emoji":      "👩🏽‍💻 led the retro 🎉🇳🇿 — 你好, مرحبا, שלום, Ünïcödé, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
		"combining":  "e\u0301 vs é, A\u030A, zero\u200bwidth, rtl \u202e txet",
		"3000runes":  strings.Repeat("ж", 3000),
		"3000bytes":  threeK.String(),
		"1MB":        mb.String(),
		"sql":        "'); DROP TABLE reflections; -- \" OR 1=1; SELECT * FROM users WHERE id = $1 AND x = ?; \\x00 \\'",
		"whitespace": "  leading and trailing spaces, tabs\t, CRLF\r\n, and a final newline\n",
		"nul":        "before\x00after",
		"notutf8":    "bytes \xff\xfe\xc3\x28 that are not UTF-8",
		"markup":     "<@U123> <!channel> &amp; *bold* `code` ```block```",
	}
	names := make([]string, 0, len(answers))
	for k := range answers {
		names = append(names, k)
	}
	sort.Strings(names)
	w := WeekOf(t0)
	for i, name := range names {
		want := answers[name]
		week := w.Add(-i)
		saved := must(s.SaveReflection(bg, "U1", week, "p", want))(t)
		if saved.Answer != want {
			t.Errorf("%s: SaveReflection returned a different answer (%d bytes, want %d)", name, len(saved.Answer), len(want))
		}
		got := must(s.GetReflection(bg, "U1", week))(t)
		if got.Answer != want {
			t.Errorf("%s: stored answer differs (%d bytes, want %d; valid UTF-8 %t)", name, len(got.Answer), len(want), utf8.ValidString(got.Answer))
		}
	}
	// And through the other read paths.
	for _, r := range must(s.ListReflections(bg, "U1", 0))(t) {
		if want := answers[names[w.weeksSince(r.Week)]]; r.Answer != want {
			t.Errorf("ListReflections: week %s answer differs", r.Week)
		}
	}
	// SQL-looking identifiers are data too.
	odd := "U'; DROP TABLE users; --"
	must(s.SaveReflection(bg, odd, w, "p'--", "ok"))(t)
	if r := must(s.GetReflection(bg, odd, w))(t); r.UserID != odd || r.PromptID != "p'--" {
		t.Fatalf("odd ids: %+v", r)
	}
	must(s.ListUsers(bg))(t)
}

// weeksSince counts the weeks from o back to w (w is later).
func (w Week) weeksSince(o Week) int {
	return int(w.Start(nil).Sub(o.Start(nil)).Hours() / (24 * 7))
}

// --- the weekly prompt ledger ----------------------------------------------

func testPromptLedger(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	w := WeekOf(t0)
	if !must(s.ClaimPrompt(bg, "U1", w, "lead-or-manage", 10*time.Minute))(t) {
		t.Fatal("first claim lost")
	}
	if must(s.ClaimPrompt(bg, "U1", w, "other", 10*time.Minute))(t) {
		t.Fatal("second claim under a live lease won")
	}
	p := must(s.GetPromptDelivery(bg, "U1", w))(t)
	if p.State != PromptClaimed || p.PromptID != "lead-or-manage" || !p.ClaimedAt.Equal(t0) ||
		!p.LeaseUntil.Equal(t0.Add(10*time.Minute)) || p.Attempts != 1 {
		t.Fatalf("claimed = %+v", p)
	}
	e.clock.Advance(time.Minute)
	p = must(s.MarkPromptSent(bg, "U1", w, Delivery{Channel: "DU1", TS: "1.5"}))(t)
	if p.State != PromptSent || !p.SentAt.Equal(e.clock.Now()) || p.Delivery.Channel != "DU1" || !p.LeaseUntil.IsZero() {
		t.Fatalf("sent = %+v", p)
	}
	if again := must(s.MarkPromptSent(bg, "U1", w, Delivery{}))(t); again.State != PromptSent || again.Delivery.Channel != "DU1" {
		t.Fatalf("re-mark sent = %+v", again)
	}
	// A sent prompt is never claimed again, however long we wait.
	e.clock.Advance(30 * 24 * time.Hour)
	if must(s.ClaimPrompt(bg, "U1", w, "x", time.Minute))(t) {
		t.Fatal("a sent prompt was claimed again")
	}
	if err := s.ReleasePrompt(bg, "U1", w); !errors.Is(err, ErrConflict) {
		t.Fatalf("releasing a sent prompt: err = %v", err)
	}
	// Another week is its own entry.
	w2 := w.Add(1)
	if !must(s.ClaimPrompt(bg, "U1", w2, "second", time.Minute))(t) {
		t.Fatal("next week's claim lost")
	}
	// Release: a failed send can be retried at once.
	ok(t, s.ReleasePrompt(bg, "U1", w2))
	if !must(s.ClaimPrompt(bg, "U1", w2, "second", time.Minute))(t) {
		t.Fatal("claim after release lost")
	}
	must(s.MarkPromptSent(bg, "U1", w2, Delivery{Channel: "DU1", TS: "2.5"}))(t)

	// Skip this week, before the prompt: never claimed.
	w3 := w.Add(2)
	sk := must(s.SkipPrompt(bg, "U1", w3))(t)
	if sk.State != PromptSkipped || sk.SkippedAt.IsZero() {
		t.Fatalf("skipped = %+v", sk)
	}
	if must(s.ClaimPrompt(bg, "U1", w3, "x", time.Minute))(t) {
		t.Fatal("a skipped week was claimed")
	}
	// Answered before the prompt (/reflect TEXT on Monday): never claimed.
	w4 := w.Add(3)
	must(s.SaveReflection(bg, "U1", w4, "", "early bird"))(t)
	if must(s.ClaimPrompt(bg, "U1", w4, "x", time.Minute))(t) {
		t.Fatal("an answered week was claimed")
	}
	// Skip after sending: the sent week is not "ignored".
	must(s.SkipPrompt(bg, "U1", w2))(t)
	// Ledger state for rotation and "ignored in a row".
	if p := must(s.GetPromptDelivery(bg, "U1", w))(t); !p.Ignored(w.Add(4)) || p.Ignored(w) {
		t.Fatalf("week 1 sent, unanswered: Ignored = %t (later) %t (same week)", p.Ignored(w.Add(4)), p.Ignored(w))
	}
	if p := must(s.GetPromptDelivery(bg, "U1", w2))(t); p.Ignored(w.Add(4)) {
		t.Fatal("a skipped sent prompt counts as ignored")
	}
	must(s.SaveReflection(bg, "U1", w, "", "late answer"))(t)
	if p := must(s.GetPromptDelivery(bg, "U1", w))(t); p.Ignored(w.Add(4)) || p.AnsweredAt.IsZero() || p.State != PromptSent {
		t.Fatalf("answered sent prompt = %+v", p)
	}
	ledger := must(s.ListPromptDeliveries(bg, "U1", 0))(t)
	if len(ledger) != 4 || ledger[0].Week != w4 || ledger[3].Week != w {
		t.Fatalf("ledger = %+v", ledger)
	}
	if l := must(s.ListPromptDeliveries(bg, "U1", 2))(t); len(l) != 2 {
		t.Fatalf("limited ledger has %d entries", len(l))
	}
	last := must(s.PromptsLastSent(bg, "U1"))(t)
	if len(last) != 2 || last["lead-or-manage"].IsZero() || !last["second"].After(last["lead-or-manage"]) {
		t.Fatalf("PromptsLastSent = %v", last)
	}
	// The week's view for the scheduler, over all users.
	must(s.ClaimPrompt(bg, "U0", w, "p", time.Minute))(t)
	wk := must(s.PromptDeliveriesForWeek(bg, w))(t)
	if len(wk) != 2 || wk[0].UserID != "U0" || wk[1].UserID != "U1" {
		t.Fatalf("PromptDeliveriesForWeek = %+v", wk)
	}
	// Errors.
	if _, err := s.GetPromptDelivery(bg, "U9", w); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown entry: err = %v", err)
	}
	if _, err := s.MarkPromptSent(bg, "U9", w, Delivery{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("mark unknown sent: err = %v", err)
	}
	if _, err := s.MarkPromptSent(bg, "U1", w3, Delivery{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("mark skipped sent: err = %v", err)
	}
	if _, err := s.ClaimPrompt(bg, "U1", Week{2026, 0}, "p", time.Minute); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad week: err = %v", err)
	}
	if _, err := s.ClaimPrompt(bg, "U1", w, "p", 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("zero lease: err = %v", err)
	}
}

func testPromptLease(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	w := WeekOf(t0)
	must(s.ClaimPrompt(bg, "U1", w, "first", 5*time.Minute))(t)
	e.clock.Advance(5*time.Minute - time.Microsecond)
	if must(s.ClaimPrompt(bg, "U1", w, "second", 5*time.Minute))(t) {
		t.Fatal("claimed before the lease expired")
	}
	// The sender crashed: after the lease the claim is retried.
	e.clock.Advance(time.Microsecond)
	if !must(s.ClaimPrompt(bg, "U1", w, "second", 5*time.Minute))(t) {
		t.Fatal("expired claim not retried")
	}
	p := must(s.GetPromptDelivery(bg, "U1", w))(t)
	if p.Attempts != 2 || p.PromptID != "second" || !p.ClaimedAt.Equal(e.clock.Now()) {
		t.Fatalf("re-claimed = %+v", p)
	}
}

func testClaimPromptRace(t *testing.T, db testDB) {
	e := newEnv(t, db)
	replica := e.open()
	w := WeekOf(t0)
	var wins atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 24 {
		s := e.s
		if i%2 == 1 {
			s = replica
		}
		wg.Go(func() {
			<-start
			if check(s.ClaimPrompt(bg, "U1", w, "p", time.Hour))(t) {
				wins.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d claimers won one person's week, want exactly 1", wins.Load())
	}
}

// testPromptFanOutRace is the weekly fan-out run by two replicas with
// several workers each: every person is claimed exactly once.
func testPromptFanOutRace(t *testing.T, db testDB) {
	e := newEnv(t, db)
	replica := e.open()
	w := WeekOf(t0)
	const people = 60
	var mu sync.Mutex
	claims := map[string]int{}
	var wg sync.WaitGroup
	for worker := range 6 {
		s := e.s
		if worker%2 == 1 {
			s = replica
		}
		wg.Go(func() {
			for i := range people {
				u := fmt.Sprintf("U%03d", (i+worker*7)%people)
				if check(s.ClaimPrompt(bg, u, w, "p", time.Hour))(t) {
					check(s.MarkPromptSent(bg, u, w, Delivery{Channel: "D" + u}))(t)
					mu.Lock()
					claims[u]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(claims) != people {
		t.Fatalf("%d people prompted, want %d", len(claims), people)
	}
	for u, c := range claims {
		if c != 1 {
			t.Errorf("%s prompted %d times", u, c)
		}
	}
	if got := must(e.s.PromptDeliveriesForWeek(bg, w))(t); len(got) != people {
		t.Fatalf("ledger has %d entries", len(got))
	}
}

// --- personal data -----------------------------------------------------------

func testExportAndDeleteUser(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	w := WeekOf(t0)
	populate := func(u string) {
		must(s.SetTimeZone(bg, u, "Asia/Kolkata"))(t)
		d := deliver(t, s, "Ev-"+u+"-1", u, "a", Policy{})
		must(s.RecordFeedback(bg, d.Nudge.ID, u, FeedbackHelpful))(t)
		pending(t, s, "Ev-"+u+"-2", u, "b")
		must(s.SaveReflection(bg, u, w.Add(-1), "p", u+" answer one"))(t)
		must(s.SaveReflection(bg, u, w.Add(-1), "p", u+" answer one, edited"))(t)
		must(s.ClaimPrompt(bg, u, w, "p", time.Minute))(t)
		must(s.MarkPromptSent(bg, u, w, Delivery{Channel: "D" + u, TS: "9.9"}))(t)
	}
	populate("UALICE")
	populate("UBOB")

	ex := must(s.ExportUser(bg, "UALICE"))(t)
	if ex.User == nil || ex.User.TimeZone != "Asia/Kolkata" || len(ex.Nudges) != 2 || len(ex.Reflections) != 1 ||
		len(ex.PromptDeliveries) != 2 || !ex.ExportedAt.Equal(t0) {
		t.Fatalf("export = %+v", ex)
	}
	if ex.Reflections[0].Answer != "UALICE answer one, edited" || len(ex.Reflections[0].EditedAt) != 1 {
		t.Fatalf("exported reflection = %+v", ex.Reflections[0])
	}
	js, err := json.Marshal(ex)
	ok(t, err)
	for _, want := range []string{`"user_id":"UALICE"`, `"time_zone":"Asia/Kolkata"`, `"feedback":"helpful"`, `"week":"` + w.Add(-1).String() + `"`, "answer one, edited"} {
		if !strings.Contains(string(js), want) {
			t.Errorf("export JSON lacks %s:\n%s", want, js)
		}
	}
	if strings.Contains(string(js), "UBOB") {
		t.Fatalf("Alice's export mentions Bob:\n%s", js)
	}
	var back Export
	ok(t, json.Unmarshal(js, &back))
	if back.Reflections[0].Week != w.Add(-1) || back.Nudges[0].ID != ex.Nudges[0].ID {
		t.Fatalf("export does not round-trip through JSON: %+v", back)
	}

	del := must(s.DeleteUser(bg, "UALICE"))(t)
	if del != (Deleted{Users: 1, Nudges: 2, Reflections: 1, PromptDeliveries: 2}) {
		t.Fatalf("deleted %v", del)
	}
	ex = must(s.ExportUser(bg, "UALICE"))(t)
	if ex.User != nil || len(ex.Nudges)+len(ex.Reflections)+len(ex.PromptDeliveries) != 0 {
		t.Fatalf("export after delete = %+v", ex)
	}
	var rows int64
	ok(t, s.b.queryRow(bg, `SELECT (SELECT COUNT(*) FROM users WHERE id = $1) + (SELECT COUNT(*) FROM nudges WHERE user_id = $1)
		+ (SELECT COUNT(*) FROM reflections WHERE user_id = $1) + (SELECT COUNT(*) FROM prompt_deliveries WHERE user_id = $1)
		+ (SELECT COUNT(*) FROM reflection_edits WHERE reflection_id NOT IN (SELECT id FROM reflections))`, "UALICE").Scan(&rows))
	if rows != 0 {
		t.Fatalf("%d rows about Alice left", rows)
	}
	// Bob is untouched.
	if exb := must(s.ExportUser(bg, "UBOB"))(t); exb.User == nil || len(exb.Nudges) != 2 || len(exb.Reflections) != 1 || len(exb.PromptDeliveries) != 2 {
		t.Fatalf("Bob after Alice's delete = %+v", exb)
	}
	// Unknown people: empty export, nothing deleted.
	if d := must(s.DeleteUser(bg, "UNOBODY"))(t); d != (Deleted{}) {
		t.Fatalf("deleting nobody: %v", d)
	}
	if ex := must(s.ExportUser(bg, "UNOBODY"))(t); ex.User != nil || ex.Nudges == nil || ex.Reflections == nil {
		t.Fatalf("export of nobody = %+v (want empty, non-nil lists)", ex)
	}
}

func testPurgeNudges(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	deliver(t, s, "Ev-old", "U1", "a", Policy{})
	pending(t, s, "Ev-old-pending", "U1", "b")
	e.clock.Advance(100 * 24 * time.Hour)
	mid := deliver(t, s, "Ev-mid", "U1", "a", Policy{})
	e.clock.Advance(80*24*time.Hour + time.Second) // the first two are now 180 days and 1 s old
	if n := must(s.PurgeNudges(bg, 0))(t); n != 2 {
		t.Fatalf("purged %d nudges, want the 2 older than 180 days", n)
	}
	ns := must(s.ListNudges(bg, "U1", 0))(t)
	if len(ns) != 1 || ns[0].ID != mid.Nudge.ID {
		t.Fatalf("left after purge: %+v", ns)
	}
	// A configured retention.
	if n := must(s.PurgeNudges(bg, 30*24*time.Hour))(t); n != 1 {
		t.Fatalf("purged %d with a 30-day retention, want 1", n)
	}
	// Preferences survive the purge.
	must(s.GetUser(bg, "U1"))(t)
}

func testUserStats(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	// Three weeks of history, one nudge suppressed, one pending: only sent ones count.
	start := WeekOf(t0).Add(-2).Start(time.UTC).Add(36 * time.Hour) // Tuesday noon, two weeks ago
	e.clock.Set(start)
	ev := 0
	send := func(rule, cat string, fb Feedback) {
		ev++
		id, _ := must2(s.RecordPendingNudge(bg, NewNudge{EventID: fmt.Sprint("E", ev), UserID: "U1", RuleID: rule, Category: cat, ChannelID: "C", MessageTS: "1"}, time.Minute))(t)
		if d := must(s.DecideNudge(bg, id.ID, Policy{}))(t); !d.Allowed {
			t.Fatalf("refused %+v", d)
		}
		must(s.MarkNudgeSent(bg, id.ID, Delivery{}))(t)
		if fb != FeedbackNone {
			must(s.RecordFeedback(bg, id.ID, "U1", fb))(t)
		}
	}
	send("just-do-it", "directive", FeedbackHelpful)
	send("because-i-said-so", "positional-authority", FeedbackNone)
	e.clock.Advance(7 * 24 * time.Hour)
	send("because-i-said-so", "positional-authority", FeedbackNotHelpful)
	e.clock.Set(t0)
	send("because-i-said-so", "positional-authority", FeedbackHelpful)
	pending(t, s, "E-pending", "U1", "just-do-it")
	sup := pending(t, s, "E-sup", "U1", "just-do-it")
	must(s.SetOptedOut(bg, "U1", true))(t)
	must(s.DecideNudge(bg, sup, Policy{}))(t)
	// Someone else's nudges never appear.
	must(s.SetOptedOut(bg, "U1", false))(t)
	deliver(t, s, "E-other", "U2", "just-do-it", Policy{})

	st := must(s.UserStats(bg, "U1", 8, nil))(t)
	if len(st.Weeks) != 8 || st.Weeks[7].Week != WeekOf(t0) || st.Weeks[0].Week != WeekOf(t0).Add(-7) {
		t.Fatalf("weeks = %+v", st.Weeks)
	}
	totals := []int{}
	for _, w := range st.Weeks {
		totals = append(totals, w.Total)
	}
	if !slices.Equal(totals, []int{0, 0, 0, 0, 0, 2, 1, 1}) {
		t.Fatalf("per-week totals = %v", totals)
	}
	if st.Weeks[5].ByCategory["directive"] != 1 || st.Weeks[5].ByRule["because-i-said-so"] != 1 {
		t.Fatalf("week -2 = %+v", st.Weeks[5])
	}
	if st.Total != 4 || st.ByCategory["positional-authority"] != 3 || st.ByRule["just-do-it"] != 1 {
		t.Fatalf("totals = %+v", st)
	}
	if st.Feedback[FeedbackHelpful] != 2 || st.Feedback[FeedbackNotHelpful] != 1 || st.Feedback[FeedbackNone] != 1 {
		t.Fatalf("feedback = %v", st.Feedback)
	}
	// A shorter window; weeks in the person's own zone.
	st = must(s.UserStats(bg, "U1", 1, time.FixedZone("UTC+13", 13*3600)))(t)
	if len(st.Weeks) != 1 || st.Total != 1 {
		t.Fatalf("one week = %+v", st)
	}
	if _, err := s.UserStats(bg, "U1", 1000, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("1000 weeks: err = %v", err)
	}
	if st := must(s.UserStats(bg, "UNOBODY", 0, nil))(t); len(st.Weeks) != 8 || st.Total != 0 {
		t.Fatalf("stats of nobody = %+v", st)
	}
}

func testContextCancelled(t *testing.T, db testDB) {
	e := newEnv(t, db)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	checks := map[string]error{}
	_, checks["ClaimEvent"] = e.s.ClaimEvent(ctx, "Ev1")
	_, _, checks["RecordPendingNudge"] = e.s.RecordPendingNudge(ctx, newNudge("Ev2", "U1", "a"), time.Minute)
	_, checks["ClaimPrompt"] = e.s.ClaimPrompt(ctx, "U1", WeekOf(t0), "p", time.Minute)
	_, checks["ListUsers"] = e.s.ListUsers(ctx)
	for name, err := range checks {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: err = %v, want context.Canceled", name, err)
		}
	}
	// Nothing was written.
	if must(e.s.ClaimEvent(bg, "Ev1"))(t) == false {
		t.Fatal("a cancelled ClaimEvent left its claim")
	}
}

func testChannelNudgesOff(t *testing.T, db testDB) {
	e := newEnv(t, db)
	if must(e.s.ChannelNudgesOff(bg, "C1"))(t) {
		t.Fatal("an unknown channel reads as off")
	}
	if err := e.s.SetChannelNudgesOff(bg, "C1", true); err != nil {
		t.Fatal(err)
	}
	if !must(e.s.ChannelNudgesOff(bg, "C1"))(t) {
		t.Fatal("channel not off after SetChannelNudgesOff(true)")
	}
	if must(e.s.ChannelNudgesOff(bg, "C2"))(t) {
		t.Fatal("another channel is off too")
	}
	if err := e.s.SetChannelNudgesOff(bg, "C1", false); err != nil {
		t.Fatal(err)
	}
	if must(e.s.ChannelNudgesOff(bg, "C1"))(t) {
		t.Fatal("channel still off after SetChannelNudgesOff(false)")
	}
	if err := e.s.SetChannelNudgesOff(bg, "", true); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty channel id: err = %v", err)
	}
}

func testRenewNudgeLease(t *testing.T, db testDB) {
	e := newEnv(t, db)
	n, _, err := e.s.RecordPendingNudge(bg, NewNudge{EventID: "EvL", UserID: "U1", RuleID: "r", ChannelID: "C1", MessageTS: "1.1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// The owner renews before the lease ends: nobody can claim it.
	e.clock.Advance(50 * time.Second)
	if !must(e.s.RenewNudgeLease(bg, n.ID, n.Attempts, time.Minute))(t) {
		t.Fatal("the owner could not renew its lease")
	}
	e.clock.Advance(50 * time.Second)
	if got := must(e.s.ClaimPendingNudges(bg, time.Minute, 10))(t); len(got) != 0 {
		t.Fatalf("a renewed lease was claimed: %+v", got)
	}
	// Once it really expires another worker claims it, and the old owner's
	// renewal is refused (fencing by attempts).
	e.clock.Advance(time.Minute)
	claimed := must(e.s.ClaimPendingNudges(bg, time.Minute, 10))(t)
	if len(claimed) != 1 {
		t.Fatalf("claimed %d, want 1", len(claimed))
	}
	if must(e.s.RenewNudgeLease(bg, n.ID, n.Attempts, time.Minute))(t) {
		t.Fatal("a stale owner renewed the lease")
	}
	if !must(e.s.RenewNudgeLease(bg, n.ID, claimed[0].Attempts, time.Minute))(t) {
		t.Fatal("the new owner could not renew")
	}
	// A finished nudge is not renewed.
	if _, err := e.s.MarkNudgeFailed(bg, n.ID, "x"); err != nil {
		t.Fatal(err)
	}
	if must(e.s.RenewNudgeLease(bg, n.ID, claimed[0].Attempts, time.Minute))(t) {
		t.Fatal("a failed nudge was renewed")
	}
}

func testReflectionOff(t *testing.T, db testDB) {
	e := newEnv(t, db)
	if u := must(e.s.EnsureUser(bg, "U1"))(t); u.ReflectionOff {
		t.Fatal("a new user has the reflection off")
	}
	if u := must(e.s.SetReflectionOff(bg, "U1", true))(t); !u.ReflectionOff {
		t.Fatal("SetReflectionOff(true) did not stick")
	}
	// A pause does not touch it, and it is exported.
	must(e.s.SetPromptsPausedUntil(bg, "U1", t0.Add(time.Hour)))(t)
	if u := must(e.s.GetUser(bg, "U1"))(t); !u.ReflectionOff {
		t.Fatal("a pause turned the reflection back on")
	}
	if exp := must(e.s.ExportUser(bg, "U1"))(t); exp.User == nil || !exp.User.ReflectionOff {
		t.Fatalf("export lacks reflection_off: %+v", exp.User)
	}
	if u := must(e.s.SetReflectionOff(bg, "U1", false))(t); u.ReflectionOff {
		t.Fatal("SetReflectionOff(false) did not stick")
	}
}

// testTeamData: the team report's rows, with snoozes and stops that follow
// a nudge within a day, the prompt ledger, pauses and enrolment; the
// preference events are exported and erased with the person.
func testTeamData(t *testing.T, db testDB) {
	e := newEnv(t, db)
	s := e.s
	start := e.clock.Now()
	w := WeekOf(start.UTC())
	a := deliver(t, s, "Ev-a", "UANA", "just-do-it", Policy{})
	must(s.RecordFeedback(bg, a.Nudge.ID, "UANA", FeedbackHelpful))(t)
	deliver(t, s, "Ev-b", "UBEN", "just-do-it", Policy{})
	deliver(t, s, "Ev-c", "UCY", "because-i-said-so", Policy{})
	pending(t, s, "Ev-pending", "UCY", "because-i-said-so") // not sent: not counted
	e.clock.Advance(time.Hour)
	must(s.SetSnoozedUntil(bg, "UANA", e.clock.Now().Add(7*24*time.Hour)))(t) // within a day of Ana's
	must(s.SetSnoozedUntil(bg, "UBEN", time.Time{}))(t)                       // ending a snooze is no event
	e.clock.Advance(24 * time.Hour)
	must(s.SetOptedOut(bg, "UBEN", true))(t) // 25 h after Ben's: does not follow it
	must(s.SetOptedOut(bg, "UCY", false))(t) // turning nudges on is no event
	must(s.ClaimPrompt(bg, "UANA", w, "p", time.Minute))(t)
	must(s.MarkPromptSent(bg, "UANA", w, Delivery{Channel: "DUANA", TS: "1.1"}))(t)
	must(s.SaveReflection(bg, "UANA", w, "p", "private words"))(t)
	must(s.SkipPrompt(bg, "UBEN", w))(t)
	must(s.SetPromptsPausedUntil(bg, "UCY", e.clock.Now().Add(30*24*time.Hour)))(t)
	must(s.SetWeeklyEnrolled(bg, "UDEE", true))(t)
	must(s.SetWeeklyEnrolled(bg, "UEVE", true))(t)
	must(s.SetReflectionOff(bg, "UEVE", true))(t)

	d := must(s.TeamData(bg, start))(t)
	if len(d.Nudges) != 3 {
		t.Fatalf("nudges = %+v, want the 3 sent", d.Nudges)
	}
	byUser := map[string]TeamNudge{}
	for _, n := range d.Nudges {
		byUser[n.UserID] = n
	}
	if n := byUser["UANA"]; n.RuleID != "just-do-it" || n.Feedback != FeedbackHelpful || !n.SnoozedAfter || n.StoppedAfter || !n.SentAt.Equal(start) {
		t.Errorf("Ana's nudge = %+v", n)
	}
	if n := byUser["UBEN"]; n.SnoozedAfter || n.StoppedAfter {
		t.Errorf("Ben stopped 25 h after his nudge, which does not follow it: %+v", n)
	}
	if len(d.Prompts) != 2 || len(d.Pauses) != 1 || d.Pauses[0].UserID != "UCY" {
		t.Errorf("prompts = %+v, pauses = %+v", d.Prompts, d.Pauses)
	}
	for _, p := range d.Prompts {
		switch p.UserID {
		case "UANA":
			if !p.Sent || !p.Answered || p.Skipped || p.Week != w {
				t.Errorf("Ana's prompt = %+v", p)
			}
		case "UBEN":
			if p.Sent || !p.Skipped {
				t.Errorf("Ben's prompt = %+v", p)
			}
		}
	}
	if strings.Join(d.Enrolled, ",") != "UANA,UDEE" {
		t.Errorf("enrolled = %v, want the prompted Ana and the enrolled Dee (Eve turned it off)", d.Enrolled)
	}
	if later := must(s.TeamData(bg, start.Add(2*time.Hour)))(t); len(later.Nudges) != 0 {
		t.Errorf("since: %d nudges sent before it", len(later.Nudges))
	}

	ex := must(s.ExportUser(bg, "UBEN"))(t)
	if len(ex.PreferenceEvents) != 1 || ex.PreferenceEvents[0].Kind != EventStop {
		t.Errorf("Ben's exported events = %+v, want his stop", ex.PreferenceEvents)
	}
	if del := must(s.DeleteUser(bg, "UANA"))(t); del.PreferenceEvents != 1 {
		t.Errorf("deleted %v, want Ana's snooze event too", del)
	}
	e.clock.Advance(DefaultNudgeRetention + time.Second)
	must(s.PurgeNudges(bg, 0))(t)
	var left int64
	ok(t, s.b.queryRow(bg, `SELECT COUNT(*) FROM preference_events`).Scan(&left))
	if left != 0 {
		t.Errorf("%d preference events outlived the retention", left)
	}
}

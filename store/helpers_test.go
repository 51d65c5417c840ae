package store

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/store/storetest"
)

// testDB makes a fresh, empty database and returns how to open it; every
// call gives a new one, so tests never see each other's rows.
type testDB func(t testing.TB) (driver, dsn string)

// sqliteDB is a fresh SQLite file in the test's temporary directory.
func sqliteDB(t testing.TB) (string, string) {
	return DriverSQLite, filepath.Join(t.TempDir(), "leadnudge.db")
}

// postgresDB returns a testDB making a fresh schema per call in the
// database named by LEADNUDGE_TEST_POSTGRES_DSN (dropped when the test
// ends), or skips the test loudly when the variable is not set (fails it
// under CI).
func postgresDB(t testing.TB) testDB {
	storetest.RequirePostgres(t)
	return func(t testing.TB) (string, string) {
		return DriverPostgres, storetest.PostgresDSN(t)
	}
}

// testClock is a settable clock for WithClock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// t0 is a Friday morning, UTC.
var t0 = time.Date(2026, time.March, 6, 10, 0, 0, 0, time.UTC)

func newClock() *testClock { return &testClock{t: t0} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is one contract test's world: a fresh database, a clock, and a way
// to open more stores (replicas) on the same database.
type env struct {
	t      testing.TB
	driver string
	dsn    string
	clock  *testClock
	s      *Store
}

func newEnv(t testing.TB, db testDB, opts ...Option) *env {
	t.Helper()
	driver, dsn := db(t)
	e := &env{t: t, driver: driver, dsn: dsn, clock: newClock()}
	e.s = e.open(opts...)
	return e
}

// open opens another Store on the env's database, sharing its clock.
func (e *env) open(opts ...Option) *Store {
	e.t.Helper()
	s, err := Open(context.Background(), e.driver, e.dsn, append([]Option{WithClock(e.clock.Now)}, opts...)...)
	if err != nil {
		e.t.Fatalf("open %s store: %v", e.driver, err)
	}
	e.t.Cleanup(func() { _ = s.Close() })
	return s
}

// must(f())(t) returns f's value, failing the test on f's error.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

var bg = context.Background()

// check is must for goroutines other than the test's own: it reports the
// error with Errorf (FailNow may only be called from the test goroutine)
// and returns v.
func check[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return v
	}
}

// check2 is check for two results.
func check2[A, B any](a A, b B, err error) func(testing.TB) (A, B) {
	return func(t testing.TB) (A, B) {
		t.Helper()
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return a, b
	}
}

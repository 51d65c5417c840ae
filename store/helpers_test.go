package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresEnv names the variable that points the PostgreSQL contract tests
// at a server (.ci/setup-postgres.sh sets it in CI).
const postgresEnv = "LEADNUDGE_TEST_POSTGRES_DSN"

// testDB makes a fresh, empty database and returns how to open it; every
// call gives a new one, so tests never see each other's rows.
type testDB func(t testing.TB) (driver, dsn string)

// sqliteDB is a fresh SQLite file in the test's temporary directory.
func sqliteDB(t testing.TB) (string, string) {
	return DriverSQLite, filepath.Join(t.TempDir(), "leadnudge.db")
}

// postgresDB returns a testDB making a fresh schema per call in the
// database named by LEADNUDGE_TEST_POSTGRES_DSN (dropped when the test
// ends), or skips the test loudly when the variable is not set.
func postgresDB(t testing.TB) testDB {
	base := os.Getenv(postgresEnv)
	if base == "" && os.Getenv("CI") != "" {
		// .ci/run exports CI and must have started PostgreSQL: a skip here
		// would hide that the PostgreSQL half of the contract never ran.
		t.Fatal(postgresEnv + " is not set but CI is: .ci/setup-postgres.sh did not provide a PostgreSQL server")
	}
	if base == "" {
		t.Skip(postgresEnv + " is not set: skipping PostgreSQL contract tests (run .ci/setup-postgres.sh, or point it at a PostgreSQL database you can create schemas in)")
	}
	return func(t testing.TB) (string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var b [6]byte
		_, _ = rand.Read(b[:])
		schema := "leadnudge_test_" + hex.EncodeToString(b[:])
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatalf("connect to %s: %v", postgresEnv, redactErr(err, base))
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			t.Fatalf("create schema: %v", err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			conn, err := pgx.Connect(ctx, base)
			if err != nil {
				t.Errorf("drop schema %s: %v", schema, redactErr(err, base))
				return
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				t.Errorf("drop schema %s: %v", schema, err)
			}
		})
		return DriverPostgres, withSearchPath(t, base, schema)
	}
}

// withSearchPath points dsn (URL or key=value form) at schema.
func withSearchPath(t testing.TB, dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("parse %s: %v", postgresEnv, redactErr(err, dsn))
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
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

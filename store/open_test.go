package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
)

func TestOpenRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name, driver, dsn, want string
	}{
		{"unknown driver", "mysql", "x", `store.driver must be "sqlite" or "postgres", not "mysql"`},
		{"empty DSN", DriverSQLite, "", "store.dsn is empty"},
		{"empty postgres DSN", DriverPostgres, "", "store.dsn is empty"},
		{"path with a question mark", DriverSQLite, "/tmp/what?.db", "must be written as a file: URI"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(bg, tc.driver, tc.dsn)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalid mentioning %q", err, tc.want)
			}
		})
	}
}

// TestOpenErrorsHideThePassword opens PostgreSQL DSNs that cannot work —
// nothing listens on port 1, or the DSN is malformed — and checks that the
// password (and the DSN) appear nowhere in the error.
func TestOpenErrorsHideThePassword(t *testing.T) {
	const secret = "s3cr3t-Pa55word"
	dsns := []string{
		"postgres://leadnudge:" + secret + "@127.0.0.1:1/leadnudge?sslmode=disable&connect_timeout=2",
		"postgresql://leadnudge:" + secret + "@127.0.0.1:1/leadnudge?sslmode=disable&connect_timeout=2",
		"postgres://127.0.0.1:1/leadnudge?user=leadnudge&password=" + secret + "&sslmode=disable&connect_timeout=2",
		"host=127.0.0.1 port=1 user=leadnudge password=" + secret + " dbname=leadnudge sslmode=disable connect_timeout=2",
		"host=127.0.0.1 port=1 user=leadnudge password='" + secret + "' dbname=leadnudge sslmode=disable connect_timeout=2",
		"postgres://leadnudge:" + secret + "@127.0.0.1:notaport/leadnudge",
		"postgres://leadnudge:" + secret + "@127.0.0.1:1/leadnudge?sslmode=bogus",
		"host=127.0.0.1 port=1 password=" + secret + " sslmode=bogus",
		"postgres://leadnudge:" + secret + "@[::1/leadnudge",
		"postgres://leadnudge:" + secret + "%zz@127.0.0.1:1/leadnudge",
	}
	for i, dsn := range dsns {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(bg, 10*time.Second)
			defer cancel()
			s, err := Open(ctx, DriverPostgres, dsn)
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded against port 1")
			}
			for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if strings.Contains(text, secret) || strings.Contains(text, "Pa55") {
					t.Fatalf("the error shows the password: %s", text)
				}
			}
			if !strings.Contains(err.Error(), "store: open postgres") {
				t.Fatalf("error does not say what failed: %v", err)
			}
		})
	}
}

func TestRedactErr(t *testing.T) {
	tests := []struct{ dsn, msg, want string }{
		{"postgres://u:pw123@h/db", "cannot parse `postgres://u:pw123@h/db`: bad", "cannot parse `xxxxx`: bad"},
		{"postgres://u:p%40ss@h/db", "failed for p@ss and p%40ss", "failed for xxxxx and xxxxx"},
		{"host=h password='a b c'", "got password='a b c' here", "got password=xxxxx here"},
		{"host=h password=x", "user x at host h", "user xxxxx at host h"},
		{"postgres://h/db", "connect to postgres://other:pw@h failed", "connect to postgres://other:xxxxx@h failed"},
	}
	for _, tc := range tests {
		got := redactErr(errors.New(tc.msg), tc.dsn).Error()
		if got != tc.want {
			t.Errorf("redactErr(%q, %q) = %q, want %q", tc.msg, tc.dsn, got, tc.want)
		}
	}
	// Sentinels and context errors stay testable through the redaction.
	err := redactErr(fmt.Errorf("wrap: %w", context.DeadlineExceeded), "dsn")
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Fatalf("errors.Is through redaction: %v", err)
	}
	if !errors.Is(redactErr(fmt.Errorf("x: %w", ErrSchemaTooNew), "d"), ErrSchemaTooNew) {
		t.Fatal("ErrSchemaTooNew lost in redaction")
	}
	if redactErr(nil, "d") != nil {
		t.Fatal("redactErr(nil) != nil")
	}
}

func TestOpenSQLiteFileSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "leadnudge.db")
	if _, err := Open(bg, DriverSQLite, path); err == nil || !strings.Contains(err.Error(), "store: open sqlite") {
		t.Fatalf("open in a missing directory: err = %v", err)
	}
	ok(t, os.MkdirAll(filepath.Dir(path), 0o755))
	s := must(Open(bg, DriverSQLite, path, WithBusyTimeout(3*time.Second), WithMaxConns(2)))(t)
	defer s.Close()
	if s.Driver() != DriverSQLite {
		t.Fatalf("Driver() = %q", s.Driver())
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "3000"} {
		var got string
		ok(t, s.b.queryRow(bg, "PRAGMA "+pragma).Scan(&got))
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	// Foreign keys are enforced.
	if _, err := s.b.exec(bg, `INSERT INTO nudges (user_id, rule_id, channel_id, message_ts, event_id, state, created_at)
		VALUES ('nobody', 'r', 'C', '1', 'E', 'pending', 0)`); err == nil {
		t.Fatal("a nudge of a user without a row was accepted: foreign keys are off")
	}
	ok(t, s.Close())
	// The data is in the file: a second open sees it.
	s2 := must(Open(bg, DriverSQLite, path))(t)
	defer s2.Close()
	if v := must(s2.SchemaVersion(bg))(t); v != LatestSchemaVersion() {
		t.Fatalf("reopened version %d", v)
	}
	// A file: URI works too.
	s3 := must(Open(bg, DriverSQLite, "file:"+path+"?_pragma=cache_size(-4000)"))(t)
	defer s3.Close()
	must(s3.EnsureUser(bg, "U1"))(t)
}

func TestOpenSQLiteMemory(t *testing.T) {
	clk := newClock()
	a := must(Open(bg, DriverSQLite, ":memory:", WithClock(clk.Now)))(t)
	defer a.Close()
	b := must(Open(bg, DriverSQLite, ":memory:"))(t)
	defer b.Close()
	must(a.EnsureUser(bg, "U1"))(t)
	if _, err := b.GetUser(bg, "U1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("two :memory: stores share data: err = %v", err)
	}
	// One connection, still safe for many goroutines (and no deadlock in
	// the transactions).
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if check(a.ClaimEvent(bg, "E"))(t) {
				wins.Add(1)
			}
			n, claimed := check2(a.RecordPendingNudge(bg, newNudge(fmt.Sprint("E", i), "U2", "r"), time.Minute))(t)
			if claimed {
				check(a.DecideNudge(bg, n.ID, Policy{Cooldown: time.Hour}))(t)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d winners on :memory:", wins.Load())
	}
	if v := must(a.SchemaVersion(bg))(t); v != LatestSchemaVersion() {
		t.Fatalf(":memory: version %d", v)
	}
}

func TestLoadMigrations(t *testing.T) {
	if LatestSchemaVersion() < 1 {
		t.Fatal("no embedded migrations")
	}
	for _, d := range []dialect{dialectSQLite, dialectPostgres} {
		migs, err := loadMigrations(embeddedMigrations(), d)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if len(migs) != LatestSchemaVersion() {
			t.Fatalf("%s has %d migrations, sqlite has %d: the dialects must move together", d, len(migs), LatestSchemaVersion())
		}
	}
	for _, tc := range []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"bad name", fstest.MapFS{"sqlite/1_init.sql": {}}, "name must look like 0001_description.sql"},
		{"duplicate", fstest.MapFS{"sqlite/0001_a.sql": {}, "sqlite/0001_b.sql": {}}, "version 1 found where 2 was expected"},
		{"not from 1", fstest.MapFS{"sqlite/0002_a.sql": {}}, "version 2 found where 1 was expected"},
		{"none", fstest.MapFS{"sqlite/README": {}}, "name must look like"},
		{"no directory", fstest.MapFS{"postgres/0001_a.sql": {}}, "read sqlite migrations"},
	} {
		if _, err := loadMigrations(tc.fs, dialectSQLite); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// Package storetest gives tests of other packages a fresh, isolated
// database for the store: a temporary SQLite file, or a new schema in the
// PostgreSQL database named by LEADNUDGE_TEST_POSTGRES_DSN.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresEnv names the environment variable holding the test database DSN.
const PostgresEnv = "LEADNUDGE_TEST_POSTGRES_DSN"

// PostgresDSN returns a DSN whose search_path is a new schema, dropped when
// the test ends. It skips the test, saying why, when PostgresEnv is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := RequirePostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "leadnudge_test_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to the database of %s failed (the DSN is not shown)", PostgresEnv)
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
			t.Errorf("dropping schema %s: cannot connect", schema)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(base, schema)
}

// RequirePostgres returns the base DSN of PostgresEnv. When it is unset it
// skips the test, saying why, or fails it when CI is set: .ci/run must have
// started PostgreSQL, and a skip there would hide that the PostgreSQL half
// of a test never ran.
func RequirePostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" && os.Getenv("CI") != "" {
		t.Fatal(PostgresEnv + " is not set but CI is: .ci/setup-postgres.sh did not provide a PostgreSQL server")
	}
	if base == "" {
		t.Skip(PostgresEnv + " is not set: skipping a PostgreSQL test (.ci/run sets it up; or point it at a database where you may create schemas)")
	}
	return base
}

// WithSearchPath points a PostgreSQL DSN (URL or key=value form) at schema.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

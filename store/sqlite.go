package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // registers the pure-Go "sqlite" database/sql driver
)

// sqliteBackend runs on database/sql with the modernc.org/sqlite driver.
type sqliteBackend struct {
	db *sql.DB
}

// sqliteDSN turns the configured store.dsn into a modernc DSN with the
// connection settings the store relies on. It reports whether the database
// is in memory (which must then live on exactly one connection: every
// connection to ":memory:" is a separate, empty database).
func sqliteDSN(dsn string, o options) (string, bool, error) {
	memory := false
	base := dsn
	switch {
	case dsn == ":memory:":
		// A private named in-memory database. The name is random so two
		// stores opened on ":memory:" never share data.
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", false, fmt.Errorf("name in-memory database: %w", err)
		}
		base = "file:leadnudge-" + hex.EncodeToString(b[:]) + "?mode=memory"
		memory = true
	case strings.HasPrefix(dsn, "file:"):
		memory = strings.Contains(dsn, "mode=memory") || strings.HasPrefix(dsn, "file::memory:")
	default:
		if strings.ContainsAny(dsn, "?#") {
			return "", false, fmt.Errorf("%w: an SQLite path containing '?' or '#' must be written as a file: URI", ErrInvalid)
		}
	}
	params := url.Values{}
	params.Add("_pragma", "busy_timeout("+strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)+")")
	params.Add("_pragma", "foreign_keys(1)")
	if !memory {
		params.Add("_pragma", "journal_mode(WAL)")
		params.Add("_pragma", "synchronous(NORMAL)")
	}
	params.Set("_txlock", "immediate")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + params.Encode(), memory, nil
}

func openSQLite(ctx context.Context, dsn string, o options) (*sqliteBackend, error) {
	full, memory, err := sqliteDSN(dsn, o)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	db, err := sql.Open("sqlite", full)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	switch {
	case memory:
		// One connection, kept forever: the database lives and dies with it.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	case o.maxConns > 0:
		db.SetMaxOpenConns(o.maxConns)
		db.SetMaxIdleConns(o.maxConns)
	default:
		db.SetMaxOpenConns(4)
		db.SetMaxIdleConns(4)
	}
	// Switching a new file to WAL needs a moment of exclusive access, and
	// SQLite answers SQLITE_BUSY at once (without the busy handler) when
	// another process is doing the same: retry for a while.
	for attempt := 1; ; attempt++ {
		err := db.PingContext(ctx)
		if err == nil {
			break
		}
		if !isSQLiteBusy(err) || attempt == 100 {
			_ = db.Close()
			return nil, fmt.Errorf("store: open sqlite database %q: %w", dsn, err)
		}
		select {
		case <-ctx.Done():
			_ = db.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", ctx.Err())
		case <-time.After(time.Duration(min(attempt, 20)) * 5 * time.Millisecond):
		}
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open sqlite: read journal mode: %w", err)
	}
	if !memory && !strings.EqualFold(mode, "wal") {
		_ = db.Close()
		return nil, fmt.Errorf("store: open sqlite: journal mode is %q, want wal", mode)
	}
	return &sqliteBackend{db: db}, nil
}

func (b *sqliteBackend) close() { _ = b.db.Close() }

func (b *sqliteBackend) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, b.db, q, args)
}

func (b *sqliteBackend) queryRow(ctx context.Context, q string, args ...any) row {
	return b.db.QueryRowContext(ctx, q, args...)
}

func (b *sqliteBackend) query(ctx context.Context, q string, args ...any) (rows, error) {
	rs, err := b.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rs}, nil
}

// inTx runs fn inside BEGIN IMMEDIATE (the DSN's _txlock=immediate), which
// takes SQLite's single write lock up front: fn's reads and writes are
// serialized against every other writer, in this process or another.
func (b *sqliteBackend) inTx(ctx context.Context, fn func(q querier) error) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(sqlTx{tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sqlExecer is *sql.DB or *sql.Tx.
type sqlExecer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func sqlExec(ctx context.Context, e sqlExecer, q string, args []any) (int64, error) {
	res, err := e.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}

type sqlTx struct{ tx *sql.Tx }

func (t sqlTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, t.tx, q, args)
}

func (t sqlTx) queryRow(ctx context.Context, q string, args ...any) row {
	return t.tx.QueryRowContext(ctx, q, args...)
}

func (t sqlTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	rs, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rs}, nil
}

type sqlRows struct{ rs *sql.Rows }

func (r sqlRows) Next() bool             { return r.rs.Next() }
func (r sqlRows) Scan(dest ...any) error { return r.rs.Scan(dest...) }
func (r sqlRows) Err() error             { return r.rs.Err() }
func (r sqlRows) Close()                 { _ = r.rs.Close() }

// migrate applies each pending migration in its own BEGIN IMMEDIATE
// transaction, re-reading the recorded version inside it, so two processes
// starting at once on one file apply each migration exactly once.
func (b *sqliteBackend) migrate(ctx context.Context, migs []migration, now func() int64) error {
	for {
		done := false
		err := b.inTx(ctx, func(q querier) error {
			var err error
			done, err = migrateStep(ctx, q, migs, now)
			return err
		})
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// isSQLiteBusy reports SQLITE_BUSY (and its extended codes).
func isSQLiteBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == 5
}

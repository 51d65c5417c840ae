package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Driver names accepted by Open (the store.driver configuration key).
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Defaults for the retention periods and the SQLite busy timeout.
const (
	// DefaultNudgeRetention is how long the nudge log is kept before
	// PurgeNudges removes it (180 days).
	DefaultNudgeRetention = 180 * 24 * time.Hour
	// DefaultEventRetention is how long handled Slack event ids are kept
	// for deduplication before PurgeEvents removes them.
	DefaultEventRetention = time.Hour
	// DefaultBusyTimeout is how long an SQLite connection waits for the
	// write lock before failing with "database is locked".
	DefaultBusyTimeout = 10 * time.Second
	// DefaultCapWindow is the rolling window the daily cap of a Policy
	// counts nudges in when Policy.CapWindow is zero.
	DefaultCapWindow = 24 * time.Hour
)

// Sentinel errors. Every error the store returns wraps one of these or a
// driver error, with a description of what was being done; test with
// errors.Is.
var (
	// ErrNotFound means the user, nudge, reflection or ledger entry asked
	// for does not exist (or does not belong to the user named).
	ErrNotFound = errors.New("not found")
	// ErrInvalid means an argument was rejected before reaching the
	// database (an empty id, an unknown feedback value, an oversized answer).
	ErrInvalid = errors.New("invalid argument")
	// ErrConflict means the row exists but is in a state that does not
	// allow the change (for example marking a suppressed nudge sent).
	ErrConflict = errors.New("conflicting state")
	// ErrSchemaTooNew means the database was migrated by a newer leadnudge
	// than this binary: it refuses to run rather than misread the data.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary")
)

// Store is the persistence layer of leadnudge. It is safe for concurrent use
// by many goroutines, and several Store values (in one process or in several
// replicas) may share one database.
type Store struct {
	b      backend
	d      dialect
	now    func() time.Time
	driver string
}

type options struct {
	now          func() time.Time
	busyTimeout  time.Duration
	maxConns     int
	skipMigrate  bool
	txRetries    int
	migrationsFS migrationSource
}

// Option configures Open.
type Option func(*options)

// WithClock sets the clock the store reads the current time from (for
// cooldowns, leases, retention and every recorded timestamp). The default is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithBusyTimeout sets how long an SQLite connection waits for the database
// write lock (default DefaultBusyTimeout). PostgreSQL ignores it.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.busyTimeout = d
		}
	}
}

// WithMaxConns caps the number of open database connections (default: 10
// for PostgreSQL, 4 for an SQLite file; an SQLite :memory: database always
// uses exactly one).
func WithMaxConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxConns = n
		}
	}
}

// withoutMigrations opens without migrating (tests only).
func withoutMigrations() Option { return func(o *options) { o.skipMigrate = true } }

// withMigrations replaces the embedded migrations (tests only).
func withMigrations(src migrationSource) Option {
	return func(o *options) { o.migrationsFS = src }
}

// Open connects to the database named by driver ("sqlite" or "postgres") and
// dsn, applies any pending migrations, and returns the store.
//
// For "sqlite", dsn is a file path (created if missing), a "file:" URI, or
// ":memory:" for a private in-memory database (tests). WAL journaling, the
// busy timeout and foreign keys are switched on for every connection.
//
// For "postgres", dsn is a libpq-style URL or key=value string, for example
// "postgres://leadnudge:PASSWORD@db:5432/leadnudge?sslmode=require". The DSN
// is a secret: it, and the password inside it, never appear in the errors
// Open returns.
func Open(ctx context.Context, driver, dsn string, opts ...Option) (*Store, error) {
	o := options{
		now:         time.Now,
		busyTimeout: DefaultBusyTimeout,
		txRetries:   8,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.migrationsFS == nil {
		o.migrationsFS = embeddedMigrations()
	}
	if dsn == "" {
		return nil, fmt.Errorf("store: open %s: %w: store.dsn is empty", driver, ErrInvalid)
	}
	var (
		b   backend
		d   dialect
		err error
	)
	switch driver {
	case DriverSQLite:
		d = dialectSQLite
		b, err = openSQLite(ctx, dsn, o)
	case DriverPostgres:
		d = dialectPostgres
		b, err = openPostgres(ctx, dsn, o)
	default:
		return nil, fmt.Errorf("store: open: %w: store.driver must be %q or %q, not %q",
			ErrInvalid, DriverSQLite, DriverPostgres, driver)
	}
	if err != nil {
		return nil, hideDSN(driver, dsn, err)
	}
	s := &Store{b: b, d: d, now: o.now, driver: driver}
	if !o.skipMigrate {
		migs, err := loadMigrations(o.migrationsFS, d)
		if err != nil {
			b.close()
			return nil, err
		}
		if err := b.migrate(ctx, migs, s.nowMicros); err != nil {
			b.close()
			return nil, hideDSN(driver, dsn, fmt.Errorf("store: migrate %s database: %w", driver, err))
		}
	}
	return s, nil
}

// Driver reports the backend in use: DriverSQLite or DriverPostgres.
func (s *Store) Driver() string { return s.driver }

// Close releases the database connections. Calls after the first are no-ops.
func (s *Store) Close() error {
	s.b.close()
	return nil
}

// clock returns the current time from the injected clock, in UTC and
// truncated to the microsecond precision the database keeps.
func (s *Store) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

func (s *Store) nowMicros() int64 { return s.clock().UnixMicro() }

// micros converts t to stored form: microseconds since the epoch, 0 for the
// zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros converts a stored timestamp back; 0 becomes the zero time.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// checkID rejects empty or absurdly long identifiers before they reach SQL.
func checkID(what, v string) error {
	if v == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalid, what)
	}
	if len(v) > 255 {
		return fmt.Errorf("%w: %s is longer than 255 bytes", ErrInvalid, what)
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// hideDSN removes the DSN's secrets from a PostgreSQL error. (An SQLite
// DSN is a file path, which errors may show.)
func hideDSN(driver, dsn string, err error) error {
	if driver == DriverPostgres {
		return redactErr(err, dsn)
	}
	return err
}

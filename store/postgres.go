package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// postgresBackend runs on a pgx connection pool.
type postgresBackend struct {
	pool    *pgxpool.Pool
	retries int
}

func openPostgres(ctx context.Context, dsn string, o options) (*postgresBackend, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: parse DSN: %w", err)
	}
	if o.maxConns > 0 {
		cfg.MaxConns = int32(min(o.maxConns, 1<<20))
	} else {
		cfg.MaxConns = 10
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open postgres: connect: %w", err)
	}
	return &postgresBackend{pool: pool, retries: o.txRetries}, nil
}

func (b *postgresBackend) close() { b.pool.Close() }

// pgConn is *pgxpool.Pool, *pgxpool.Conn or pgx.Tx.
type pgConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

type pgQuerier struct{ c pgConn }

func (q pgQuerier) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.c.Exec(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (q pgQuerier) queryRow(ctx context.Context, sql string, args ...any) row {
	return q.c.QueryRow(ctx, sql, args...)
}

func (q pgQuerier) query(ctx context.Context, sql string, args ...any) (rows, error) {
	rs, err := q.c.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{rs}, nil
}

type pgRows struct{ rs pgx.Rows }

func (r pgRows) Next() bool             { return r.rs.Next() }
func (r pgRows) Scan(dest ...any) error { return r.rs.Scan(dest...) }
func (r pgRows) Err() error             { return r.rs.Err() }
func (r pgRows) Close()                 { r.rs.Close() }

func (b *postgresBackend) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	return pgQuerier{b.pool}.exec(ctx, sql, args...)
}

func (b *postgresBackend) queryRow(ctx context.Context, sql string, args ...any) row {
	return pgQuerier{b.pool}.queryRow(ctx, sql, args...)
}

func (b *postgresBackend) query(ctx context.Context, sql string, args ...any) (rows, error) {
	return pgQuerier{b.pool}.query(ctx, sql, args...)
}

// retryable reports PostgreSQL errors after which running the whole
// transaction again is correct: serialization failure and deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// inTx runs fn in a READ COMMITTED transaction on b's pool (fn takes the row
// locks it needs with FOR UPDATE), retrying serialization failures and
// deadlocks with a short growing pause.
func (b *postgresBackend) inTx(ctx context.Context, fn func(q querier) error) error {
	return pgInTx(ctx, b.pool, b.retries, fn)
}

// pgBeginner is *pgxpool.Pool or *pgxpool.Conn.
type pgBeginner interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

func pgInTx(ctx context.Context, c pgBeginner, retries int, fn func(q querier) error) error {
	for attempt := 0; ; attempt++ {
		err := pgTxOnce(ctx, c, fn)
		if err == nil || !retryable(err) || attempt >= retries {
			return err
		}
		pause := time.Duration(attempt+1) * 2 * time.Millisecond
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (retrying after: %w)", ctx.Err(), err)
		case <-time.After(pause):
		}
	}
}

func pgTxOnce(ctx context.Context, c pgBeginner, fn func(q querier) error) error {
	tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(pgQuerier{tx}); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// migrate holds a session advisory lock, keyed by the schema the
// connection's search_path selects, while it applies the pending
// migrations: replicas starting at once wait for each other, and the second
// finds nothing left to do.
func (b *postgresBackend) migrate(ctx context.Context, migs []migration, now func() int64) error {
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()
	var schema string
	if err := conn.QueryRow(ctx, "SELECT COALESCE(current_schema(), '')").Scan(&schema); err != nil {
		return fmt.Errorf("read current schema: %w", err)
	}
	if schema == "" {
		return errors.New("no schema selected: the search_path names no existing schema")
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte("leadnudge/store/migrate:" + schema))
	key := int64(h.Sum64())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx is done; if that fails too the session ends
		// with the connection, which releases the lock.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			_ = conn.Conn().Close(uctx)
		}
	}()
	for {
		done := false
		err := pgInTx(ctx, conn, b.retries, func(q querier) error {
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

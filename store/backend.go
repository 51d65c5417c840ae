package store

import (
	"context"
	"database/sql"
	"errors"
)

// dialect names the SQL flavour; the few statements that differ between the
// two backends switch on it.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return DriverPostgres
	}
	return DriverSQLite
}

// forUpdate is appended to a SELECT that must lock the rows it reads until
// the transaction ends. SQLite needs nothing: every write transaction is
// BEGIN IMMEDIATE and so already holds the database's single write lock.
//
// It is FOR NO KEY UPDATE, not FOR UPDATE: decisions about one person still
// exclude each other, but the KEY SHARE lock that inserting a nudge takes
// on the person's row (its foreign key) does not wait for them, so the
// pre-ack insert never queues behind a decision in progress.
func (d dialect) forUpdate() string {
	if d == dialectPostgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// skipLocked is appended to a SELECT that claims rows, so concurrent
// claimers on PostgreSQL take disjoint rows instead of waiting.
func (d dialect) skipLocked() string {
	if d == dialectPostgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// querier is what statements run on: the pool itself or a transaction. All
// SQL uses $1, $2, … placeholders, which both drivers understand.
type querier interface {
	exec(ctx context.Context, query string, args ...any) (int64, error)
	queryRow(ctx context.Context, query string, args ...any) row
	query(ctx context.Context, query string, args ...any) (rows, error)
}

// row is one result row; Scan returns an error matching sql.ErrNoRows
// (isNoRows) when there was none, on both backends.
type row interface {
	Scan(dest ...any) error
}

// rows iterates over a result set.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// backend is one database engine behind the store.
type backend interface {
	querier
	// inTx runs fn in a write transaction: BEGIN IMMEDIATE on SQLite (the
	// database write lock is held from the start), READ COMMITTED on
	// PostgreSQL where fn takes row locks with FOR UPDATE. Serialization
	// failures and deadlocks are retried with fn run again from the start.
	inTx(ctx context.Context, fn func(q querier) error) error
	// migrate applies the pending migrations, safely against concurrent
	// migrators on the same database.
	migrate(ctx context.Context, migs []migration, now func() int64) error
	close()
}

// scanAll reads every row of rs with scan, closing rs.
func scanAll[T any](rs rows, scan func(rows) (T, error)) ([]T, error) {
	defer rs.Close()
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

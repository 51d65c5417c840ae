package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
)

// The migrations of each dialect, applied in version order at Open. A file
// is named NNNN_description.sql; versions start at 1 and have no gaps. Never
// edit a migration that has shipped: add the next one.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var embeddedFS embed.FS

// migrationSource is where migrations are read from: the embedded files, or
// a replacement in tests. It holds "sqlite/…" and "postgres/…" entries.
type migrationSource fs.FS

// embeddedMigrations returns the migrations compiled into the binary.
func embeddedMigrations() migrationSource {
	sub, err := fs.Sub(embeddedFS, "migrations")
	if err != nil {
		panic(err) // cannot happen: the embed pattern above guarantees the directory
	}
	return sub
}

// migration is one schema change.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads and checks the migrations of dialect d.
func loadMigrations(src migrationSource, d dialect) ([]migration, error) {
	dir := d.String()
	entries, err := fs.ReadDir(src, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read %s migrations: %w", dir, err)
	}
	var migs []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration file %s/%s: name must look like 0001_description.sql", dir, e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(src, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s/%s: %w", dir, e.Name(), err)
		}
		migs = append(migs, migration{version: v, name: m[2], sql: string(body)})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	for i, m := range migs {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: %s migrations: version %d found where %d was expected (versions start at 1, no gaps or duplicates)", dir, m.version, i+1)
		}
	}
	if len(migs) == 0 {
		return nil, fmt.Errorf("store: no %s migrations", dir)
	}
	return migs, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// migrateStep runs inside a write transaction: it reads the recorded schema
// version and applies the next migration, if any. It reports done when the
// schema is current. A recorded version newer than the newest migration is
// ErrSchemaTooNew.
func migrateStep(ctx context.Context, q querier, migs []migration, now func() int64) (done bool, err error) {
	if _, err := q.exec(ctx, createMigrationsTable); err != nil {
		return false, fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, q)
	if err != nil {
		return false, err
	}
	latest := migs[len(migs)-1].version
	if current > latest {
		return false, fmt.Errorf("%w: the database is at schema version %d but this leadnudge knows versions up to %d; upgrade leadnudge (or restore a backup made for this version)", ErrSchemaTooNew, current, latest)
	}
	if current == latest {
		return true, nil
	}
	m := migs[current] // versions are 1..latest with no gaps
	if _, err := q.exec(ctx, m.sql); err != nil {
		return false, fmt.Errorf("apply migration %04d_%s: %w", m.version, m.name, err)
	}
	if _, err := q.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", m.version, m.name, now()); err != nil {
		return false, fmt.Errorf("record migration %04d_%s: %w", m.version, m.name, err)
	}
	return false, nil
}

func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int64
	if err := q.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v), nil
}

// SchemaVersion reports the schema version recorded in the database (the
// number of the last migration applied).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	v, err := schemaVersion(ctx, s.b)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return v, nil
}

// LatestSchemaVersion reports the newest schema version this binary knows.
func LatestSchemaVersion() int {
	migs, err := loadMigrations(embeddedMigrations(), dialectSQLite)
	if err != nil {
		return 0
	}
	return len(migs)
}

package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/kithcdp/kith/internal/migrations"
)

// migrationFiles holds the schema migrations, applied in version order.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate brings the schema up to date on conn, one transaction per
// migration, so that a failed migration leaves the previous version intact.
func migrate(ctx context.Context, conn *sql.Conn, now time.Time) error {
	ms, err := migrations.Load(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	// A database written by a newer Kith may hold tables this binary
	// misreads; refusing to start is safer than guessing.
	var newest sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("sqlite: read schema version: %w", err)
	}
	if len(ms) > 0 && newest.Valid && newest.Int64 > int64(ms[len(ms)-1].Version) {
		return fmt.Errorf("sqlite: database schema version %d is newer than this binary knows (%d)",
			newest.Int64, ms[len(ms)-1].Version)
	}
	for _, m := range ms {
		if err := applyMigration(ctx, conn, m, now); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration runs m unless it is already recorded. It checks inside the
// write transaction so that two processes opening the same new database
// cannot both apply it.
func applyMigration(ctx context.Context, conn *sql.Conn, m migrations.Migration, now time.Time) (err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("sqlite: migration %s: begin: %w", m.Name, err)
	}
	defer func() {
		if err != nil {
			// The context may be done already; the rollback must still run.
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if n == 0 {
		if _, err := conn.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.Version, now.UnixMicro()); err != nil {
			return fmt.Errorf("sqlite: migration %s: record: %w", m.Name, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("sqlite: migration %s: commit: %w", m.Name, err)
	}
	return nil
}

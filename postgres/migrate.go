package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kithcdp/kith/internal/migrations"
)

// migrationFiles are the schema versions, named NNNN_what.sql. A file, once
// released, never changes: later changes are new files.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate creates schema when it is set and applies the migrations that
// schema_migrations does not list, each in its own transaction. It holds a
// session advisory lock keyed by the schema meanwhile, so that processes
// starting together migrate one after the other and each version is applied
// exactly once.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	ms, err := migrations.Load(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	// The lock key names the schema, so that stores on different schemas
	// (tests) do not wait for each other.
	lockName := schema
	if lockName == "" {
		if err := conn.QueryRow(ctx, "SELECT coalesce(current_schema(), '')").Scan(&lockName); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
	}
	var key int64
	if err := conn.QueryRow(ctx, "SELECT hashtextextended('kith.migrate.' || $1, 0)", lockName).Scan(&key); err != nil {
		return fmt.Errorf("postgres: migrate: lock key: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer func() {
		// An unlock failure means the session is gone, which releases the lock.
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	}()

	var setup string
	if schema != "" {
		// search_path already names schema (Open sets it on every
		// connection); setting it again after creating the schema makes
		// sure this session resolves it.
		ident := pgx.Identifier{schema}.Sanitize()
		setup = "CREATE SCHEMA IF NOT EXISTS " + ident + "; SET search_path TO " + ident + ";"
	}
	setup += `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`
	if _, err := conn.Exec(ctx, setup); err != nil {
		return fmt.Errorf("postgres: migrate: setup: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	for _, v := range versions {
		applied[int(v)] = true
		// A database written by a newer Kith may hold tables this binary
		// misreads; refusing to start is safer than guessing.
		if len(ms) > 0 && int(v) > ms[len(ms)-1].Version {
			return fmt.Errorf("postgres: database schema version %d is newer than this binary knows (%d)",
				v, ms[len(ms)-1].Version)
		}
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// No arguments: the simple protocol runs the file's statements.
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", m.Version)
			return err
		}); err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", m.Name, err)
		}
	}
	return nil
}

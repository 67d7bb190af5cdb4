// Package postgres implements kith.Store on PostgreSQL with pgx. Several Kith
// processes may share one database: identifiers are unique in the schema, and
// a transaction that loses a race on one runs again (rule R9).
package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/kithcdp/kith"
)

// maxTries bounds how many times Update runs its function.
const maxTries = 10

// commitTimeout bounds a commit, which does not follow the caller's context.
const commitTimeout = 30 * time.Second

// defaultConnectTimeout bounds a connection attempt when the DSN sets none,
// so that an unreachable server fails requests quickly with unavailable.
const defaultConnectTimeout = 5 * time.Second

// Options configures Open.
type Options struct {
	// DSN is a PostgreSQL connection string (URL or key=value form).
	DSN string
	// MaxConns is the pool size; 0 means the DSN's pool_max_conns, or else
	// 4×GOMAXPROCS and at least 4.
	MaxConns int32
	// Schema, when set, is created if missing and used as the search_path
	// of every connection, so that tests can each have their own schema.
	Schema string
}

// Store is a kith.Store on a PostgreSQL connection pool.
type Store struct {
	pool   *pgxpool.Pool
	closed atomic.Bool
}

// errClosed answers calls made after Close.
var errClosed = kith.Errorf(kith.ECodeUnavailable, "postgres: store is closed")

var _ kith.Store = (*Store)(nil)

// Open connects to PostgreSQL, applies pending migrations and returns the
// store. Several processes may Open the same database at once: migrations
// run one process at a time. An unreachable server returns unavailable.
func Open(ctx context.Context, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(opts.DSN)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", kith.Errorf(kith.ECodeInvalidSetting, "postgres: invalid DSN"), err)
	}
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = opts.MaxConns
	case !strings.Contains(opts.DSN, "pool_max_conns"):
		cfg.MaxConns = max(4, 4*int32(runtime.GOMAXPROCS(0)))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{opts.Schema}.Sanitize()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := migrate(ctx, pool, opts.Schema); err != nil {
		pool.Close()
		return nil, classify(err)
	}
	return &Store{pool: pool}, nil
}

// Close closes every connection of the pool. Calls after Close return
// unavailable; calling it again does nothing.
func (s *Store) Close() error {
	s.closed.Store(true)
	s.pool.Close()
	return nil
}

// Ping reports whether the database answers (unavailable when it does not).
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	if err := s.pool.Ping(ctx); err != nil {
		s.forget(err)
		return unavailable(err)
	}
	return nil
}

// Update runs fn in a READ COMMITTED transaction and commits it. It runs fn
// again in a fresh transaction, up to maxTries times with a short jittered
// backoff, when fn or the commit fails with kith.ErrRetry, a serialization
// failure, a deadlock or a unique violation on an identifier; and when the
// connection fails before the commit was sent, which happens to pooled
// connections after a server restart. A connection failure it cannot retry
// returns unavailable.
func (s *Store) Update(ctx context.Context, fn func(kith.Tx) error) error {
	if s.closed.Load() {
		return errClosed
	}
	for try := 1; ; try++ {
		committing, err := s.update(ctx, fn)
		if err == nil {
			return nil
		}
		s.forget(err)
		retry := isRetryable(err) || (!committing && isUnavailable(err))
		switch {
		case !retry || ctx.Err() != nil:
			return classify(err)
		case try == maxTries:
			return classify(fmt.Errorf("postgres: update: gave up after %d tries: %w", maxTries, err))
		}
		if err := backoff(ctx, try); err != nil {
			return classify(fmt.Errorf("postgres: update: %w", err))
		}
	}
}

// classify returns err as unavailable when it is a connection failure, and
// as it is otherwise.
func classify(err error) error {
	if isUnavailable(err) {
		return unavailable(err)
	}
	return err
}

// update runs fn once. committing reports whether the failure happened at
// commit, when the outcome of the transaction may be unknown.
func (s *Store) update(ctx context.Context, fn func(kith.Tx) error) (committing bool, err error) {
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return false, fmt.Errorf("postgres: begin: %w", err)
	}
	t := &tx{pg: &conn{tx: ptx}, now: time.Now}
	err = fn(t)
	if err == nil {
		err = t.pg.flush(ctx) // the profiles created last
	}
	if err != nil {
		rollback(ptx)
		return false, err
	}
	// The commit does not follow ctx: a caller going away must not leave
	// the outcome of a finished transaction unknown. commitTimeout still
	// bounds a server that stopped answering.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	if err := ptx.Commit(cctx); err != nil {
		return true, fmt.Errorf("postgres: commit: %w", err)
	}
	return false, nil
}

// View runs fn in a read-only REPEATABLE READ transaction, so every read of
// fn sees the same snapshot. fn runs once; a connection failure before fn
// ran is retried once on a fresh connection.
func (s *Store) View(ctx context.Context, fn func(kith.ReadTx) error) error {
	if s.closed.Load() {
		return errClosed
	}
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	ptx, err := s.pool.BeginTx(ctx, opts)
	if err != nil && isUnavailable(err) && ctx.Err() == nil {
		s.forget(err)
		ptx, err = s.pool.BeginTx(ctx, opts)
	}
	if err != nil {
		s.forget(err)
		return classify(fmt.Errorf("postgres: begin: %w", err))
	}
	defer rollback(ptx)
	if err := fn(&tx{pg: &conn{tx: ptx}, now: time.Now}); err != nil {
		s.forget(err)
		return classify(err)
	}
	return nil
}

// forget drops the pool's idle connections when err says the server shut
// down: they all belong to the old server process and would fail next.
func (s *Store) forget(err error) {
	if isServerGone(err) {
		s.pool.Reset()
	}
}

// rollback ends a transaction that will not commit. It does not use the
// request context, which may be cancelled: rolling back keeps the connection
// usable, and a failed rollback makes the pool discard it.
func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx) // pgx closes the connection when this fails
}

// backoff waits after the failed try number try (from 1): 1–2ms, doubling
// up to 64–128ms, randomized so that racing transactions spread out.
func backoff(ctx context.Context, try int) error {
	d := time.Millisecond << min(try-1, 6)
	d += rand.N(d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

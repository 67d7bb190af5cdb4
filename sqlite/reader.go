package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/kithcdp/kith"
)

// reader is one connection of the read pool, held for the store's lifetime
// with its own prepared statements. Holding the connections (rather than
// letting database/sql lend them per call) means a View never needs a
// second connection — to prepare a statement, say — so Views that fill the
// pool cannot wait on each other.
type reader struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

func (r *reader) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := r.stmts[query]; ok {
		return st, nil
	}
	st, err := r.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	r.stmts[query] = st
	return st, nil
}

// Reads may pass the caller's context down: interrupting a read ends no
// one else's work.

func (r *reader) execContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := r.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (r *reader) queryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := r.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (r *reader) close() error {
	for q, st := range r.stmts {
		_ = st.Close()
		delete(r.stmts, q)
	}
	return r.conn.Close()
}

// openReaders takes n connections from rdb for good.
func openReaders(ctx context.Context, rdb *sql.DB, n int) (chan *reader, error) {
	readers := make(chan *reader, n)
	for i := 0; i < n; i++ {
		conn, err := rdb.Conn(ctx)
		if err != nil {
			closeReaders(readers, i)
			return nil, err
		}
		readers <- &reader{conn: conn, stmts: map[string]*sql.Stmt{}}
	}
	return readers, nil
}

// closeReaders waits for n readers to come back and closes them.
func closeReaders(readers chan *reader, n int) error {
	var first error
	for i := 0; i < n; i++ {
		if err := (<-readers).close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// withReader lends fn a reader, waiting for one to be free.
func (s *Store) withReader(ctx context.Context, fn func(*reader) error) error {
	// The lock covers taking a reader so that Close, which takes them
	// all back, cannot start between the closed check and the take.
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errClosed
	}
	var r *reader
	select {
	case r = <-s.readers:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	// Deferred, so that a panicking View still gives its connection back
	// (after its own deferred ROLLBACK).
	defer func() { s.readers <- r }()
	err := fn(r)
	if isBadConn(err) {
		// Replace a connection the driver gave up on, so that one bad
		// moment does not cost the pool a connection for good.
		_ = r.close()
		if conn, cerr := s.rdb.Conn(context.Background()); cerr == nil {
			r = &reader{conn: conn, stmts: map[string]*sql.Stmt{}}
		}
	}
	return err
}

func isBadConn(err error) bool {
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone)
}

// View runs fn in a read-only transaction. SQLite's WAL gives it a snapshot
// taken at its first read that later commits do not change.
func (s *Store) View(ctx context.Context, fn func(kith.ReadTx) error) error {
	return s.withReader(ctx, func(r *reader) error {
		if _, err := r.execContext(ctx, "BEGIN"); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return unavailable("begin read", err)
		}
		// A read transaction has nothing to commit; rolling back ends it,
		// even when ctx is done.
		defer r.execContext(context.Background(), "ROLLBACK")
		t := &tx{q: r, now: s.now}
		defer func() { t.done = true }()
		return fn(readTx{t})
	})
}

// Ping reports whether the database answers (code unavailable otherwise).
func (s *Store) Ping(ctx context.Context) error {
	return s.withReader(ctx, func(r *reader) error {
		var one int
		if err := (row{}).from(r.queryContext(ctx, "SELECT 1")).Scan(&one); err != nil {
			return unavailable("ping", err)
		}
		return nil
	})
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/kithcdp/kith"
)

// maxRetries is how many times a function that returned kith.ErrRetry is
// run again before its error is returned.
const maxRetries = 3

// request is one Update call waiting for the writer.
type request struct {
	ctx      context.Context
	fn       func(kith.Tx) error
	done     chan error // buffered: the writer never blocks on a caller
	attempts int        // runs that ended in kith.ErrRetry
}

// writer owns the one write connection and the statements prepared on it.
// Only the writer goroutine (and Open, before it starts) uses it, so it
// needs no locking.
type writer struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
	now   func() time.Time
	// committed, when set, is called after each commit.
	committed func()
}

func newWriter(conn *sql.Conn, now func() time.Time) *writer {
	return &writer{conn: conn, stmts: map[string]*sql.Stmt{}, now: now}
}

// writeLoop is the writer goroutine. It takes one request, adds those
// already waiting (up to maxBatch), and runs them in one transaction, until
// Close closes the queue and the queue is empty.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	batch := make([]*request, 0, s.maxBatch)
	var carry []*request
	for {
		batch = append(batch[:0], carry...)
		if len(batch) == 0 {
			r, ok := <-s.reqs
			if !ok {
				return
			}
			batch = append(batch, r)
		}
	drain:
		for len(batch) < s.maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.groups.Add(1)
		s.requests.Add(int64(len(batch)))
		carry = s.w.runGroup(batch)
	}
}

// runGroup runs batch in one transaction and answers every request once
// the outcome is durable. Requests run without savepoints: a savepoint
// around each request makes SQLite journal and truncate every page the
// group has touched, which cost about a quarter of the writer's time.
// Instead, when one request fails, the whole transaction is rolled back,
// that request is answered with its error (or run again, after
// kith.ErrRetry), and the others are returned to run again in the next
// transaction: failures are rare, and every round answers or retries at
// least one request. The same happens when SQLite itself drops the
// transaction midway (a full disk, an I/O error).
func (w *writer) runGroup(batch []*request) (carry []*request) {
	live := batch[:0] // filtered in place; carry is always a new slice
	for _, r := range batch {
		// A caller that gave up before its turn gets its answer now
		// rather than a write it no longer waits for.
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return nil
	}
	if _, err := w.exec("BEGIN IMMEDIATE"); err != nil {
		reply(live, unavailable("begin", err))
		return nil
	}
	for i, r := range live {
		err := w.call(r)
		if err == nil {
			continue
		}
		_, _ = w.exec("ROLLBACK") // the transaction may be gone already
		carry = append(carry, live[:i]...)
		if errors.Is(err, kith.ErrRetry) && r.attempts < maxRetries && r.ctx.Err() == nil {
			r.attempts++
			carry = append(carry, r)
		} else {
			if errors.Is(err, kith.ErrRetry) {
				err = fmt.Errorf("sqlite: update: still conflicting after %d attempts: %w", r.attempts+1, err)
			}
			r.done <- err
		}
		return append(carry, live[i+1:]...)
	}
	if _, err := w.exec("COMMIT"); err != nil {
		_, _ = w.exec("ROLLBACK")
		reply(live, unavailable("commit", err))
		return nil
	}
	if w.committed != nil {
		w.committed()
	}
	reply(live, nil)
	return nil
}

// call runs r.fn once, turning a panic into an internal error so that one
// bad function cannot kill the writer and every later write with it.
func (w *writer) call(r *request) (err error) {
	t := &tx{q: w, now: w.now}
	defer func() {
		t.done = true
		if p := recover(); p != nil {
			// A plain error has code internal, and its text (with the
			// stack) is never shown to API users.
			err = fmt.Errorf("sqlite: update function panicked: %v\n%s", p, debug.Stack())
		}
	}()
	if err := r.fn(t); err != nil {
		return err
	}
	if t.failed != nil {
		return t.failed
	}
	// The next function of the group numbers its new profiles from
	// sqlite_sequence, which this one's must be in first.
	return t.flush(r.ctx)
}

// reply answers every request with err.
func reply(rs []*request, err error) {
	for _, r := range rs {
		r.done <- err
	}
}

// stmt returns the statement for query, prepared on the writer's connection
// once and kept: the ingest hot path runs the same few statements over and
// over.
func (w *writer) stmt(query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.conn.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

// The querier methods ignore the caller's context on purpose: cancelling a
// statement interrupts SQLite, and an interrupted write inside an explicit
// transaction rolls back the whole transaction, that is every other request
// of the group. Tx methods check the context before each statement instead.

func (w *writer) exec(query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(context.Background(), args...)
}

func (w *writer) execContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	return w.exec(query, args...)
}

func (w *writer) queryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(context.Background(), args...)
}

// close closes the cached statements and gives the connection back.
func (w *writer) close() error {
	for q, st := range w.stmts {
		_ = st.Close()
		delete(w.stmts, q)
	}
	return w.conn.Close()
}

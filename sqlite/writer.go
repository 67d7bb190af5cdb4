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
	ctx  context.Context
	fn   func(kith.Tx) error
	done chan error // buffered: the writer never blocks on a caller
}

// writer owns the one write connection and the statements prepared on it.
// Only the writer goroutine (and Open, before it starts) uses it, so it
// needs no locking.
type writer struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
	now   func() time.Time
	// errs is reused across groups to hold each request's outcome.
	errs []error
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

// runGroup runs batch in one transaction. Each request runs inside its own
// savepoint, so that a failing one is undone alone while the rest commit.
// Every request is answered only once the outcome is durable. When the
// transaction itself is lost midway (SQLite rolls back the whole
// transaction on some errors, such as a full disk), the requests that had
// not run yet, and those that had succeeded, are returned to be run again
// in a new transaction: each round answers at least one request.
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
		// Should a transaction have been left open somehow, end it so
		// that the next group can begin.
		_, _ = w.exec("ROLLBACK")
		reply(live, unavailable("begin", err))
		return nil
	}
	errs := w.errs[:0]
	for i, r := range live {
		broken, err := w.runOne(r)
		errs = append(errs, err)
		if broken {
			_, _ = w.exec("ROLLBACK") // the transaction may be gone already
			r.done <- err
			for j := 0; j < i; j++ {
				if errs[j] != nil {
					live[j].done <- errs[j]
				} else {
					carry = append(carry, live[j])
				}
			}
			w.errs = errs[:0]
			return append(carry, live[i+1:]...)
		}
	}
	if _, err := w.exec("COMMIT"); err != nil {
		_, _ = w.exec("ROLLBACK")
		reply(live, unavailable("commit", err))
		w.errs = errs[:0]
		return nil
	}
	if w.committed != nil {
		w.committed()
	}
	for i, r := range live {
		r.done <- errs[i]
	}
	clear(errs)
	w.errs = errs[:0]
	return nil
}

// runOne runs one request inside savepoint g, running it again after
// kith.ErrRetry. broken reports that the transaction can no longer be
// trusted (a savepoint statement failed), so the whole group must restart.
func (w *writer) runOne(r *request) (broken bool, err error) {
	if _, err := w.exec("SAVEPOINT g"); err != nil {
		return true, unavailable("savepoint", err)
	}
	for attempt := 0; ; attempt++ {
		err = w.call(r)
		if err == nil {
			break
		}
		if _, rbErr := w.exec("ROLLBACK TO g"); rbErr != nil {
			return true, fmt.Errorf("sqlite: roll back savepoint: %w (after: %w)", rbErr, err)
		}
		if !errors.Is(err, kith.ErrRetry) {
			break
		}
		if attempt == maxRetries {
			err = fmt.Errorf("sqlite: update: still conflicting after %d attempts: %w", attempt+1, err)
			break
		}
		if r.ctx.Err() != nil {
			err = r.ctx.Err()
			break
		}
	}
	if _, relErr := w.exec("RELEASE g"); relErr != nil {
		if err == nil {
			err = unavailable("release savepoint", relErr)
		}
		return true, err
	}
	return false, err
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
	return r.fn(t)
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

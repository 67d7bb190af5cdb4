package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kithcdp/kith"
)

var (
	_ kith.Tx     = (*tx)(nil)
	_ kith.ReadTx = readTx{}
)

// querier runs the statements of one transaction: the writer's cached
// statements for Update, a pooled read transaction for View.
type querier interface {
	execContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	queryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// tx implements kith.Tx (and kith.ReadTx) over a querier. Its methods are
// spread over the files named after what they store.
type tx struct {
	q   querier
	now func() time.Time
	// done is set when the transaction has ended, so that a function that
	// kept its Tx cannot write into a later group's transaction.
	done bool
	// pending are the profiles created and not inserted yet, and
	// lastClientID the clientId given last, 0 until read (pending.go).
	pending      []pendingProfile
	lastClientID int64
	// failed is the error of an insert of pending profiles, which fails
	// the function that created them whatever it returns.
	failed error
}

// readTx hides the write methods of a tx from View functions (the read
// connections would refuse the writes anyway, being query_only).
type readTx struct{ kith.ReadTx }

// errTxDone answers calls on a Tx whose transaction has ended.
var errTxDone = errors.New("sqlite: transaction has already ended")

// ready reports why a statement must not run.
func (t *tx) ready(ctx context.Context) error {
	if t.done {
		return errTxDone
	}
	return ctx.Err()
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.ready(ctx); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.q.execContext(ctx, query, args...)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.ready(ctx); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.q.queryContext(ctx, query, args...)
}

// queryRow runs a query that returns at most one row.
func (t *tx) queryRow(ctx context.Context, query string, args ...any) row {
	return row{}.from(t.query(ctx, query, args...))
}

// affected runs a statement and returns how many rows it changed.
func (t *tx) affected(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// row is the result of queryRow; unlike *sql.Row it can carry the error of
// preparing a cached statement.
type row struct {
	rows *sql.Rows
	err  error
}

// from returns the row of a query's result.
func (row) from(rows *sql.Rows, err error) row { return row{rows: rows, err: err} }

// Scan copies the row into dest, returning sql.ErrNoRows when there is none.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}

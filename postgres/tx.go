package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

// tx is a kith.Tx (and kith.ReadTx) on one PostgreSQL transaction. Every
// statement names the workspace in its WHERE clause or its inserted rows.
//
// A method that fails with a PostgreSQL error leaves the transaction
// aborted, so its error is never a bare *kith.Error (which callers such as
// identity.Refusal take for a refusal they may go on after): it wraps one,
// kith.ErrRetry or the driver error. Bare kith errors (not_found, conflict)
// come only from statements that succeeded.
type tx struct {
	pg  *conn
	now func() time.Time
}

var _ kith.Tx = (*tx)(nil)

// ts returns t as the database keeps it: UTC, microsecond precision.
// Methods write stored times back into the caller's structs, so that what
// was written equals what is read.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// orTime returns t as stored, or def as stored when t is zero.
func orTime(t, def time.Time) time.Time {
	if t.IsZero() {
		return ts(def)
	}
	return ts(t)
}

// nilIfEmpty returns nil for an empty slice: lists read from the store are
// nil when empty, as in the SQLite store.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// collectRows reads every row with fn; no rows give nil.
func collectRows[T any](rows pgx.Rows, fn pgx.RowToFunc[T]) ([]T, error) {
	s, err := pgx.CollectRows(rows, fn)
	return nilIfEmpty(s), err
}

// nullText returns nil for "", so that absent identifiers are SQL NULL and
// stay out of the unique indexes.
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// text returns the value of a nullable text column.
func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// jsonValue encodes v for a jsonb parameter.
func jsonValue(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return b, nil
}

// rawJSON returns a json.RawMessage as a nullable jsonb parameter.
func rawJSON(m json.RawMessage) *string {
	if len(m) == 0 {
		return nil
	}
	s := string(m)
	return &s
}

// decodeJSON decodes a jsonb column into v, leaving v alone for SQL NULL.
// Numbers decode as float64, as encoding/json does.
func decodeJSON(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	return nil
}

package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/kithcdp/kith"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// storeErr wraps a driver error with the operation that failed.
func storeErr(op string, err error) error {
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// sqliteCode returns the extended result code of a driver error, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isForeignKey reports whether err is a foreign key violation: a row that
// points at a profile (or workspace) that does not exist.
func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// retryable wraps err with kith.ErrRetry when it is a race that running the
// transaction again resolves: a unique identifier another write took, or a
// profile that was merged away or deleted meanwhile.
func retryable(op string, err error) error {
	if isUnique(err) || isForeignKey(err) {
		return fmt.Errorf("sqlite: %s: %w: %w", op, kith.ErrRetry, err)
	}
	return storeErr(op, err)
}

// unavailable wraps an error of the database as a whole (locked by another
// process, disk full, I/O error) with code unavailable, and any other with
// code internal. The driver error stays in the chain for logs.
func unavailable(op string, err error) error {
	code := kith.ECodeInternal
	switch sqliteCode(err) & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL:
		code = kith.ECodeUnavailable
	}
	if errors.Is(err, sql.ErrConnDone) {
		code = kith.ECodeUnavailable
	}
	return fmt.Errorf("%w: %w", kith.Errorf(code, "sqlite: %s failed", op), err)
}

// notFound returns a not_found error.
func notFound(format string, args ...any) error {
	return kith.Errorf(kith.ECodeNotFound, format, args...)
}

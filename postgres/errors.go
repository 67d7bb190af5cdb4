package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/kithcdp/kith"
)

// SQLSTATE codes the store reacts to.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeAdminShutdown        = "57P01"
	codeCrashShutdown        = "57P02"
	codeCannotConnectNow     = "57P03"
	codeTooManyConnections   = "53300"
)

// identifierConstraints are the unique constraints that hold identifiers
// (migrations/0001_init.sql). A violation of one of them means a concurrent
// transaction claimed the same email, customId or uuid first: the losing
// transaction runs again and then finds the winner's profile (rule R9).
var identifierConstraints = map[string]bool{
	"profiles_email_key_uq": true,
	"profiles_custom_id_uq": true,
	"profile_uuids_uuid_uq": true,
}

// pgError returns err's PostgreSQL error, or nil.
func pgError(err error) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// isIdentifierViolation reports whether err is a unique violation on an
// identifier constraint.
func isIdentifierViolation(err error) bool {
	pe := pgError(err)
	return pe != nil && pe.Code == codeUniqueViolation && identifierConstraints[pe.ConstraintName]
}

// isUniqueViolation reports whether err is any unique violation.
func isUniqueViolation(err error) bool {
	pe := pgError(err)
	return pe != nil && pe.Code == codeUniqueViolation
}

// isRetryable reports whether a transaction that failed with err should run
// again from the start: kith.ErrRetry, serialization failures, deadlocks and
// races on identifiers.
func isRetryable(err error) bool {
	if errors.Is(err, kith.ErrRetry) || isIdentifierViolation(err) {
		return true
	}
	pe := pgError(err)
	return pe != nil && (pe.Code == codeSerializationFailure || pe.Code == codeDeadlockDetected)
}

// isUnavailable reports whether err means the database cannot be reached or
// is restarting, as opposed to a statement failing.
func isUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if pe := pgError(err); pe != nil {
		switch pe.Code {
		case codeAdminShutdown, codeCrashShutdown, codeCannotConnectNow, codeTooManyConnections:
			return true
		}
		return strings.HasPrefix(pe.Code, "08")
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return true
	}
	return false
}

// isServerGone reports whether err says the server closed every session
// (shutdown or restart), so that idle pooled connections are dead too.
func isServerGone(err error) bool {
	pe := pgError(err)
	return pe != nil && (pe.Code == codeAdminShutdown || pe.Code == codeCrashShutdown)
}

// unavailable returns err as a kith unavailable error, which the HTTP layer
// answers with 503. The cause stays reachable with errors.As; an error that
// already has that code is returned as it is.
func unavailable(err error) error {
	if kith.ErrorCode(err) == kith.ECodeUnavailable {
		return err
	}
	return fmt.Errorf("%w: %w", kith.Errorf(kith.ECodeUnavailable, "database unavailable"), err)
}

// notFound returns a kith not_found error.
func notFound(format string, args ...any) error {
	return kith.Errorf(kith.ECodeNotFound, format, args...)
}

// wrap annotates err with the failing operation. Unique violations on
// identifiers also wrap kith.ErrRetry so that callers and Store.Update see a
// concurrent claim as retryable.
func wrap(op string, err error) error {
	if isIdentifierViolation(err) {
		return fmt.Errorf("postgres: %s: %w: %w", op, kith.ErrRetry, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// isForeignKeyViolation reports whether err is a row pointing at a profile
// or workspace that does not exist.
func isForeignKeyViolation(err error) bool {
	pe := pgError(err)
	return pe != nil && pe.Code == codeForeignKeyViolation
}

// wrapProfileWrite is wrap for statements that add rows pointing at a
// profile: a foreign key violation means the profile was merged away or
// deleted meanwhile, and running the transaction again resolves the write
// afresh (kith.ErrRetry).
func wrapProfileWrite(op string, clientID int64, err error) error {
	if isForeignKeyViolation(err) {
		return fmt.Errorf("postgres: %s: profile %d no longer exists: %w: %w", op, clientID, kith.ErrRetry, err)
	}
	return wrap(op, err)
}

// wrapWorkspaceWrite is wrap for statements that add rows pointing at a
// workspace: a foreign key violation is not_found (wrapped, the transaction
// being aborted).
func wrapWorkspaceWrite(op string, ws int64, err error) error {
	if isForeignKeyViolation(err) {
		return fmt.Errorf("postgres: %s: %w", op, notFound("workspace %d not found", ws))
	}
	return wrap(op, err)
}

// errGone reports a profile that vanished under a transaction (merged away
// or deleted); running the transaction again resolves the write afresh.
func errGone(op string, clientID int64) error {
	return fmt.Errorf("postgres: %s: profile %d no longer exists: %w", op, clientID, kith.ErrRetry)
}

// noRows reports whether err is pgx.ErrNoRows.
func noRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

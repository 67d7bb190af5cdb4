package sqlite

import (
	"database/sql/driver"
	"strconv"
	"strings"

	"github.com/kithcdp/kith"
	"modernc.org/sqlite"
)

// foldFunction is the SQL name of kith.Fold. The search indexes of
// migration 0002 are built on it, so every connection that writes profiles
// must have it: the sqlite package registers it with the driver before any
// connection opens. (A bare sqlite3 shell can read the database but not
// write profiles.)
const foldFunction = "kith_fold"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(foldFunction, 1, fold)
	sqlite.MustRegisterDeterministicScalarFunction("kith_match", -1, match)
}

// fold is kith_fold(x): kith.Fold of a text, NULL for NULL, other values
// unchanged.
func fold(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch v := args[0].(type) {
	case string:
		return kith.Fold(v), nil
	case []byte:
		return kith.Fold(string(v)), nil
	}
	return args[0], nil
}

// match is kith_match(q, text…): 1 when a folded text starts with q
// (folded already), else 0; NULLs never match. A profile scan tests each
// profile with one call of it, which costs far less than folding and
// comparing each field in SQL (every kith_fold is a call into Go).
func match(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	q, _ := args[0].(string)
	for _, a := range args[1:] {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		default:
			continue
		}
		if strings.HasPrefix(kith.Fold(s), q) {
			return int64(1), nil
		}
	}
	return int64(0), nil
}

// search is a profile search query prepared for matching (see
// kith.ProfileFilter).
type search struct {
	lo, hi   string // the folded query and the end of its prefix range
	uuid     bool   // the query can start a uuid (and is long enough)
	clientID int64  // the query as a clientId, or 0
}

// minUUIDPrefix is the shortest query that matches uuids by prefix:
// shorter ones match thousands of random uuids, which is no search.
const minUUIDPrefix = 4

// newSearch prepares q, or returns nil when it is empty.
func newSearch(q string) *search {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	lo := kith.Fold(q)
	s := &search{lo: lo, hi: prefixEnd(lo)}
	s.uuid = len(lo) >= minUUIDPrefix && strings.Trim(lo, "0123456789abcdef-") == ""
	if id, err := strconv.ParseInt(q, 10, 64); err == nil && id > 0 {
		s.clientID = id
	}
	return s
}

// prefixEnd returns the smallest string greater than every string that
// starts with p, in byte order: p with its last byte incremented. Valid
// UTF-8 never holds the byte 0xFF, so the increment never overflows; the
// result need not be valid UTF-8, which SQLite compares as bytes all the
// same.
func prefixEnd(p string) string {
	b := []byte(p)
	b[len(b)-1]++
	return string(b)
}

// query builds a statement with numbered parameters, so that each value is
// bound once however often the text refers to it.
type query struct {
	sql  strings.Builder
	args []any
}

// arg binds v and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "?" + strconv.Itoa(len(q.args))
}

func (q *query) add(parts ...string) {
	for _, p := range parts {
		q.sql.WriteString(p)
	}
}

package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// New profiles wait in their tx and are inserted together, with one
// statement for the profiles and one for their uuids, just before the next
// statement of any kind or the end of the Update function: a batch full of
// new visitors then pays SQLite's per-statement cost twice instead of twice
// per profile. Nothing can observe the wait, because every statement of a
// tx goes through exec or query, which flush first. PostgreSQL does the
// same for its round trips (postgres/conn.go).
//
// A waiting profile already has its clientId: the writer is the only one
// to insert profiles, so the next clientId is one more than the highest
// ever given (sqlite_sequence, which AUTOINCREMENT keeps, also past
// explicit ids), read once per tx. Each Update function's profiles are
// inserted before the next function of the group runs and reads it.

// pendingProfile is the row of a created profile and its uuids, waiting for
// their insert.
type pendingProfile struct {
	row   []any // the values of insertProfilesSQL's columns, in order
	uuids []string
}

// insertProfilesSQL and insertUUIDsSQL insert JSON arrays of rows.
var (
	insertProfilesSQL = insertRowsSQL("profiles", []string{"client_id", "workspace_id", "email", "email_key",
		"custom_id", "recognized", "attributes", "agreements", "created_at", "updated_at", "last_activity_at"})
	insertUUIDsSQL = insertRowsSQL("profile_uuids", []string{"workspace_id", "uuid", "client_id"})
)

// insertRowsSQL returns an INSERT of the rows of a JSON array of arrays,
// one value per column, in array order (so that profile_uuids' ids keep
// the attach order, and a profile's first uuid stays its main one).
func insertRowsSQL(table string, columns []string) string {
	values := make([]string, len(columns))
	for i := range columns {
		values[i] = fmt.Sprintf("j.value ->> %d", i)
	}
	return "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") SELECT " +
		strings.Join(values, ", ") + " FROM json_each(?) AS j ORDER BY j.key"
}

// nextClientID returns the clientId of the next profile created in t.
func (t *tx) nextClientID(ctx context.Context) (int64, error) {
	if t.lastClientID == 0 {
		var seq int64
		err := t.queryRow(ctx, `SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'profiles'), 0)`).Scan(&seq)
		if err != nil {
			return 0, storeErr("number profile", err)
		}
		t.lastClientID = seq
	}
	t.lastClientID++
	return t.lastClientID, nil
}

// flush inserts the waiting profiles and their uuids. A taken identifier
// returns kith.ErrRetry, as CreateProfile promises, from whichever
// statement comes next, and the error sticks (see writer.call): the
// function's profiles are not all there, so its transaction must not
// commit even if it goes on and returns nil.
func (t *tx) flush(ctx context.Context) error {
	if len(t.pending) == 0 {
		return nil
	}
	if err := t.insertPending(ctx); err != nil {
		t.failed = err
		return err
	}
	return nil
}

// insertPending inserts the waiting profiles, then their uuids.
func (t *tx) insertPending(ctx context.Context) error {
	rows := make([][]any, len(t.pending))
	var uuids [][]any
	for i, p := range t.pending {
		rows[i] = p.row
		for _, u := range p.uuids {
			uuids = append(uuids, []any{p.row[1], u, p.row[0]})
		}
	}
	t.pending = t.pending[:0]
	for _, ins := range []struct {
		query string
		rows  [][]any
	}{{insertProfilesSQL, rows}, {insertUUIDsSQL, uuids}} {
		if len(ins.rows) == 0 {
			continue
		}
		data, err := json.Marshal(ins.rows)
		if err != nil {
			return storeErr("create profiles", err)
		}
		if _, err := t.q.execContext(ctx, ins.query, string(data)); err != nil {
			if isForeignKey(err) {
				return notFound("workspace %d not found", rows[0][1])
			}
			return retryable("create profiles", err)
		}
	}
	return nil
}

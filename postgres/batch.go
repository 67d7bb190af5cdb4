package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kithcdp/kith"
)

// The batch methods send their lists as arrays, so that a whole batch of
// writes costs one round trip per kind of question.
//
// Their plans must not depend on statistics: a fresh database has none
// until autovacuum first analyzes it (up to a minute into a burst), and
// without them PostgreSQL takes "workspace_id = $1" for the selective
// condition and an "= ANY($2)" list for a near-full scan, so it walks the
// whole workspace through any index that starts with workspace_id. Hence
// lookups by a unique key go one value at a time through a LATERAL
// subquery with LIMIT 1, whose equality on every column of a unique index
// plans as one index probe whatever the statistics, and the activity
// update hides workspace_id from the planner ("+ 0") so that only the
// primary key remains to join on.

// findClientIDsSQL looks up identifiers of each kind found by value.
var findClientIDsSQL = map[kith.IdentifierKind]string{
	kith.KindEmail:    lookupEach("SELECT client_id FROM profiles WHERE workspace_id = $1 AND email_key = v.x"),
	kith.KindCustomID: lookupEach("SELECT client_id FROM profiles WHERE workspace_id = $1 AND custom_id = v.x"),
	kith.KindUUID:     lookupEach("SELECT client_id FROM profile_uuids WHERE workspace_id = $1 AND uuid = v.x"),
}

var findEventOwnersSQL = lookupEach("SELECT client_id FROM events WHERE workspace_id = $1 AND event_id = v.x")

// lockProfilesSQL locks the rows of an array of clientIds in the order of
// the array.
const lockProfilesSQL = "SELECT p.* FROM unnest($2::bigint[]) AS v(id) CROSS JOIN LATERAL (SELECT " +
	profileColumns + " FROM profiles WHERE workspace_id = $1 AND client_id = v.id LIMIT 1 FOR UPDATE) AS p"

const touchProfilesSQL = `UPDATE profiles p SET last_activity_at = GREATEST(p.last_activity_at, u.at)
	FROM unnest($2::bigint[], $3::timestamptz[]) AS u(client_id, at)
	WHERE p.workspace_id + 0 = $1 AND p.client_id = u.client_id`

// lookupEach returns a query of (value, clientId) rows that runs probe,
// a query of one client_id by a unique key equal to v.x, for each value
// of the text array $2.
func lookupEach(probe string) string {
	return "SELECT v.x, o.client_id FROM unnest($2::text[]) AS v(x) CROSS JOIN LATERAL (" + probe + " LIMIT 1) AS o"
}

// FindClientIDs returns the profiles holding identifiers of one kind, by
// value; values nobody holds are absent.
func (t *tx) FindClientIDs(ctx context.Context, ws int64, kind kith.IdentifierKind, values []string) (map[string]int64, error) {
	q, ok := findClientIDsSQL[kind]
	if !ok {
		return nil, kith.Errorf(kith.ECodeInvalidIdentifier, "identifiers of kind %q are not found in batches", kind)
	}
	return t.owners(ctx, "find client ids", q, ws, values)
}

// FindEventOwners returns the profile of each of eventIDs already stored.
func (t *tx) FindEventOwners(ctx context.Context, ws int64, eventIDs []string) (map[string]int64, error) {
	return t.owners(ctx, "find event owners", findEventOwnersSQL, ws, eventIDs)
}

// owners runs a query of (value, clientId) rows over an array of values.
func (t *tx) owners(ctx context.Context, op, q string, ws int64, values []string) (map[string]int64, error) {
	out := make(map[string]int64, len(values))
	if len(values) == 0 {
		return out, nil
	}
	rows, err := t.pg.Query(ctx, q, ws, values)
	if err != nil {
		return nil, wrap(op, err)
	}
	var v string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&v, &id}, func() error {
		out[v] = id
		return nil
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// RecordActivity moves each profile's last activity forward and upserts
// its devices, with one statement for each. The update also locks the
// rows, so a concurrent merge of these profiles waits for the transaction;
// a profile already gone returns kith.ErrRetry. A profile created in this
// transaction and not inserted yet takes its activity into its insert.
func (t *tx) RecordActivity(ctx context.Context, ws int64, acts []kith.ActivityUpdate) error {
	var ids, devIDs []int64
	var ats, seen []time.Time
	var browsers, oses, types []string
	for _, a := range acts {
		if !a.At.IsZero() && !t.pg.touchPending(a.ClientID, ts(a.At)) {
			ids, ats = append(ids, a.ClientID), append(ats, ts(a.At))
		}
		for _, d := range a.Devices {
			devIDs, seen = append(devIDs, a.ClientID), append(seen, ts(d.LastSeenAt))
			browsers, oses, types = append(browsers, d.Browser), append(oses, d.OS), append(types, d.DeviceType)
		}
	}
	if len(ids) > 0 {
		tag, err := t.pg.Exec(ctx, touchProfilesSQL, ws, ids, ats)
		if err != nil {
			return wrap("touch profiles", err)
		}
		if n := tag.RowsAffected(); n != int64(len(ids)) {
			return fmt.Errorf("postgres: touch profiles: %d of %d profiles no longer exist: %w", int64(len(ids))-n, len(ids), kith.ErrRetry)
		}
	}
	if len(devIDs) == 0 {
		return nil
	}
	_, err := t.pg.Exec(ctx, `INSERT INTO devices (workspace_id, client_id, browser, os, device_type, last_seen_at)
		SELECT $1, u.* FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS u
		ON CONFLICT (workspace_id, client_id, browser, os, device_type)
		DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at WHERE EXCLUDED.last_seen_at > devices.last_seen_at`,
		ws, devIDs, browsers, oses, types, seen)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("postgres: record devices: a profile no longer exists: %w: %w", kith.ErrRetry, err)
	}
	if err != nil {
		return wrap("record devices", err)
	}
	return nil
}

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

// FindClientIDs returns the profiles holding identifiers of one kind, by
// value; values nobody holds are absent.
func (t *tx) FindClientIDs(ctx context.Context, ws int64, kind kith.IdentifierKind, values []string) (map[string]int64, error) {
	var q string
	switch kind {
	case kith.KindEmail:
		q = "SELECT email_key, client_id FROM profiles WHERE workspace_id = $1 AND email_key = ANY($2)"
	case kith.KindCustomID:
		q = "SELECT custom_id, client_id FROM profiles WHERE workspace_id = $1 AND custom_id = ANY($2)"
	case kith.KindUUID:
		q = "SELECT uuid, client_id FROM profile_uuids WHERE workspace_id = $1 AND uuid = ANY($2)"
	default:
		return nil, kith.Errorf(kith.ECodeInvalidIdentifier, "identifiers of kind %q are not found in batches", kind)
	}
	return t.owners(ctx, "find client ids", q, ws, values)
}

// FindEventOwners returns the profile of each of eventIDs already stored.
func (t *tx) FindEventOwners(ctx context.Context, ws int64, eventIDs []string) (map[string]int64, error) {
	return t.owners(ctx, "find event owners",
		"SELECT event_id, client_id FROM events WHERE workspace_id = $1 AND event_id = ANY($2)", ws, eventIDs)
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
// a profile already gone returns kith.ErrRetry.
func (t *tx) RecordActivity(ctx context.Context, ws int64, acts []kith.ActivityUpdate) error {
	var ids, devIDs []int64
	var ats, seen []time.Time
	var browsers, oses, types []string
	for _, a := range acts {
		if !a.At.IsZero() {
			ids, ats = append(ids, a.ClientID), append(ats, ts(a.At))
		}
		for _, d := range a.Devices {
			devIDs, seen = append(devIDs, a.ClientID), append(seen, ts(d.LastSeenAt))
			browsers, oses, types = append(browsers, d.Browser), append(oses, d.OS), append(types, d.DeviceType)
		}
	}
	if len(ids) > 0 {
		tag, err := t.pg.Exec(ctx, `UPDATE profiles p SET last_activity_at = GREATEST(p.last_activity_at, u.at)
			FROM unnest($2::bigint[], $3::timestamptz[]) AS u(client_id, at)
			WHERE p.workspace_id = $1 AND p.client_id = u.client_id`, ws, ids, ats)
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

package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kithcdp/kith"
)

// The batch methods pass their lists as one JSON array and let json_each
// turn it into rows: one statement text (prepared once by the writer's
// cache) serves any number of values, and each value still finds its row
// through the index.

// The batch statements. In lockProfilesSQL and touchProfilesSQL a unary +
// on workspace_id keeps the planner from scanning the workspace's profiles
// for each list entry, so that each entry finds its row by key
// (TestBatchQueriesUseIndexes checks the plans of all of them).
var (
	findClientIDsSQL = map[kith.IdentifierKind]string{
		kith.KindEmail: `SELECT email_key, client_id FROM profiles
			WHERE workspace_id = ? AND email_key IN (SELECT value FROM json_each(?))`,
		kith.KindCustomID: `SELECT custom_id, client_id FROM profiles
			WHERE workspace_id = ? AND custom_id IN (SELECT value FROM json_each(?))`,
		kith.KindUUID: `SELECT uuid, client_id FROM profile_uuids
			WHERE workspace_id = ? AND uuid IN (SELECT value FROM json_each(?))`,
	}
	findEventOwnersSQL = `SELECT event_id, client_id FROM events
		WHERE workspace_id = ? AND event_id IN (SELECT value FROM json_each(?))`
	lockProfilesSQL = `SELECT ` + profileColumns + ` FROM profiles
		WHERE +workspace_id = ? AND client_id IN (SELECT value FROM json_each(?))`
	touchProfilesSQL = `UPDATE profiles SET last_activity_at = max(last_activity_at, j.value ->> 1)
		FROM json_each(?) AS j
		WHERE +profiles.workspace_id = ? AND profiles.client_id = j.value ->> 0`
	// WHERE true tells the parser that ON CONFLICT belongs to the INSERT.
	recordDevicesSQL = `INSERT INTO devices (workspace_id, client_id, browser, os, device_type, last_seen_at)
		SELECT ?, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4
		FROM json_each(?) AS j WHERE true
		ON CONFLICT (workspace_id, client_id, browser, os, device_type)
		DO UPDATE SET last_seen_at = excluded.last_seen_at WHERE excluded.last_seen_at > devices.last_seen_at`
)

// FindClientIDs returns the profiles holding identifiers of one kind, by
// value; values nobody holds are absent.
func (t *tx) FindClientIDs(ctx context.Context, ws int64, kind kith.IdentifierKind, values []string) (map[string]int64, error) {
	query, ok := findClientIDsSQL[kind]
	if !ok {
		return nil, kith.Errorf(kith.ECodeInvalidIdentifier, "identifiers of kind %q are not found in batches", kind)
	}
	return t.owners(ctx, "find client ids", query, ws, values)
}

// FindEventOwners returns the profile of each of eventIDs already stored.
func (t *tx) FindEventOwners(ctx context.Context, ws int64, eventIDs []string) (map[string]int64, error) {
	return t.owners(ctx, "find event owners", findEventOwnersSQL, ws, eventIDs)
}

// owners runs a query of (value, clientId) rows over a JSON list of values.
func (t *tx) owners(ctx context.Context, op, query string, ws int64, values []string) (map[string]int64, error) {
	out := make(map[string]int64, len(values))
	if len(values) == 0 {
		return out, nil
	}
	list, err := json.Marshal(values)
	if err != nil {
		return nil, storeErr(op, err)
	}
	rows, err := t.query(ctx, query, ws, string(list))
	if err != nil {
		return nil, storeErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		var id int64
		if err := rows.Scan(&v, &id); err != nil {
			return nil, storeErr(op, err)
		}
		out[v] = id
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr(op, err)
	}
	return out, nil
}

// RecordActivity moves each profile's last activity forward and upserts
// its devices, with one statement for each. A profile that no longer exists
// returns kith.ErrRetry.
func (t *tx) RecordActivity(ctx context.Context, ws int64, acts []kith.ActivityUpdate) error {
	var touches, devices [][]any
	for _, a := range acts {
		if !a.At.IsZero() {
			touches = append(touches, []any{a.ClientID, micros(a.At)})
		}
		for _, d := range a.Devices {
			devices = append(devices, []any{a.ClientID, d.Browser, d.OS, d.DeviceType, micros(d.LastSeenAt)})
		}
	}
	if len(touches) > 0 {
		list, err := json.Marshal(touches)
		if err != nil {
			return storeErr("touch profiles", err)
		}
		n, err := t.affected(ctx, touchProfilesSQL, string(list), ws)
		if err != nil {
			return storeErr("touch profiles", err)
		}
		if n != int64(len(touches)) {
			return fmt.Errorf("sqlite: touch profiles: %d of %d profiles no longer exist: %w", int64(len(touches))-n, len(touches), kith.ErrRetry)
		}
	}
	if len(devices) == 0 {
		return nil
	}
	list, err := json.Marshal(devices)
	if err != nil {
		return storeErr("record devices", err)
	}
	_, err = t.exec(ctx, recordDevicesSQL, ws, string(list))
	if err != nil {
		return retryable("record devices", err)
	}
	return nil
}

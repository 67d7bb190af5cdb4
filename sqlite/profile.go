package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kithcdp/kith"
)

// FindClientID returns the profile holding an identifier, or 0. A clientId
// that was merged away answers its survivor; an email is only found through
// email_key, which is set in email identity mode alone.
func (t *tx) FindClientID(ctx context.Context, ws int64, kind kith.IdentifierKind, value string) (int64, error) {
	var query string
	var args []any
	switch kind {
	case kith.KindClientID:
		id, err := strconv.ParseInt(value, 10, 64)
		if err != nil || id <= 0 {
			return 0, nil
		}
		// merged_ids rows are repointed on every merge, so one hop finds
		// the survivor.
		query = `SELECT client_id FROM profiles WHERE workspace_id = ?1 AND client_id = ?2
			UNION ALL
			SELECT client_id FROM merged_ids WHERE old_client_id = ?2 AND workspace_id = ?1`
		args = []any{ws, id}
	case kith.KindEmail:
		query = `SELECT client_id FROM profiles WHERE workspace_id = ? AND email_key = ?`
		args = []any{ws, value}
	case kith.KindCustomID:
		query = `SELECT client_id FROM profiles WHERE workspace_id = ? AND custom_id = ?`
		args = []any{ws, value}
	case kith.KindUUID:
		query = `SELECT client_id FROM profile_uuids WHERE workspace_id = ? AND uuid = ?`
		args = []any{ws, value}
	default:
		return 0, kith.Errorf(kith.ECodeInvalidIdentifier, "unknown identifier kind %q", kind)
	}
	var id int64
	err := t.queryRow(ctx, query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, storeErr("find client id", err)
	}
	return id, nil
}

// FindClientIDsByEmail returns every profile whose contact email is email,
// in any identity mode, by clientId.
func (t *tx) FindClientIDsByEmail(ctx context.Context, ws int64, email string) ([]int64, error) {
	rows, err := t.query(ctx, `SELECT client_id FROM profiles WHERE workspace_id = ? AND email = ?
		ORDER BY client_id`, ws, email)
	if err != nil {
		return nil, storeErr("find by email", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, storeErr("find by email", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("find by email", err)
	}
	return ids, nil
}

const profileColumns = `client_id, workspace_id, coalesce(email, ''), coalesce(custom_id, ''),
	attributes, agreements, created_at, updated_at, last_activity_at`

// readProfileRow reads a profile's row alone (not_found).
func (t *tx) readProfileRow(ctx context.Context, ws, clientID int64) (*kith.Profile, error) {
	p, err := scanProfileRow(t.queryRow(ctx, `SELECT `+profileColumns+` FROM profiles WHERE workspace_id = ? AND client_id = ?`,
		ws, clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("profile %d not found", clientID)
	}
	return p, err
}

// scanProfileRow decodes one row of profileColumns.
func scanProfileRow(row interface{ Scan(...any) error }) (*kith.Profile, error) {
	var p kith.Profile
	var attrs, agreements []byte
	var created, updated, activity int64
	err := row.Scan(&p.ClientID, &p.WorkspaceID, &p.Email, &p.CustomID, &attrs, &agreements,
		&created, &updated, &activity)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err != nil {
		return nil, storeErr("read profile", err)
	}
	p.CreatedAt, p.UpdatedAt, p.LastActivityAt = fromMicros(created), fromMicros(updated), fromMicros(activity)
	// Maps are never nil, so callers can set values without checking.
	// Attribute numbers decode as float64 and lists as []any (plain
	// encoding/json).
	p.Attributes = map[string]any{}
	p.Agreements = map[string]kith.Agreement{}
	if err := decodeJSON(attrs, &p.Attributes); err != nil {
		return nil, storeErr("decode attributes", err)
	}
	if err := decodeJSON(agreements, &p.Agreements); err != nil {
		return nil, storeErr("decode agreements", err)
	}
	return &p, nil
}

// FindProfile returns the whole profile: its row, uuids in the order they
// were attached, tags by name, devices newest first and previous clientIds
// in ascending order (not_found).
func (t *tx) FindProfile(ctx context.Context, ws, clientID int64) (*kith.Profile, error) {
	p, err := t.readProfileRow(ctx, ws, clientID)
	if err != nil {
		return nil, err
	}
	if p.UUIDs, err = t.texts(ctx, `SELECT uuid FROM profile_uuids WHERE workspace_id = ? AND client_id = ?
		ORDER BY id`, ws, clientID); err != nil {
		return nil, storeErr("read uuids", err)
	}
	if p.Tags, err = t.texts(ctx, `SELECT tag FROM profile_tags WHERE workspace_id = ? AND client_id = ?
		ORDER BY tag`, ws, clientID); err != nil {
		return nil, storeErr("read tags", err)
	}
	if p.Devices, err = t.devices(ctx, ws, clientID); err != nil {
		return nil, storeErr("read devices", err)
	}
	if p.PreviousClientIDs, err = t.previousIDs(ctx, ws, clientID); err != nil {
		return nil, storeErr("read previous client ids", err)
	}
	return p, nil
}

// texts runs a query of one text column.
func (t *tx) texts(ctx context.Context, query string, args ...any) ([]string, error) {
	return column[string](ctx, t, query, args...)
}

// ints runs a query of one integer column.
func (t *tx) ints(ctx context.Context, query string, args ...any) ([]int64, error) {
	return column[int64](ctx, t, query, args...)
}

// column runs a query of one column and returns its values.
func column[T any](ctx context.Context, t *tx, query string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *tx) devices(ctx context.Context, ws, clientID int64) ([]kith.Device, error) {
	rows, err := t.query(ctx, `SELECT browser, os, device_type, last_seen_at FROM devices
		WHERE workspace_id = ? AND client_id = ?
		ORDER BY last_seen_at DESC, browser, os, device_type`, ws, clientID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kith.Device
	for rows.Next() {
		var d kith.Device
		var seen int64
		if err := rows.Scan(&d.Browser, &d.OS, &d.DeviceType, &seen); err != nil {
			return nil, err
		}
		d.LastSeenAt = fromMicros(seen)
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *tx) previousIDs(ctx context.Context, ws, clientID int64) ([]int64, error) {
	return t.ints(ctx, `SELECT old_client_id FROM merged_ids WHERE workspace_id = ? AND client_id = ?
		ORDER BY old_client_id`, ws, clientID)
}

// LockProfile returns the profile row (not_found). SQLite has one writer,
// so the transaction already excludes every other write; there is nothing
// more to lock.
func (t *tx) LockProfile(ctx context.Context, ws *kith.Workspace, clientID int64) (*kith.Profile, error) {
	return t.readProfileRow(ctx, ws.ID, clientID)
}

// LockProfiles returns the rows of the profiles among clientIDs that exist.
// The writer's transaction holds the only write lock, so reading is
// locking.
func (t *tx) LockProfiles(ctx context.Context, ws *kith.Workspace, clientIDs []int64) (map[int64]*kith.Profile, error) {
	out := make(map[int64]*kith.Profile, len(clientIDs))
	if len(clientIDs) == 0 {
		return out, nil
	}
	list, err := json.Marshal(clientIDs)
	if err != nil {
		return nil, storeErr("lock profiles", err)
	}
	rows, err := t.query(ctx, lockProfilesSQL, ws.ID, string(list))
	if err != nil {
		return nil, storeErr("lock profiles", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProfileRow(rows)
		if err != nil {
			return nil, err
		}
		out[p.ClientID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("lock profiles", err)
	}
	return out, nil
}

// profileValues encodes the columns CreateProfile and UpdateProfile share.
func profileValues(ws *kith.Workspace, p *kith.Profile) (emailKey, attrs, agreements any, recognized bool, err error) {
	if ws.EmailIsIdentifier() {
		emailKey = nullText(p.Email)
	}
	if attrs, err = jsonText(p.Attributes); err != nil {
		return nil, nil, nil, false, storeErr("encode attributes", err)
	}
	if attrs == nil {
		attrs = "{}"
	}
	if agreements, err = jsonText(p.Agreements); err != nil {
		return nil, nil, nil, false, storeErr("encode agreements", err)
	}
	if agreements == nil {
		agreements = "{}"
	}
	return emailKey, attrs, agreements, p.Recognized(ws), nil
}

// ExpectNewProfiles does nothing: clientIds cost no round trip in process.
func (t *tx) ExpectNewProfiles(int) {}

// CreateProfile stores p with its Email, CustomID and UUIDs and sets
// p.ClientID and p.WorkspaceID. Zero times become now (CreatedAt) and
// CreatedAt (the others). The rows are inserted with the transaction's
// next statement (pending.go): a unique identifier already taken returns
// kith.ErrRetry from there, and then the whole transaction runs again.
func (t *tx) CreateProfile(ctx context.Context, ws *kith.Workspace, p *kith.Profile) error {
	emailKey, attrs, agreements, recognized, err := profileValues(ws, p)
	if err != nil {
		return err
	}
	if err := t.ready(ctx); err != nil {
		return err
	}
	created := p.CreatedAt
	if created.IsZero() {
		created = t.now()
	}
	created = storedTime(created)
	updated, activity := orTime(p.UpdatedAt, created), orTime(p.LastActivityAt, created)
	id, err := t.nextClientID(ctx)
	if err != nil {
		return err
	}
	t.pending = append(t.pending, pendingProfile{
		row: []any{id, ws.ID, nullText(p.Email), emailKey, nullText(p.CustomID), recognized,
			attrs, agreements, micros(created), micros(updated), micros(activity)},
		uuids: slices.Clone(p.UUIDs),
	})
	p.ClientID, p.WorkspaceID = id, ws.ID
	p.CreatedAt, p.UpdatedAt, p.LastActivityAt = created, updated, activity
	return nil
}

// orTime returns t as stored, or def when t is zero.
func orTime(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return storedTime(t)
}

// UpdateProfile writes p's Email, CustomID, Attributes, Agreements,
// UpdatedAt and LastActivityAt. A unique identifier already taken, or a
// profile that no longer exists, returns kith.ErrRetry.
func (t *tx) UpdateProfile(ctx context.Context, ws *kith.Workspace, p *kith.Profile) error {
	emailKey, attrs, agreements, recognized, err := profileValues(ws, p)
	if err != nil {
		return err
	}
	updated, activity := storedTime(p.UpdatedAt), storedTime(p.LastActivityAt)
	n, err := t.affected(ctx, `UPDATE profiles SET email = ?, email_key = ?, custom_id = ?, recognized = ?,
		attributes = ?, agreements = ?, updated_at = ?, last_activity_at = ?
		WHERE workspace_id = ? AND client_id = ?`,
		nullText(p.Email), emailKey, nullText(p.CustomID), recognized, attrs, agreements,
		micros(updated), micros(activity), ws.ID, p.ClientID)
	if err != nil {
		return retryable("update profile", err)
	}
	if n == 0 {
		return errGone("update profile", p.ClientID)
	}
	p.UpdatedAt, p.LastActivityAt = updated, activity
	return nil
}

// errGone reports a profile that vanished under a transaction (merged away
// or deleted); running the transaction again resolves the write afresh.
func errGone(op string, clientID int64) error {
	return fmt.Errorf("sqlite: %s: profile %d no longer exists: %w", op, clientID, kith.ErrRetry)
}

// AddUUID attaches uuid to a profile. It does nothing when the profile has
// it already, and returns kith.ErrRetry when another profile has it or the
// profile no longer exists.
func (t *tx) AddUUID(ctx context.Context, ws, clientID int64, uuid string) error {
	n, err := t.affected(ctx, `INSERT INTO profile_uuids (workspace_id, uuid, client_id) VALUES (?, ?, ?)
		ON CONFLICT (workspace_id, uuid) DO NOTHING`, ws, uuid, clientID)
	if err != nil {
		return retryable("add uuid", err)
	}
	if n == 1 {
		return nil
	}
	owner, err := t.FindClientID(ctx, ws, kith.KindUUID, uuid)
	if err != nil {
		return err
	}
	if owner != clientID {
		return fmt.Errorf("sqlite: add uuid: %s belongs to profile %d: %w", uuid, owner, kith.ErrRetry)
	}
	return nil
}

// AddProfileTags adds tags to a profile and returns those it did not have,
// in the given order (a tag given twice counts once).
func (t *tx) AddProfileTags(ctx context.Context, ws, clientID int64, tags []string) ([]string, error) {
	var added []string
	for _, tag := range tags {
		n, err := t.affected(ctx, `INSERT INTO profile_tags (workspace_id, client_id, tag) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, ws, clientID, tag)
		if err != nil {
			return nil, retryable("add tags", err)
		}
		if n == 1 {
			added = append(added, tag)
		}
	}
	return added, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kithcdp/kith"
)

const keyColumns = `id, workspace_id, kind, name, hash, prefix, created_at, revoked_at`

// UpdateWorkspace applies u to workspace id and returns it as stored
// (not_found, conflict, invalid_setting, identity_mode_locked). The store
// has one writer, so reading and writing the row in one transaction is
// enough to keep concurrent updates apart. Switching to customId identity
// mode rewrites the workspace's profiles in the same transaction; the
// triggers of migration 0003 keep later writes that still hold the old
// email-mode Workspace from setting email keys again.
func (t *tx) UpdateWorkspace(ctx context.Context, id int64, u kith.WorkspaceUpdate) (*kith.Workspace, error) {
	ws, err := t.FindWorkspace(ctx, id)
	if err != nil {
		return nil, err
	}
	oldMode := ws.IdentityMode
	if err := u.Apply(ws); err != nil {
		return nil, err
	}
	blocked, err := jsonText(ws.BlockedIdentifiers)
	if err != nil {
		return nil, storeErr("encode blocked identifiers", err)
	}
	origins, err := jsonText(ws.AllowedOrigins)
	if err != nil {
		return nil, storeErr("encode allowed origins", err)
	}
	_, err = t.exec(ctx, `UPDATE workspaces SET name = ?, identity_mode = ?, uuid_policy = ?, uuid_salt = ?,
		blocked_identifiers = ?, allowed_origins = ?, segment_user_id_as = ? WHERE id = ?`,
		ws.Name, ws.IdentityMode, ws.UUIDPolicy, ws.UUIDSalt, blocked, origins, ws.SegmentUserIDAs, id)
	if isUnique(err) {
		return nil, kith.FieldErrorf("name", kith.ECodeConflict, "a workspace named %q already exists", ws.Name)
	}
	if err != nil {
		return nil, storeErr("update workspace", err)
	}
	if oldMode == kith.ModeEmail && ws.IdentityMode == kith.ModeCustomID {
		if _, err := t.exec(ctx, `UPDATE profiles SET email_key = NULL, recognized = (custom_id IS NOT NULL)
			WHERE workspace_id = ? AND (email_key IS NOT NULL OR recognized <> (custom_id IS NOT NULL))`, id); err != nil {
			return nil, storeErr("switch identity mode", err)
		}
	}
	return ws, nil
}

// ListKeys returns the workspace's keys, oldest first.
func (t *tx) ListKeys(ctx context.Context, ws int64) ([]*kith.Key, error) {
	rows, err := t.query(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE workspace_id = ?
		ORDER BY created_at, id`, ws)
	if err != nil {
		return nil, storeErr("list keys", err)
	}
	defer rows.Close()
	var keys []*kith.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("list keys", err)
	}
	return keys, nil
}

// RevokeKey marks a key revoked at at, unless it is already (not_found).
func (t *tx) RevokeKey(ctx context.Context, ws int64, id string, at time.Time) (*kith.Key, error) {
	k, err := scanKey(t.queryRow(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?)
		WHERE workspace_id = ? AND id = ? RETURNING `+keyColumns, micros(at), ws, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("key %q not found", id)
	}
	return k, err
}

// scanKey reads a row of keyColumns.
func scanKey(r interface{ Scan(...any) error }) (*kith.Key, error) {
	var k kith.Key
	var created int64
	var revoked sql.NullInt64
	err := r.Scan(&k.ID, &k.WorkspaceID, &k.Kind, &k.Name, &k.Hash, &k.Prefix, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err != nil {
		return nil, storeErr("read key", err)
	}
	k.CreatedAt = fromMicros(created)
	if revoked.Valid {
		r := fromMicros(revoked.Int64)
		k.RevokedAt = &r
	}
	return &k, nil
}

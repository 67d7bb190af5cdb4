package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

const keyColumns = `id, workspace_id, kind, name, hash, prefix, created_at, revoked_at`

// UpdateWorkspace applies u to workspace id, locked FOR NO KEY UPDATE so
// that concurrent updates apply one after the other, and returns it as
// stored (not_found, conflict, invalid_setting, identity_mode_locked).
//
// Switching to customId identity mode clears the email keys and recomputes
// the recognized flags of the workspace's profiles. It first locks the
// profiles table in EXCLUSIVE mode, before anything else so that it waits
// holding nothing: that waits for every transaction that has written or
// locked profile rows, whose rows the UPDATE then sees and none of which
// can hold a row it must change, and holds back new ones until the switch
// commits; after that the trigger of migration 0003 sees customId mode and
// corrects rows written with a stale email-mode Workspace. Profile writes
// and event inserts of every workspace wait meanwhile: the switch is a
// rare, one-way operation.
func (t *tx) UpdateWorkspace(ctx context.Context, id int64, u kith.WorkspaceUpdate) (*kith.Workspace, error) {
	if u.IdentityMode != nil && *u.IdentityMode == kith.ModeCustomID {
		var mode string
		err := t.pg.QueryRow(ctx, "SELECT identity_mode FROM workspaces WHERE id = $1", id).Scan(&mode)
		if err != nil && !noRows(err) {
			return nil, wrap("read workspace", err)
		}
		if mode == kith.ModeEmail {
			if _, err := t.pg.Exec(ctx, "LOCK TABLE profiles IN EXCLUSIVE MODE"); err != nil {
				return nil, wrap("switch identity mode: lock profiles", err)
			}
		}
	}
	ws, err := scanWorkspace(t.pg.QueryRow(ctx,
		"SELECT "+workspaceColumns+" FROM workspaces WHERE id = $1 FOR NO KEY UPDATE", id))
	if noRows(err) {
		return nil, notFound("workspace %d not found", id)
	}
	if err != nil {
		return nil, wrap("lock workspace", err)
	}
	oldMode := ws.IdentityMode
	if err := u.Apply(ws); err != nil {
		return nil, err
	}
	var taken bool
	if err := t.pg.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM workspaces WHERE name = $1 AND id <> $2)",
		ws.Name, id).Scan(&taken); err != nil {
		return nil, wrap("check workspace name", err)
	}
	if taken {
		return nil, kith.FieldErrorf("name", kith.ECodeConflict, "a workspace named %q already exists", ws.Name)
	}
	blocked, err := jsonList(ws.BlockedIdentifiers)
	if err != nil {
		return nil, wrap("update workspace", err)
	}
	origins, err := jsonList(ws.AllowedOrigins)
	if err != nil {
		return nil, wrap("update workspace", err)
	}
	_, err = t.pg.Exec(ctx, `UPDATE workspaces SET name = $2, identity_mode = $3, uuid_policy = $4,
			uuid_salt = $5, blocked_identifiers = $6, allowed_origins = $7, segment_user_id_as = $8
		WHERE id = $1`,
		id, ws.Name, ws.IdentityMode, ws.UUIDPolicy, ws.UUIDSalt, blocked, origins, ws.SegmentUserIDAs)
	if isUniqueViolation(err) {
		// A concurrent rename took the name after the check above.
		return nil, fmt.Errorf("postgres: update workspace: %w: %w",
			kith.FieldErrorf("name", kith.ECodeConflict, "a workspace named %q already exists", ws.Name), err)
	}
	if err != nil {
		return nil, wrap("update workspace", err)
	}
	if oldMode == kith.ModeEmail && ws.IdentityMode == kith.ModeCustomID {
		if _, err := t.pg.Exec(ctx, `UPDATE profiles SET email_key = NULL, recognized = (custom_id IS NOT NULL)
			WHERE workspace_id = $1 AND (email_key IS NOT NULL OR recognized <> (custom_id IS NOT NULL))`, id); err != nil {
			return nil, wrap("switch identity mode", err)
		}
	}
	return ws, nil
}

// ListKeys returns the workspace's keys, oldest first.
func (t *tx) ListKeys(ctx context.Context, ws int64) ([]*kith.Key, error) {
	rows, err := t.pg.Query(ctx, "SELECT "+keyColumns+" FROM api_keys WHERE workspace_id = $1 ORDER BY created_at, id", ws)
	if err != nil {
		return nil, wrap("list keys", err)
	}
	keys, err := collectRows(rows, func(r pgx.CollectableRow) (*kith.Key, error) { return scanKey(r) })
	if err != nil {
		return nil, wrap("list keys", err)
	}
	return keys, nil
}

// RevokeKey marks a key revoked at at, unless it is already (not_found).
func (t *tx) RevokeKey(ctx context.Context, ws int64, id string, at time.Time) (*kith.Key, error) {
	k, err := scanKey(t.pg.QueryRow(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3)
		WHERE workspace_id = $1 AND id = $2 RETURNING `+keyColumns, ws, id, ts(at)))
	if noRows(err) {
		return nil, notFound("key %q not found", id)
	}
	if err != nil {
		return nil, wrap("revoke key", err)
	}
	return k, nil
}

// scanKey reads a row of keyColumns.
func scanKey(row pgx.Row) (*kith.Key, error) {
	var k kith.Key
	var revoked *time.Time
	if err := row.Scan(&k.ID, &k.WorkspaceID, &k.Kind, &k.Name, &k.Hash, &k.Prefix, &k.CreatedAt, &revoked); err != nil {
		return nil, err
	}
	k.CreatedAt = k.CreatedAt.UTC()
	if revoked != nil {
		r := revoked.UTC()
		k.RevokedAt = &r
	}
	return &k, nil
}

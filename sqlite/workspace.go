package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/kithcdp/kith"
)

const workspaceColumns = `id, name, identity_mode, uuid_policy, uuid_salt, blocked_identifiers,
	allowed_origins, segment_user_id_as, created_at`

// CreateWorkspace stores ws and sets its ID and CreatedAt (now when zero).
// It returns conflict when the name is taken.
func (t *tx) CreateWorkspace(ctx context.Context, ws *kith.Workspace) error {
	created := ws.CreatedAt
	if created.IsZero() {
		created = t.now()
	}
	created = storedTime(created)
	// nil and empty lists are kept apart: a nil blocklist means the
	// default one, an empty one means none.
	blocked, err := jsonText(ws.BlockedIdentifiers)
	if err != nil {
		return storeErr("encode blocked identifiers", err)
	}
	origins, err := jsonText(ws.AllowedOrigins)
	if err != nil {
		return storeErr("encode allowed origins", err)
	}
	var id int64
	err = t.queryRow(ctx, `INSERT INTO workspaces (name, identity_mode, uuid_policy, uuid_salt,
		blocked_identifiers, allowed_origins, segment_user_id_as, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ws.Name, ws.IdentityMode, ws.UUIDPolicy, ws.UUIDSalt, blocked, origins, ws.SegmentUserIDAs,
		micros(created)).Scan(&id)
	if isUnique(err) {
		return kith.Errorf(kith.ECodeConflict, "a workspace named %q already exists", ws.Name)
	}
	if err != nil {
		return storeErr("create workspace", err)
	}
	ws.ID, ws.CreatedAt = id, created
	return nil
}

// FindWorkspace returns the workspace with id (not_found).
func (t *tx) FindWorkspace(ctx context.Context, id int64) (*kith.Workspace, error) {
	ws, err := scanWorkspace(t.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("workspace %d not found", id)
	}
	return ws, err
}

// FindWorkspaceByName returns the workspace called name (not_found).
func (t *tx) FindWorkspaceByName(ctx context.Context, name string) (*kith.Workspace, error) {
	ws, err := scanWorkspace(t.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("workspace %q not found", name)
	}
	return ws, err
}

func scanWorkspace(r row) (*kith.Workspace, error) {
	var ws kith.Workspace
	var blocked, origins []byte
	var created int64
	err := r.Scan(&ws.ID, &ws.Name, &ws.IdentityMode, &ws.UUIDPolicy, &ws.UUIDSalt, &blocked, &origins,
		&ws.SegmentUserIDAs, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err != nil {
		return nil, storeErr("read workspace", err)
	}
	ws.CreatedAt = fromMicros(created)
	if err := decodeJSON(blocked, &ws.BlockedIdentifiers); err != nil {
		return nil, storeErr("decode blocked identifiers", err)
	}
	if err := decodeJSON(origins, &ws.AllowedOrigins); err != nil {
		return nil, storeErr("decode allowed origins", err)
	}
	return &ws, nil
}

// CreateKey stores k, setting CreatedAt to now when zero. It returns
// conflict when the id or hash exists, not_found when the workspace does
// not.
func (t *tx) CreateKey(ctx context.Context, k *kith.Key) error {
	created := k.CreatedAt
	if created.IsZero() {
		created = t.now()
	}
	created = storedTime(created)
	var revoked *int64
	if k.RevokedAt != nil {
		v := micros(*k.RevokedAt)
		revoked = &v
	}
	_, err := t.exec(ctx, `INSERT INTO api_keys (id, workspace_id, kind, name, hash, prefix, created_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.WorkspaceID, k.Kind, k.Name, k.Hash, k.Prefix, micros(created), revoked)
	switch {
	case isUnique(err):
		return kith.Errorf(kith.ECodeConflict, "key %q already exists", k.ID)
	case isForeignKey(err):
		return notFound("workspace %d not found", k.WorkspaceID)
	case err != nil:
		return storeErr("create key", err)
	}
	k.CreatedAt = created
	if k.RevokedAt != nil {
		r := storedTime(*k.RevokedAt)
		k.RevokedAt = &r
	}
	return nil
}

// FindKeyByHash returns the key whose hash is hash, revoked or not
// (not_found). It is the one lookup not scoped to a workspace: the key is
// what tells which workspace a request belongs to.
func (t *tx) FindKeyByHash(ctx context.Context, hash []byte) (*kith.Key, error) {
	var k kith.Key
	var created int64
	var revoked sql.NullInt64
	err := t.queryRow(ctx, `SELECT id, workspace_id, kind, name, hash, prefix, created_at, revoked_at
		FROM api_keys WHERE hash = ?`, hash).
		Scan(&k.ID, &k.WorkspaceID, &k.Kind, &k.Name, &k.Hash, &k.Prefix, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("key not found")
	}
	if err != nil {
		return nil, storeErr("find key", err)
	}
	k.CreatedAt = fromMicros(created)
	if revoked.Valid {
		r := fromMicros(revoked.Int64)
		k.RevokedAt = &r
	}
	return &k, nil
}

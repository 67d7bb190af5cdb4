package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

const workspaceColumns = `id, name, identity_mode, uuid_policy, uuid_salt, blocked_identifiers,
	allowed_origins, segment_user_id_as, created_at`

// FindWorkspace returns the workspace with id (not_found).
func (t *tx) FindWorkspace(ctx context.Context, id int64) (*kith.Workspace, error) {
	row := t.pg.QueryRow(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE id = $1", id)
	ws, err := scanWorkspace(row)
	if noRows(err) {
		return nil, notFound("workspace %d not found", id)
	}
	if err != nil {
		return nil, wrap("find workspace", err)
	}
	return ws, nil
}

// FindWorkspaceByName returns the workspace called name (not_found).
func (t *tx) FindWorkspaceByName(ctx context.Context, name string) (*kith.Workspace, error) {
	row := t.pg.QueryRow(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE name = $1", name)
	ws, err := scanWorkspace(row)
	if noRows(err) {
		return nil, notFound("workspace %q not found", name)
	}
	if err != nil {
		return nil, wrap("find workspace by name", err)
	}
	return ws, nil
}

// CreateWorkspace stores ws and sets its ID and CreatedAt (now when zero).
// A nil BlockedIdentifiers (the default list) stays apart from an empty one.
// It returns conflict when the name is taken; the transaction stays usable.
func (t *tx) CreateWorkspace(ctx context.Context, ws *kith.Workspace) error {
	createdAt := orTime(ws.CreatedAt, t.now())
	blocked, err := jsonList(ws.BlockedIdentifiers)
	if err != nil {
		return wrap("create workspace", err)
	}
	origins, err := jsonList(ws.AllowedOrigins)
	if err != nil {
		return wrap("create workspace", err)
	}
	var id int64
	err = t.pg.QueryRow(ctx, `INSERT INTO workspaces (name, identity_mode, uuid_policy, uuid_salt,
			blocked_identifiers, allowed_origins, segment_user_id_as, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (name) DO NOTHING
		RETURNING id`,
		ws.Name, ws.IdentityMode, ws.UUIDPolicy, ws.UUIDSalt, blocked, origins,
		ws.SegmentUserIDAs, createdAt).Scan(&id)
	if noRows(err) {
		return kith.Errorf(kith.ECodeConflict, "a workspace named %q already exists", ws.Name)
	}
	if err != nil {
		return wrap("create workspace", err)
	}
	ws.ID, ws.CreatedAt = id, createdAt
	return nil
}

// CreateKey stores k, setting CreatedAt to now when zero. It returns
// conflict when the id or hash exists (the transaction stays usable) and
// not_found when the workspace does not.
func (t *tx) CreateKey(ctx context.Context, k *kith.Key) error {
	createdAt := orTime(k.CreatedAt, t.now())
	var revoked *time.Time
	if k.RevokedAt != nil {
		r := ts(*k.RevokedAt)
		revoked = &r
	}
	tag, err := t.pg.Exec(ctx, `INSERT INTO api_keys (id, workspace_id, kind, name, hash, prefix, created_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT DO NOTHING`,
		k.ID, k.WorkspaceID, k.Kind, k.Name, k.Hash, k.Prefix, createdAt, revoked)
	if err != nil {
		return wrapWorkspaceWrite("create key", k.WorkspaceID, err)
	}
	if tag.RowsAffected() == 0 {
		return kith.Errorf(kith.ECodeConflict, "key %q already exists", k.ID)
	}
	k.CreatedAt, k.RevokedAt = createdAt, revoked
	return nil
}

// FindKeyByHash returns the key whose hash is hash, revoked or not
// (not_found). It is the one lookup not scoped to a workspace: the key is
// what tells which workspace a request belongs to.
func (t *tx) FindKeyByHash(ctx context.Context, hash []byte) (*kith.Key, error) {
	var k kith.Key
	var revoked *time.Time
	err := t.pg.QueryRow(ctx, `SELECT id, workspace_id, kind, name, hash, prefix, created_at, revoked_at
		FROM api_keys WHERE hash = $1`, hash).
		Scan(&k.ID, &k.WorkspaceID, &k.Kind, &k.Name, &k.Hash, &k.Prefix, &k.CreatedAt, &revoked)
	if noRows(err) {
		return nil, notFound("key not found")
	}
	if err != nil {
		return nil, wrap("find key", err)
	}
	k.CreatedAt = k.CreatedAt.UTC()
	if revoked != nil {
		r := revoked.UTC()
		k.RevokedAt = &r
	}
	return &k, nil
}

// scanWorkspace reads a row of workspaceColumns.
func scanWorkspace(row pgx.Row) (*kith.Workspace, error) {
	var ws kith.Workspace
	var blocked, origins []byte
	if err := row.Scan(&ws.ID, &ws.Name, &ws.IdentityMode, &ws.UUIDPolicy, &ws.UUIDSalt,
		&blocked, &origins, &ws.SegmentUserIDAs, &ws.CreatedAt); err != nil {
		return nil, err
	}
	if err := decodeJSON(blocked, &ws.BlockedIdentifiers); err != nil {
		return nil, err
	}
	if err := decodeJSON(origins, &ws.AllowedOrigins); err != nil {
		return nil, err
	}
	ws.CreatedAt = ws.CreatedAt.UTC()
	return &ws, nil
}

// jsonList encodes a list for a nullable jsonb column: nil stays NULL, so
// that a nil BlockedIdentifiers (the default list) differs from an empty one.
func jsonList(l []string) ([]byte, error) {
	if l == nil {
		return nil, nil
	}
	return jsonValue(l)
}

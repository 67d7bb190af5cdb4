package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

// defaultTagColor is the colour of a tag created by its first use (the same
// as the SQLite store's).
const defaultTagColor = "#6b7280"

// ListAttributeDefs returns the workspace's attribute definitions by name
// (byte order, as Go and SQLite compare strings).
func (t *tx) ListAttributeDefs(ctx context.Context, ws int64) ([]kith.AttributeDef, error) {
	rows, err := t.pg.Query(ctx, `SELECT name, type, description, is_default, created_at
		FROM attribute_defs WHERE workspace_id = $1 ORDER BY name COLLATE "C"`, ws)
	if err != nil {
		return nil, wrap("list attribute defs", err)
	}
	defs, err := collectRows(rows, func(row pgx.CollectableRow) (kith.AttributeDef, error) {
		var d kith.AttributeDef
		err := row.Scan(&d.Name, &d.Type, &d.Description, &d.Default, &d.CreatedAt)
		d.CreatedAt = d.CreatedAt.UTC()
		return d, err
	})
	if err != nil {
		return nil, wrap("list attribute defs", err)
	}
	return defs, nil
}

// CreateAttributeDef adds an attribute definition, setting CreatedAt to now
// when zero. It returns conflict when the name exists (the transaction stays
// usable) and not_found when the workspace does not.
func (t *tx) CreateAttributeDef(ctx context.Context, ws int64, def *kith.AttributeDef) error {
	createdAt := orTime(def.CreatedAt, t.now())
	tag, err := t.pg.Exec(ctx, `INSERT INTO attribute_defs (workspace_id, name, type, description, is_default, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (workspace_id, name) DO NOTHING`,
		ws, def.Name, def.Type, def.Description, def.Default, createdAt)
	if err != nil {
		return wrapWorkspaceWrite("create attribute def", ws, err)
	}
	if tag.RowsAffected() == 0 {
		return kith.Errorf(kith.ECodeConflict, "attribute %q is already defined", def.Name)
	}
	def.CreatedAt = createdAt
	return nil
}

// ListTags returns the workspace's tag catalogue by name.
func (t *tx) ListTags(ctx context.Context, ws int64) ([]kith.Tag, error) {
	rows, err := t.pg.Query(ctx, `SELECT name, color, description, created_at
		FROM tags WHERE workspace_id = $1 ORDER BY name COLLATE "C"`, ws)
	if err != nil {
		return nil, wrap("list tags", err)
	}
	tags, err := collectRows(rows, func(row pgx.CollectableRow) (kith.Tag, error) {
		var tag kith.Tag
		err := row.Scan(&tag.Name, &tag.Color, &tag.Description, &tag.CreatedAt)
		tag.CreatedAt = tag.CreatedAt.UTC()
		return tag, err
	})
	if err != nil {
		return nil, wrap("list tags", err)
	}
	return tags, nil
}

// EnsureTags adds the tags missing from the catalogue with the default
// colour and created at at; existing tags are left unchanged. Names are inserted in sorted order, so that two
// transactions adding the same new tags cannot deadlock on them.
func (t *tx) EnsureTags(ctx context.Context, ws int64, names []string, at time.Time) error {
	names = unique(names)
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	_, err := t.pg.Exec(ctx, `INSERT INTO tags (workspace_id, name, color, description, created_at)
		SELECT $1, x, $3, '', $4 FROM unnest($2::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n
		ON CONFLICT (workspace_id, name) DO NOTHING`, ws, names, defaultTagColor, ts(at))
	if err != nil {
		return wrapWorkspaceWrite("ensure tags", ws, err)
	}
	return nil
}

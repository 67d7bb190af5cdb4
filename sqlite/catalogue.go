package sqlite

import (
	"context"
	"time"

	"github.com/kithcdp/kith"
)

// defaultTagColor is the colour of a tag created by its first use.
const defaultTagColor = "#6b7280"

// CreateAttributeDef adds a custom attribute definition, setting CreatedAt
// to now when zero. It returns conflict when the name exists and not_found
// when the workspace does not.
func (t *tx) CreateAttributeDef(ctx context.Context, ws int64, def *kith.AttributeDef) error {
	created := def.CreatedAt
	if created.IsZero() {
		created = t.now()
	}
	created = storedTime(created)
	_, err := t.exec(ctx, `INSERT INTO attribute_defs (workspace_id, name, type, description, is_default, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, ws, def.Name, def.Type, def.Description, def.Default, micros(created))
	switch {
	case isUnique(err):
		return kith.Errorf(kith.ECodeConflict, "attribute %q is already defined", def.Name)
	case isForeignKey(err):
		return notFound("workspace %d not found", ws)
	case err != nil:
		return storeErr("create attribute", err)
	}
	def.CreatedAt = created
	return nil
}

// ListAttributeDefs returns the attribute definitions by name (byte order,
// as PostgreSQL's "C" collation).
func (t *tx) ListAttributeDefs(ctx context.Context, ws int64) ([]kith.AttributeDef, error) {
	rows, err := t.query(ctx, `SELECT name, type, description, is_default, created_at FROM attribute_defs
		WHERE workspace_id = ? ORDER BY name`, ws)
	if err != nil {
		return nil, storeErr("list attributes", err)
	}
	defer rows.Close()
	var out []kith.AttributeDef
	for rows.Next() {
		var d kith.AttributeDef
		var created int64
		if err := rows.Scan(&d.Name, &d.Type, &d.Description, &d.Default, &created); err != nil {
			return nil, storeErr("list attributes", err)
		}
		d.CreatedAt = fromMicros(created)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("list attributes", err)
	}
	return out, nil
}

// EnsureTags adds the tags of names missing from the catalogue, with the
// default colour and created at at; existing tags are left unchanged.
func (t *tx) EnsureTags(ctx context.Context, ws int64, names []string, at time.Time) error {
	for _, name := range names {
		_, err := t.exec(ctx, `INSERT INTO tags (workspace_id, name, color, description, created_at)
			VALUES (?, ?, ?, '', ?) ON CONFLICT DO NOTHING`, ws, name, defaultTagColor, micros(at))
		if isForeignKey(err) {
			return notFound("workspace %d not found", ws)
		}
		if err != nil {
			return storeErr("ensure tags", err)
		}
	}
	return nil
}

// ListTags returns the tag catalogue by name.
func (t *tx) ListTags(ctx context.Context, ws int64) ([]kith.Tag, error) {
	rows, err := t.query(ctx, `SELECT name, color, description, created_at FROM tags
		WHERE workspace_id = ? ORDER BY name`, ws)
	if err != nil {
		return nil, storeErr("list tags", err)
	}
	defer rows.Close()
	var out []kith.Tag
	for rows.Next() {
		var tag kith.Tag
		var created int64
		if err := rows.Scan(&tag.Name, &tag.Color, &tag.Description, &created); err != nil {
			return nil, storeErr("list tags", err)
		}
		tag.CreatedAt = fromMicros(created)
		out = append(out, tag)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("list tags", err)
	}
	return out, nil
}

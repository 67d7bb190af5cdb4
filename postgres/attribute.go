package postgres

import (
	"context"

	"github.com/kithcdp/kith"
)

// FindAttributeDef returns the custom attribute definition name
// (not_found).
func (t *tx) FindAttributeDef(ctx context.Context, ws int64, name string) (*kith.AttributeDef, error) {
	var d kith.AttributeDef
	err := t.pg.QueryRow(ctx, `SELECT name, type, description, is_default, created_at FROM attribute_defs
		WHERE workspace_id = $1 AND name = $2`, ws, name).Scan(&d.Name, &d.Type, &d.Description, &d.Default, &d.CreatedAt)
	if noRows(err) {
		return nil, notFound("attribute %q is not defined", name)
	}
	if err != nil {
		return nil, wrap("find attribute def", err)
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return &d, nil
}

// AttributeInUse reports whether a profile holds a value of the attribute
// name (values are never null, so a present key is a value). It reads
// every profile of the workspace when none does, which is the case where
// it matters (deleting a definition), a rare operation.
func (t *tx) AttributeInUse(ctx context.Context, ws int64, name string) (bool, error) {
	var used bool
	err := t.pg.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM profiles WHERE workspace_id = $1 AND attributes ? $2)`,
		ws, name).Scan(&used)
	if err != nil {
		return false, wrap("attribute in use", err)
	}
	return used, nil
}

// UpdateAttributeDef writes the description of the custom attribute
// def.Name (not_found).
func (t *tx) UpdateAttributeDef(ctx context.Context, ws int64, def *kith.AttributeDef) error {
	tag, err := t.pg.Exec(ctx, `UPDATE attribute_defs SET description = $3 WHERE workspace_id = $1 AND name = $2`,
		ws, def.Name, def.Description)
	if err != nil {
		return wrap("update attribute def", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("attribute %q is not defined", def.Name)
	}
	return nil
}

// DeleteAttributeDef removes the custom attribute definition name
// (not_found).
func (t *tx) DeleteAttributeDef(ctx context.Context, ws int64, name string) error {
	tag, err := t.pg.Exec(ctx, `DELETE FROM attribute_defs WHERE workspace_id = $1 AND name = $2`, ws, name)
	if err != nil {
		return wrap("delete attribute def", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("attribute %q is not defined", name)
	}
	return nil
}

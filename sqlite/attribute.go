package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/kithcdp/kith"
)

// FindAttributeDef returns the custom attribute definition name
// (not_found).
func (t *tx) FindAttributeDef(ctx context.Context, ws int64, name string) (*kith.AttributeDef, error) {
	var d kith.AttributeDef
	var created int64
	err := t.queryRow(ctx, `SELECT name, type, description, is_default, created_at FROM attribute_defs
		WHERE workspace_id = ? AND name = ?`, ws, name).Scan(&d.Name, &d.Type, &d.Description, &d.Default, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("attribute %q is not defined", name)
	}
	if err != nil {
		return nil, storeErr("find attribute", err)
	}
	d.CreatedAt = fromMicros(created)
	return &d, nil
}

// AttributeInUse reports whether a profile holds a value of the attribute
// name. Values are never null, so a present key is a value. It reads every
// profile of the workspace when none does, which is the case where it
// matters (deleting a definition), a rare operation.
func (t *tx) AttributeInUse(ctx context.Context, ws int64, name string) (bool, error) {
	var used bool
	// Names are letters, digits, '_', '-' and '.': quoted, they are a
	// valid JSON path member.
	err := t.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM profiles WHERE workspace_id = ?
		AND json_type(attributes, ?) IS NOT NULL)`, ws, `$."`+name+`"`).Scan(&used)
	if err != nil {
		return false, storeErr("attribute in use", err)
	}
	return used, nil
}

// UpdateAttributeDef writes the description of the custom attribute
// def.Name (not_found).
func (t *tx) UpdateAttributeDef(ctx context.Context, ws int64, def *kith.AttributeDef) error {
	n, err := t.affected(ctx, `UPDATE attribute_defs SET description = ? WHERE workspace_id = ? AND name = ?`,
		def.Description, ws, def.Name)
	if err != nil {
		return storeErr("update attribute", err)
	}
	if n == 0 {
		return notFound("attribute %q is not defined", def.Name)
	}
	return nil
}

// DeleteAttributeDef removes the custom attribute definition name
// (not_found).
func (t *tx) DeleteAttributeDef(ctx context.Context, ws int64, name string) error {
	n, err := t.affected(ctx, `DELETE FROM attribute_defs WHERE workspace_id = ? AND name = ?`, ws, name)
	if err != nil {
		return storeErr("delete attribute", err)
	}
	if n == 0 {
		return notFound("attribute %q is not defined", name)
	}
	return nil
}

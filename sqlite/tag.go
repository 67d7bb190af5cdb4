package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/kithcdp/kith"
)

// FindTag returns the catalogue entry of a tag (not_found).
func (t *tx) FindTag(ctx context.Context, ws int64, name string) (*kith.Tag, error) {
	var tag kith.Tag
	var created int64
	err := t.queryRow(ctx, `SELECT name, color, description, created_at FROM tags
		WHERE workspace_id = ? AND name = ?`, ws, name).Scan(&tag.Name, &tag.Color, &tag.Description, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("tag %q is not in the catalogue", name)
	}
	if err != nil {
		return nil, storeErr("find tag", err)
	}
	tag.CreatedAt = fromMicros(created)
	return &tag, nil
}

// TagInUse reports whether any profile has the tag.
func (t *tx) TagInUse(ctx context.Context, ws int64, name string) (bool, error) {
	var used bool
	err := t.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM profile_tags WHERE workspace_id = ? AND tag = ?)`,
		ws, name).Scan(&used)
	if err != nil {
		return false, storeErr("tag in use", err)
	}
	return used, nil
}

// CreateTag adds a tag to the catalogue, setting CreatedAt to now when
// zero (conflict when it exists, not_found without the workspace).
func (t *tx) CreateTag(ctx context.Context, ws int64, tag *kith.Tag) error {
	created := storedTime(orTime(tag.CreatedAt, t.now()))
	_, err := t.exec(ctx, `INSERT INTO tags (workspace_id, name, color, description, created_at)
		VALUES (?, ?, ?, ?, ?)`, ws, tag.Name, tag.Color, tag.Description, micros(created))
	switch {
	case isUnique(err):
		return kith.FieldErrorf("name", kith.ECodeConflict, "tag %q is already in the catalogue", tag.Name)
	case isForeignKey(err):
		return notFound("workspace %d not found", ws)
	case err != nil:
		return storeErr("create tag", err)
	}
	tag.CreatedAt = created
	return nil
}

// UpdateTag writes the colour and description of tag.Name (not_found).
func (t *tx) UpdateTag(ctx context.Context, ws int64, tag *kith.Tag) error {
	n, err := t.affected(ctx, `UPDATE tags SET color = ?, description = ? WHERE workspace_id = ? AND name = ?`,
		tag.Color, tag.Description, ws, tag.Name)
	if err != nil {
		return storeErr("update tag", err)
	}
	if n == 0 {
		return notFound("tag %q is not in the catalogue", tag.Name)
	}
	return nil
}

// DeleteTag removes a tag from the catalogue and from every profile, and
// returns the profiles that had it, ascending (not_found).
func (t *tx) DeleteTag(ctx context.Context, ws int64, name string) ([]int64, error) {
	n, err := t.affected(ctx, `DELETE FROM tags WHERE workspace_id = ? AND name = ?`, ws, name)
	if err != nil {
		return nil, storeErr("delete tag", err)
	}
	if n == 0 {
		return nil, notFound("tag %q is not in the catalogue", name)
	}
	ids, err := t.ints(ctx, `DELETE FROM profile_tags WHERE workspace_id = ? AND tag = ? RETURNING client_id`, ws, name)
	if err != nil {
		return nil, storeErr("delete tag", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// RemoveProfileTag removes a tag from a profile and reports whether the
// profile had it.
func (t *tx) RemoveProfileTag(ctx context.Context, ws, clientID int64, tag string) (bool, error) {
	n, err := t.affected(ctx, `DELETE FROM profile_tags WHERE workspace_id = ? AND client_id = ? AND tag = ?`,
		ws, clientID, tag)
	if err != nil {
		return false, storeErr("remove tag", err)
	}
	return n > 0, nil
}

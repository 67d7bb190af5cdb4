package postgres

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

// FindTag returns the catalogue entry of a tag (not_found).
func (t *tx) FindTag(ctx context.Context, ws int64, name string) (*kith.Tag, error) {
	var tag kith.Tag
	err := t.pg.QueryRow(ctx, `SELECT name, color, description, created_at FROM tags
		WHERE workspace_id = $1 AND name = $2`, ws, name).Scan(&tag.Name, &tag.Color, &tag.Description, &tag.CreatedAt)
	if noRows(err) {
		return nil, notFound("tag %q is not in the catalogue", name)
	}
	if err != nil {
		return nil, wrap("find tag", err)
	}
	tag.CreatedAt = tag.CreatedAt.UTC()
	return &tag, nil
}

// TagInUse reports whether any profile has the tag.
func (t *tx) TagInUse(ctx context.Context, ws int64, name string) (bool, error) {
	var used bool
	err := t.pg.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM profile_tags WHERE workspace_id = $1 AND tag = $2)`,
		ws, name).Scan(&used)
	if err != nil {
		return false, wrap("tag in use", err)
	}
	return used, nil
}

// CreateTag adds a tag to the catalogue, setting CreatedAt to now when
// zero. It returns conflict when the tag exists (the transaction stays
// usable) and not_found when the workspace does not.
func (t *tx) CreateTag(ctx context.Context, ws int64, tag *kith.Tag) error {
	created := orTime(tag.CreatedAt, t.now())
	res, err := t.pg.Exec(ctx, `INSERT INTO tags (workspace_id, name, color, description, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, name) DO NOTHING`,
		ws, tag.Name, tag.Color, tag.Description, created)
	if err != nil {
		return wrapWorkspaceWrite("create tag", ws, err)
	}
	if res.RowsAffected() == 0 {
		return kith.FieldErrorf("name", kith.ECodeConflict, "tag %q is already in the catalogue", tag.Name)
	}
	tag.CreatedAt = created
	return nil
}

// UpdateTag writes the colour and description of tag.Name (not_found).
func (t *tx) UpdateTag(ctx context.Context, ws int64, tag *kith.Tag) error {
	res, err := t.pg.Exec(ctx, `UPDATE tags SET color = $3, description = $4 WHERE workspace_id = $1 AND name = $2`,
		ws, tag.Name, tag.Color, tag.Description)
	if err != nil {
		return wrap("update tag", err)
	}
	if res.RowsAffected() == 0 {
		return notFound("tag %q is not in the catalogue", tag.Name)
	}
	return nil
}

// DeleteTag removes a tag from the catalogue and from every profile, and
// returns the profiles that had it, ascending (not_found).
func (t *tx) DeleteTag(ctx context.Context, ws int64, name string) ([]int64, error) {
	res, err := t.pg.Exec(ctx, `DELETE FROM tags WHERE workspace_id = $1 AND name = $2`, ws, name)
	if err != nil {
		return nil, wrap("delete tag", err)
	}
	if res.RowsAffected() == 0 {
		return nil, notFound("tag %q is not in the catalogue", name)
	}
	rows, err := t.pg.Query(ctx, `DELETE FROM profile_tags WHERE workspace_id = $1 AND tag = $2 RETURNING client_id`, ws, name)
	if err != nil {
		return nil, wrap("delete tag", err)
	}
	ids, err := collectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, wrap("delete tag", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// RemoveProfileTag removes a tag from a profile and reports whether the
// profile had it.
func (t *tx) RemoveProfileTag(ctx context.Context, ws, clientID int64, tag string) (bool, error) {
	res, err := t.pg.Exec(ctx, `DELETE FROM profile_tags WHERE workspace_id = $1 AND client_id = $2 AND tag = $3`,
		ws, clientID, tag)
	if err != nil {
		return false, wrap("remove profile tag", err)
	}
	return res.RowsAffected() > 0, nil
}

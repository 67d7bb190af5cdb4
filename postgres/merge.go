package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/kithcdp/kith"
)

// MergeProfile moves what source owns into target — uuids, events, notes,
// devices (keeping the latest LastSeenAt when both have one), tags (union)
// and previous clientIds — records source as a previous clientId of target
// and deletes the source row. Its statements travel in one batch, a single
// round trip. The caller has locked both profiles (not_found when either is
// gone).
func (t *tx) MergeProfile(ctx context.Context, ws, source, target int64) error {
	if source == target {
		return kith.Errorf(kith.ECodeInvalid, "cannot merge profile %d into itself", source)
	}
	b := &pgx.Batch{}
	// Moved uuids go after the target's own in attach order: they get new
	// ids from the sequence, in their old order.
	b.Queue(`UPDATE profile_uuids u SET client_id = $3, id = m.new_id
		FROM (SELECT id, nextval(pg_get_serial_sequence('profile_uuids', 'id')) AS new_id
			FROM (SELECT id FROM profile_uuids WHERE workspace_id = $1 AND client_id = $2 ORDER BY id) o) m
		WHERE u.id = m.id`, ws, source, target)
	b.Queue(`UPDATE events SET client_id = $3 WHERE workspace_id = $1 AND client_id = $2`, ws, source, target)
	b.Queue(`UPDATE notes SET client_id = $3 WHERE workspace_id = $1 AND client_id = $2`, ws, source, target)
	b.Queue(`INSERT INTO devices (workspace_id, client_id, browser, os, device_type, last_seen_at)
		SELECT workspace_id, $3, browser, os, device_type, last_seen_at
		FROM devices WHERE workspace_id = $1 AND client_id = $2
		ON CONFLICT (workspace_id, client_id, browser, os, device_type)
		DO UPDATE SET last_seen_at = GREATEST(devices.last_seen_at, EXCLUDED.last_seen_at)`, ws, source, target)
	b.Queue(`DELETE FROM devices WHERE workspace_id = $1 AND client_id = $2`, ws, source)
	b.Queue(`INSERT INTO profile_tags (workspace_id, client_id, tag)
		SELECT workspace_id, $3, tag FROM profile_tags WHERE workspace_id = $1 AND client_id = $2
		ON CONFLICT DO NOTHING`, ws, source, target)
	b.Queue(`DELETE FROM profile_tags WHERE workspace_id = $1 AND client_id = $2`, ws, source)
	b.Queue(`UPDATE merged_ids SET client_id = $3 WHERE workspace_id = $1 AND client_id = $2`, ws, source, target)
	// Only a source that exists becomes a previous id: a missing one ends
	// as not_found below rather than as a key violation here.
	b.Queue(`INSERT INTO merged_ids (old_client_id, workspace_id, client_id)
		SELECT client_id, workspace_id, $3 FROM profiles WHERE workspace_id = $1 AND client_id = $2`, ws, source, target)
	deleted := b.Queue(`DELETE FROM profiles WHERE workspace_id = $1 AND client_id = $2`, ws, source)
	var gone bool
	deleted.Exec(func(tag pgconn.CommandTag) error {
		gone = tag.RowsAffected() == 0
		return nil
	})
	err := t.pg.SendBatch(ctx, b).Close()
	if isForeignKeyViolation(err) {
		return fmt.Errorf("postgres: merge profile: %w", notFound("profile %d not found", target))
	}
	if err != nil {
		return wrap("merge profile", err)
	}
	if gone {
		return notFound("profile %d not found", source)
	}
	return nil
}

// InsertMerge stores a merge journal entry in m.WorkspaceID and sets m.ID
// (and CreatedAt to now when zero). It returns not_found when the workspace
// does not exist.
func (t *tx) InsertMerge(ctx context.Context, m *kith.Merge) error {
	created := orTime(m.CreatedAt, t.now())
	sources := m.SourceIDs
	if sources == nil {
		sources = []int64{}
	}
	srcJSON, err := jsonValue(sources)
	if err != nil {
		return wrap("insert merge", err)
	}
	moved := []byte("{}")
	if m.Moved != nil {
		if moved, err = jsonValue(m.Moved); err != nil {
			return wrap("insert merge", err)
		}
	}
	err = t.pg.QueryRow(ctx, `INSERT INTO merges (workspace_id, target_id, source_ids, reason, moved, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		m.WorkspaceID, m.TargetID, srcJSON, m.Reason, moved, created).Scan(&m.ID)
	if err != nil {
		return wrapWorkspaceWrite("insert merge", m.WorkspaceID, err)
	}
	m.CreatedAt = created
	return nil
}

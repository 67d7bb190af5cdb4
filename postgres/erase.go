package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

// DeleteProfile erases a profile and everything that refers to it: its
// uuids, tags, devices, notes and events, the previous clientIds that
// answer it, and the merge journal entries whose target is it or one of
// its previous clientIds (not_found). The statements travel in one batch.
func (t *tx) DeleteProfile(ctx context.Context, ws, clientID int64) error {
	var prev []int64
	err := t.pg.QueryRow(ctx, `SELECT array(SELECT old_client_id FROM merged_ids
			WHERE workspace_id = $1 AND client_id = $2)
		FROM profiles WHERE workspace_id = $1 AND client_id = $2 FOR UPDATE`, ws, clientID).Scan(&prev)
	if noRows(err) {
		return notFound("profile %d not found", clientID)
	}
	if err != nil {
		return wrap("erase profile", err)
	}
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM merges WHERE workspace_id = $1 AND target_id = ANY($2)`, ws, append(prev, clientID))
	for _, table := range []string{"events", "notes", "devices", "profile_tags", "profile_uuids", "merged_ids", "profiles"} {
		b.Queue(`DELETE FROM `+table+` WHERE workspace_id = $1 AND client_id = $2`, ws, clientID)
	}
	if err := t.pg.SendBatch(ctx, b).Close(); err != nil {
		return wrap(fmt.Sprintf("erase profile %d", clientID), err)
	}
	return nil
}

// ListMerges returns the merge journal entries whose target is one of
// clientIDs, oldest first.
func (t *tx) ListMerges(ctx context.Context, ws int64, clientIDs []int64) ([]*kith.Merge, error) {
	rows, err := t.pg.Query(ctx, `SELECT id, workspace_id, target_id, source_ids, reason, moved, created_at
		FROM merges WHERE workspace_id = $1 AND target_id = ANY($2) ORDER BY id`, ws, clientIDs)
	if err != nil {
		return nil, wrap("list merges", err)
	}
	merges, err := collectRows(rows, func(row pgx.CollectableRow) (*kith.Merge, error) {
		var m kith.Merge
		var sources, moved []byte
		if err := row.Scan(&m.ID, &m.WorkspaceID, &m.TargetID, &sources, &m.Reason, &moved, &m.CreatedAt); err != nil {
			return nil, err
		}
		if err := decodeJSON(sources, &m.SourceIDs); err != nil {
			return nil, err
		}
		if err := decodeJSON(moved, &m.Moved); err != nil {
			return nil, err
		}
		m.CreatedAt = m.CreatedAt.UTC()
		return &m, nil
	})
	if err != nil {
		return nil, wrap("list merges", err)
	}
	return merges, nil
}

// AddSuppressions records suppressed identifier hashes; known ones are
// kept as they are.
func (t *tx) AddSuppressions(ctx context.Context, ws int64, list []kith.Suppression) error {
	if len(list) == 0 {
		return nil
	}
	hashes := make([][]byte, len(list))
	kinds := make([]string, len(list))
	times := make([]time.Time, len(list))
	for i, s := range list {
		hashes[i], kinds[i], times[i] = s.Hash, string(s.Kind), orTime(s.CreatedAt, t.now())
	}
	_, err := t.pg.Exec(ctx, `INSERT INTO suppressed_identifiers (workspace_id, hash, kind, created_at)
		SELECT $1, h, k, c FROM unnest($2::bytea[], $3::text[], $4::timestamptz[]) AS u(h, k, c)
		ON CONFLICT DO NOTHING`, ws, hashes, kinds, times)
	if err != nil {
		return wrapWorkspaceWrite("add suppressions", ws, err)
	}
	return nil
}

// FindSuppressed returns those of hashes that are suppressed.
func (t *tx) FindSuppressed(ctx context.Context, ws int64, hashes [][]byte) ([][]byte, error) {
	if len(hashes) == 0 {
		return nil, nil
	}
	rows, err := t.pg.Query(ctx, `SELECT hash FROM suppressed_identifiers WHERE workspace_id = $1 AND hash = ANY($2)`,
		ws, hashes)
	if err != nil {
		return nil, wrap("find suppressed", err)
	}
	found, err := collectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, wrap("find suppressed", err)
	}
	return found, nil
}

// AnySuppressed reports whether the workspace has suppressed identifiers.
func (t *tx) AnySuppressed(ctx context.Context, ws int64) (bool, error) {
	var has bool
	err := t.pg.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM suppressed_identifiers WHERE workspace_id = $1)`, ws).Scan(&has)
	if err != nil {
		return false, wrap("any suppressed", err)
	}
	return has, nil
}

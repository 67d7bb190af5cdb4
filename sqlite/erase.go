package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kithcdp/kith"
)

// eraseSteps delete everything of profile ?2 in workspace ?1, children
// before the row their foreign keys point at. ?3 is the JSON array of the
// profile and its previous clientIds: the merge journal entries with one
// of them as target record what the profile absorbed.
var eraseSteps = []struct{ op, sql string }{
	{"delete merge journal", `DELETE FROM merges WHERE workspace_id = ?1
		AND target_id IN (SELECT value FROM json_each(?3))`},
	{"delete events", `DELETE FROM events WHERE workspace_id = ?1 AND client_id = ?2`},
	{"delete notes", `DELETE FROM notes WHERE workspace_id = ?1 AND client_id = ?2`},
	{"delete devices", `DELETE FROM devices WHERE workspace_id = ?1 AND client_id = ?2`},
	{"delete tags", `DELETE FROM profile_tags WHERE workspace_id = ?1 AND client_id = ?2`},
	{"delete uuids", `DELETE FROM profile_uuids WHERE workspace_id = ?1 AND client_id = ?2`},
	{"delete previous ids", `DELETE FROM merged_ids WHERE workspace_id = ?1 AND client_id = ?2`},
	{"delete profile", `DELETE FROM profiles WHERE workspace_id = ?1 AND client_id = ?2`},
}

// DeleteProfile erases a profile and everything that refers to it
// (not_found).
func (t *tx) DeleteProfile(ctx context.Context, ws, clientID int64) error {
	if _, err := t.readProfileRow(ctx, ws, clientID); err != nil {
		return err
	}
	prev, err := t.previousIDs(ctx, ws, clientID)
	if err != nil {
		return storeErr("erase: previous ids", err)
	}
	targets, err := json.Marshal(append(prev, clientID))
	if err != nil {
		return storeErr("erase", err)
	}
	for _, step := range eraseSteps {
		if _, err := t.exec(ctx, step.sql, ws, clientID, string(targets)); err != nil {
			return storeErr(fmt.Sprintf("erase %d: %s", clientID, step.op), err)
		}
	}
	return nil
}

// ListMerges returns the merge journal entries whose target is one of
// clientIDs, oldest first.
func (t *tx) ListMerges(ctx context.Context, ws int64, clientIDs []int64) ([]*kith.Merge, error) {
	ids, err := json.Marshal(clientIDs)
	if err != nil {
		return nil, storeErr("list merges", err)
	}
	rows, err := t.query(ctx, `SELECT id, workspace_id, target_id, source_ids, reason, moved, created_at
		FROM merges WHERE workspace_id = ? AND target_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
		ws, string(ids))
	if err != nil {
		return nil, storeErr("list merges", err)
	}
	defer rows.Close()
	var out []*kith.Merge
	for rows.Next() {
		var m kith.Merge
		var sources, moved []byte
		var created int64
		if err := rows.Scan(&m.ID, &m.WorkspaceID, &m.TargetID, &sources, &m.Reason, &moved, &created); err != nil {
			return nil, storeErr("list merges", err)
		}
		if err := decodeJSON(sources, &m.SourceIDs); err != nil {
			return nil, storeErr("decode merge sources", err)
		}
		if err := decodeJSON(moved, &m.Moved); err != nil {
			return nil, storeErr("decode merge journal", err)
		}
		m.CreatedAt = fromMicros(created)
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("list merges", err)
	}
	return out, nil
}

// AddSuppressions records suppressed identifier hashes; known ones are
// kept as they are.
func (t *tx) AddSuppressions(ctx context.Context, ws int64, list []kith.Suppression) error {
	for _, s := range list {
		at := orTime(s.CreatedAt, t.now())
		_, err := t.exec(ctx, `INSERT INTO suppressed_identifiers (workspace_id, hash, kind, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, ws, s.Hash, string(s.Kind), micros(at))
		if isForeignKey(err) {
			return notFound("workspace %d not found", ws)
		}
		if err != nil {
			return storeErr("add suppressions", err)
		}
	}
	return nil
}

// FindSuppressed returns those of hashes that are suppressed.
func (t *tx) FindSuppressed(ctx context.Context, ws int64, hashes [][]byte) ([][]byte, error) {
	if len(hashes) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(hashes)+1)
	args = append(args, ws)
	for _, h := range hashes {
		args = append(args, h)
	}
	rows, err := t.query(ctx, `SELECT hash FROM suppressed_identifiers WHERE workspace_id = ? AND hash IN (?`+
		strings.Repeat(", ?", len(hashes)-1)+`)`, args...)
	if err != nil {
		return nil, storeErr("find suppressed", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return nil, storeErr("find suppressed", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("find suppressed", err)
	}
	return out, nil
}

// AnySuppressed reports whether the workspace has suppressed identifiers.
func (t *tx) AnySuppressed(ctx context.Context, ws int64) (bool, error) {
	var has bool
	err := t.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM suppressed_identifiers WHERE workspace_id = ?)`, ws).Scan(&has)
	if err != nil {
		return false, storeErr("any suppressed", err)
	}
	return has, nil
}

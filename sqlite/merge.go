package sqlite

import (
	"context"
	"fmt"

	"github.com/kithcdp/kith"
)

// mergeSteps move what a source profile (?2) owns to its target (?3) in
// workspace ?1, in an order the foreign keys accept: everything is
// repointed before the source row is deleted.
var mergeSteps = []struct{ op, sql string }{
	// Moved uuids go after the target's own in attach order: they get the
	// next ids after the largest, in their old order. (The window function
	// makes SQLite compute every new id before it changes any row.)
	{"move uuids", `UPDATE profile_uuids SET client_id = ?3, id = moved.new_id
		FROM (SELECT id AS old_id,
				(SELECT max(id) FROM profile_uuids) + row_number() OVER (ORDER BY id) AS new_id
			FROM profile_uuids WHERE workspace_id = ?1 AND client_id = ?2) AS moved
		WHERE profile_uuids.id = moved.old_id`},
	{"move events", `UPDATE events SET client_id = ?3 WHERE workspace_id = ?1 AND client_id = ?2`},
	{"move notes", `UPDATE notes SET client_id = ?3 WHERE workspace_id = ?1 AND client_id = ?2`},
	{"merge tags", `INSERT INTO profile_tags (workspace_id, client_id, tag)
		SELECT workspace_id, ?3, tag FROM profile_tags WHERE workspace_id = ?1 AND client_id = ?2
		ON CONFLICT DO NOTHING`},
	{"delete source tags", `DELETE FROM profile_tags WHERE workspace_id = ?1 AND client_id = ?2`},
	{"merge devices", `INSERT INTO devices (workspace_id, client_id, browser, os, device_type, last_seen_at)
		SELECT workspace_id, ?3, browser, os, device_type, last_seen_at FROM devices
		WHERE workspace_id = ?1 AND client_id = ?2
		ON CONFLICT (workspace_id, client_id, browser, os, device_type)
		DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at)`},
	{"delete source devices", `DELETE FROM devices WHERE workspace_id = ?1 AND client_id = ?2`},
	// Ids merged into the source earlier now answer the target, so that a
	// lookup by any old id takes one step.
	{"move previous ids", `UPDATE merged_ids SET client_id = ?3 WHERE workspace_id = ?1 AND client_id = ?2`},
	{"record previous id", `INSERT INTO merged_ids (old_client_id, workspace_id, client_id) VALUES (?2, ?1, ?3)`},
	{"delete source", `DELETE FROM profiles WHERE workspace_id = ?1 AND client_id = ?2`},
}

// MergeProfile moves everything source owns into target — uuids, events,
// notes, tags (union), devices (the later LastSeenAt wins), previous
// clientIds — records source as a previous clientId of target and deletes
// the source row. It returns not_found when either profile does not exist
// and invalid when they are the same.
func (t *tx) MergeProfile(ctx context.Context, ws, source, target int64) error {
	if source == target {
		return kith.Errorf(kith.ECodeInvalid, "cannot merge profile %d into itself", source)
	}
	var n int
	if err := t.queryRow(ctx, `SELECT count(*) FROM profiles WHERE workspace_id = ? AND client_id IN (?, ?)`,
		ws, source, target).Scan(&n); err != nil {
		return storeErr("merge: find profiles", err)
	}
	if n != 2 {
		return notFound("profiles %d and %d must both exist to merge", source, target)
	}
	for _, step := range mergeSteps {
		if _, err := t.exec(ctx, step.sql, ws, source, target); err != nil {
			// A foreign key failing on the last step means a table that
			// refers to profiles is missing from mergeSteps.
			return storeErr(fmt.Sprintf("merge %d into %d: %s", source, target, step.op), err)
		}
	}
	return nil
}

// InsertMerge stores a merge journal entry and sets m.ID (and CreatedAt
// to now when zero).
func (t *tx) InsertMerge(ctx context.Context, m *kith.Merge) error {
	created := m.CreatedAt
	if created.IsZero() {
		created = t.now()
	}
	created = storedTime(created)
	sources, err := jsonText(m.SourceIDs)
	if err != nil {
		return storeErr("encode merge sources", err)
	}
	if sources == nil {
		sources = "[]"
	}
	moved, err := jsonText(m.Moved)
	if err != nil {
		return storeErr("encode merge journal", err)
	}
	if moved == nil {
		moved = "{}"
	}
	var id int64
	err = t.queryRow(ctx, `INSERT INTO merges (workspace_id, target_id, source_ids, reason, moved, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		m.WorkspaceID, m.TargetID, sources, m.Reason, moved, micros(created)).Scan(&id)
	if isForeignKey(err) {
		return notFound("workspace %d not found", m.WorkspaceID)
	}
	if err != nil {
		return storeErr("insert merge", err)
	}
	m.ID, m.CreatedAt = id, created
	return nil
}

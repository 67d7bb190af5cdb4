package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// TestBatchQueriesUseIndexes guards the plans of the batch statements on
// a database that was never analyzed, as every new one is for its first
// minute: each value of the batch must be one probe of a unique index or
// the primary key, never a walk through the workspace.
func TestBatchQueriesUseIndexes(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	// Enough rows that a scan costs more than a probe; a handful would
	// rightly be scanned.
	for _, q := range []string{`INSERT INTO profiles (workspace_id, client_id, email, email_key, custom_id,
			recognized, attributes, agreements, created_at, updated_at, last_activity_at)
		SELECT $1, 1000 + i, 'p' || i || '@example.com', 'p' || i || '@example.com', 'C' || i, true,
			'{}', '{}', now(), now(), now()
		FROM generate_series(1, 20000) AS i`,
		`INSERT INTO profile_uuids (workspace_id, uuid, client_id)
		SELECT $1, 'u-' || i, 1000 + i FROM generate_series(1, 20000) AS i`,
		`INSERT INTO events (workspace_id, event_id, client_id, action, label, time, received_at,
			source, client, context)
		SELECT $1, 'e-' || i, 1000 + i, 'page.visit', '', now(), now(), 'api', '{}', '{}'
		FROM generate_series(1, 20000) AS i`,
	} {
		if _, err := s.pool.Exec(ctx, q, ws.ID); err != nil {
			t.Fatal(err)
		}
	}
	texts := []string{"p1@example.com", "C2", "u-3", "e-4", "x"}
	ids := []int64{1001, 1002, 1003}
	queries := map[string]struct {
		query string
		args  []any
		index string // the index each value must be probed in
	}{
		"identifiers by email":  {findClientIDsSQL[kith.KindEmail], []any{ws.ID, texts}, "profiles_email_key_uq"},
		"identifiers by custom": {findClientIDsSQL[kith.KindCustomID], []any{ws.ID, texts}, "profiles_custom_id_uq"},
		"identifiers by uuid":   {findClientIDsSQL[kith.KindUUID], []any{ws.ID, texts}, "profile_uuids_"},
		"event owners":          {findEventOwnersSQL, []any{ws.ID, texts}, "events_pkey"},
		"lock profiles":         {lockProfilesSQL, []any{ws.ID, ids}, "profiles_workspace_client_uq"},
		"touch profiles":        {touchProfilesSQL, []any{ws.ID, ids, []time.Time{time.Now(), time.Now(), time.Now()}}, "profiles_pkey"},
	}
	for name, q := range queries {
		plan := explainPlan(t, s, q.query, q.args...)
		for _, bad := range []string{"Seq Scan", "Bitmap", "Hash Join", "profile_uuids_client_idx"} {
			if strings.Contains(plan, bad) {
				t.Errorf("%s: plan has %q:\n%s", name, bad, plan)
			}
		}
		if !strings.Contains(plan, "Nested Loop") || !strings.Contains(plan, "Index Scan using "+q.index) &&
			!strings.Contains(plan, "Index Only Scan using "+q.index) {
			t.Errorf("%s: plan does not probe %s for each value:\n%s", name, q.index, plan)
		}
	}
}

// explainPlan returns the plan PostgreSQL chooses for query with args, in
// a transaction that is rolled back (EXPLAIN of an UPDATE changes nothing,
// but stays on the safe side).
func explainPlan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	var lines []string
	rawTx(t, s, func(tx *tx) {
		rows, err := tx.pg.Query(context.Background(), "EXPLAIN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})
	return strings.Join(lines, "\n")
}

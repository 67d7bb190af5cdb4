package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

// TestHotQueriesUseIndexes guards the indexes of the queries that run per
// event or per page: none may scan a table or sort in a temporary b-tree.
func TestHotQueriesUseIndexes(t *testing.T) {
	s := OpenTest(t)
	queries := map[string]string{
		"timeline":          listEventsSQL[0][0],
		"timeline cursor":   listEventsSQL[0][1],
		"timeline action":   listEventsSQL[1][1],
		"event by id":       `SELECT seq FROM events WHERE workspace_id = ?1 AND event_id = ?2`,
		"profile by email":  `SELECT client_id FROM profiles WHERE workspace_id = ?1 AND email_key = ?2`,
		"profile by custom": `SELECT client_id FROM profiles WHERE workspace_id = ?1 AND custom_id = ?2`,
		"profile by uuid":   `SELECT client_id FROM profile_uuids WHERE workspace_id = ?1 AND uuid = ?2`,
		"contact email":     `SELECT client_id FROM profiles WHERE workspace_id = ?1 AND email = ?2 ORDER BY client_id`,
		"uuids of profile":  `SELECT uuid FROM profile_uuids WHERE workspace_id = ?1 AND client_id = ?2 ORDER BY id`,
		"merge events":      mergeSteps[1].sql,
		"delete profile":    mergeSteps[len(mergeSteps)-1].sql,
	}
	for name, q := range queries {
		plan := explain(t, s, q, 1, 2, 3, 4, 5, 6)
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s: plan %q", name, plan)
			}
		}
	}
}

// TestBatchQueriesUseIndexes guards the statements of a batch: each entry
// of the JSON list finds its row through an index or the primary key; the
// list itself is the only table scanned.
func TestBatchQueriesUseIndexes(t *testing.T) {
	s := OpenTest(t)
	queries := map[string]struct {
		query string
		args  []any
		want  string // a step the plan must have
	}{
		"identifiers by email":  {findClientIDsSQL[kith.KindEmail], []any{1, "[]"}, "profiles_email_key"},
		"identifiers by custom": {findClientIDsSQL[kith.KindCustomID], []any{1, "[]"}, "profiles_custom_id"},
		"identifiers by uuid":   {findClientIDsSQL[kith.KindUUID], []any{1, "[]"}, "(workspace_id=? AND uuid=?)"},
		"event owners":          {findEventOwnersSQL, []any{1, "[]"}, "events_event_id"},
		"lock profiles":         {lockProfilesSQL, []any{1, "[]"}, "INTEGER PRIMARY KEY"},
		"touch profiles":        {touchProfilesSQL, []any{"[]", 1}, "INTEGER PRIMARY KEY"},
	}
	for name, q := range queries {
		plan := explain(t, s, q.query, q.args...)
		all := strings.Join(plan, " | ")
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "VIRTUAL TABLE") || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s: plan %s", name, all)
			}
		}
		if !strings.Contains(all, q.want) {
			t.Errorf("%s: plan %s lacks %q", name, all, q.want)
		}
	}
}

// explain returns the steps of query's plan.
func explain(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	var steps []string
	err := s.withReader(context.Background(), func(r *reader) error {
		rows, err := r.queryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			steps = append(steps, detail)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	return steps
}

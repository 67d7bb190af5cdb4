package sqlite

import (
	"context"
	"strings"
	"testing"
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
		var plan []string
		err := s.withReader(context.Background(), func(r *reader) error {
			rows, err := r.queryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, 1, 2, 3, 4, 5, 6)
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
				plan = append(plan, detail)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s: plan %q", name, plan)
			}
		}
	}
}

package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith/storetest"
)

// TestErasureLeavesNoTrace erases a profile that had everything and then
// reads every row of every table of the store's schema, raw, looking for
// any of its values or clientIds.
func TestErasureLeavesNoTrace(t *testing.T) {
	for _, suppress := range []bool{false, true} {
		t.Run(fmt.Sprint("suppress=", suppress), func(t *testing.T) {
			s := OpenTestStore(t)
			storetest.CheckNoTrace(t, s, suppress, func(t *testing.T) map[string][]map[string]any { return dumpTables(t, s) })
		})
	}
}

// dumpTables reads every row of every table of the store's schema as
// JSON (row_to_json), by table name.
func dumpTables(t *testing.T, s *Store) map[string][]map[string]any {
	t.Helper()
	ctx := context.Background()
	rows, err := s.pool.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]map[string]any{}
	for _, table := range tables {
		rows, err := s.pool.Query(ctx, `SELECT row_to_json(x)::text FROM `+pgx.Identifier{table}.Sanitize()+` x`)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range texts {
			dec := json.NewDecoder(strings.NewReader(text))
			dec.UseNumber()
			row := map[string]any{}
			if err := dec.Decode(&row); err != nil {
				t.Fatalf("%s row %s: %v", table, text, err)
			}
			out[table] = append(out[table], row)
		}
	}
	return out
}

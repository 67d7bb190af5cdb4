package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/kithcdp/kith/storetest"
)

// TestErasureLeavesNoTrace erases a profile that had everything and then
// reads every row of every table in the database file, raw, looking for
// any of its values or clientIds.
func TestErasureLeavesNoTrace(t *testing.T) {
	for _, suppress := range []bool{false, true} {
		t.Run(fmt.Sprint("suppress=", suppress), func(t *testing.T) {
			s := OpenTest(t)
			storetest.CheckNoTrace(t, s, suppress, func(t *testing.T) map[string][]map[string]any { return dumpTables(t, s) })
		})
	}
}

// dumpTables reads every row of every table, by table name.
func dumpTables(t *testing.T, s *Store) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	err := s.withReader(context.Background(), func(r *reader) error {
		var tables []string
		rows, err := r.queryContext(context.Background(), `SELECT name FROM sqlite_master WHERE type = 'table'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			tables = append(tables, name)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, table := range tables {
			rows, err := r.conn.QueryContext(context.Background(), `SELECT * FROM "`+table+`"`)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					return err
				}
				row := map[string]any{}
				for i, c := range cols {
					if b, ok := vals[i].([]byte); ok {
						vals[i] = bytes.Clone(b)
					}
					row[c] = vals[i]
				}
				out[table] = append(out[table], row)
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("dump tables: %v", err)
	}
	return out
}

package postgres

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/storetest"
)

// TestErasureLeavesNoTrace erases a profile that had everything and then
// reads every row of every table of the store's schema, raw, looking for
// any of its values or clientIds.
func TestErasureLeavesNoTrace(t *testing.T) {
	for _, suppress := range []bool{false, true} {
		t.Run(fmt.Sprint("suppress=", suppress), func(t *testing.T) {
			s := OpenTestStore(t)
			e := storetest.ErasureScenario(t, s, suppress)
			rows := dumpTables(t, s)
			if len(rows["profiles"]) == 0 || len(rows["events"]) == 0 {
				t.Fatalf("the scan read no profiles or events: %d tables", len(rows))
			}
			keptSeen := false
			for table, list := range rows {
				for _, row := range list {
					for _, leak := range e.Leaks(table, row) {
						t.Error(leak)
					}
					if table == "profiles" && fmt.Sprint(row["client_id"]) == fmt.Sprint(e.Kept) {
						keptSeen = true
					}
				}
			}
			if !keptSeen {
				t.Error("the bystander's profile row was not found: the scan is broken")
			}
			hashes := map[string]bool{}
			for _, row := range rows["suppressed_identifiers"] {
				hashes[fmt.Sprint(row["hash"])] = true
			}
			for kind, v := range map[kith.IdentifierKind]string{kith.KindEmail: e.Identifiers.Email,
				kith.KindCustomID: e.Identifiers.CustomID, kith.KindUUID: e.UUIDs[0]} {
				stored := `\x` + hex.EncodeToString(kith.SuppressionHash(kind, v))
				if got := hashes[stored]; got != suppress {
					t.Errorf("suppression hash of the %s stored: %v, want %v", kind, got, suppress)
				}
			}
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

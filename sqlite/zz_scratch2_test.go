package sqlite

import (
	"context"
	"testing"
	"time"
)

func TestScratchPerRow(t *testing.T) {
	s, err := Open(context.Background(), Options{Dir: "/tmp/kith1m"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	preds := []string{
		"1",
		"p.email >= 'mic' AND p.email < 'mid'",
		"length(p.attributes) > 0",
		"json_extract(p.attributes, '$.firstName') = 'x'",
		"json_extract(p.attributes, '$.firstName') = 'x' OR json_extract(p.attributes, '$.lastName') = 'x' OR json_extract(p.attributes, '$.displayName') = 'x'",
		"kith_match('mic', p.email) = 1",
		"kith_match('mic', p.email, p.custom_id, json_extract(p.attributes, '$.firstName'), json_extract(p.attributes, '$.lastName'), json_extract(p.attributes, '$.displayName')) = 1",
		"kith_fold(p.custom_id) = 'x'",
	}
	s.withReader(ctx, func(r *reader) error {
		for round := 0; round < 2; round++ {
			for _, pred := range preds {
				q := `SELECT count(*) FROM profiles p INDEXED BY profiles_workspace_client WHERE p.workspace_id = 1 AND p.client_id <= 1000000 AND p.client_id > 950000 AND (` + pred + `)`
				t0 := time.Now()
				var n int
				if err := r.conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if round == 1 {
					t.Logf("%8.2fµs/row n=%d  %s", float64(time.Since(t0).Microseconds())/50000, n, pred)
				}
			}
		}
		return nil
	})
}

package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestScratchTiming(t *testing.T) {
	s, err := Open(context.Background(), Options{Dir: "/tmp/kith1m"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, q := range []string{"ada", "mic", "élo", "zoë", "kowal", "nowak", "agnieszk", "a", "e", "ab", "ada"} {
		s.View(ctx, func(rx kith.ReadTx) error {
			tx := rx.(readTx).ReadTx.(*tx)
			srch := newSearch(q)
			t0 := time.Now()
			m, dense, err := tx.searchMatches(ctx, 1, srch)
			t1 := time.Now()
			ids, err2 := tx.scanProfiles(ctx, 1, kith.ProfileFilter{Limit: 51}, srch)
			t2 := time.Now()
			t.Logf("%-8s matches=%d dense=%v search=%v scan=%v (%d ids) %v %v", q, len(m), dense, t1.Sub(t0), t2.Sub(t1), len(ids), err, err2)
			return nil
		})
	}
}

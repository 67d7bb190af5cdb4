package sqlite

import (
	"context"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/storetest"
)

// TestConformance runs the stores' shared conformance suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) kith.Store { return OpenTest(t) })
}

// TestConformanceNodes runs the concurrency rules (R9) over three stores
// open on one database, as a `kith import` beside a running `kith serve`
// is: SQLite's file locks serialize their writers.
func TestConformanceNodes(t *testing.T) {
	storetest.RunNodes(t, func(t testing.TB, n int) []kith.Store {
		dir := t.TempDir()
		nodes := make([]kith.Store, n)
		for i := range nodes {
			s, err := Open(context.Background(), Options{Dir: dir, Synchronous: "NORMAL"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			nodes[i] = s
		}
		return nodes
	})
}

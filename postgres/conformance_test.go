package postgres_test

import (
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/postgres"
	"github.com/kithcdp/kith/storetest"
)

// TestConformance runs the store conformance suite on PostgreSQL.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) kith.Store { return postgres.OpenTestStore(t) })
}

// TestConformanceNodes runs the concurrency rules with writes spread over
// several stores sharing one database, as several Kith nodes do.
func TestConformanceNodes(t *testing.T) {
	storetest.RunNodes(t, func(t testing.TB, n int) []kith.Store {
		stores := postgres.OpenTestStores(t, n)
		out := make([]kith.Store, n)
		for i, s := range stores {
			out[i] = s
		}
		return out
	})
}

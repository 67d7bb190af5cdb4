package storetest_test

import (
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/postgres"
	"github.com/kithcdp/kith/storetest"
)

// TestPostgresDev runs the suite against the PostgreSQL store while the
// suite is being developed; package postgres runs it for real.
func TestPostgresDev(t *testing.T) {
	storetest.Run(t, func(t testing.TB) kith.Store { return postgres.OpenTestStore(t) })
}

// TestPostgresNodesDev runs the R9 tests over three stores sharing one
// schema.
func TestPostgresNodesDev(t *testing.T) {
	storetest.RunNodes(t, func(t testing.TB, n int) []kith.Store {
		var out []kith.Store
		for _, s := range postgres.OpenTestStores(t, n) {
			out = append(out, s)
		}
		return out
	})
}

package sqlite

import (
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/storetest"
)

// TestConformance runs the stores' shared conformance suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) kith.Store { return OpenTest(t) })
}

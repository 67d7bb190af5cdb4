package storetest

import (
	"slices"
	"testing"

	"github.com/kithcdp/kith"
)

// Opener returns a new, empty store for one test and arranges (t.Cleanup)
// for it to be closed and removed when the test ends.
type Opener = func(t testing.TB) kith.Store

// testCase is one conformance test. It gets a fresh store and runs once
// per identity mode listed in modes, each time in a new workspace of that
// mode (workspaces share nothing, so the runs cannot see each other).
type testCase struct {
	name  string
	modes []string
	run   func(t *testing.T, st kith.Store, ws *kith.Workspace)
}

var (
	bothModes  = []string{kith.ModeEmail, kith.ModeCustomID}
	emailMode  = []string{kith.ModeEmail}
	customMode = []string{kith.ModeCustomID}
)

// Run runs the conformance suite against the stores that open returns.
// Every test calls open for a fresh store and creates its workspaces in it;
// no test runs in parallel with another, but some start many goroutines
// against their store.
func Run(t *testing.T, open Opener) {
	var all []testCase
	for _, group := range [][]testCase{
		tableTests, ruleTests, conflictTests, mergeTests, customModeTests,
		profilePartTests, eventTests, isolationTests, concurrencyTests, settingsTests, managementTests,
		userTests, batchTests,
	} {
		all = append(all, group...)
	}
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			for _, mode := range tc.modes {
				t.Run(mode, func(t *testing.T) {
					tc.run(t, st, createWorkspace(t, st, mode))
				})
			}
		})
	}
}

// NodesOpener returns n stores sharing one new, empty database, as n Kith
// processes sharing one PostgreSQL do, and arranges for their cleanup.
type NodesOpener = func(t testing.TB, n int) []kith.Store

// RunNodes runs the concurrency tests (R9) with their writes spread over
// several stores sharing one database: rule R9 must hold across Kith nodes
// (PostgreSQL) and across processes on one data directory (SQLite, as a
// `kith import` beside a running `kith serve`).
func RunNodes(t *testing.T, open NodesOpener) {
	for _, nc := range append(slices.Clone(nodeTests), batchNodeTests...) {
		t.Run(nc.name, func(t *testing.T) {
			nodes := open(t, 3)
			for _, mode := range nc.modes {
				t.Run(mode, func(t *testing.T) {
					nc.run(t, nodes, createWorkspace(t, nodes[0], mode))
				})
			}
		})
	}
}

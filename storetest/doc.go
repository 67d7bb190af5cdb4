// Package storetest is the conformance suite of Kith's stores: every
// behaviour a kith.Store promises, and every identity resolution rule of
// SPEC §2 (R1–R9, the table, merges) as carried out by package identity
// over the store's transactions, tested once for every backend.
//
// A store runs the suite from its own test file, giving Run a function
// that opens a fresh, empty store for one test and closes it when the test
// ends. In package sqlite:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t testing.TB) kith.Store {
//			s, err := sqlite.Open(context.Background(), sqlite.Options{Dir: t.TempDir()})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// and in package postgres, where OpenTestStore gives every test its own
// schema in the database named by KITH_TEST_POSTGRES (and skips the test
// when that variable is not set):
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t testing.TB) kith.Store { return postgres.OpenTestStore(t) })
//	}
//
// PostgreSQL also runs the R9 tests with their writes spread over several
// stores sharing one schema, as several Kith nodes share one database:
//
//	func TestConformanceNodes(t *testing.T) {
//		storetest.RunNodes(t, func(t testing.TB, n int) []kith.Store {
//			var nodes []kith.Store
//			for _, s := range postgres.OpenTestStores(t, n) {
//				nodes = append(nodes, s)
//			}
//			return nodes
//		})
//	}
//
// Run it with
//
//	go test ./sqlite/ -run Conformance
//	KITH_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable go test ./postgres/ -run Conformance
//
// and one test with e.g. -run 'Conformance/R4_anonymous_joins_customer/customId'.
//
// Every subtest opens its own store and creates its workspaces with
// tx.CreateWorkspace; tests that apply to both identity modes run once per
// mode ("…/email", "…/customId"). Writes go through identity.Session
// (Apply, Merge, Flush) inside store.Update, exactly as the ingestion and
// profile APIs do, and results are read back through store.View. Times are
// explicit (a fixed base plus offsets): nothing sleeps or reads the clock.
// The R9 tests start tens of goroutines, each write in its own Update, and
// check afterwards that every identifier sits on exactly one profile and
// every accepted event is stored exactly once.
//
// The suite is organised by topic: table.go (the table of SPEC §2),
// rules.go (R1, R2, R4–R8, uuid policies, clientIds), conflicts.go (R3,
// the exception of R4, R7 mismatches), merge.go, customid.go (what differs
// between identity modes), profilepart.go (attributes, tags, agreements,
// devices), events.go, isolation.go (workspaces, keys, rollback),
// concurrency.go (R9) and settings.go (workspace settings, key
// revocation, the switch to customId identity mode); the profile management
// topics are listed in manage_helpers.go: catalogue.go, notes.go,
// timeline.go, change.go, erase.go (with ErasureScenario, which each store
// uses to scan every table after an erasure) and list.go. helpers.go
// (writes), reads.go, assert.go and
// state.go (snapshots proving that a refused write changed nothing) hold
// the helpers that let each test read like the rule it checks.
package storetest

package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

// Environment variables of the PostgreSQL tests.
const (
	// TestDSNEnv names the database the tests use.
	TestDSNEnv = "KITH_TEST_POSTGRES"
	// RequireEnv, set to 1, turns a missing or unreachable test database
	// into a test failure instead of a skip (for CI).
	RequireEnv = "KITH_REQUIRE_POSTGRES"
)

// OpenTestStore is a test helper for every package that tests against
// PostgreSQL. It opens a Store on a fresh schema with a random name in the
// database named by KITH_TEST_POSTGRES, and closes the store and drops the
// schema when the test ends. Without that variable, or when the database is
// unreachable, the test is skipped — or fails when KITH_REQUIRE_POSTGRES=1.
func OpenTestStore(t testing.TB) *Store {
	t.Helper()
	return OpenTestStores(t, 1)[0]
}

// OpenTestStores is OpenTestStore for n stores sharing one fresh schema, as
// n Kith processes sharing one database do.
func OpenTestStores(t testing.TB, n int) []*Store {
	t.Helper()
	dsn := TestDSN(t)
	schema := testSchemaName(t)
	stores := make([]*Store, n)
	for i := range stores {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		s, err := Open(ctx, Options{DSN: dsn, Schema: schema})
		cancel()
		unreachable := kith.ErrorCode(err) == kith.ECodeUnavailable
		if i == 0 && (err == nil || !unreachable) {
			// Registered before the stores' Close, so it runs after them.
			t.Cleanup(func() { dropTestSchema(t, dsn, schema) })
		}
		if err != nil {
			if unreachable && os.Getenv(RequireEnv) != "1" {
				t.Skipf("PostgreSQL of %s is unreachable (%v); set %s=1 to fail instead", TestDSNEnv, err, RequireEnv)
			}
			t.Fatalf("open test store: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	return stores
}

// TestDSN returns the DSN in KITH_TEST_POSTGRES. Without it the test is
// skipped, or fails when KITH_REQUIRE_POSTGRES=1.
func TestDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(TestDSNEnv)
	if dsn == "" {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1 but %s is not set", RequireEnv, TestDSNEnv)
		}
		t.Skipf("set %s=postgres://… to run PostgreSQL tests", TestDSNEnv)
	}
	return dsn
}

// testSchemaName returns a new random schema name.
func testSchemaName(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "kith_test_" + hex.EncodeToString(b)
}

// dropTestSchema drops a test schema and everything in it.
func dropTestSchema(t testing.TB, dsn, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Logf("drop test schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		t.Errorf("drop test schema %s: %v", schema, err)
	}
}

// TestSchemaDSN returns a DSN whose connections use a fresh, migrated schema
// that is dropped when the test ends: for tests that start Kith processes
// on a database of their own.
func TestSchemaDSN(t testing.TB) string {
	t.Helper()
	dsn := TestDSN(t)
	schema := testSchemaName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, Options{DSN: dsn, Schema: schema})
	if err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	_ = s.Close()
	t.Cleanup(func() { dropTestSchema(t, dsn, schema) })
	return WithSearchPath(dsn, schema)
}

// WithSearchPath returns dsn with its connections' search_path set to
// schema; dsn is a URL or a key=value string.
func WithSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

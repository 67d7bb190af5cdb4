package postgres

import (
	"context"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/storetest"
)

// TestEventCountsMigrationCountsStoredEvents takes a schema back to
// before migration 0005 and opens it again: the migration counts the
// events already stored, by hour (UTC) and action, and drops the index the
// counts replace.
func TestEventCountsMigrationCountsStoredEvents(t *testing.T) {
	ctx := context.Background()
	dsn := TestDSN(t)
	schema := testSchemaName(t)
	t.Cleanup(func() { dropTestSchema(t, dsn, schema) })
	s, err := Open(ctx, Options{DSN: dsn, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws, "", "")
	hour := storetest.MigrationEvents(t, s, ws, p.ClientID)
	_, err = s.pool.Exec(ctx, `DROP TABLE event_counts;
		CREATE INDEX events_recent ON events (workspace_id, received_at, action);
		DELETE FROM schema_migrations WHERE version = 5`)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A session time zone half an hour off UTC must not move the hours.
	s, err = Open(ctx, Options{DSN: dsn + "&timezone=Asia/Kolkata", Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.CheckMigratedCounts(t, s, ws, hour)
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname = 'events_recent'`,
		schema).Scan(&n); err != nil || n != 0 {
		t.Errorf("events_recent indexes after the migration: %d, %v; want 0", n, err)
	}
}

package sqlite

import (
	"context"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/storetest"
)

// TestEventCountsMigrationCountsStoredEvents takes a store back to before
// migration 0005 and reopens it: the migration counts the events already
// stored, by hour and action, and drops the index the counts replace.
func TestEventCountsMigrationCountsStoredEvents(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Options{Dir: dir, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	ws := createWorkspace(t, s, kith.ModeEmail)
	p := createProfile(t, s, ws, "", "")
	hour := storetest.MigrationEvents(t, s, ws, p.ClientID)
	update(t, s, func(x kith.Tx) error {
		for _, q := range []string{
			`DROP TABLE event_counts`,
			`CREATE INDEX events_recent ON events (workspace_id, received_at, action)`,
			`DELETE FROM schema_migrations WHERE version = 5`,
		} {
			if _, err := x.(*tx).exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, Options{Dir: dir, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.CheckMigratedCounts(t, s, ws, hour)
	var n int
	if err := sqlRow(s, `SELECT count(*) FROM sqlite_schema WHERE name = 'events_recent'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("events_recent indexes after the migration: %d, %v; want 0", n, err)
	}
}

package postgres

import (
	"context"
	"testing"
	"time"

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
	_, err = s.pool.Exec(ctx, `DROP TRIGGER events_count ON events;
		DROP FUNCTION kith_count_events();
		DROP TABLE event_counts;
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

	// An insert of a node from before the counts (its own statement, with
	// no counting of its own) is counted by the trigger, in its UTC hour
	// (11:10 falls into 10:30 in the session's time zone); a resent id is
	// not counted again.
	for range 2 {
		_, err = s.pool.Exec(ctx, `INSERT INTO events (workspace_id, event_id, client_id, action, time, received_at)
			VALUES ($1, 'old-node-event', $2, 'page.visit', $3, $3) ON CONFLICT DO NOTHING`,
			ws.ID, p.ClientID, hour.Add(70*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
	}
	view(t, s, func(tx kith.ReadTx) error {
		for since, want := range map[time.Time]int64{hour: 3, hour.Add(time.Hour): 1} {
			if n, err := tx.CountEvents(ctx, ws.ID, since, "page.visit"); err != nil || n != want {
				t.Errorf("page visits since %s after an older node's insert: %d, %v; want %d",
					since.Format(time.TimeOnly), n, err, want)
			}
		}
		return nil
	})
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname = 'events_recent'`,
		schema).Scan(&n); err != nil || n != 0 {
		t.Errorf("events_recent indexes after the migration: %d, %v; want 0", n, err)
	}
}

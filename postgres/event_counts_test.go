package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
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
	hour := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var events []*kith.Event
	for _, e := range []struct {
		action string
		minute int
	}{{"page.visit", 5}, {"page.visit", 59}, {"form.submit", 60}} {
		at := hour.Add(time.Duration(e.minute) * time.Minute)
		events = append(events, &kith.Event{EventID: uuid.NewString(), WorkspaceID: ws.ID, ClientID: p.ClientID,
			Action: e.action, Time: at, ReceivedAt: at, Source: kith.SourceAPI})
	}
	update(t, s, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) })
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
	for _, c := range []struct {
		since  time.Time
		action string
		want   int64
	}{
		{hour, "", 3},
		{hour, "page.visit", 2},
		{hour.Add(time.Hour), "", 1},
	} {
		view(t, s, func(tx kith.ReadTx) error {
			n, err := tx.CountEvents(ctx, ws.ID, c.since, c.action)
			if err != nil || n != c.want {
				t.Errorf("CountEvents(since %s, %q) = %d, %v; want %d", c.since.Format(time.TimeOnly), c.action, n, err, c.want)
			}
			return nil
		})
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname = 'events_recent'`,
		schema).Scan(&n); err != nil || n != 0 {
		t.Errorf("events_recent indexes after the migration: %d, %v; want 0", n, err)
	}
}

package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/kithcdp/kith"
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
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var events []*kith.Event
	for _, e := range []struct {
		action string
		minute int
	}{{"page.visit", 5}, {"page.visit", 59}, {"form.submit", 60}} {
		at := base.Add(time.Duration(e.minute) * time.Minute)
		events = append(events, &kith.Event{EventID: newUUID(), WorkspaceID: ws.ID, ClientID: p.ClientID,
			Action: e.action, Time: at, ReceivedAt: at, Source: kith.SourceAPI})
	}
	update(t, s, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) })
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
	for _, c := range []struct {
		since  time.Time
		action string
		want   int64
	}{
		{base, "", 3},
		{base, "page.visit", 2},
		{base.Add(time.Hour), "", 1},
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
	if err := sqlRow(s, `SELECT count(*) FROM sqlite_schema WHERE name = 'events_recent'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("events_recent indexes after the migration: %d, %v; want 0", n, err)
	}
}

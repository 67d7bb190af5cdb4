package sqlite

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/storetest"
)

// TestCountStored checks that only stored events (with a Seq) are counted,
// by workspace, hour (UTC) of ReceivedAt and action.
func TestCountStored(t *testing.T) {
	h := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	paris := time.FixedZone("CET", 3600)
	ev := func(ws int64, at time.Time, action string, seq int64) *kith.Event {
		return &kith.Event{WorkspaceID: ws, ReceivedAt: at, Action: action, Seq: seq}
	}
	var got []string
	for _, row := range countStored([]*kith.Event{
		ev(2, h.Add(5*time.Minute), "b", 1),
		ev(1, h.Add(61*time.Minute), "a", 2),
		ev(1, h.Add(59*time.Minute).In(paris), "b", 3),
		ev(1, h.Add(time.Minute), "b", 4),
		ev(1, h.Add(2*time.Minute), "a", 5),
		ev(1, h.Add(3*time.Minute), "a", 0), // a duplicate the store skipped
	}) {
		got = append(got, fmt.Sprintf("%v %v %v %v", row...))
	}
	slices.Sort(got)
	row := func(ws int64, hour time.Duration, action string, n int64) string {
		return fmt.Sprintf("%v %v %v %v", ws, micros(h.Add(hour)), action, n)
	}
	want := []string{row(1, 0, "a", 1), row(1, 0, "b", 2), row(1, time.Hour, "a", 1), row(2, 0, "b", 1)}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("countStored = %q, want %q", got, want)
	}
}

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

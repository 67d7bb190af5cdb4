package postgres

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

// batchSize is the number of events per write in the benchmarks.
const batchSize = 100

// benchSetup opens a store with a workspace and a few profiles.
func benchSetup(b *testing.B) (*Store, *kith.Workspace, []*kith.Profile) {
	s := OpenTestStore(b)
	ws := newWorkspace(b, s, kith.ModeEmail)
	profiles := make([]*kith.Profile, 16)
	for i := range profiles {
		profiles[i] = newProfile(b, s, ws, "", "")
	}
	return s, ws, profiles
}

// benchEvents returns batchSize new events of profile p, as the ingest path
// builds them.
func benchEvents(ws *kith.Workspace, p *kith.Profile) []*kith.Event {
	now := time.Now()
	events := make([]*kith.Event, batchSize)
	for i := range events {
		events[i] = &kith.Event{
			EventID: uuid.Must(uuid.NewV7()).String(), WorkspaceID: ws.ID, ClientID: p.ClientID,
			Action: kith.ActionPageVisit, Label: "Home", Time: now, ReceivedAt: now, Source: kith.SourceTracker,
			Params:  json.RawMessage(`{"url":"https://shop.example/","title":"Home","referrer":""}`),
			Client:  kith.Identifiers{UUID: p.UUIDs[0]},
			Context: kith.EventContext{UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", IP: "192.0.2.1", URL: "https://shop.example/"},
		}
	}
	return events
}

// reportRate reports events/s over the benchmark's run.
func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N*batchSize)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkInsertEvents measures the store's ingest path: one Update that
// inserts a batch of 100 events.
func BenchmarkInsertEvents(b *testing.B) {
	s, ws, profiles := benchSetup(b)
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			events := benchEvents(ws, profiles[i%len(profiles)])
			if err := s.Update(ctx, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) }); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				i++
				events := benchEvents(ws, profiles[i%len(profiles)])
				if err := s.Update(ctx, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) }); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRate(b)
	})
}

// copyEvents writes events with CopyFrom, the fastest bulk path pgx has.
func copyEvents(ctx context.Context, s *Store, events []*kith.Event) error {
	columns := []string{"workspace_id", "event_id", "client_id", "action", "label", "time",
		"received_at", "source", "params", "client", "context"}
	rows := make([][]any, len(events))
	for i, e := range events {
		client, _ := json.Marshal(e.Client)
		evctx, _ := json.Marshal(e.Context)
		rows[i] = []any{e.WorkspaceID, e.EventID, e.ClientID, e.Action, e.Label, e.Time,
			e.ReceivedAt, e.Source, []byte(e.Params), client, evctx}
	}
	_, err := s.pool.CopyFrom(ctx, pgx.Identifier{"events"}, columns, pgx.CopyFromRows(rows))
	return err
}

// BenchmarkCopyFromEvents measures raw pgx CopyFrom of the same rows into
// the events table, as the yardstick for BenchmarkInsertEvents.
func BenchmarkCopyFromEvents(b *testing.B) {
	s, ws, profiles := benchSetup(b)
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := copyEvents(ctx, s, benchEvents(ws, profiles[i%len(profiles)])); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				i++
				if err := copyEvents(ctx, s, benchEvents(ws, profiles[i%len(profiles)])); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRate(b)
	})
}

// BenchmarkInsertVsCopy alternates the two paths batch by batch, so that
// both see the same load on a shared machine, and reports each one's
// events/s and their ratio.
func BenchmarkInsertVsCopy(b *testing.B) {
	s, ws, profiles := benchSetup(b)
	ctx := context.Background()
	var insertTime, copyTime time.Duration
	for i := 0; i < b.N; i++ {
		p := profiles[i%len(profiles)]
		events, rows := benchEvents(ws, p), benchEvents(ws, p)
		start := time.Now()
		if err := s.Update(ctx, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) }); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := copyEvents(ctx, s, rows); err != nil {
			b.Fatal(err)
		}
		insertTime += mid.Sub(start)
		copyTime += time.Since(mid)
	}
	insertRate := float64(b.N*batchSize) / insertTime.Seconds()
	copyRate := float64(b.N*batchSize) / copyTime.Seconds()
	b.ReportMetric(insertRate, "insert-events/s")
	b.ReportMetric(copyRate, "copy-events/s")
	b.ReportMetric(insertRate/copyRate, "insert/copy")
}

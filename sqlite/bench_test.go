package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/internal/testenv"
)

// BenchmarkInsertEvents measures the raw ingest ceiling of the store: each
// operation is one Update that inserts a batch of 100 events (no identity
// resolution), with 1 writer (every commit waits for its own fsync) and 16
// concurrent writers (group commit shares the fsyncs).
func BenchmarkInsertEvents(b *testing.B) {
	for _, syncMode := range []string{"FULL", "NORMAL"} {
		for _, writers := range []int{1, 16} {
			b.Run(fmt.Sprintf("sync=%s/writers=%d", syncMode, writers), func(b *testing.B) {
				benchInsertEvents(b, syncMode, writers, 100)
			})
		}
	}
}

func benchInsertEvents(b *testing.B, syncMode string, writers, batch int) {
	ctx := context.Background()
	dir := b.TempDir()
	s, err := Open(ctx, Options{Dir: dir, Synchronous: syncMode})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ws := createWorkspace(b, s, kith.ModeEmail)
	const profiles = 1000
	ids := make([]int64, profiles)
	update(b, s, func(tx kith.Tx) error {
		for i := range ids {
			p := &kith.Profile{UUIDs: []string{uuid.NewString()}}
			if err := tx.CreateProfile(ctx, ws, p); err != nil {
				return err
			}
			ids[i] = p.ClientID
		}
		return nil
	})
	params := []byte(`{"url":"https://shop.example/products/42","title":"Product 42"}`)
	var next atomic.Int64
	groups, reqs := s.WriterStats()
	b.ResetTimer()
	start, cpu := time.Now(), testenv.CPUTime()
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			events := make([]*kith.Event, batch)
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				now := time.Now()
				for i := range events {
					id, _ := uuid.NewV7()
					events[i] = &kith.Event{
						EventID: id.String(), WorkspaceID: ws.ID, ClientID: ids[(int(n)*batch+i)%profiles],
						Action: kith.ActionPageVisit, Time: now, ReceivedAt: now, Source: kith.SourceTracker,
						Params: params, Client: kith.Identifiers{UUID: "0190c1e5-7a3b-7c4d-8e5f-123456789abc"},
						Context: kith.EventContext{UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", IP: "192.0.2.7"},
					}
				}
				if err := s.Update(ctx, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) }); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), testenv.CPUTime()-cpu
	b.StopTimer()
	reportRate(b, b.N*batch, elapsed, cpu)
	// The checkpointer must keep the WAL bounded however long the run.
	if fi, err := os.Stat(filepath.Join(dir, "kith.db-wal")); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "wal-MB")
	}
	if g, r := s.WriterStats(); g > groups {
		b.ReportMetric(float64(r-reqs)/float64(g-groups), "updates/commit")
	}
}

// BenchmarkIngestResolved measures the tracker's path through the store:
// each operation is one Update in which an identity.Session resolves 100
// page visits from a pool of 10,000 browsers (a browser's first visit
// creates its profile), records their devices and activity, and inserts
// the events together. 16 concurrent writers.
func BenchmarkIngestResolved(b *testing.B) {
	for _, syncMode := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+syncMode, func(b *testing.B) { benchIngestResolved(b, syncMode, 16, 100) })
	}
}

func benchIngestResolved(b *testing.B, syncMode string, writers, batch int) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: b.TempDir(), Synchronous: syncMode})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ws := createWorkspace(b, s, kith.ModeEmail)
	browsers := make([]string, 10000)
	for i := range browsers {
		browsers[i] = uuid.NewString()
	}
	var next atomic.Int64
	b.ResetTimer()
	start, cpu := time.Now(), testenv.CPUTime()
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				err := s.Update(ctx, func(tx kith.Tx) error {
					now := time.Now()
					sess := identity.NewSession(tx, ws, now)
					for i := 0; i < batch; i++ {
						_, err := sess.Apply(ctx, &identity.Write{
							Client: kith.Identifiers{UUID: browsers[(int(n)*batch+i)*7919%len(browsers)]},
							Source: kith.SourceTracker,
							Device: &kith.Device{Browser: "Firefox 133", OS: "Linux", DeviceType: "desktop", LastSeenAt: now},
							Event: &kith.Event{Action: kith.ActionPageVisit, Source: kith.SourceTracker,
								Params: json.RawMessage(`{"url":"https://shop.example/p/42"}`)},
						})
						if err != nil {
							return err
						}
					}
					return sess.Flush(ctx)
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), testenv.CPUTime()-cpu
	b.StopTimer()
	reportRate(b, b.N*batch, elapsed, cpu)
}

// reportRate reports events/s and, where known, the CPU time spent per
// event (all goroutines, the benchmark's own event building included).
func reportRate(b *testing.B, events int, elapsed, cpu time.Duration) {
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(events), "cpu-µs/event")
	}
}

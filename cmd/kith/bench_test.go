package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite"

	"github.com/kithcdp/kith/bench"
)

// TestBench drives a real `kith serve` with the realistic mix for a moment:
// every kind of request must succeed, and the browsers' events must be
// stored under the time-ordered ids they sent, as the tracker's are.
func TestBench(t *testing.T) {
	bin := buildKith(t)
	data := t.TempDir()
	srv := startKith(t, bin, true, "--data", data, "--sync", "normal")
	cfg := bench.Config{
		Targets: []string{srv.url}, Key: srv.secretKey, Concurrency: 4, Batch: 20,
		Duration: 2 * time.Second, Browsers: 200, Seed: 7,
		Mix:      bench.Mix{Events: 0.8, Upserts: 0.1, Lookups: 0.1},
		EventIDs: bench.EventIDsTime,
	}
	res, err := bench.Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Requests == 0 || res.Events == 0 || res.P50 <= 0 || res.P99 < res.P50 {
		t.Fatalf("result %+v", res)
	}
	srv.stop(t)

	db, err := sql.Open("sqlite", filepath.Join(data, "kith.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT event_id FROM events WHERE action IN ('page.visit', 'cart.add', 'form.submit')")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if u, err := uuid.Parse(id); err != nil || u.Version() != 7 {
			t.Fatalf("event id %q is not a version-7 uuid (%v)", id, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if int64(n) < res.Events {
		t.Errorf("%d browser events stored, %d acknowledged", n, res.Events)
	}
}

package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/postgres"
)

// TestPostgresRestart restarts the PostgreSQL server under a running Kith
// node: while the database is down /readyz fails and writes answer 503
// (never a wrong answer), Kith recovers by itself once the database is
// back, and every event answered 200 is stored.
//
// It stops the machine's shared PostgreSQL, so it runs only when asked
// (KITH_TEST_PG_RESTART=1); .ci/run runs it alone after the other tests.
func TestPostgresRestart(t *testing.T) {
	if os.Getenv("KITH_TEST_PG_RESTART") == "" {
		t.Skip("restarts the PostgreSQL server: set KITH_TEST_PG_RESTART=1 to run it (alone)")
	}
	cluster, err := filepath.Glob("/etc/postgresql/*/main")
	if err != nil || len(cluster) != 1 {
		t.Fatalf("need exactly one local cluster under /etc/postgresql to restart, found %v", cluster)
	}
	version := filepath.Base(filepath.Dir(cluster[0]))
	pgctl := func(action string, args ...string) {
		cmd := exec.Command("pg_ctlcluster", append([]string{"--skip-systemctl-redirect", version, "main", action}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pg_ctlcluster %s: %v\n%s", action, err, out)
		}
	}
	t.Cleanup(func() { _ = exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start").Run() })

	dsn := postgres.TestSchemaDSN(t)
	node := startKith(t, buildKith(t), true, "--postgres", dsn)
	client := &http.Client{Timeout: 10 * time.Second}

	var (
		mu          sync.Mutex
		acked       []string
		unavailable atomic.Int64
		stop        = make(chan struct{})
		done        = make(chan struct{})
	)
	go func() { // a steady writer, as a shop's backend would be
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			e := map[string]any{"eventId": uuid.NewString(), "action": "page.visit",
				"client": map[string]any{"uuid": uuid.NewString()}}
			status, res, err := postEventsStatus(client, node.url, node.secretKey, []map[string]any{e})
			switch {
			case err != nil:
				t.Errorf("request failed outright: %v", err)
				return
			case status == http.StatusServiceUnavailable:
				unavailable.Add(1)
				time.Sleep(20 * time.Millisecond) // back off as a client should on 503
			case status != http.StatusOK:
				t.Errorf("status %d while the database restarts; want 200 or 503", status)
				return
			case res[0].Status == "accepted":
				mu.Lock()
				acked = append(acked, e["eventId"].(string))
				mu.Unlock()
			}
		}
	}()
	ackedCount := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	waitFor(t, "events acknowledged before the restart", func() bool { return ackedCount() >= 50 })

	pgctl("stop", "-m", "fast")
	waitFor(t, "/readyz to fail while the database is down", func() bool { return readyz(client, node.url) == http.StatusServiceUnavailable })
	waitFor(t, "writes to answer 503", func() bool { return unavailable.Load() > 0 })
	before := ackedCount()
	pgctl("start")
	waitFor(t, "/readyz to recover without restarting Kith", func() bool { return readyz(client, node.url) == http.StatusOK })
	waitFor(t, "writes to succeed again", func() bool { return ackedCount() >= before+50 })
	close(stop)
	<-done
	node.stop(t)

	ctx := context.Background()
	st, err := postgres.Open(ctx, postgres.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(ctx, func(tx kith.ReadTx) error {
		ws, err := tx.FindWorkspaceByName(ctx, "default")
		if err != nil {
			return err
		}
		for _, id := range acked {
			if _, err := tx.FindEvent(ctx, ws.ID, id); err != nil {
				t.Errorf("event %s was answered 200 but is not stored: %v", id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events acknowledged, %d answered 503 while the database was down", len(acked), unavailable.Load())
}

func readyz(client *http.Client, base string) int {
	resp, err := client.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitFor polls cond until it holds, failing t after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

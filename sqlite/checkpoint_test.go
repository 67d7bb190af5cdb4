package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// The writer must hand the WAL to the checkpointer after its commits;
// otherwise the WAL grows to the backstop and the writer checkpoints inside
// a commit, stalling every write waiting behind it.
func TestCommitsWakeTheCheckpointer(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	before := s.cp.runs.Load()
	createProfile(t, s, ws, "a@example.com", "")
	deadline := time.Now().Add(5 * time.Second)
	for s.cp.runs.Load() == before {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint ran after a commit")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var busy, logPages, copied int
	if err := s.cp.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &copied); err != nil {
		t.Fatal(err)
	}
	if copied != logPages {
		t.Errorf("after a checkpoint, %d of %d WAL pages are copied", copied, logPages)
	}
}

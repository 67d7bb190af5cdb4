package sqlite

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// walBackstopPages is the WAL size, in pages, at which the writer
// checkpoints by itself (SQLite's wal_autocheckpoint). Normally the
// checkpointer keeps the WAL far below it; it bounds the WAL when the
// checkpointer cannot finish a checkpoint while writes keep arriving.
const walBackstopPages = 8192

// checkpointPause is the least time between two checkpoints.
const checkpointPause = 250 * time.Millisecond

// checkpointer copies the WAL back into the database file on its own
// connection, so that this work (and its fsync of the database file) runs
// beside the writer instead of inside a commit.
type checkpointer struct {
	db   *sql.DB
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	runs atomic.Int64 // checkpoints attempted, for tests
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// notify tells the checkpointer that a commit added to the WAL. It never
// blocks: kicks arriving during a checkpoint merge into one.
func (c *checkpointer) notify() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.kick:
		case <-c.stop:
			return
		}
		// PASSIVE never waits for readers or the writer; what it cannot
		// copy now is copied on a later kick. Errors are dropped for the
		// same reason: the writer's backstop still bounds the WAL.
		_, _ = c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		c.runs.Add(1)
		// Kicks arriving meanwhile wait for the next round: a page
		// written by many commits is then copied (and synced) once.
		select {
		case <-time.After(checkpointPause):
		case <-c.stop:
			return
		}
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}

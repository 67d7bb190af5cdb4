// Package sqlite implements kith.Store on an embedded SQLite database
// (modernc.org/sqlite, no cgo) in WAL mode.
//
// Writes go through one connection owned by one writer goroutine that
// commits concurrent Update calls together (group commit): one fsync then
// covers a whole group. Reads run on a separate pool of query-only
// connections, each View in its own snapshot, and never wait for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kithcdp/kith"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ kith.Store = (*Store)(nil)

// Defaults of Options.
const (
	DefaultReadConns = 4
	DefaultMaxBatch  = 256
	// busyTimeout bounds how long a connection waits for a lock another
	// process holds (such as a CLI import running beside the server).
	busyTimeout = 10 * time.Second
	// Page cache sizes. SQLite allocates cache pages as they are used.
	writerCacheKiB = 64 << 10
	readerCacheKiB = 16 << 10
	// walSizeLimit is the size the WAL file is cut back to after a
	// checkpoint lets it restart.
	walSizeLimit = 64 << 20
)

// Options configure Open.
type Options struct {
	// Dir is the data directory, created if missing. The database file is
	// Dir/kith.db.
	Dir string
	// Synchronous is "FULL" (the default: a commit survives power loss) or
	// "NORMAL" (a commit survives a crash of Kith, not of the machine).
	Synchronous string
	// ReadConns is the size of the read pool (DefaultReadConns when 0).
	ReadConns int
	// MaxBatch is the most Update calls committed together
	// (DefaultMaxBatch when 0).
	MaxBatch int
	// Now is the clock for times the store fills in itself (time.Now when
	// nil).
	Now func() time.Time
}

// Store is a kith.Store on SQLite. It is safe for concurrent use.
type Store struct {
	now      func() time.Time
	maxBatch int

	wdb      *sql.DB      // one connection, used only by the writer goroutine
	w        *writer      // owns wdb's connection
	rdb      *sql.DB      // owns the read connections
	readers  chan *reader // the read pool: ReadConns connections, each lent to one View at a time
	nReaders int
	cp       *checkpointer

	// mu guards closed and the send side of reqs: Update holds it shared
	// while sending so that Close cannot close reqs under a sender.
	mu         sync.RWMutex
	closed     bool
	reqs       chan *request
	writerDone chan struct{}

	// Counters for tests and metrics.
	groups   atomic.Int64 // transactions committed or attempted
	requests atomic.Int64 // Update calls run in them
}

// SerialWrites reports that the store runs its write transactions one at
// a time, in its writer goroutine: the ingest service then runs one shared
// transaction per workspace rather than queue a second behind the first.
func (s *Store) SerialWrites() bool { return true }

// WriterStats returns how many transactions the writer has run and how
// many Update calls they carried (group commit: updates per transaction).
func (s *Store) WriterStats() (transactions, updates int64) {
	return s.groups.Load(), s.requests.Load()
}

// Open opens (creating if needed) the database in opts.Dir, applies pending
// migrations and starts the writer.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, kith.Errorf(kith.ECodeInvalidSetting, "sqlite: data directory is required")
	}
	if strings.ContainsRune(opts.Dir, '?') {
		// The driver splits its DSN at the first '?'.
		return nil, kith.Errorf(kith.ECodeInvalidSetting, "sqlite: data directory %q must not contain '?'", opts.Dir)
	}
	syncMode := strings.ToUpper(opts.Synchronous)
	switch syncMode {
	case "":
		syncMode = "FULL"
	case "FULL", "NORMAL":
	default:
		return nil, kith.Errorf(kith.ECodeInvalidSetting, "sqlite: synchronous must be FULL or NORMAL, not %q", opts.Synchronous)
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = DefaultReadConns
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: create data directory: %w", err)
	}
	file := filepath.Join(opts.Dir, "kith.db")

	s := &Store{
		now:        opts.Now,
		maxBatch:   opts.MaxBatch,
		reqs:       make(chan *request, opts.MaxBatch),
		writerDone: make(chan struct{}),
	}
	ok := false
	defer func() {
		if !ok {
			s.closeDBs()
		}
	}()

	var err error
	if s.wdb, err = sql.Open("sqlite", dsn(file, syncMode, roleWriter)); err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	// The writer keeps its one connection for the store's lifetime: its
	// prepared statements live on it.
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	s.wdb.SetConnMaxIdleTime(0)
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return nil, kith.Errorf(kith.ECodeUnavailable, "sqlite: open %s: %v", file, err)
	}
	s.w = newWriter(conn, s.now)
	if err := migrate(ctx, conn, s.now()); err != nil {
		return nil, err
	}

	if s.rdb, err = sql.Open("sqlite", dsn(file, syncMode, roleReader)); err != nil {
		return nil, fmt.Errorf("sqlite: open read pool: %w", err)
	}
	s.rdb.SetMaxOpenConns(opts.ReadConns)
	s.rdb.SetMaxIdleConns(opts.ReadConns)
	s.rdb.SetConnMaxLifetime(0)
	s.rdb.SetConnMaxIdleTime(0)
	if s.readers, err = openReaders(ctx, s.rdb, opts.ReadConns); err != nil {
		return nil, kith.Errorf(kith.ECodeUnavailable, "sqlite: open read pool: %v", err)
	}
	s.nReaders = opts.ReadConns

	cdb, err := sql.Open("sqlite", dsn(file, syncMode, roleCheckpointer))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	cdb.SetMaxOpenConns(1)
	s.cp = newCheckpointer(cdb)
	s.w.committed = s.cp.notify

	go s.writeLoop()
	ok = true
	return s, nil
}

// role says what a connection is for; each gets the pragmas it needs.
type role int

const (
	roleWriter role = iota
	roleReader
	roleCheckpointer
)

// dsn returns the driver DSN for file. Pragmas are set per connection by the
// driver so that every pooled connection gets them, not just the first.
func dsn(file, synchronous string, r role) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	// Keep sorts and temporary indexes off the disk.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Shrink the WAL file back after a burst once it has been reset.
	q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	switch r {
	case roleWriter:
		// The writer touches the most pages (every index of every
		// insert); a large cache saves re-reading them.
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -writerCacheKiB))
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walBackstopPages))
	case roleReader:
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -readerCacheKiB))
		// query_only rather than mode=ro: a read-only WAL connection
		// cannot create the -shm file, and this refuses writes all the
		// same.
		q.Add("_pragma", "query_only(1)")
	}
	return file + "?" + q.Encode()
}

// Update runs fn in a write transaction, committed together with other
// concurrent calls, and returns after the commit is durable. See the
// writer for how a group commits and how one failing call is undone alone.
func (s *Store) Update(ctx context.Context, fn func(kith.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errClosed
	}
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	// Once queued, the answer is awaited even if ctx ends: returning early
	// could report failure for a write that then commits.
	return <-r.done
}

// Close stops accepting work, lets the writer finish the Updates already
// queued, waits for running Views, and closes the database. Calling it
// again does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.mu.Unlock()
	<-s.writerDone
	return s.closeDBs()
}

// closeDBs closes the connections and their statements.
func (s *Store) closeDBs() error {
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	if s.readers != nil {
		// Waits for running Views to give their connections back.
		keep(closeReaders(s.readers, s.nReaders))
	}
	if s.w != nil {
		keep(s.w.close())
	}
	if s.cp != nil {
		keep(s.cp.close())
	}
	if s.rdb != nil {
		keep(s.rdb.Close())
	}
	if s.wdb != nil {
		keep(s.wdb.Close())
	}
	if first != nil {
		return fmt.Errorf("sqlite: close: %w", first)
	}
	return nil
}

// errClosed answers calls made after Close.
var errClosed = kith.Errorf(kith.ECodeUnavailable, "sqlite: store is closed")

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/internal/migrations"
)

// OpenTest opens a store in a fresh temporary directory and closes it when
// the test ends. It uses synchronous NORMAL: tests need no power-loss
// durability, and FULL only makes them slower.
func OpenTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: t.TempDir(), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

// update runs fn in a write transaction and fails the test on error.
func update(t testing.TB, s *Store, fn func(kith.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// view runs fn in a read transaction and fails the test on error.
func view(t testing.TB, s *Store, fn func(kith.ReadTx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("view: %v", err)
	}
}

var wsCounter, uuidCounter atomic.Int64

// createWorkspace creates a workspace in identity mode mode.
func createWorkspace(t testing.TB, s *Store, mode string) *kith.Workspace {
	t.Helper()
	ws := &kith.Workspace{Name: fmt.Sprintf("ws-%d", wsCounter.Add(1)), IdentityMode: mode, UUIDPolicy: kith.UUIDRandom,
		SegmentUserIDAs: "customId"}
	update(t, s, func(tx kith.Tx) error { return tx.CreateWorkspace(context.Background(), ws) })
	return ws
}

// newUUID returns a distinct uuid text for tests.
func newUUID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", uuidCounter.Add(1))
}

// createProfile creates a profile with one fresh uuid (plus the given
// email and customId).
func createProfile(t testing.TB, s *Store, ws *kith.Workspace, email, customID string) *kith.Profile {
	t.Helper()
	p := &kith.Profile{Email: email, CustomID: customID, UUIDs: []string{newUUID()}}
	update(t, s, func(tx kith.Tx) error { return tx.CreateProfile(context.Background(), ws, p) })
	return p
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ws := createWorkspace(t, s, kith.ModeEmail)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		s, err = Open(ctx, Options{Dir: dir})
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		var n, v int
		if err := sqlRow(s, `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		ms, _ := migrations.Load(migrationFiles, "migrations/*.sql")
		if n != len(ms) || v != ms[len(ms)-1].Version {
			t.Errorf("schema_migrations has %d rows up to %d, want %d up to %d", n, v, len(ms), ms[len(ms)-1].Version)
		}
		view(t, s, func(tx kith.ReadTx) error {
			got, err := tx.FindWorkspace(ctx, ws.ID)
			if err != nil || got.Name != ws.Name {
				t.Errorf("after reopen FindWorkspace = %+v, %v", got, err)
			}
			return nil
		})
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(ctx, Options{Dir: dir}); err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer schema")
	}
}

func TestOpenOptions(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, Options{}); kith.ErrorCode(err) != kith.ECodeInvalidSetting {
		t.Errorf("Open without Dir: %v, want invalid_setting", err)
	}
	if _, err := Open(ctx, Options{Dir: t.TempDir(), Synchronous: "OFF"}); kith.ErrorCode(err) != kith.ECodeInvalidSetting {
		t.Errorf("Open with synchronous OFF: %v, want invalid_setting", err)
	}
	s, err := Open(ctx, Options{Dir: t.TempDir(), Synchronous: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		pragma string
		want   string
	}{{"journal_mode", "wal"}, {"foreign_keys", "1"}, {"synchronous", "1"}, {"busy_timeout", "10000"}} {
		var got string
		if err := sqlRow(s, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("read pool PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
	var qo int
	if err := sqlRow(s, "PRAGMA query_only").Scan(&qo); err != nil || qo != 1 {
		t.Errorf("read pool query_only = %d, %v; want 1", qo, err)
	}
}

func TestPingAndClose(t *testing.T) {
	s, err := Open(context.Background(), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"Ping":   s.Ping(context.Background()),
		"Update": s.Update(context.Background(), func(kith.Tx) error { return nil }),
		"View":   s.View(context.Background(), func(kith.ReadTx) error { return nil }),
	} {
		if kith.ErrorCode(err) != kith.ECodeUnavailable {
			t.Errorf("%s after Close: %v, want unavailable", name, err)
		}
	}
}

func TestViewIsReadOnlyAndSeesCommits(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx := context.Background()
	err := s.View(ctx, func(tx kith.ReadTx) error {
		if _, ok := tx.(kith.Tx); ok {
			t.Error("View's transaction offers write methods")
		}
		got, err := tx.FindWorkspaceByName(ctx, ws.Name)
		if err != nil {
			return err
		}
		if got.ID != ws.ID || !got.CreatedAt.Equal(ws.CreatedAt) {
			t.Errorf("FindWorkspaceByName = %+v, want %+v", got, ws)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestViewSnapshot(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx := context.Background()
	p := createProfile(t, s, ws, "a@example.com", "")
	err := s.View(ctx, func(tx kith.ReadTx) error {
		before, err := tx.FindProfile(ctx, ws.ID, p.ClientID)
		if err != nil {
			return err
		}
		update(t, s, func(tx kith.Tx) error {
			return tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID, At: time.Now().Add(time.Hour)}})
		})
		after, err := tx.FindProfile(ctx, ws.ID, p.ClientID)
		if err != nil {
			return err
		}
		if !after.LastActivityAt.Equal(before.LastActivityAt) {
			t.Errorf("a View saw a commit made after its first read")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestErrorsAreNotFound(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx := context.Background()
	view(t, s, func(tx kith.ReadTx) error {
		checks := map[string]error{}
		_, checks["FindWorkspace"] = tx.FindWorkspace(ctx, 999)
		_, checks["FindWorkspaceByName"] = tx.FindWorkspaceByName(ctx, "nope")
		_, checks["FindKeyByHash"] = tx.FindKeyByHash(ctx, []byte("nope"))
		_, checks["FindProfile"] = tx.FindProfile(ctx, ws.ID, 999)
		_, checks["FindEvent"] = tx.FindEvent(ctx, ws.ID, "nope")
		for name, err := range checks {
			if kith.ErrorCode(err) != kith.ECodeNotFound {
				t.Errorf("%s: %v, want not_found", name, err)
			}
		}
		return nil
	})
}

func TestTxUnusableAfterUpdate(t *testing.T) {
	s := OpenTest(t)
	var kept kith.Tx
	update(t, s, func(tx kith.Tx) error { kept = tx; return nil })
	_, err := kept.FindWorkspace(context.Background(), 1)
	if !errors.Is(err, errTxDone) {
		t.Errorf("using a Tx after its Update: %v, want errTxDone", err)
	}
}

// rawRow is a query for tests to read the tables directly.
type rawRow struct {
	s     *Store
	query string
	args  []any
}

// sqlRow returns query on a read connection; Scan runs it and reads its
// one row.
func sqlRow(s *Store, query string, args ...any) rawRow { return rawRow{s, query, args} }

func (r rawRow) Scan(dest ...any) error {
	ctx := context.Background()
	return r.s.withReader(ctx, func(rd *reader) error {
		return row{}.from(rd.queryContext(ctx, r.query, r.args...)).Scan(dest...)
	})
}

// TestViewsFillingThePoolDoNotWaitOnEachOther guards against a View that
// needs a second connection (say, to prepare a statement) while every
// connection is held by Views waiting for it.
func TestViewsFillingThePoolDoNotWaitOnEachOther(t *testing.T) {
	s, err := Open(context.Background(), Options{Dir: t.TempDir(), Synchronous: "NORMAL", ReadConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var inside sync.WaitGroup
	inside.Add(2)
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func() {
			errs <- s.View(ctx, func(tx kith.ReadTx) error {
				// Both Views hold a connection before either prepares
				// its first statement.
				inside.Done()
				inside.Wait()
				if i == 0 {
					_, err := tx.ListTags(ctx, ws.ID)
					return err
				}
				_, err := tx.ListAttributeDefs(ctx, ws.ID)
				return err
			})
		}()
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Errorf("View: %v", err)
		}
	}
}

func TestPanickingViewGivesItsConnectionBack(t *testing.T) {
	s, err := Open(context.Background(), Options{Dir: t.TempDir(), Synchronous: "NORMAL", ReadConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = s.View(context.Background(), func(kith.ReadTx) error { panic("bug") })
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping after a panicking View: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

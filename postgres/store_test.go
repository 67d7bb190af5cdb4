package postgres

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/internal/migrations"
)

// TestConcurrentCreateSameEmail checks rule R9 across processes: writers on
// two stores (two pools, as two Kith nodes) that all find no profile for a
// new email and create one end with exactly one profile, every Update
// succeeding after the losers retried.
func TestConcurrentCreateSameEmail(t *testing.T) {
	stores := OpenTestStores(t, 2)
	for _, mode := range []string{kith.ModeEmail, kith.ModeCustomID} {
		t.Run(mode, func(t *testing.T) {
			ws := newWorkspace(t, stores[0], mode)
			kind, value := ws.MainKind(), "ada@example.com"
			if mode == kith.ModeCustomID {
				value = "LOY-1"
			}
			const writers = 16
			var calls atomic.Int64
			var wg sync.WaitGroup
			errs := make([]error, writers)
			ids := make([]int64, writers)
			start := make(chan struct{})
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = stores[i%2].Update(context.Background(), func(tx kith.Tx) error {
						calls.Add(1)
						ctx := context.Background()
						id, err := tx.FindClientID(ctx, ws.ID, kind, value)
						if err != nil || id != 0 {
							ids[i] = id
							return err
						}
						p := &kith.Profile{UUIDs: []string{uuid.NewString()}, CreatedAt: base, UpdatedAt: base, LastActivityAt: base}
						p.SetIdentifier(kind, value)
						if err := tx.CreateProfile(ctx, ws, p); err != nil {
							return err
						}
						ids[i] = p.ClientID
						return nil
					})
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("writer %d: %v", i, err)
				}
				if ids[i] != ids[0] || ids[i] == 0 {
					t.Fatalf("writer %d saw profile %d, writer 0 saw %d", i, ids[i], ids[0])
				}
			}
			var n int
			err := stores[1].pool.QueryRow(context.Background(),
				"SELECT count(*) FROM profiles WHERE workspace_id = $1", ws.ID).Scan(&n)
			if err != nil || n != 1 {
				t.Fatalf("%d profiles (err %v), want 1", n, err)
			}
			t.Logf("%d writers, %d function calls", writers, calls.Load())
		})
	}
}

// TestConcurrentCreateSameUUID checks that two anonymous writes with the
// same new uuid end with one profile.
func TestConcurrentCreateSameUUID(t *testing.T) {
	stores := OpenTestStores(t, 2)
	ws := newWorkspace(t, stores[0], kith.ModeEmail)
	u := uuid.NewString()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = stores[i%2].Update(context.Background(), func(tx kith.Tx) error {
				ctx := context.Background()
				id, err := tx.FindClientID(ctx, ws.ID, kith.KindUUID, u)
				if err != nil || id != 0 {
					return err
				}
				p := &kith.Profile{UUIDs: []string{u}, CreatedAt: base, UpdatedAt: base, LastActivityAt: base}
				return tx.CreateProfile(ctx, ws, p)
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	var n int
	if err := stores[0].pool.QueryRow(context.Background(),
		"SELECT count(*) FROM profiles WHERE workspace_id = $1", ws.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d profiles (err %v), want 1", n, err)
	}
}

// TestUpdateRetriesErrRetry checks that a function returning kith.ErrRetry
// runs again in a fresh transaction, and that nothing of the failed runs
// remains.
func TestUpdateRetriesErrRetry(t *testing.T) {
	s := OpenTestStore(t)
	ws := newWorkspace(t, s, kith.ModeEmail)
	calls := 0
	update(t, s, func(tx kith.Tx) error {
		calls++
		p := &kith.Profile{CustomID: fmt.Sprintf("try-%d", calls), UUIDs: []string{uuid.NewString()},
			CreatedAt: base, UpdatedAt: base, LastActivityAt: base}
		if err := tx.CreateProfile(context.Background(), ws, p); err != nil {
			return err
		}
		if calls < 3 {
			return fmt.Errorf("identity: profile moved: %w", kith.ErrRetry)
		}
		return nil
	})
	if calls != 3 {
		t.Fatalf("fn ran %d times, want 3", calls)
	}
	rows, _ := s.pool.Query(context.Background(), "SELECT custom_id FROM profiles WHERE workspace_id = $1", ws.ID)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(got) != 1 || got[0] != "try-3" {
		t.Fatalf("profiles %v (err %v), want only try-3", got, err)
	}
}

// TestUpdateGivesUp checks that Update stops after maxTries and returns the
// retry error.
func TestUpdateGivesUp(t *testing.T) {
	s := OpenTestStore(t)
	calls := 0
	err := s.Update(context.Background(), func(kith.Tx) error {
		calls++
		return kith.ErrRetry
	})
	if calls != maxTries {
		t.Fatalf("fn ran %d times, want %d", calls, maxTries)
	}
	wantRetry(t, err)
}

// TestUpdateRollsBack checks that an error from fn undoes its writes and is
// returned as it is, without retries.
func TestUpdateRollsBack(t *testing.T) {
	s := OpenTestStore(t)
	ws := newWorkspace(t, s, kith.ModeEmail)
	boom := kith.Errorf(kith.ECodeIdentityConflict, "conflict")
	calls := 0
	err := s.Update(context.Background(), func(tx kith.Tx) error {
		calls++
		p := &kith.Profile{Email: "a@example.com", UUIDs: []string{uuid.NewString()}}
		if err := tx.CreateProfile(context.Background(), ws, p); err != nil {
			return err
		}
		return boom
	})
	if err != boom || calls != 1 {
		t.Fatalf("err %v after %d calls, want the function's error after 1", err, calls)
	}
	view(t, s, func(tx kith.ReadTx) error {
		id, err := tx.FindClientID(context.Background(), ws.ID, kith.KindEmail, "a@example.com")
		if id != 0 {
			t.Errorf("profile %d survived a failed transaction", id)
		}
		return err
	})
}

// TestViewSnapshot checks that View reads one snapshot and cannot write.
func TestViewSnapshot(t *testing.T) {
	s := OpenTestStore(t)
	ws := newWorkspace(t, s, kith.ModeEmail)
	view(t, s, func(rtx kith.ReadTx) error {
		ctx := context.Background()
		if _, err := rtx.FindWorkspace(ctx, ws.ID); err != nil {
			return err
		}
		newProfile(t, s, ws, "later@example.com", "")
		id, err := rtx.FindClientID(ctx, ws.ID, kith.KindEmail, "later@example.com")
		if id != 0 {
			t.Errorf("View saw profile %d committed after its snapshot", id)
		}
		if err != nil {
			return err
		}
		err = rtx.(kith.Tx).CreateWorkspace(ctx, &kith.Workspace{Name: "nope", IdentityMode: kith.ModeEmail})
		if err == nil {
			t.Errorf("a write in View succeeded")
		}
		return nil
	})
}

// TestMigrationsConcurrentOpen checks that stores opening a new schema at
// the same moment apply each migration once, and that opening again is a
// no-op.
func TestMigrationsConcurrentOpen(t *testing.T) {
	dsn := TestDSN(t)
	schema := testSchemaName(t)
	t.Cleanup(func() { dropTestSchema(t, dsn, schema) })
	const n = 4
	var wg sync.WaitGroup
	stores := make([]*Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(context.Background(), Options{DSN: dsn, Schema: schema})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	again, err := Open(context.Background(), Options{DSN: dsn, Schema: schema})
	if err != nil {
		t.Fatalf("open again: %v", err)
	}
	defer again.Close()
	ms, err := migrations.Load(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := again.pool.Query(context.Background(), "SELECT version FROM schema_migrations ORDER BY version")
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != len(ms) {
		t.Fatalf("schema_migrations has %v, want %d versions", versions, len(ms))
	}
	for i, m := range ms {
		if int(versions[i]) != m.Version {
			t.Fatalf("schema_migrations has %v", versions)
		}
	}
	// The store works on its own schema.
	newWorkspace(t, stores[n-1], kith.ModeEmail)
}

// TestOpenUnreachable checks that a server that does not answer gives
// unavailable.
func TestOpenUnreachable(t *testing.T) {
	TestDSN(t) // the test is part of the PostgreSQL suite
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Open(ctx, Options{DSN: "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2"})
	wantCode(t, err, kith.ECodeUnavailable)
}

// TestRecoversFromTerminatedConnections checks that the pool gets over a
// server restart by itself: every connection of the store is terminated by
// the server (57P01, as at shutdown), and the next Update and View succeed
// on fresh connections.
func TestRecoversFromTerminatedConnections(t *testing.T) {
	dsn := TestDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Skipf("DSN is not a URL: %v", err)
	}
	app := "kith_test_" + uuid.NewString()[:8]
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	schema := testSchemaName(t)
	t.Cleanup(func() { dropTestSchema(t, dsn, schema) })
	s, err := Open(context.Background(), Options{DSN: u.String(), Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws := newWorkspace(t, s, kith.ModeEmail)
	// Fill the pool with connections that are idle less than a second, so
	// that pgxpool hands them out without pinging them first.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.View(context.Background(), func(tx kith.ReadTx) error {
				_, err := tx.FindWorkspace(context.Background(), ws.ID)
				time.Sleep(50 * time.Millisecond)
				return err
			})
		}()
	}
	wg.Wait()
	killer, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close(context.Background())
	var killed int
	if err := killer.QueryRow(context.Background(),
		"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed == 0 {
		t.Fatal("no connection terminated")
	}
	newProfile(t, s, ws, "after@example.com", "")
	view(t, s, func(tx kith.ReadTx) error {
		_, err := tx.FindWorkspace(context.Background(), ws.ID)
		return err
	})
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// TestUnavailableAfterClose checks that a closed store answers
// unavailable.
func TestUnavailableAfterClose(t *testing.T) {
	s := OpenTestStore(t)
	s.Close()
	wantCode(t, s.Update(context.Background(), func(kith.Tx) error { return nil }), kith.ECodeUnavailable)
	wantCode(t, s.View(context.Background(), func(kith.ReadTx) error { return nil }), kith.ECodeUnavailable)
	wantCode(t, s.Ping(context.Background()), kith.ECodeUnavailable)
}

// TestMigrationsRefuseNewerSchema checks that Open refuses a database
// migrated by a newer binary.
func TestMigrationsRefuseNewerSchema(t *testing.T) {
	s := OpenTestStore(t)
	var schema string
	if err := s.pool.QueryRow(context.Background(), "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(context.Background(), "INSERT INTO schema_migrations (version) VALUES (9999)"); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), Options{DSN: TestDSN(t), Schema: schema})
	if err == nil {
		t.Fatal("Open accepted a schema newer than its migrations")
	}
}

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
)

var errBoom = errors.New("boom")

// holdWriter keeps the writer busy inside one Update until release is
// called, so that the Updates queued meanwhile form the next group. A test
// that fails before releasing it is released at cleanup, so that closing
// the store does not wait forever.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	entered, gate := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(kith.Tx) error {
			close(entered)
			<-gate
			return nil
		})
	}()
	<-entered
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(open)
	return func() {
		open()
		if err := <-done; err != nil {
			t.Errorf("holding update: %v", err)
		}
	}
}

// waitQueued waits until n requests wait in the writer's queue.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.reqs) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d requests queued", len(s.reqs), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// tagNames lists the workspace's tag catalogue.
func tagNames(t *testing.T, s *Store, ws int64) []string {
	t.Helper()
	var names []string
	view(t, s, func(tx kith.ReadTx) error {
		tags, err := tx.ListTags(context.Background(), ws)
		for _, tag := range tags {
			names = append(names, tag.Name)
		}
		return err
	})
	return names
}

func TestGroupCommitUndoesOnlyTheFailingUpdate(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx := context.Background()
	const n, failing = 50, 17
	release := holdWriter(t, s)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(ctx, func(tx kith.Tx) error {
				// Two statements, so that undoing the failing one must
				// undo more than its last statement.
				name := fmt.Sprintf("tag-%02d", i)
				if err := tx.EnsureTags(ctx, ws.ID, []string{name}, time.Now()); err != nil {
					return err
				}
				if err := tx.EnsureTags(ctx, ws.ID, []string{name + "-bis"}, time.Now()); err != nil {
					return err
				}
				if i == failing {
					return errBoom
				}
				return nil
			})
		}()
	}
	waitQueued(t, s, n)
	groups := s.groups.Load()
	release()
	wg.Wait()
	// The failure rolls back the first transaction; the other updates run
	// again, together, in a second one.
	if got := s.groups.Load() - groups; got != 2 {
		t.Errorf("%d queued updates with one failing ran in %d groups, want 2", n, got)
	}
	for i, err := range errs {
		if i == failing && !errors.Is(err, errBoom) {
			t.Errorf("failing update returned %v, want errBoom", err)
		}
		if i != failing && err != nil {
			t.Errorf("update %d: %v", i, err)
		}
	}
	names := tagNames(t, s, ws.ID)
	if len(names) != 2*(n-1) {
		t.Errorf("%d tags stored, want %d", len(names), 2*(n-1))
	}
	for _, name := range names {
		if name == fmt.Sprintf("tag-%02d", failing) || name == fmt.Sprintf("tag-%02d-bis", failing) {
			t.Errorf("the failing update's tag %s was committed", name)
		}
	}
}

func TestGroupSizeIsBounded(t *testing.T) {
	s, err := Open(context.Background(), Options{Dir: t.TempDir(), Synchronous: "NORMAL", MaxBatch: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // after holdWriter's cleanup releases the writer
	release := holdWriter(t, s)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Update(context.Background(), func(kith.Tx) error { return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	waitQueued(t, s, 4)
	// The queue holds MaxBatch requests; these wait to be sent.
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Update(context.Background(), func(kith.Tx) error { return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	groups, reqs := s.groups.Load(), s.requests.Load()
	release()
	wg.Wait()
	g, r := s.groups.Load()-groups, s.requests.Load()-reqs
	if r != 8 || g < 2 {
		t.Errorf("8 updates ran as %d requests in %d groups, want 8 in at least 2 (MaxBatch 4)", r, g)
	}
}

func TestUpdateRetriesOnErrRetry(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx := context.Background()
	attempts := 0
	err := s.Update(ctx, func(tx kith.Tx) error {
		attempts++
		if err := tx.EnsureTags(ctx, ws.ID, []string{fmt.Sprintf("attempt-%d", attempts)}, time.Now()); err != nil {
			return err
		}
		if attempts < 3 {
			return fmt.Errorf("lost a race: %w", kith.ErrRetry)
		}
		return nil
	})
	if err != nil || attempts != 3 {
		t.Fatalf("Update = %v after %d attempts, want nil after 3", err, attempts)
	}
	if got := tagNames(t, s, ws.ID); len(got) != 1 || got[0] != "attempt-3" {
		t.Errorf("tags %v, want only the last attempt's", got)
	}

	attempts = 0
	err = s.Update(ctx, func(tx kith.Tx) error {
		attempts++
		if err := tx.EnsureTags(ctx, ws.ID, []string{"never"}, time.Now()); err != nil {
			return err
		}
		return kith.ErrRetry
	})
	if !errors.Is(err, kith.ErrRetry) || attempts != 1+maxRetries {
		t.Errorf("always-retrying Update = %v after %d attempts, want ErrRetry after %d", err, attempts, 1+maxRetries)
	}
	if got := tagNames(t, s, ws.ID); len(got) != 1 {
		t.Errorf("tags %v: the given-up update left writes behind", got)
	}
}

func TestUniqueViolationRetries(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx := context.Background()
	createProfile(t, s, ws, "taken@example.com", "")
	attempts := 0
	err := s.Update(ctx, func(tx kith.Tx) error {
		attempts++
		email := "taken@example.com"
		if attempts > 1 {
			email = "free@example.com"
		}
		return tx.CreateProfile(ctx, ws, &kith.Profile{Email: email, UUIDs: []string{newUUID()}})
	})
	if err != nil || attempts != 2 {
		t.Errorf("Update = %v after %d attempts, want nil after 2", err, attempts)
	}
}

func TestUpdateRecoversPanic(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx := context.Background()
	err := s.Update(ctx, func(tx kith.Tx) error {
		if err := tx.EnsureTags(ctx, ws.ID, []string{"panicked"}, time.Now()); err != nil {
			return err
		}
		panic("bug")
	})
	if err == nil || kith.ErrorCode(err) != kith.ECodeInternal {
		t.Fatalf("panicking Update = %v, want an internal error", err)
	}
	if kith.ErrorMessage(err) != "internal error" {
		t.Errorf("panic details reach users: %q", kith.ErrorMessage(err))
	}
	update(t, s, func(tx kith.Tx) error { return tx.EnsureTags(ctx, ws.ID, []string{"after"}, time.Now()) })
	if got := tagNames(t, s, ws.ID); len(got) != 1 || got[0] != "after" {
		t.Errorf("tags %v, want only the one written after the panic", got)
	}
}

func TestUpdateSkipsCanceledRequest(t *testing.T) {
	s := OpenTest(t)
	release := holdWriter(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Bool
	done := make(chan error, 1)
	go func() { done <- s.Update(ctx, func(kith.Tx) error { ran.Store(true); return nil }) }()
	waitQueued(t, s, 1)
	cancel()
	release()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled Update = %v, want context.Canceled", err)
	}
	if ran.Load() {
		t.Error("the writer ran a request whose context was done")
	}
	if err := s.Update(ctx, func(kith.Tx) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a done context = %v, want context.Canceled", err)
	}
}

func TestContextCanceledInsideUpdate(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Update(ctx, func(tx kith.Tx) error {
		if err := tx.EnsureTags(ctx, ws.ID, []string{"before-cancel"}, time.Now()); err != nil {
			return err
		}
		cancel()
		return tx.EnsureTags(ctx, ws.ID, []string{"after-cancel"}, time.Now())
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update = %v, want context.Canceled", err)
	}
	if got := tagNames(t, s, ws.ID); len(got) != 0 {
		t.Errorf("tags %v survived a canceled update", got)
	}
}

func TestBrokenTransactionRerunsTheRest(t *testing.T) {
	s := OpenTest(t)
	ws := createWorkspace(t, s, kith.ModeEmail)
	ctx := context.Background()
	release := holdWriter(t, s)
	var runsA atomic.Int32
	results := make([]chan error, 3)
	fns := []func(kith.Tx) error{
		func(tx kith.Tx) error {
			runsA.Add(1)
			return tx.EnsureTags(ctx, ws.ID, []string{"a"}, time.Now())
		},
		// Ends the transaction under the group, as SQLite does itself on
		// some errors (a full disk, an I/O error), which the failing
		// statement then reports.
		func(ktx kith.Tx) error {
			if _, err := ktx.(*tx).q.(*writer).exec("ROLLBACK"); err != nil {
				return err
			}
			return errors.New("disk I/O error")
		},
		func(tx kith.Tx) error { return tx.EnsureTags(ctx, ws.ID, []string{"c"}, time.Now()) },
	}
	for i, fn := range fns {
		results[i] = make(chan error, 1)
		go func() { results[i] <- s.Update(ctx, fn) }()
		waitQueued(t, s, i+1)
	}
	release()
	errs := []error{<-results[0], <-results[1], <-results[2]}
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Errorf("results %v, want only the breaking update to fail", errs)
	}
	if runsA.Load() != 2 {
		t.Errorf("the update before the break ran %d times, want 2", runsA.Load())
	}
	if got := tagNames(t, s, ws.ID); len(got) != 2 {
		t.Errorf("tags %v, want a and c", got)
	}
}

func TestCloseFinishesQueuedWork(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ws := createWorkspace(t, s, kith.ModeEmail)
	release := holdWriter(t, s)
	const n = 10
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			results <- s.Update(ctx, func(tx kith.Tx) error {
				return tx.EnsureTags(ctx, ws.ID, []string{fmt.Sprintf("t%d", i)}, time.Now())
			})
		}()
	}
	waitQueued(t, s, n)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	// Close refuses new work before it waits for the queue.
	for {
		s.mu.RLock()
		c := s.closed
		s.mu.RUnlock()
		if c {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := s.Update(ctx, func(kith.Tx) error { return nil }); kith.ErrorCode(err) != kith.ECodeUnavailable {
		t.Errorf("Update during Close = %v, want unavailable", err)
	}
	release()
	for i := 0; i < n; i++ {
		if err := <-results; err != nil {
			t.Errorf("queued update: %v", err)
		}
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := tagNames(t, s, ws.ID); len(got) != n {
		t.Errorf("%d tags after reopening, want %d", len(got), n)
	}
}

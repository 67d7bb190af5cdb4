package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/sqlite"
)

// heldStore is a real store whose transactions are counted, whose first
// transaction can be held at its start, and which fail on an event action.
type heldStore struct {
	kith.Store
	updates atomic.Int64
	hold    chan struct{} // the first Update waits for it to close
	started chan struct{} // receives when the first Update waits
}

func (s *heldStore) Update(ctx context.Context, fn func(kith.Tx) error) error {
	if s.updates.Add(1) == 1 && s.hold != nil {
		s.started <- struct{}{}
		<-s.hold
	}
	return s.Store.Update(ctx, func(tx kith.Tx) error { return fn(failingTx{tx}) })
}

// failingTx fails InsertEvents for a batch holding an event "test.fail",
// and answers that the store is unavailable for one holding "test.down".
type failingTx struct{ kith.Tx }

var (
	errInjected = errors.New("injected failure")
	errDown     = kith.Errorf(kith.ECodeUnavailable, "injected: database unavailable")
)

func (t failingTx) InsertEvents(ctx context.Context, events []*kith.Event) error {
	for _, e := range events {
		switch e.Action {
		case "test.fail":
			return errInjected
		case "test.down":
			return errDown
		}
	}
	return t.Tx.InsertEvents(ctx, events)
}

func newHeldService(t *testing.T) (*Service, *heldStore, *kith.Workspace) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: t.TempDir(), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace("group", kith.ModeEmail), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	hs := &heldStore{Store: st}
	return &Service{Store: hs, Lanes: 1}, hs, c.Workspace
}

// visit is a page visit of a new browser.
func visit(action string) *identity.Write {
	return &identity.Write{
		Client: kith.Identifiers{UUID: uuid.NewString()}, Source: kith.SourceAPI,
		Event: &kith.Event{EventID: uuid.NewString(), Action: action}, CheckDuplicate: true,
	}
}

// holdFirst makes the first Update wait until the returned release is
// called; hs.started receives when it waits.
func holdFirst(hs *heldStore) (release func()) {
	hs.hold, hs.started = make(chan struct{}), make(chan struct{}, 1)
	return func() { close(hs.hold) }
}

func TestConcurrentCallsShareTransactions(t *testing.T) {
	svc, hs, ws := newHeldService(t)
	release := holdFirst(hs)
	const calls = 20
	writes := make([][]*identity.Write, calls)
	outs := make([][]Outcome, calls)
	errs := make([]error, calls)
	var wg sync.WaitGroup
	for i := range calls {
		writes[i] = []*identity.Write{visit("page.visit"), nil, visit("page.visit")}
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = svc.Apply(context.Background(), ws, writes[i])
		}()
		if i == 0 {
			<-hs.started // the first call holds the only lane
		}
	}
	waitQueued(t, svc, ws, calls-1)
	release()
	wg.Wait()
	if n := hs.updates.Load(); n != 2 {
		t.Errorf("%d transactions for %d calls, want 2 (the first alone, then the 19 waiting)", n, calls)
	}
	if got := svc.Stats(); got != (Stats{Transactions: 2, Calls: calls}) {
		t.Errorf("stats %+v, want 2 transactions for %d calls", got, calls)
	}
	seen := map[int64]bool{}
	for i := range calls {
		if errs[i] != nil || len(outs[i]) != 3 || outs[i][1] != (Outcome{}) {
			t.Fatalf("call %d: %v %+v", i, errs[i], outs[i])
		}
		for _, j := range []int{0, 2} {
			r := outs[i][j].Result
			if r == nil || !r.Created || seen[r.ClientID] {
				t.Fatalf("call %d write %d: %+v (each write is a new browser)", i, j, outs[i][j])
			}
			seen[r.ClientID] = true
			var found int64
			err := hs.View(context.Background(), func(tx kith.ReadTx) error {
				var err error
				found, err = tx.FindClientID(context.Background(), ws.ID, kith.KindUUID, writes[i][j].Client.UUID)
				return err
			})
			if err != nil || found != r.ClientID {
				t.Fatalf("call %d write %d answered profile %d, stored on %d (%v)", i, j, r.ClientID, found, err)
			}
		}
	}
}

func TestFailedSharedTransactionRunsCallsAlone(t *testing.T) {
	for _, tc := range []struct {
		action  string
		wantErr error
		updates int64 // the first alone, the shared one, the reruns
	}{
		{"test.fail", errInjected, 1 + 1 + 3},
		{"test.down", errDown, 1 + 1}, // unavailable: no reruns
	} {
		t.Run(tc.action, func(t *testing.T) {
			svc, hs, ws := newHeldService(t)
			release := holdFirst(hs)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range 4 {
				action := "page.visit"
				if i == 2 {
					action = tc.action
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = svc.Apply(context.Background(), ws, []*identity.Write{visit(action)})
				}()
				if i == 0 {
					<-hs.started
				}
			}
			waitQueued(t, svc, ws, 3)
			release()
			wg.Wait()
			for i, err := range errs {
				alone := tc.wantErr == errInjected && i != 2
				if i == 0 || alone {
					if err != nil {
						t.Errorf("call %d: %v", i, err)
					}
				} else if !errors.Is(err, tc.wantErr) {
					t.Errorf("call %d: %v, want %v", i, err, tc.wantErr)
				}
			}
			if n := hs.updates.Load(); n != tc.updates {
				t.Errorf("%d transactions, want %d", n, tc.updates)
			}
		})
	}
}

func TestCallGivingUpLeavesTheQueue(t *testing.T) {
	svc, hs, ws := newHeldService(t)
	release := holdFirst(hs)
	first := make(chan error, 1)
	go func() {
		_, err := svc.Apply(context.Background(), ws, []*identity.Write{visit("page.visit")})
		first <- err
	}()
	<-hs.started
	ctx, cancel := context.WithCancel(context.Background())
	gone := visit("page.visit")
	given := make(chan error, 1)
	go func() {
		_, err := svc.Apply(ctx, ws, []*identity.Write{gone})
		given <- err
	}()
	waitQueued(t, svc, ws, 1)
	cancel()
	if err := <-given; !errors.Is(err, context.Canceled) {
		t.Fatalf("a call that gave up while waiting: %v", err)
	}
	waitQueued(t, svc, ws, 0)
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// The lane is free again, and the call that gave up wrote nothing.
	if _, err := svc.Apply(context.Background(), ws, []*identity.Write{visit("page.visit")}); err != nil {
		t.Fatal(err)
	}
	err := hs.View(context.Background(), func(tx kith.ReadTx) error {
		id, err := tx.FindClientID(context.Background(), ws.ID, kith.KindUUID, gone.Client.UUID)
		if err == nil && id != 0 {
			err = fmt.Errorf("the withdrawn write created profile %d", id)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitQueued waits until n calls wait in the workspace's queue.
func waitQueued(t *testing.T, svc *Service, ws *kith.Workspace, n int) {
	t.Helper()
	q := svc.queueOf(ws.ID)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		q.mu.Lock()
		got := len(q.waiting)
		q.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", got, n)
		}
	}
}

// TestLanesUnderLoad runs many concurrent callers, some giving up, through
// two lanes: every caller that waits is answered, and the lanes stay free
// for the next call.
func TestLanesUnderLoad(t *testing.T) {
	svc, _, ws := newHeldService(t)
	svc.Lanes = 2
	var wg sync.WaitGroup
	var failed atomic.Int64
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				ctx, cancel := context.WithCancel(context.Background())
				if (g+i)%7 == 0 {
					time.AfterFunc(time.Duration(i%3)*time.Millisecond, cancel)
				}
				_, err := svc.Apply(ctx, ws, []*identity.Write{visit("page.visit")})
				if err != nil && ctx.Err() == nil {
					failed.Add(1)
					t.Errorf("caller %d call %d: %v", g, i, err)
				}
				cancel()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("callers still waiting after a minute")
	}
	q := svc.queueOf(ws.ID)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.lanes != 0 || len(q.waiting) != 0 {
		t.Errorf("after the load: %d lanes held, %d calls waiting", q.lanes, len(q.waiting))
	}
}

// TestLanesFollowTheStore checks the lane count: one on a store whose
// writes run one at a time, defaultLanes on others, and Lanes when set.
func TestLanesFollowTheStore(t *testing.T) {
	_, hs, _ := newHeldService(t)
	serial := hs.Store // the *sqlite.Store itself
	for _, c := range []struct {
		name string
		svc  *Service
		want int
	}{
		{"serial writer", &Service{Store: serial}, 1},
		{"other store", &Service{Store: hs}, defaultLanes},
		{"set", &Service{Store: serial, Lanes: 3}, 3},
	} {
		if got := c.svc.lanes(); got != c.want {
			t.Errorf("%s: %d lanes, want %d", c.name, got, c.want)
		}
	}
}

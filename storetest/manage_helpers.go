package storetest

import (
	"context"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// managementTests are the topics of the profile management API: the
// catalogues, notes, the timeline, explicit identifier changes, erasure
// and the profile list.
var managementTests = func() []testCase {
	var all []testCase
	for _, g := range [][]testCase{catalogueTests, noteTests, timelineTests, changeTests, eraseTests, listTests} {
		all = append(all, g...)
	}
	return all
}()

// session runs fn with an identity session in its own Update at the next
// tick and stores the events it records. It returns fn's error, after
// which the Update has written nothing.
func session(t testing.TB, st kith.Store, ws *kith.Workspace, fn func(ctx context.Context, s *identity.Session) error) error {
	t.Helper()
	now := tick()
	return st.Update(t.Context(), func(tx kith.Tx) error {
		s := identity.NewSession(tx, ws, now)
		if err := fn(t.Context(), s); err != nil {
			return err
		}
		return s.Flush(t.Context())
	})
}

// mustSession is session for work that must succeed.
func mustSession(t testing.TB, st kith.Store, ws *kith.Workspace, fn func(ctx context.Context, s *identity.Session) error) {
	t.Helper()
	if err := session(t, st, ws, fn); err != nil {
		t.Fatalf("session: %v (code %s)", err, kith.ErrorCode(err))
	}
}

// read runs fn in a View and fails the test on error.
func read[T any](t testing.TB, st kith.Store, fn func(ctx context.Context, rx kith.ReadTx) (T, error)) T {
	t.Helper()
	var out T
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		out, err = fn(ctx, rx)
		return err
	})
	return out
}

// listIDs returns the clientIds ListProfiles answers for f.
func listIDs(t testing.TB, st kith.Store, ws *kith.Workspace, f kith.ProfileFilter) []int64 {
	t.Helper()
	list := read(t, st, func(ctx context.Context, rx kith.ReadTx) ([]*kith.Profile, error) {
		return rx.ListProfiles(ctx, ws.ID, f)
	})
	out := []int64{}
	for _, p := range list {
		out = append(out, p.ClientID)
	}
	return out
}

// stats returns CountProfiles.
func stats(t testing.TB, st kith.Store, ws *kith.Workspace) kith.ProfileStats {
	t.Helper()
	return read(t, st, func(ctx context.Context, rx kith.ReadTx) (kith.ProfileStats, error) {
		return rx.CountProfiles(ctx, ws.ID)
	})
}

// notesOf returns a profile's notes.
func notesOf(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) []*kith.Note {
	t.Helper()
	return read(t, st, func(ctx context.Context, rx kith.ReadTx) ([]*kith.Note, error) {
		return rx.ListNotes(ctx, ws.ID, id)
	})
}

// journal returns the merge journal entries with one of ids as target.
func journal(t testing.TB, st kith.Store, ws *kith.Workspace, ids ...int64) []*kith.Merge {
	t.Helper()
	return read(t, st, func(ctx context.Context, rx kith.ReadTx) ([]*kith.Merge, error) {
		return rx.ListMerges(ctx, ws.ID, ids)
	})
}

// boolRef returns a pointer to b.
func boolRef(b bool) *bool { return &b }

package sqlite

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/kithcdp/kith"
)

// TestPendingProfilesAcrossAGroup creates profiles from concurrent Update
// calls, which the writer runs in shared transactions: every profile gets
// its own clientId, in creation order within a call, and is stored with
// its uuids.
func TestPendingProfilesAcrossAGroup(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	const callers, each = 20, 3
	created := make([][]*kith.Profile, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(tx kith.Tx) error {
				created[i] = nil
				for range each {
					p := &kith.Profile{UUIDs: []string{newUUID(), newUUID()}}
					if err := tx.CreateProfile(ctx, ws, p); err != nil {
						return err
					}
					created[i] = append(created[i], p)
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var ids []int64
	for _, ps := range created {
		for j, p := range ps {
			if j > 0 && p.ClientID != ps[j-1].ClientID+1 {
				t.Errorf("clientIds of one call: %d after %d", p.ClientID, ps[j-1].ClientID)
			}
			ids = append(ids, p.ClientID)
			view(t, s, func(tx kith.ReadTx) error {
				got, err := tx.FindProfile(ctx, ws.ID, p.ClientID)
				if err != nil || !slices.Equal(got.UUIDs, p.UUIDs) {
					t.Errorf("profile %d: %+v, %v; want uuids %v", p.ClientID, got, err, p.UUIDs)
				}
				return nil
			})
		}
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) != callers*each {
		t.Errorf("%d distinct clientIds, want %d", len(ids), callers*each)
	}
	var seq int64
	if err := sqlRow(s, `SELECT seq FROM sqlite_sequence WHERE name = 'profiles'`).Scan(&seq); err != nil || seq != ids[len(ids)-1] {
		t.Errorf("sqlite_sequence = %d, %v; want the highest clientId %d", seq, err, ids[len(ids)-1])
	}
}

// TestPendingProfileFailsItsCall creates a profile with a taken email and
// returns at once: the insert at the end of the function fails the call
// (after its retries) and stores nothing, and the next call in the same
// writer is not affected.
func TestPendingProfileFailsItsCall(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	createProfile(t, s, ws, "ada@example.com", "")
	err := s.Update(ctx, func(tx kith.Tx) error {
		return tx.CreateProfile(ctx, ws, &kith.Profile{Email: "ada@example.com", UUIDs: []string{newUUID()}})
	})
	if !errors.Is(err, kith.ErrRetry) {
		t.Errorf("Update creating a taken email: %v, want ErrRetry", err)
	}
	p := createProfile(t, s, ws, "bob@example.com", "")
	var n int
	if err := sqlRow(s, `SELECT count(*) FROM profiles WHERE workspace_id = ?`, ws.ID).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d profiles, want 2 (%v)", n, err)
	}
	if p.ClientID == 0 {
		t.Error("no clientId for the next profile")
	}
}

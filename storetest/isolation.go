package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// isolationTests checks that workspaces never see each other's data, that
// workspaces and keys round-trip, and that a failed Update leaves nothing.
var isolationTests = []testCase{
	{"Isolation_workspaces_are_separate", bothModes, testIsolation},
	{"Workspace_and_keys_round_trip", emailMode, testWorkspaceRoundTrip},
	{"Update_error_rolls_back_alone", emailMode, testUpdateRollback},
	{"R9_merge_and_its_write_roll_back_together", bothModes, testMergeRollback},
}

func testIsolation(t *testing.T, st kith.Store, wsA *kith.Workspace) {
	wsB := createWorkspace(t, st, wsA.IdentityMode)
	u, e, c := newUUID(), "ada@example.com", "LOY-1"
	full := ids(email(e), custom(c), browser(u))
	a := mustApply(t, st, wsA, ev(kith.ActionFormSubmit, full, tags("a-tag"), attr("aAttr", 1.0), rawEventID(newUUID())))
	b := mustApply(t, st, wsB, ev(kith.ActionFormSubmit, full, tags("b-tag"), attr("bAttr", "x"), rawEventID(newUUID())))
	if !a.Created || !b.Created || a.ClientID == b.ClientID {
		t.Fatalf("same identifiers in two workspaces: %+v, %+v; want two new profiles", a, b)
	}
	bEvent := eventsOf(t, st, wsB, b.ClientID, kith.ActionFormSubmit)[0].EventID

	for _, side := range []struct {
		ws         *kith.Workspace
		own, other int64
		tag, attr  string
	}{{wsA, a.ClientID, b.ClientID, "a-tag", "aAttr"}, {wsB, b.ClientID, a.ClientID, "b-tag", "bAttr"}} {
		ws := side.ws
		if _, err := findProfile(t, st, ws, side.other); kith.ErrorCode(err) != kith.ECodeNotFound {
			t.Errorf("workspace %d: FindProfile(other workspace's %d) = %v, want not_found", ws.ID, side.other, err)
		}
		eq(t, "FindClientID(other workspace's clientId)", survivor(t, st, ws, side.other), int64(0))
		eq(t, "FindClientID(uuid)", owner(t, st, ws, kith.KindUUID, u), side.own)
		eq(t, "FindClientID(customId)", owner(t, st, ws, kith.KindCustomID, c), side.own)
		if ws.EmailIsIdentifier() {
			eq(t, "FindClientID(email)", owner(t, st, ws, kith.KindEmail, e), side.own)
		}
		eq(t, "FindClientIDsByEmail", byEmail(t, st, ws, e), []int64{side.own})
		eq(t, "ListEvents(other workspace's clientId)", len(events(t, st, ws, side.other)), 0)
		eq(t, "tag catalogue", tagNames(catalogueTags(t, st, ws)), []string{side.tag})
		var defs []string
		for _, d := range attributeDefs(t, st, ws) {
			defs = append(defs, d.Name)
		}
		eq(t, "attribute catalogue", defs, []string{side.attr})
	}
	if _, err := findEvent(t, st, wsA, bEvent); kith.ErrorCode(err) != kith.ECodeNotFound {
		t.Errorf("FindEvent of workspace B's event via A = %v, want not_found", err)
	}
	// Event ids are unique per workspace: B's id is new in A.
	dup := mustApply(t, st, wsA, ev("order.placed", custom(c), eventID(bEvent)))
	if dup.Duplicate {
		t.Errorf("workspace B's eventId is a duplicate in workspace A")
	}
	if got, err := findEvent(t, st, wsA, bEvent); err != nil || got.ClientID != a.ClientID || got.Action != "order.placed" {
		t.Errorf("FindEvent(A, %s) = %+v, %v; want A's order.placed", bEvent, got, err)
	}
	if got, err := findEvent(t, st, wsB, bEvent); err != nil || got.ClientID != b.ClientID || got.Action != kith.ActionFormSubmit {
		t.Errorf("FindEvent(B, %s) = %+v, %v; want B's form.submit", bEvent, got, err)
	}
	// Writes cannot reach into the other workspace either.
	_, err := apply(t, st, wsA, upsert(clientID(b.ClientID), attr("firstName", "Mallory")))
	wantCode(t, "write to another workspace's clientId", err, kith.ECodeNotFound)
	_, err = merge(t, st, wsA, a.ClientID, b.ClientID)
	wantCode(t, "merge of another workspace's profile", err, kith.ECodeNotFound)
	jsonEq(t, "B's attributes", profile(t, st, wsB, b.ClientID).Attributes, map[string]any{"bAttr": "x"})
	// Same clientId, same uuid, other workspace: an anonymous visit in A
	// with B's new uuid makes a profile in A only.
	u2 := newUUID()
	b2 := mustApply(t, st, wsB, ev(kith.ActionPageVisit, browser(u2)))
	a2 := mustApply(t, st, wsA, ev(kith.ActionPageVisit, browser(u2)))
	if !a2.Created || a2.ClientID == b2.ClientID {
		t.Errorf("a uuid of workspace B found a profile in A: %+v", a2)
	}
}

func testWorkspaceRoundTrip(t *testing.T, st kith.Store, _ *kith.Workspace) {
	want := &kith.Workspace{
		Name: fmt.Sprintf("shop-%d", wsSeq.Add(1)), IdentityMode: kith.ModeCustomID, UUIDPolicy: kith.UUIDDerived,
		UUIDSalt: "pepper", BlockedIdentifiers: []string{"null", "n/a"}, AllowedOrigins: []string{"https://shop.example.com"},
		SegmentUserIDAs: "email",
	}
	err := st.Update(t.Context(), func(tx kith.Tx) error { return tx.CreateWorkspace(t.Context(), want) })
	if err != nil {
		t.Fatal(err)
	}
	var byID, byName *kith.Workspace
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		if byID, err = rx.FindWorkspace(ctx, want.ID); err != nil {
			return err
		}
		byName, err = rx.FindWorkspaceByName(ctx, want.Name)
		return err
	})
	for how, got := range map[string]*kith.Workspace{"FindWorkspace": byID, "FindWorkspaceByName": byName} {
		if !got.CreatedAt.Equal(want.CreatedAt) || want.CreatedAt.IsZero() {
			t.Errorf("%s createdAt = %v, want %v (set by CreateWorkspace)", how, got.CreatedAt, want.CreatedAt)
		}
		g, w := *got, *want
		g.CreatedAt = w.CreatedAt
		eq(t, how, g, w)
	}
	dup := &kith.Workspace{Name: want.Name, IdentityMode: kith.ModeEmail, UUIDPolicy: kith.UUIDRandom}
	err = st.Update(t.Context(), func(tx kith.Tx) error { return tx.CreateWorkspace(t.Context(), dup) })
	wantCode(t, "workspace with a taken name", err, kith.ECodeConflict)
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		_, err := rx.FindWorkspace(ctx, want.ID+1000000)
		wantCode(t, "FindWorkspace(unknown)", err, kith.ECodeNotFound)
		_, err = rx.FindWorkspaceByName(ctx, "no-such-workspace")
		wantCode(t, "FindWorkspaceByName(unknown)", err, kith.ECodeNotFound)
		return nil
	})

	k := &kith.Key{ID: "key_" + newUUID(), WorkspaceID: want.ID, Kind: kith.KeySecret, Name: "backend",
		Hash: []byte{0xde, 0xad, 0xbe, 0xef, 0x00, 0x01}, Prefix: "sk_abcd", CreatedAt: base}
	if err := st.Update(t.Context(), func(tx kith.Tx) error { return tx.CreateKey(t.Context(), k) }); err != nil {
		t.Fatal(err)
	}
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		got, err := rx.FindKeyByHash(ctx, k.Hash)
		if err != nil {
			t.Errorf("FindKeyByHash: %v", err)
			return nil
		}
		if !got.CreatedAt.Equal(k.CreatedAt) || got.RevokedAt != nil {
			t.Errorf("key times = %v / %v, want %v / nil", got.CreatedAt, got.RevokedAt, k.CreatedAt)
		}
		g := *got
		g.CreatedAt = k.CreatedAt
		eq(t, "key", g, *k)
		_, err = rx.FindKeyByHash(ctx, []byte("no such hash"))
		wantCode(t, "FindKeyByHash(unknown)", err, kith.ECodeNotFound)
		return nil
	})
}

func testUpdateRollback(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(ada))
	boom := errors.New("boom")
	const n = 16
	uuids := make([]string, n)
	for i := range uuids {
		uuids[i] = newUUID()
	}
	now := tick()
	errs := make([]error, n)
	hammer(n, func(i int) {
		errs[i] = st.Update(t.Context(), func(tx kith.Tx) error {
			s := identity.NewSession(tx, ws, now)
			writes := []*identity.Write{
				ev("test.write", ids(email(fmt.Sprintf("u%d@example.com", i)), browser(uuids[i])),
					tags(fmt.Sprintf("tag%d", i)), attr(fmt.Sprintf("attr%d", i), 1.0)),
				upsert(ada, tags(fmt.Sprintf("ada%d", i))),
			}
			for _, w := range writes {
				if _, err := s.Apply(t.Context(), w); err != nil {
					return err
				}
			}
			if err := s.Flush(t.Context()); err != nil {
				return err
			}
			if i%2 == 1 {
				return fmt.Errorf("write %d: %w", i, boom)
			}
			return nil
		})
	})
	adaTags := profile(t, st, ws, p.ClientID).Tags
	catalogue := tagNames(catalogueTags(t, st, ws))
	for i, err := range errs {
		failed := i%2 == 1
		if failed && !errors.Is(err, boom) {
			t.Errorf("Update %d = %v, want fn's error", i, err)
		}
		if !failed && err != nil {
			t.Errorf("Update %d = %v, want nil", i, err)
		}
		mail := fmt.Sprintf("u%d@example.com", i)
		id := owner(t, st, ws, kith.KindEmail, mail)
		checks := map[string]bool{
			"profile":          id != 0,
			"uuid":             owner(t, st, ws, kith.KindUUID, uuids[i]) != 0,
			"attribute def":    defType(t, st, ws, fmt.Sprintf("attr%d", i)) != "",
			"catalogue tag":    slices.Contains(catalogue, fmt.Sprintf("tag%d", i)),
			"tag on a profile": slices.Contains(adaTags, fmt.Sprintf("ada%d", i)),
		}
		for what, present := range checks {
			if present == failed {
				t.Errorf("Update %d (failed=%v): %s present = %v", i, failed, what, present)
			}
		}
		if id != 0 {
			eq(t, "test.write events", countAction(t, st, ws, id, "test.write"), 1)
		}
	}
}

// hammer runs fn(0) … fn(n-1) in n goroutines released together and waits
// for all of them.
func hammer(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

func testMergeRollback(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u), attr("city", "Gdańsk"), tags("a-tag")))
	ada := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(ada))
	profiles := []int64{a.ClientID, p.ClientID}
	before := snapshot(t, st, ws, profiles, browser(u), ada)

	boom := errors.New("boom")
	w := ev(kith.ActionFormSubmit, ids(ada, browser(u)))
	normalize(t, ws, w)
	now := tick()
	var merged []int64
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		s := identity.NewSession(tx, ws, now)
		res, err := s.Apply(t.Context(), w)
		if err != nil {
			return err
		}
		merged = res.Merged
		if err := s.Flush(t.Context()); err != nil {
			return err
		}
		return boom // e.g. the request was cancelled before commit
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	eq(t, "merged inside the failed Update", merged, []int64{a.ClientID})
	wantUnchanged(t, "a rolled-back merge", before, snapshot(t, st, ws, profiles, browser(u), ada))
	eq(t, "A's clientId answers", survivor(t, st, ws, a.ClientID), a.ClientID)

	// Committed, the same write merges.
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	wantResult(t, res, p.ClientID, false, false, a.ClientID)
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// settingsTests checks the workspace settings and API keys of
// kith.SettingsReader and kith.SettingsWriter, and the one-way switch from
// email to customId identity mode.
var settingsTests = []testCase{
	{"Settings_update_workspace", emailMode, testUpdateWorkspace},
	{"Settings_update_workspace_refusals", bothModes, testUpdateWorkspaceRefusals},
	{"Settings_switch_to_customId_mode", emailMode, testSwitchIdentityMode},
	{"Settings_switch_guards_stale_email_mode_writes", emailMode, testStaleWritesAfterSwitch},
	{"Settings_switch_rolls_back", emailMode, testSwitchRollback},
	{"Settings_switch_during_concurrent_writes", emailMode, testSwitchConcurrent},
	{"Settings_keys_list_and_revoke", emailMode, testKeys},
}

func ptr[T any](v T) *T { return &v }

// updateWorkspace runs UpdateWorkspace in its own Update.
func updateWorkspace(t testing.TB, st kith.Store, id int64, u kith.WorkspaceUpdate) (*kith.Workspace, error) {
	t.Helper()
	var ws *kith.Workspace
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		var err error
		ws, err = tx.UpdateWorkspace(t.Context(), id, u)
		return err
	})
	return ws, err
}

// workspace reads workspace id back.
func workspace(t testing.TB, st kith.Store, id int64) *kith.Workspace {
	t.Helper()
	var ws *kith.Workspace
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		ws, err = rx.FindWorkspace(ctx, id)
		return err
	})
	return ws
}

func testUpdateWorkspace(t *testing.T, st kith.Store, ws *kith.Workspace) {
	name := fmt.Sprintf("renamed-%d", wsSeq.Add(1))
	got, err := updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{
		Name:               ptr(" " + name + " "),
		UUIDPolicy:         ptr(kith.UUIDDerived),
		UUIDSalt:           ptr("pepper"),
		BlockedIdentifiers: ptr([]string{" n/a ", "N/A", "nobody"}),
		AllowedOrigins:     ptr([]string{"HTTPS://Shop.Example:443/", "https://shop.example", "http://localhost:8080"}),
		SegmentUserIDAs:    ptr(string(kith.KindEmail)),
	})
	if err != nil {
		t.Fatalf("UpdateWorkspace: %v", err)
	}
	want := *ws
	want.Name, want.UUIDPolicy, want.UUIDSalt, want.SegmentUserIDAs = name, kith.UUIDDerived, "pepper", "email"
	want.BlockedIdentifiers = []string{"n/a", "nobody"}
	want.AllowedOrigins = []string{"https://shop.example", "http://localhost:8080"}
	eq(t, "UpdateWorkspace's answer", *got, want)
	eq(t, "FindWorkspace after the update", *workspace(t, st, ws.ID), want)

	// Fields left out stay; a nil blocklist (the default) and an empty one
	// are kept apart.
	got, err = updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{BlockedIdentifiers: ptr([]string(nil))})
	if err != nil {
		t.Fatalf("UpdateWorkspace(default blocklist): %v", err)
	}
	want.BlockedIdentifiers = nil
	eq(t, "after restoring the default blocklist", *workspace(t, st, ws.ID), want)
	eq(t, "answer", *got, want)
	if _, err = updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{BlockedIdentifiers: ptr([]string{}), AllowedOrigins: ptr([]string{})}); err != nil {
		t.Fatalf("UpdateWorkspace(empty lists): %v", err)
	}
	want.BlockedIdentifiers, want.AllowedOrigins = []string{}, []string{}
	eq(t, "after emptying the lists", *workspace(t, st, ws.ID), want)
	// Staying in the same identity mode is no switch.
	if _, err = updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{IdentityMode: ptr(kith.ModeEmail)}); err != nil {
		t.Fatalf("UpdateWorkspace(same mode): %v", err)
	}
	eq(t, "after setting the same mode", *workspace(t, st, ws.ID), want)
}

func testUpdateWorkspaceRefusals(t *testing.T, st kith.Store, ws *kith.Workspace) {
	other := createWorkspace(t, st, kith.ModeEmail)
	before := *workspace(t, st, ws.ID)
	_, err := updateWorkspace(t, st, ws.ID+1000000, kith.WorkspaceUpdate{Name: ptr("x")})
	wantCode(t, "UpdateWorkspace(unknown id)", err, kith.ECodeNotFound)
	_, err = updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{Name: ptr(other.Name), UUIDSalt: ptr("new")})
	wantCode(t, "UpdateWorkspace(taken name)", err, kith.ECodeConflict)
	for what, u := range map[string]kith.WorkspaceUpdate{
		"bad origin":        {AllowedOrigins: ptr([]string{"https://shop.example/path"}), UUIDSalt: ptr("new")},
		"empty blocked":     {BlockedIdentifiers: ptr([]string{"ok", " "})},
		"bad mode":          {IdentityMode: ptr("phone")},
		"bad policy":        {UUIDPolicy: ptr("sequential")},
		"derived, no salt":  {UUIDPolicy: ptr(kith.UUIDDerived), UUIDSalt: ptr("")},
		"bad segment":       {SegmentUserIDAs: ptr("uuid")},
		"empty name":        {Name: ptr(" ")},
		"control character": {UUIDSalt: ptr("a\nb")},
	} {
		_, err := updateWorkspace(t, st, ws.ID, u)
		wantCode(t, what, err, kith.ECodeInvalidSetting)
	}
	if ws.IdentityMode == kith.ModeCustomID {
		_, err = updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{IdentityMode: ptr(kith.ModeEmail)})
		wantCode(t, "customId → email", err, kith.ECodeIdentityModeLocked)
	}
	eq(t, "workspace after refused updates", *workspace(t, st, ws.ID), before)
}

func testSwitchIdentityMode(t *testing.T, st kith.Store, ws *kith.Workspace) {
	a := mustApply(t, st, ws, upsert(ids(email("a@example.com"), browser(newUUID()))))
	b := mustApply(t, st, ws, upsert(ids(email("b@example.com"), custom("B-1"))))
	c := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	d := mustApply(t, st, ws, upsert(custom("D-1")))
	old := *ws

	got, err := updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{IdentityMode: ptr(kith.ModeCustomID)})
	if err != nil {
		t.Fatalf("switch to customId: %v", err)
	}
	eq(t, "identity mode", got.IdentityMode, kith.ModeCustomID)
	eq(t, "stored identity mode", workspace(t, st, ws.ID).IdentityMode, kith.ModeCustomID)
	ws = got

	// Emails no longer find anyone; they stay contact fields.
	for _, e := range []string{"a@example.com", "b@example.com"} {
		eq(t, "FindClientID("+e+")", owner(t, st, ws, kith.KindEmail, e), int64(0))
	}
	eq(t, "FindClientIDsByEmail(a)", byEmail(t, st, ws, "a@example.com"), []int64{a.ClientID})
	eq(t, "a's email", profile(t, st, ws, a.ClientID).Email, "a@example.com")
	eq(t, "FindClientID(B-1)", owner(t, st, ws, kith.KindCustomID, "B-1"), b.ClientID)
	eq(t, "FindClientID(D-1)", owner(t, st, ws, kith.KindCustomID, "D-1"), d.ClientID)
	for id, want := range map[int64]bool{a.ClientID: false, b.ClientID: true, c.ClientID: false, d.ClientID: true} {
		if profile(t, st, ws, id).Recognized(ws) != want {
			t.Errorf("profile %d recognized = %v after the switch, want %v", id, !want, want)
		}
	}
	// Several profiles may now share an email: the unique email key is gone.
	n := mustApply(t, st, ws, upsert(ids(custom("N-1"), email("a@example.com"))))
	wantResult(t, n, n.ClientID, true, false)
	eq(t, "FindClientIDsByEmail(a) after a second holder", byEmail(t, st, ws, "a@example.com"),
		sorted([]int64{a.ClientID, n.ClientID}))

	// One way only, and switching again changes nothing.
	_, err = updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{IdentityMode: ptr(kith.ModeEmail)})
	wantCode(t, "customId → email", err, kith.ECodeIdentityModeLocked)
	if _, err := updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{IdentityMode: ptr(kith.ModeCustomID)}); err != nil {
		t.Errorf("switching to customId again: %v", err)
	}
	eq(t, "identity mode after the refusal", workspace(t, st, ws.ID).IdentityMode, kith.ModeCustomID)
	eq(t, "old workspace value untouched", old.IdentityMode, kith.ModeEmail)
}

func testStaleWritesAfterSwitch(t *testing.T, st kith.Store, ws *kith.Workspace) {
	a := mustApply(t, st, ws, upsert(email("a@example.com")))
	stale := *ws
	if _, err := updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{IdentityMode: ptr(kith.ModeCustomID)}); err != nil {
		t.Fatalf("switch to customId: %v", err)
	}
	fresh := workspace(t, st, ws.ID)

	// Writes resolved with the email-mode Workspace read before the switch
	// (an API node's cached copy) store no email key: emails stay
	// non-unique, and nothing makes them identify again.
	s1 := mustApply(t, st, &stale, upsert(email("s@example.com")))
	s2 := mustApply(t, st, &stale, upsert(ids(email("s@example.com"), browser(newUUID()))))
	if s1.ClientID == s2.ClientID {
		t.Errorf("a stale email-mode write found a profile by email after the switch")
	}
	mustApply(t, st, &stale, upsert(clientID(a.ClientID), attr("firstName", "Ada")))
	for _, e := range []string{"a@example.com", "s@example.com"} {
		eq(t, "FindClientID("+e+")", owner(t, st, fresh, kith.KindEmail, e), int64(0))
		n := mustApply(t, st, fresh, upsert(ids(custom("C-"+e), email(e))))
		if !n.Created {
			t.Errorf("a customId-mode upsert with %s found profile %d, want a new one", e, n.ClientID)
		}
	}
	eq(t, "FindClientIDsByEmail(s)", len(byEmail(t, st, fresh, "s@example.com")), 3)
}

func testSwitchRollback(t *testing.T, st kith.Store, ws *kith.Workspace) {
	a := mustApply(t, st, ws, upsert(email("a@example.com")))
	boom := errors.New("boom")
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		if _, err := tx.UpdateWorkspace(t.Context(), ws.ID, kith.WorkspaceUpdate{IdentityMode: ptr(kith.ModeCustomID)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	eq(t, "identity mode after the rolled-back switch", workspace(t, st, ws.ID).IdentityMode, kith.ModeEmail)
	eq(t, "FindClientID(a) after the rolled-back switch", owner(t, st, ws, kith.KindEmail, "a@example.com"), a.ClientID)
	_, err = apply(t, st, ws, upsert(ids(email("a@example.com"), custom("X"))))
	if err != nil {
		t.Errorf("email-mode upsert after the rolled-back switch: %v", err)
	}
	eq(t, "FindClientID(X)", owner(t, st, ws, kith.KindCustomID, "X"), a.ClientID)
}

// testSwitchConcurrent switches the mode while writers that hold the
// email-mode Workspace keep writing: afterwards no email identifies a
// profile, whatever committed before or after the switch.
func testSwitchConcurrent(t *testing.T, st kith.Store, ws *kith.Workspace) {
	const writers, perWriter = 8, 12
	stale := *ws
	emailOf := func(i, j int) string { return fmt.Sprintf("w%d-%d@example.com", i, j%4) }
	for i := 0; i < writers; i++ {
		mustApply(t, st, ws, upsert(email(emailOf(i, 0))))
	}
	errs := make([]error, writers+1)
	hammer(writers+1, func(i int) {
		if i == writers {
			_, errs[i] = updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{IdentityMode: ptr(kith.ModeCustomID)})
			return
		}
		for j := 0; j < perWriter && errs[i] == nil; j++ {
			w := upsert(ids(email(emailOf(i, j)), browser(newUUID())), attr("n", float64(j)), tags("t"))
			w.Strict = false
			var n kith.Identifiers
			n, errs[i] = kith.NormalizeIdentifiers(&stale, w.Client, "client")
			w.Client = n
			if errs[i] == nil {
				_, errs[i] = applyWrite(t.Context(), st, &stale, base.Add(time.Duration(j)*time.Millisecond), w)
			}
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("goroutine %d: %v", i, err)
		}
	}
	fresh := workspace(t, st, ws.ID)
	eq(t, "identity mode", fresh.IdentityMode, kith.ModeCustomID)
	for i := 0; i < writers; i++ {
		for j := 0; j < 4; j++ {
			e := emailOf(i, j)
			if id := owner(t, st, fresh, kith.KindEmail, e); id != 0 {
				t.Errorf("FindClientID(%s) = %d after the switch, want 0", e, id)
			}
			if _, err := apply(t, st, fresh, upsert(ids(custom("C-"+e), email(e)))); err != nil {
				t.Errorf("customId-mode upsert with %s: %v", e, err)
			}
		}
	}
}

func testKeys(t *testing.T, st kith.Store, ws *kith.Workspace) {
	other := createWorkspace(t, st, kith.ModeEmail)
	mk := func(ws int64, kind, name string, created time.Time) *kith.Key {
		_, k := kith.NewKey(ws, kind, name, created)
		if err := st.Update(t.Context(), func(tx kith.Tx) error { return tx.CreateKey(t.Context(), k) }); err != nil {
			t.Fatalf("CreateKey: %v", err)
		}
		return k
	}
	k1 := mk(ws.ID, kith.KeySecret, "backend", base.Add(-2*time.Hour))
	k2 := mk(ws.ID, kith.KeyTracker, "shop", base.Add(-time.Hour))
	ko := mk(other.ID, kith.KeySecret, "other", base.Add(-3*time.Hour))

	list := func(ws int64) []*kith.Key {
		var keys []*kith.Key
		view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
			var err error
			keys, err = rx.ListKeys(ctx, ws)
			return err
		})
		return keys
	}
	eq(t, "ListKeys", list(ws.ID), []*kith.Key{k1, k2})
	eq(t, "ListKeys(other workspace)", list(other.ID), []*kith.Key{ko})
	eq(t, "ListKeys(no keys)", len(list(ws.ID+1000000)), 0)

	revoke := func(ws int64, id string, at time.Time) (*kith.Key, error) {
		var k *kith.Key
		err := st.Update(t.Context(), func(tx kith.Tx) error {
			var err error
			k, err = tx.RevokeKey(t.Context(), ws, id, at)
			return err
		})
		return k, err
	}
	_, err := revoke(ws.ID, ko.ID, base)
	wantCode(t, "RevokeKey(another workspace's key)", err, kith.ECodeNotFound)
	_, err = revoke(ws.ID, "key_missing", base)
	wantCode(t, "RevokeKey(unknown key)", err, kith.ECodeNotFound)
	eq(t, "other workspace's key after a refused revocation", list(other.ID), []*kith.Key{ko})

	at := base.Add(123 * time.Microsecond)
	got, err := revoke(ws.ID, k2.ID, at)
	if err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	want := *k2
	want.RevokedAt = &at
	eq(t, "revoked key", *got, want)
	again, err := revoke(ws.ID, k2.ID, at.Add(time.Hour))
	if err != nil {
		t.Fatalf("RevokeKey again: %v", err)
	}
	eq(t, "key revoked twice keeps its first time", *again, want)
	eq(t, "ListKeys after revoking", list(ws.ID), []*kith.Key{k1, &want})
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		k, err := rx.FindKeyByHash(ctx, k2.Hash)
		if err != nil || k.RevokedAt == nil || !k.RevokedAt.Equal(at) {
			t.Errorf("FindKeyByHash(revoked) = %+v, %v; want RevokedAt %v", k, err, at)
		}
		return nil
	})
}

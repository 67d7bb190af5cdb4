package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// userTests checks the admin UI users and sessions of kith.UserReader and
// kith.UserWriter.
var userTests = []testCase{
	{"Users_create_find_list", emailMode, testUsers},
	{"Users_sessions_expire_and_end", emailMode, testUserSessions},
}

// createUser stores a user with email in ws.
func createUser(t testing.TB, st kith.Store, ws *kith.Workspace, email string) *kith.User {
	t.Helper()
	u := &kith.User{WorkspaceID: ws.ID, Email: email, PasswordHash: "$2a$hash-of-" + email, Role: kith.RoleAdmin, CreatedAt: tick()}
	if err := st.Update(t.Context(), func(tx kith.Tx) error { return tx.CreateUser(t.Context(), u) }); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	if u.ID <= 0 {
		t.Fatalf("CreateUser(%s): ID = %d", email, u.ID)
	}
	return u
}

func testUsers(t *testing.T, st kith.Store, ws *kith.Workspace) {
	n := wsSeq.Add(1)
	zoe := createUser(t, st, ws, fmt.Sprintf("zoe-%d@shop.test", n))
	ann := createUser(t, st, ws, fmt.Sprintf("ann-%d@shop.test", n))
	other := createWorkspace(t, st, kith.ModeEmail)
	createUser(t, st, other, fmt.Sprintf("bob-%d@shop.test", n))

	err := st.Update(t.Context(), func(tx kith.Tx) error {
		return tx.CreateUser(t.Context(), &kith.User{WorkspaceID: other.ID, Email: ann.Email, PasswordHash: "x", Role: kith.RoleAdmin})
	})
	if kith.ErrorCode(err) != kith.ECodeConflict {
		t.Errorf("CreateUser with a taken email (in another workspace): %v, want conflict", err)
	}
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		list, err := rx.ListUsers(ctx, ws.ID)
		if err != nil {
			return err
		}
		eq(t, "ListUsers", list, []*kith.User{ann, zoe})
		got, err := rx.FindUserByEmail(ctx, zoe.Email)
		if err != nil {
			return err
		}
		eq(t, "FindUserByEmail", got, zoe)
		if n, err := rx.CountUsers(ctx, ws.ID); err != nil || n != 2 {
			t.Errorf("CountUsers = %d, %v; want 2", n, err)
		}
		if list, err := rx.ListUsers(ctx, -1); err != nil || len(list) != 0 {
			t.Errorf("ListUsers of no workspace = %v, %v", list, err)
		}
		return nil
	})
}

func testUserSessions(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := createUser(t, st, ws, fmt.Sprintf("ann-%d@shop.test", wsSeq.Add(1)))
	now := tick()
	sessions := map[string]*kith.UserSession{}
	for name, expires := range map[string]time.Time{
		"expired":      now.Add(-time.Hour),
		"expires now":  now,
		"still valid":  now.Add(time.Microsecond),
		"valid longer": now.Add(12 * time.Hour),
	} {
		s := &kith.UserSession{Hash: []byte("hash of " + name), UserID: u.ID, WorkspaceID: ws.ID,
			CreatedAt: now.Add(-13 * time.Hour), ExpiresAt: expires}
		if err := st.Update(t.Context(), func(tx kith.Tx) error { return tx.CreateUserSession(t.Context(), s) }); err != nil {
			t.Fatalf("CreateUserSession(%s): %v", name, err)
		}
		sessions[name] = s
	}
	var n int64
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		var err error
		n, err = tx.DeleteExpiredUserSessions(t.Context(), now)
		return err
	})
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredUserSessions = %d, %v; want 2", n, err)
	}
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		for name, s := range sessions {
			got, err := rx.FindUserSession(ctx, s.Hash)
			gone := name == "expired" || name == "expires now"
			switch {
			case gone && kith.ErrorCode(err) != kith.ECodeNotFound:
				t.Errorf("session %q: %v, want not_found", name, err)
			case !gone && err != nil:
				t.Errorf("session %q: %v", name, err)
			case !gone:
				eq(t, "session "+name, got, s)
			}
		}
		return nil
	})
	// A new password ends every session of the user.
	if err := st.Update(t.Context(), func(tx kith.Tx) error { return tx.SetUserPassword(t.Context(), u.ID, "$2a$new") }); err != nil {
		t.Fatal(err)
	}
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		if _, err := rx.FindUserSession(ctx, sessions["valid longer"].Hash); kith.ErrorCode(err) != kith.ECodeNotFound {
			t.Errorf("a session after SetUserPassword: %v, want not_found", err)
		}
		return nil
	})
}

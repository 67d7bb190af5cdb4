package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/kithcdp/kith"
)

// emailKeys counts the workspace's profiles with an email key, and those
// whose recognized flag is not what customId mode says, reading the
// database file in dir directly (the store's read connections are all
// lent to its pool).
func emailKeys(t testing.TB, dir string, ws int64) (keys, wrongFlags int) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "kith.db")+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow(`SELECT
			count(*) FILTER (WHERE email_key IS NOT NULL),
			count(*) FILTER (WHERE recognized <> (custom_id IS NOT NULL))
		FROM profiles WHERE workspace_id = ?`, ws).Scan(&keys, &wrongFlags)
	if err != nil {
		t.Fatal(err)
	}
	return keys, wrongFlags
}

// TestSwitchRewritesProfileRows checks the columns behind the switch to
// customId mode: the switch clears email_key and recomputes recognized, and
// the triggers of migration 0003 do the same for rows written afterwards
// with the stale email-mode Workspace, by insert or by update.
func TestSwitchRewritesProfileRows(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), Options{Dir: dir, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	other := createWorkspace(t, s, kith.ModeEmail)
	a := createProfile(t, s, ws, "a@example.com", "")
	createProfile(t, s, ws, "b@example.com", "B")
	createProfile(t, s, ws, "", "C")
	createProfile(t, s, other, "a@example.com", "")
	mode := kith.ModeCustomID
	update(t, s, func(tx kith.Tx) error {
		_, err := tx.UpdateWorkspace(ctx, ws.ID, kith.WorkspaceUpdate{IdentityMode: &mode})
		return err
	})
	if keys, wrong := emailKeys(t, dir, ws.ID); keys != 0 || wrong != 0 {
		t.Errorf("after the switch: %d email keys, %d wrong recognized flags; want none", keys, wrong)
	}
	if keys, _ := emailKeys(t, dir, other.ID); keys != 1 {
		t.Errorf("the other workspace has %d email keys, want 1", keys)
	}

	// ws still says email mode: it is a stale copy now.
	createProfile(t, s, ws, "d@example.com", "")
	createProfile(t, s, ws, "", "E")
	update(t, s, func(tx kith.Tx) error { return tx.UpdateProfile(ctx, ws, a) })
	if keys, wrong := emailKeys(t, dir, ws.ID); keys != 0 || wrong != 0 {
		t.Errorf("after stale writes: %d email keys, %d wrong recognized flags; want none", keys, wrong)
	}
}

package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/kithcdp/kith"
)

// switchMode switches workspace ws to customId identity mode.
func switchMode(ctx context.Context, s *Store, ws int64) error {
	mode := kith.ModeCustomID
	return s.Update(ctx, func(tx kith.Tx) error {
		_, err := tx.UpdateWorkspace(ctx, ws, kith.WorkspaceUpdate{IdentityMode: &mode})
		return err
	})
}

// emailKeys counts the workspace's profiles with an email key, and those
// whose recognized flag is not what customId mode says.
func emailKeys(t testing.TB, s *Store, ws int64) (keys, wrongFlags int) {
	t.Helper()
	err := s.pool.QueryRow(context.Background(), `SELECT
			count(*) FILTER (WHERE email_key IS NOT NULL),
			count(*) FILTER (WHERE recognized <> (custom_id IS NOT NULL))
		FROM profiles WHERE workspace_id = $1`, ws).Scan(&keys, &wrongFlags)
	if err != nil {
		t.Fatal(err)
	}
	return keys, wrongFlags
}

func TestSwitchRewritesProfileRows(t *testing.T) {
	s := OpenTestStore(t)
	ws := newWorkspace(t, s, kith.ModeEmail)
	other := newWorkspace(t, s, kith.ModeEmail)
	newProfile(t, s, ws, "a@example.com", "")
	newProfile(t, s, ws, "b@example.com", "B")
	newProfile(t, s, ws, "", "C")
	newProfile(t, s, other, "a@example.com", "")
	if err := switchMode(context.Background(), s, ws.ID); err != nil {
		t.Fatal(err)
	}
	if keys, wrong := emailKeys(t, s, ws.ID); keys != 0 || wrong != 0 {
		t.Errorf("after the switch: %d email keys, %d wrong recognized flags; want none", keys, wrong)
	}
	// Another workspace keeps its email keys.
	if keys, _ := emailKeys(t, s, other.ID); keys != 1 {
		t.Errorf("the other workspace has %d email keys, want 1", keys)
	}
}

// TestSwitchWaitsForInFlightWrites holds a profile write open across the
// switch: the switch must wait for it and then rewrite its row too (the
// trigger ran before the switch, and the UPDATE of a switch that did not
// wait would not see the uncommitted row).
func TestSwitchWaitsForInFlightWrites(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	inserted, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	written := make(chan error, 1)
	go func() {
		written <- s.Update(ctx, func(tx kith.Tx) error {
			p := &kith.Profile{Email: "late@example.com", UUIDs: []string{uuid.NewString()},
				CreatedAt: base, UpdatedAt: base, LastActivityAt: base}
			if err := tx.CreateProfile(ctx, ws, p); err != nil {
				return err
			}
			// The insert waits for the next statement: run one, so
			// that the row is written while the switch starts.
			if _, err := tx.LockProfile(ctx, ws, p.ClientID); err != nil {
				return err
			}
			once.Do(func() { close(inserted) })
			<-release
			return nil
		})
	}()
	<-inserted
	switched := make(chan error, 1)
	go func() { switched <- switchMode(ctx, s, ws.ID) }()

	// Wait until the switch waits for a lock on profiles (or, wrongly,
	// has finished without waiting).
	deadline := time.Now().Add(30 * time.Second)
	for waiting := false; !waiting; {
		select {
		case err := <-switched:
			close(release)
			t.Fatalf("the switch finished (%v) while a profile write was in flight", err)
		default:
		}
		err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			WHERE NOT l.granted AND c.relname = 'profiles' AND c.relnamespace = current_schema()::regnamespace)`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the switch never waited for the profiles table")
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-written; err != nil {
		t.Fatalf("in-flight write: %v", err)
	}
	if err := <-switched; err != nil {
		t.Fatalf("switch: %v", err)
	}
	if keys, wrong := emailKeys(t, s, ws.ID); keys != 0 || wrong != 0 {
		t.Errorf("after the switch: %d email keys, %d wrong recognized flags; want none", keys, wrong)
	}
}

package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
)

// statements counts the statements a transaction ran on profiles and
// profile_uuids so far, as PostgreSQL's per-transaction statistics see
// them (inserted rows, updated rows).
func statements(t *testing.T, tx *tx) (inserted, updated int64) {
	t.Helper()
	err := tx.pg.tx.QueryRow(context.Background(), `SELECT coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0)
		FROM pg_stat_xact_user_tables WHERE relname IN ('profiles', 'profile_uuids')
		AND schemaname = current_schema()`).Scan(&inserted, &updated)
	if err != nil {
		t.Fatal(err)
	}
	return inserted, updated
}

func TestCreatedProfilesWaitForTheNextStatement(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	var created []*kith.Profile
	rawTx(t, s, func(tx *tx) {
		tx.ExpectNewProfiles(3)
		for i := range 3 {
			p := &kith.Profile{UUIDs: []string{uuid.NewString(), uuid.NewString()}, CreatedAt: base}
			if i == 1 {
				p.Email = "ada@example.com"
			}
			if err := tx.CreateProfile(ctx, ws, p); err != nil {
				t.Fatal(err)
			}
			created = append(created, p)
		}
		if ins, _ := statements(t, tx); ins != 0 {
			t.Fatalf("%d rows inserted before any other statement, want 0", ins)
		}
		if created[0].ClientID >= created[1].ClientID || created[1].ClientID >= created[2].ClientID {
			t.Errorf("clientIds %d, %d, %d are not in creation order",
				created[0].ClientID, created[1].ClientID, created[2].ClientID)
		}

		// A profile still waiting takes its activity into its insert.
		later := base.Add(time.Hour)
		if err := tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: created[2].ClientID, At: later}}); err != nil {
			t.Fatal(err)
		}

		// Any statement sees them: here a lookup by email and by uuid.
		found, err := tx.FindClientIDs(ctx, ws.ID, kith.KindEmail, []string{"ada@example.com"})
		if err != nil || found["ada@example.com"] != created[1].ClientID {
			t.Fatalf("email lookup after create: %v, %v", found, err)
		}
		if ins, upd := statements(t, tx); ins != 3+6 || upd != 0 {
			t.Errorf("inserted %d rows and updated %d, want 9 (3 profiles, 6 uuids) and 0", ins, upd)
		}
		for _, p := range created {
			got, err := tx.FindProfile(ctx, ws.ID, p.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.UUIDs) != 2 || got.UUIDs[0] != p.UUIDs[0] || got.UUIDs[1] != p.UUIDs[1] {
				t.Errorf("profile %d: uuids %v, want %v in that order", p.ClientID, got.UUIDs, p.UUIDs)
			}
			want := base
			if p == created[2] {
				want = later
			}
			if !got.LastActivityAt.Equal(want) {
				t.Errorf("profile %d: last activity %v, want %v", p.ClientID, got.LastActivityAt, want)
			}
		}
	})
}

func TestCreatedProfilesAreInsertedAtCommit(t *testing.T) {
	s := OpenTestStore(t)
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws, "grace@example.com", "")
	if got := findProfile(t, s, ws.ID, p.ClientID); got.Email != "grace@example.com" {
		t.Fatalf("after commit: %+v", got)
	}
	// A taken identifier fails the commit, and Update runs fn again,
	// which here fails the same way until Update gives up.
	err := s.Update(context.Background(), func(tx kith.Tx) error {
		return tx.CreateProfile(context.Background(), ws, &kith.Profile{Email: "grace@example.com", UUIDs: []string{uuid.NewString()}})
	})
	if err == nil {
		t.Fatal("a second profile with a taken email was committed")
	}
	if !errors.Is(err, kith.ErrRetry) {
		t.Errorf("err = %v, want one wrapping kith.ErrRetry", err)
	}
}

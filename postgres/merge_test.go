package postgres

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestMergeProfile(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	a := newProfile(t, s, ws, "", "")
	b := newProfile(t, s, ws, "", "")
	c := newProfile(t, s, ws, "c@example.com", "")
	shared := kith.Device{Browser: "Firefox", OS: "Linux", DeviceType: "desktop"}
	ea, eb := newEvent(ws, a, "page.visit", 0), newEvent(ws, b, "page.visit", 1)
	update(t, s, func(tx kith.Tx) error {
		if _, err := tx.AddProfileTags(ctx, ws.ID, a.ClientID, []string{"x", "y"}); err != nil {
			return err
		}
		if _, err := tx.AddProfileTags(ctx, ws.ID, c.ClientID, []string{"y", "z"}); err != nil {
			return err
		}
		late, early := shared, shared
		late.LastSeenAt, early.LastSeenAt = base.Add(time.Hour), base
		if err := tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: a.ClientID, Devices: []kith.Device{late}}}); err != nil {
			return err
		}
		if err := tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: c.ClientID, Devices: []kith.Device{early}}}); err != nil {
			return err
		}
		return tx.InsertEvents(ctx, []*kith.Event{ea, eb})
	})
	var noteID int64
	if err := s.pool.QueryRow(ctx, `INSERT INTO notes (workspace_id, client_id, text, author, created_at, updated_at)
		VALUES ($1, $2, 'hello', 'me', now(), now()) RETURNING note_id`, ws.ID, a.ClientID).Scan(&noteID); err != nil {
		t.Fatal(err)
	}

	// a into b, then b into c: merged_ids is repointed, so a answers c.
	for _, m := range [][2]*kith.Profile{{a, b}, {b, c}} {
		update(t, s, func(tx kith.Tx) error {
			for _, p := range m {
				if _, err := tx.LockProfile(ctx, ws, p.ClientID); err != nil {
					return err
				}
			}
			return tx.MergeProfile(ctx, ws.ID, m[0].ClientID, m[1].ClientID)
		})
	}
	got := findProfile(t, s, ws.ID, c.ClientID)
	// The target's own uuids first, then the moved ones in their order: b's
	// own, then a's, which came to b later.
	if want := []string{c.UUIDs[0], b.UUIDs[0], a.UUIDs[0]}; !reflect.DeepEqual(got.UUIDs, want) {
		t.Errorf("uuids %v, want %v", got.UUIDs, want)
	}
	if want := []string{"x", "y", "z"}; !reflect.DeepEqual(got.Tags, want) {
		t.Errorf("tags %v, want %v", got.Tags, want)
	}
	if len(got.Devices) != 1 || !got.Devices[0].LastSeenAt.Equal(base.Add(time.Hour)) {
		t.Errorf("devices %+v, want the latest LastSeenAt", got.Devices)
	}
	if want := []int64{a.ClientID, b.ClientID}; !reflect.DeepEqual(got.PreviousClientIDs, want) {
		t.Errorf("previous ids %v, want %v", got.PreviousClientIDs, want)
	}
	view(t, s, func(tx kith.ReadTx) error {
		for _, old := range []int64{a.ClientID, b.ClientID} {
			id, err := tx.FindClientID(ctx, ws.ID, kith.KindClientID, strconv.FormatInt(old, 10))
			if err != nil || id != c.ClientID {
				t.Errorf("FindClientID(%d) = %d, %v; want %d", old, id, err, c.ClientID)
			}
		}
		id, err := tx.FindClientID(ctx, ws.ID, kith.KindUUID, a.UUIDs[0])
		if err != nil || id != c.ClientID {
			t.Errorf("uuid of a finds %d, %v", id, err)
		}
		es, err := tx.ListEvents(ctx, ws.ID, kith.EventFilter{ClientID: c.ClientID})
		if err != nil || len(es) != 2 {
			t.Errorf("%d events on the survivor (%v), want 2", len(es), err)
		}
		_, err = tx.FindProfile(ctx, ws.ID, a.ClientID)
		wantCode(t, err, kith.ECodeNotFound)
		return nil
	})
	var owner int64
	if err := s.pool.QueryRow(ctx, "SELECT client_id FROM notes WHERE note_id = $1", noteID).Scan(&owner); err != nil || owner != c.ClientID {
		t.Errorf("note belongs to %d (%v), want %d", owner, err, c.ClientID)
	}
	rawTx(t, s, func(tx *tx) {
		wantCode(t, tx.MergeProfile(ctx, ws.ID, a.ClientID, c.ClientID), kith.ECodeNotFound)
	})
	d := newProfile(t, s, ws, "", "")
	rawTx(t, s, func(tx *tx) {
		wantCode(t, tx.MergeProfile(ctx, ws.ID, d.ClientID, a.ClientID), kith.ECodeNotFound)
	})
}

func TestInsertMerge(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	m := &kith.Merge{WorkspaceID: ws.ID, TargetID: 7, SourceIDs: []int64{3, 5}, Reason: kith.MergeExplicit,
		Moved: map[string]any{"uuids": []string{"u"}}, CreatedAt: base}
	update(t, s, func(tx kith.Tx) error { return tx.InsertMerge(ctx, m) })
	if m.ID == 0 {
		t.Fatal("merge ID not set")
	}
	var sources, moved []byte
	if err := s.pool.QueryRow(ctx, "SELECT source_ids, moved FROM merges WHERE id = $1 AND workspace_id = $2",
		m.ID, ws.ID).Scan(&sources, &moved); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := json.Unmarshal(sources, &ids); err != nil || !reflect.DeepEqual(ids, m.SourceIDs) {
		t.Errorf("source_ids %s", sources)
	}
}

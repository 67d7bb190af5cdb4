package sqlite

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestMergeProfileMovesEverything(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	a := createProfile(t, s, ws, "", "")
	b := createProfile(t, s, ws, "", "")
	c := createProfile(t, s, ws, "c@example.com", "")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	update(t, s, func(tx kith.Tx) error {
		for _, step := range []error{
			tx.InsertEvents(ctx, newEvents(ws.ID, a.ClientID, 2, t0, "a")),
			tx.InsertEvents(ctx, newEvents(ws.ID, b.ClientID, 2, t0, "b")),
			tx.InsertEvents(ctx, newEvents(ws.ID, c.ClientID, 1, t0, "c")),
			tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: b.ClientID, Devices: []kith.Device{{Browser: "Firefox", LastSeenAt: t0.Add(time.Hour)}}}}),
			tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: b.ClientID, Devices: []kith.Device{{Browser: "Safari", LastSeenAt: t0}}}}),
			tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: c.ClientID, Devices: []kith.Device{{Browser: "Firefox", LastSeenAt: t0}}}}),
		} {
			if step != nil {
				return step
			}
		}
		if _, err := tx.AddProfileTags(ctx, ws.ID, b.ClientID, []string{"shared", "from-b"}); err != nil {
			return err
		}
		if _, err := tx.AddProfileTags(ctx, ws.ID, c.ClientID, []string{"shared", "from-c"}); err != nil {
			return err
		}
		// a into b, then b into c: a's id must then answer c.
		if err := tx.MergeProfile(ctx, ws.ID, a.ClientID, b.ClientID); err != nil {
			return err
		}
		return tx.MergeProfile(ctx, ws.ID, b.ClientID, c.ClientID)
	})
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.FindProfile(ctx, ws.ID, c.ClientID)
		if err != nil {
			return err
		}
		// The target's own first, then the source's in their order there:
		// on b, a's uuid came after b's own.
		if want := []string{c.UUIDs[0], b.UUIDs[0], a.UUIDs[0]}; !reflect.DeepEqual(got.UUIDs, want) {
			t.Errorf("uuids %v, want %v", got.UUIDs, want)
		}
		if want := []string{"from-b", "from-c", "shared"}; !reflect.DeepEqual(got.Tags, want) {
			t.Errorf("tags %v, want %v", got.Tags, want)
		}
		wantDevices := []kith.Device{
			{Browser: "Firefox", LastSeenAt: t0.Add(time.Hour)},
			{Browser: "Safari", LastSeenAt: t0},
		}
		if !reflect.DeepEqual(got.Devices, wantDevices) {
			t.Errorf("devices %+v, want %+v", got.Devices, wantDevices)
		}
		if want := []int64{a.ClientID, b.ClientID}; !reflect.DeepEqual(got.PreviousClientIDs, want) {
			t.Errorf("previous ids %v, want %v", got.PreviousClientIDs, want)
		}
		events, err := tx.ListEvents(ctx, ws.ID, kith.EventFilter{ClientID: c.ClientID})
		if err != nil || len(events) != 5 {
			t.Errorf("survivor has %d events, want 5 (%v)", len(events), err)
		}
		for _, old := range []*kith.Profile{a, b} {
			id, err := tx.FindClientID(ctx, ws.ID, kith.KindClientID, strconv.FormatInt(old.ClientID, 10))
			if err != nil || id != c.ClientID {
				t.Errorf("old id %d answers %d, %v; want %d", old.ClientID, id, err, c.ClientID)
			}
			if _, err := tx.FindProfile(ctx, ws.ID, old.ClientID); kith.ErrorCode(err) != kith.ECodeNotFound {
				t.Errorf("merged-away profile %d: %v, want not_found", old.ClientID, err)
			}
			id, err = tx.FindClientID(ctx, ws.ID, kith.KindUUID, old.UUIDs[0])
			if err != nil || id != c.ClientID {
				t.Errorf("uuid of %d answers %d, %v", old.ClientID, id, err)
			}
		}
		return nil
	})
	// Attach order ids grow by the uuids moved, not by doubling.
	var maxID int64
	if err := sqlRow(s, `SELECT max(id) FROM profile_uuids`).Scan(&maxID); err != nil || maxID != 6 {
		t.Errorf("largest uuid id %d after moving 3 uuids among 3, want 6 (%v)", maxID, err)
	}
	for _, table := range []string{"profile_tags", "devices", "profile_uuids", "events", "notes"} {
		var n int
		if err := sqlRow(s, `SELECT count(*) FROM `+table+` WHERE client_id IN (?, ?)`,
			a.ClientID, b.ClientID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d rows of %s left on merged-away profiles (%v)", n, table, err)
		}
	}
}

func TestMergeProfileErrors(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	other := createWorkspace(t, s, kith.ModeEmail)
	a := createProfile(t, s, ws, "", "")
	x := createProfile(t, s, other, "", "")
	err := s.Update(ctx, func(tx kith.Tx) error {
		if err := tx.MergeProfile(ctx, ws.ID, a.ClientID, a.ClientID); kith.ErrorCode(err) != kith.ECodeInvalid {
			t.Errorf("merge into itself: %v, want invalid", err)
		}
		if err := tx.MergeProfile(ctx, ws.ID, x.ClientID, a.ClientID); kith.ErrorCode(err) != kith.ECodeNotFound {
			t.Errorf("merge from another workspace: %v, want not_found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInsertMerge(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	m := &kith.Merge{WorkspaceID: ws.ID, TargetID: 7, SourceIDs: []int64{3, 5}, Reason: kith.MergeExplicit,
		Moved: map[string]any{"uuids": []any{"u"}}}
	update(t, s, func(tx kith.Tx) error { return tx.InsertMerge(ctx, m) })
	if m.ID == 0 || m.CreatedAt.IsZero() {
		t.Errorf("InsertMerge set ID %d, CreatedAt %v", m.ID, m.CreatedAt)
	}
	var sources, moved string
	if err := sqlRow(s, `SELECT source_ids, moved FROM merges WHERE id = ? AND workspace_id = ?`, m.ID, ws.ID).
		Scan(&sources, &moved); err != nil {
		t.Fatal(err)
	}
	if sources != "[3,5]" || moved != `{"uuids":["u"]}` {
		t.Errorf("stored %s %s", sources, moved)
	}
}

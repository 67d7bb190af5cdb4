package postgres

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

// rawTx runs fn in a transaction that is rolled back, so that a test can
// look at one method's error without Update's retries.
func rawTx(t *testing.T, s *Store, fn func(*tx)) {
	t.Helper()
	ptx, err := s.pool.BeginTx(context.Background(), pgx.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rollback(ptx)
	fn(&tx{pg: &conn{tx: ptx}, now: time.Now})
}

func TestProfileRoundTrip(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	u1, u2 := uuid.NewString(), uuid.NewString()
	p := &kith.Profile{
		Email: "ada@example.com", CustomID: "LOY-1", UUIDs: []string{u2, u1, u2},
		Attributes: map[string]any{"firstName": "Ada", "visits": 3.0, "vip": true, "sizes": []any{"S", "M"}},
		Agreements: map[string]kith.Agreement{"email": {Granted: true, ChangedAt: base, Source: kith.SourceForm}},
		CreatedAt:  base, UpdatedAt: base.Add(time.Second), LastActivityAt: base.Add(2 * time.Second),
	}
	update(t, s, func(tx kith.Tx) error { return tx.CreateProfile(ctx, ws, p) })
	if p.ClientID == 0 || p.WorkspaceID != ws.ID {
		t.Fatalf("CreateProfile set ClientID %d WorkspaceID %d", p.ClientID, p.WorkspaceID)
	}
	got := findProfile(t, s, ws.ID, p.ClientID)
	want := *p
	want.UUIDs = []string{u2, u1} // attach order, without repeats
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("FindProfile =\n%+v\nwant\n%+v", got, &want)
	}

	view(t, s, func(tx kith.ReadTx) error {
		for _, c := range []struct {
			kind  kith.IdentifierKind
			value string
			want  int64
		}{
			{kith.KindClientID, strconv.FormatInt(p.ClientID, 10), p.ClientID},
			{kith.KindClientID, "999999999", 0},
			{kith.KindClientID, "x", 0},
			{kith.KindEmail, "ada@example.com", p.ClientID},
			{kith.KindEmail, "bob@example.com", 0},
			{kith.KindCustomID, "LOY-1", p.ClientID},
			{kith.KindCustomID, "loy-1", 0},
			{kith.KindUUID, u1, p.ClientID},
			{kith.KindUUID, uuid.NewString(), 0},
		} {
			id, err := tx.FindClientID(ctx, ws.ID, c.kind, c.value)
			if err != nil {
				return err
			}
			if id != c.want {
				t.Errorf("FindClientID(%s, %q) = %d, want %d", c.kind, c.value, id, c.want)
			}
		}
		_, err := tx.FindProfile(ctx, ws.ID, p.ClientID+1000)
		wantCode(t, err, kith.ECodeNotFound)
		return nil
	})

	update(t, s, func(tx kith.Tx) error {
		row, err := tx.LockProfile(ctx, ws, p.ClientID)
		if err != nil {
			return err
		}
		if row.Email != p.Email || row.UUIDs != nil || !reflect.DeepEqual(row.Attributes, p.Attributes) {
			t.Errorf("LockProfile = %+v", row)
		}
		_, err = tx.LockProfile(ctx, ws, p.ClientID+1000)
		wantCode(t, err, kith.ECodeNotFound)
		return nil
	})
}

func TestProfileWorkspaceIsolation(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws1 := newWorkspace(t, s, kith.ModeEmail)
	ws2 := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws1, "ada@example.com", "C1")
	// The same identifiers are free in another workspace.
	q := newProfile(t, s, ws2, "ada@example.com", "C1")
	view(t, s, func(tx kith.ReadTx) error {
		if _, err := tx.FindProfile(ctx, ws2.ID, p.ClientID); kith.ErrorCode(err) != kith.ECodeNotFound {
			t.Errorf("FindProfile across workspaces: %v", err)
		}
		for _, kind := range []kith.IdentifierKind{kith.KindEmail, kith.KindCustomID} {
			id, err := tx.FindClientID(ctx, ws2.ID, kind, p.Identifier(kind))
			if err != nil || id != q.ClientID {
				t.Errorf("FindClientID(ws2, %s) = %d, %v; want %d", kind, id, err, q.ClientID)
			}
		}
		id, err := tx.FindClientID(ctx, ws2.ID, kith.KindUUID, p.UUIDs[0])
		if err != nil || id != 0 {
			t.Errorf("FindClientID(ws2, uuid of ws1) = %d, %v", id, err)
		}
		return nil
	})
	update(t, s, func(tx kith.Tx) error {
		_, err := tx.LockProfile(ctx, ws2, p.ClientID)
		wantCode(t, err, kith.ECodeNotFound)
		return nil
	})
}

func TestCustomIDModeEmail(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeCustomID)
	a := newProfile(t, s, ws, "shared@example.com", "A")
	b := newProfile(t, s, ws, "shared@example.com", "B")
	anon := newProfile(t, s, ws, "anon@example.com", "")
	view(t, s, func(tx kith.ReadTx) error {
		id, err := tx.FindClientID(ctx, ws.ID, kith.KindEmail, "shared@example.com")
		if err != nil || id != 0 {
			t.Errorf("FindClientID(email) in customId mode = %d, %v; want 0", id, err)
		}
		ids, err := tx.FindClientIDsByEmail(ctx, ws.ID, "shared@example.com")
		if err != nil || !reflect.DeepEqual(ids, []int64{a.ClientID, b.ClientID}) {
			t.Errorf("FindClientIDsByEmail = %v, %v", ids, err)
		}
		return nil
	})
	var recognized []bool
	rows, _ := s.pool.Query(ctx, "SELECT recognized FROM profiles WHERE workspace_id = $1 ORDER BY client_id", ws.ID)
	recognized, err := pgx.CollectRows(rows, pgx.RowTo[bool])
	if err != nil || !reflect.DeepEqual(recognized, []bool{true, true, false}) {
		t.Errorf("recognized = %v, %v (anonymous %d)", recognized, err, anon.ClientID)
	}
}

func TestCreateProfileTakenIdentifier(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws, "ada@example.com", "C1")
	for name, q := range map[string]*kith.Profile{
		"email":    {Email: "ada@example.com", UUIDs: []string{uuid.NewString()}},
		"customId": {CustomID: "C1", UUIDs: []string{uuid.NewString()}},
		"uuid":     {UUIDs: []string{p.UUIDs[0]}},
	} {
		t.Run(name, func(t *testing.T) {
			rawTx(t, s, func(tx *tx) {
				// The insert waits for the next statement, which fails.
				if err := tx.CreateProfile(ctx, ws, q); err != nil {
					t.Fatal(err)
				}
				_, err := tx.LockProfile(ctx, ws, p.ClientID)
				wantRetry(t, err)
			})
		})
	}
}

func TestUpdateProfile(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws, "", "")
	other := newProfile(t, s, ws, "bob@example.com", "B")
	update(t, s, func(tx kith.Tx) error {
		row, err := tx.LockProfile(ctx, ws, p.ClientID)
		if err != nil {
			return err
		}
		row.Email, row.CustomID = "ada@example.com", "A"
		row.Attributes["city"] = "Paris"
		row.Agreements["sms"] = kith.Agreement{Granted: true, ChangedAt: base}
		row.UpdatedAt, row.LastActivityAt = base.Add(time.Hour), base.Add(time.Hour)
		return tx.UpdateProfile(ctx, ws, row)
	})
	got := findProfile(t, s, ws.ID, p.ClientID)
	if got.Email != "ada@example.com" || got.CustomID != "A" || got.Attributes["city"] != "Paris" ||
		!got.Agreements["sms"].Granted || !got.UpdatedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("after UpdateProfile: %+v", got)
	}
	view(t, s, func(tx kith.ReadTx) error {
		id, err := tx.FindClientID(ctx, ws.ID, kith.KindEmail, "ada@example.com")
		if id != p.ClientID {
			t.Errorf("new email finds %d", id)
		}
		return err
	})
	got.Email = other.Email
	rawTx(t, s, func(tx *tx) { wantRetry(t, tx.UpdateProfile(ctx, ws, got)) })
	got.Email, got.CustomID = "", other.CustomID
	rawTx(t, s, func(tx *tx) { wantRetry(t, tx.UpdateProfile(ctx, ws, got)) })
	got.CustomID, got.ClientID = "", got.ClientID+1000
	rawTx(t, s, func(tx *tx) { wantRetry(t, tx.UpdateProfile(ctx, ws, got)) })
}

func TestTouchProfile(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws, "", "")
	later := base.Add(time.Hour)
	update(t, s, func(tx kith.Tx) error {
		return tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID, At: later}})
	})
	update(t, s, func(tx kith.Tx) error {
		return tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID, At: base}})
	})
	if got := findProfile(t, s, ws.ID, p.ClientID).LastActivityAt; !got.Equal(later) {
		t.Fatalf("LastActivityAt = %v, want %v", got, later)
	}
	rawTx(t, s, func(tx *tx) {
		wantRetry(t, tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID + 1000, At: later}}))
	})
}

func TestAddUUID(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws, "", "")
	q := newProfile(t, s, ws, "", "")
	u := uuid.NewString()
	update(t, s, func(tx kith.Tx) error { return tx.AddUUID(ctx, ws.ID, p.ClientID, u) })
	update(t, s, func(tx kith.Tx) error { return tx.AddUUID(ctx, ws.ID, p.ClientID, u) })
	rawTx(t, s, func(tx *tx) {
		wantRetry(t, tx.AddUUID(ctx, ws.ID, q.ClientID, u))
		// The transaction is still usable.
		if _, err := tx.FindProfile(ctx, ws.ID, q.ClientID); err != nil {
			t.Errorf("after a taken uuid: %v", err)
		}
	})
	if got := findProfile(t, s, ws.ID, p.ClientID).UUIDs; !reflect.DeepEqual(got, []string{p.UUIDs[0], u}) {
		t.Fatalf("uuids %v", got)
	}
}

func TestProfileTagsAndDevices(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws, "", "")
	var added []string
	update(t, s, func(tx kith.Tx) (err error) {
		added, err = tx.AddProfileTags(ctx, ws.ID, p.ClientID, []string{"vip", "b", "vip"})
		return err
	})
	if !reflect.DeepEqual(added, []string{"vip", "b"}) {
		t.Fatalf("first AddProfileTags = %v", added)
	}
	update(t, s, func(tx kith.Tx) (err error) {
		added, err = tx.AddProfileTags(ctx, ws.ID, p.ClientID, []string{"c", "vip", "a"})
		return err
	})
	if !reflect.DeepEqual(added, []string{"c", "a"}) {
		t.Fatalf("second AddProfileTags = %v", added)
	}
	d := kith.Device{Browser: "Firefox 133", OS: "Linux", DeviceType: "desktop", LastSeenAt: base.Add(time.Hour)}
	update(t, s, func(tx kith.Tx) error {
		if err := tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID, Devices: []kith.Device{d}}}); err != nil {
			return err
		}
		old := d
		old.LastSeenAt = base
		if err := tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID, Devices: []kith.Device{old}}}); err != nil {
			return err
		}
		phone := kith.Device{Browser: "Safari", OS: "iOS", DeviceType: "mobile", LastSeenAt: base}
		return tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID, Devices: []kith.Device{phone}}})
	})
	got := findProfile(t, s, ws.ID, p.ClientID)
	if !reflect.DeepEqual(got.Tags, []string{"a", "b", "c", "vip"}) {
		t.Errorf("tags %v", got.Tags)
	}
	if len(got.Devices) != 2 || got.Devices[0] != d {
		t.Errorf("devices %+v", got.Devices)
	}
}

func TestProfileGoneIsRetry(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	gone := int64(987654)
	rawTx(t, s, func(tx *tx) { wantRetry(t, tx.AddUUID(ctx, ws.ID, gone, uuid.NewString())) })
	rawTx(t, s, func(tx *tx) {
		_, err := tx.AddProfileTags(ctx, ws.ID, gone, []string{"a"})
		wantRetry(t, err)
	})
	rawTx(t, s, func(tx *tx) {
		wantRetry(t, tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: gone, Devices: []kith.Device{{Browser: "b"}}}}))
	})
}

func TestCreateProfileDefaultTimes(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := &kith.Profile{UUIDs: []string{uuid.NewString()}, CreatedAt: base.Add(789 * time.Nanosecond)}
	update(t, s, func(tx kith.Tx) error { return tx.CreateProfile(ctx, ws, p) })
	if !p.CreatedAt.Equal(base) || !p.UpdatedAt.Equal(base) || !p.LastActivityAt.Equal(base) {
		t.Fatalf("times %v %v %v, want %v (as stored)", p.CreatedAt, p.UpdatedAt, p.LastActivityAt, base)
	}
	got := findProfile(t, s, ws.ID, p.ClientID)
	if !got.CreatedAt.Equal(p.CreatedAt) || got.Attributes == nil || got.Agreements == nil {
		t.Fatalf("read back %+v", got)
	}
}

package sqlite

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestProfileRoundTrip(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	at := time.Date(2026, 11, 28, 10, 0, 0, 999, time.UTC)
	p := &kith.Profile{
		Email: "ada@example.com", CustomID: "LOY-1", UUIDs: []string{newUUID(), newUUID()},
		Attributes: map[string]any{"firstName": "Ada", "age": 36.0, "vip": true, "hobbies": []any{"maths"}},
		Agreements: map[string]kith.Agreement{"email": {Granted: true, ChangedAt: at.Truncate(time.Second), Source: "form"}},
		CreatedAt:  at,
	}
	update(t, s, func(tx kith.Tx) error { return tx.CreateProfile(ctx, ws, p) })
	if p.ClientID == 0 || p.WorkspaceID != ws.ID {
		t.Fatalf("CreateProfile set ClientID %d, WorkspaceID %d", p.ClientID, p.WorkspaceID)
	}
	if !p.UpdatedAt.Equal(at.Truncate(time.Microsecond)) || !p.LastActivityAt.Equal(p.UpdatedAt) {
		t.Errorf("zero times not defaulted to CreatedAt: %v %v", p.UpdatedAt, p.LastActivityAt)
	}
	var got *kith.Profile
	view(t, s, func(tx kith.ReadTx) error {
		var err error
		got, err = tx.FindProfile(ctx, ws.ID, p.ClientID)
		return err
	})
	if !reflect.DeepEqual(got, p) {
		t.Errorf("FindProfile =\n%+v\nwant\n%+v", got, p)
	}
}

func TestFindClientID(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	email := createWorkspace(t, s, kith.ModeEmail)
	custom := createWorkspace(t, s, kith.ModeCustomID)
	pe := createProfile(t, s, email, "ada@example.com", "C-1")
	pc1 := createProfile(t, s, custom, "shared@example.com", "C-1")
	pc2 := createProfile(t, s, custom, "shared@example.com", "C-2")
	view(t, s, func(tx kith.ReadTx) error {
		for _, c := range []struct {
			ws    int64
			kind  kith.IdentifierKind
			value string
			want  int64
		}{
			{email.ID, kith.KindEmail, "ada@example.com", pe.ClientID},
			{email.ID, kith.KindCustomID, "C-1", pe.ClientID},
			{email.ID, kith.KindUUID, pe.UUIDs[0], pe.ClientID},
			{email.ID, kith.KindClientID, strconv.FormatInt(pe.ClientID, 10), pe.ClientID},
			{email.ID, kith.KindEmail, "nobody@example.com", 0},
			{email.ID, kith.KindClientID, "not-a-number", 0},
			// email is no identifier in customId mode, however many share it
			{custom.ID, kith.KindEmail, "shared@example.com", 0},
			{custom.ID, kith.KindCustomID, "C-1", pc1.ClientID},
			{custom.ID, kith.KindCustomID, "C-2", pc2.ClientID},
			// workspace isolation
			{custom.ID, kith.KindUUID, pe.UUIDs[0], 0},
			{custom.ID, kith.KindClientID, strconv.FormatInt(pe.ClientID, 10), 0},
			{email.ID, kith.KindCustomID, "C-2", 0},
		} {
			got, err := tx.FindClientID(ctx, c.ws, c.kind, c.value)
			if err != nil || got != c.want {
				t.Errorf("FindClientID(%d, %s, %q) = %d, %v; want %d", c.ws, c.kind, c.value, got, err, c.want)
			}
		}
		ids, err := tx.FindClientIDsByEmail(ctx, custom.ID, "shared@example.com")
		if err != nil || !reflect.DeepEqual(ids, []int64{pc1.ClientID, pc2.ClientID}) {
			t.Errorf("FindClientIDsByEmail = %v, %v", ids, err)
		}
		ids, err = tx.FindClientIDsByEmail(ctx, email.ID, "ada@example.com")
		if err != nil || !reflect.DeepEqual(ids, []int64{pe.ClientID}) {
			t.Errorf("FindClientIDsByEmail in email mode = %v, %v", ids, err)
		}
		if _, err := tx.FindProfile(ctx, custom.ID, pe.ClientID); kith.ErrorCode(err) != kith.ECodeNotFound {
			t.Errorf("FindProfile across workspaces: %v, want not_found", err)
		}
		return nil
	})
}

func TestUniqueIdentifiersRetry(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	other := createWorkspace(t, s, kith.ModeEmail)
	p := createProfile(t, s, ws, "ada@example.com", "C-1")
	for name, q := range map[string]*kith.Profile{
		"email":    {Email: "ada@example.com", UUIDs: []string{newUUID()}},
		"customId": {CustomID: "C-1", UUIDs: []string{newUUID()}},
		"uuid":     {UUIDs: []string{p.UUIDs[0]}},
	} {
		err := s.Update(ctx, func(tx kith.Tx) error {
			// The insert waits for the next statement, which fails.
			if err := tx.CreateProfile(ctx, ws, q); err != nil {
				t.Errorf("CreateProfile with a taken %s: %v, want nil until the next statement", name, err)
			}
			if _, err := tx.LockProfile(ctx, ws, p.ClientID); !errors.Is(err, kith.ErrRetry) {
				t.Errorf("the statement after CreateProfile with a taken %s: %v, want ErrRetry", name, err)
			}
			// The failed create must leave nothing behind, even though
			// this function goes on and returns nil.
			return nil
		})
		if !errors.Is(err, kith.ErrRetry) {
			t.Errorf("Update with a taken %s: %v, want ErrRetry", name, err)
		}
		// The same values are free in another workspace.
		c := *q
		c.UUIDs = []string{newUUID()}
		update(t, s, func(tx kith.Tx) error { return tx.CreateProfile(ctx, other, &c) })
	}
	var n int
	if err := sqlRow(s, `SELECT count(*) FROM profiles WHERE workspace_id = ?`, ws.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d profiles in the workspace after failed creates, want 1 (%v)", n, err)
	}

	q := createProfile(t, s, ws, "", "")
	err := s.Update(ctx, func(tx kith.Tx) error {
		q.Email = "ada@example.com"
		if err := tx.UpdateProfile(ctx, ws, q); !errors.Is(err, kith.ErrRetry) {
			t.Errorf("UpdateProfile to a taken email: %v, want ErrRetry", err)
		}
		if err := tx.AddUUID(ctx, ws.ID, q.ClientID, p.UUIDs[0]); !errors.Is(err, kith.ErrRetry) {
			t.Errorf("AddUUID of a taken uuid: %v, want ErrRetry", err)
		}
		if err := tx.AddUUID(ctx, ws.ID, q.ClientID, q.UUIDs[0]); err != nil {
			t.Errorf("AddUUID of its own uuid: %v, want nil", err)
		}
		if err := tx.AddUUID(ctx, ws.ID, 999999, newUUID()); !errors.Is(err, kith.ErrRetry) {
			t.Errorf("AddUUID to a missing profile: %v, want ErrRetry", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestEmailKeyFollowsIdentityMode(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	custom := createWorkspace(t, s, kith.ModeCustomID)
	p := createProfile(t, s, custom, "a@example.com", "")
	var recognized bool
	var key any
	if err := sqlRow(s, `SELECT recognized, email_key FROM profiles WHERE client_id = ?`, p.ClientID).
		Scan(&recognized, &key); err != nil {
		t.Fatal(err)
	}
	if recognized || key != nil {
		t.Errorf("customId mode, email only: recognized %v, email_key %v; want false, NULL", recognized, key)
	}
	p.CustomID = "C-9"
	update(t, s, func(tx kith.Tx) error { return tx.UpdateProfile(ctx, custom, p) })
	if err := sqlRow(s, `SELECT recognized FROM profiles WHERE client_id = ?`, p.ClientID).
		Scan(&recognized); err != nil || !recognized {
		t.Errorf("after setting customId recognized = %v, %v; want true", recognized, err)
	}
}

func TestUpdateProfileAndRecordActivity(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	p := createProfile(t, s, ws, "", "")
	t0 := p.LastActivityAt
	update(t, s, func(tx kith.Tx) error {
		locked, err := tx.LockProfile(ctx, ws, p.ClientID)
		if err != nil {
			return err
		}
		if locked.UUIDs != nil || locked.Attributes == nil || locked.Agreements == nil {
			t.Errorf("LockProfile = %+v: want the row only, with non-nil maps", locked)
		}
		locked.Email = "new@example.com"
		locked.Attributes["city"] = "Kraków"
		locked.UpdatedAt = t0.Add(time.Minute)
		return tx.UpdateProfile(ctx, ws, locked)
	})
	update(t, s, func(tx kith.Tx) error {
		if err := tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID, At: t0.Add(time.Hour)}}); err != nil {
			return err
		}
		// Never back.
		return tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID, At: t0.Add(-time.Hour)}})
	})
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.FindProfile(ctx, ws.ID, p.ClientID)
		if err != nil {
			return err
		}
		if got.Email != "new@example.com" || got.Attributes["city"] != "Kraków" ||
			!got.UpdatedAt.Equal(t0.Add(time.Minute)) || !got.LastActivityAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after update and touch: %+v", got)
		}
		id, err := tx.FindClientID(ctx, ws.ID, kith.KindEmail, "new@example.com")
		if err != nil || id != p.ClientID {
			t.Errorf("new email finds %d, %v", id, err)
		}
		return nil
	})
	err := s.Update(ctx, func(tx kith.Tx) error {
		if err := tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: 999999, At: t0}}); !errors.Is(err, kith.ErrRetry) {
			t.Errorf("RecordActivity of a missing profile: %v, want ErrRetry", err)
		}
		if err := tx.RecordActivity(ctx, ws.ID+1, []kith.ActivityUpdate{{ClientID: p.ClientID, At: t0}}); !errors.Is(err, kith.ErrRetry) {
			t.Errorf("RecordActivity in another workspace: %v, want ErrRetry", err)
		}
		if _, err := tx.LockProfile(ctx, ws, 999999); kith.ErrorCode(err) != kith.ECodeNotFound {
			t.Errorf("LockProfile of a missing profile: %v, want not_found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTagsDevicesAndUUIDOrder(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	p := createProfile(t, s, ws, "", "")
	other := createProfile(t, s, ws, "", "")
	u2, u3 := "ffffffff-0000-4000-8000-000000000000", "00000000-0000-4000-8000-ffffffffffff"
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	update(t, s, func(tx kith.Tx) error {
		added, err := tx.AddProfileTags(ctx, ws.ID, p.ClientID, []string{"zeta", "alpha", "zeta"})
		if err != nil || !reflect.DeepEqual(added, []string{"zeta", "alpha"}) {
			t.Errorf("AddProfileTags = %v, %v", added, err)
		}
		added, err = tx.AddProfileTags(ctx, ws.ID, p.ClientID, []string{"alpha", "beta"})
		if err != nil || !reflect.DeepEqual(added, []string{"beta"}) {
			t.Errorf("AddProfileTags again = %v, %v", added, err)
		}
		for _, u := range []string{u2, u3} {
			if err := tx.AddUUID(ctx, ws.ID, p.ClientID, u); err != nil {
				return err
			}
		}
		for _, d := range []kith.Device{
			{Browser: "Firefox", OS: "Linux", DeviceType: "desktop", LastSeenAt: t0},
			{Browser: "Safari", OS: "iOS", DeviceType: "mobile", LastSeenAt: t0.Add(time.Hour)},
			{Browser: "Firefox", OS: "Linux", DeviceType: "desktop", LastSeenAt: t0.Add(2 * time.Hour)},
			{Browser: "Firefox", OS: "Linux", DeviceType: "desktop", LastSeenAt: t0.Add(-time.Hour)},
		} {
			if err := tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: p.ClientID, Devices: []kith.Device{d}}}); err != nil {
				return err
			}
		}
		return tx.RecordActivity(ctx, ws.ID, []kith.ActivityUpdate{{ClientID: other.ClientID, Devices: []kith.Device{{Browser: "Edge", LastSeenAt: t0}}}})
	})
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.FindProfile(ctx, ws.ID, p.ClientID)
		if err != nil {
			return err
		}
		if want := []string{p.UUIDs[0], u2, u3}; !reflect.DeepEqual(got.UUIDs, want) {
			t.Errorf("uuids %v, want attach order %v", got.UUIDs, want)
		}
		if want := []string{"alpha", "beta", "zeta"}; !reflect.DeepEqual(got.Tags, want) {
			t.Errorf("tags %v, want %v", got.Tags, want)
		}
		want := []kith.Device{
			{Browser: "Firefox", OS: "Linux", DeviceType: "desktop", LastSeenAt: t0.Add(2 * time.Hour)},
			{Browser: "Safari", OS: "iOS", DeviceType: "mobile", LastSeenAt: t0.Add(time.Hour)},
		}
		if !reflect.DeepEqual(got.Devices, want) {
			t.Errorf("devices %+v, want %+v", got.Devices, want)
		}
		return nil
	})
}

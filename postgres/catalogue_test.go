package postgres

import (
	"context"
	"reflect"
	"testing"

	"github.com/kithcdp/kith"
)

func TestAttributeDefs(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	defs := []kith.AttributeDef{
		{Name: "club", Type: kith.TypeBoolean, Description: "member", CreatedAt: base},
		{Name: "Zeta", Type: kith.TypeNumber, CreatedAt: base},
		{Name: "firstName", Type: kith.TypeString, Default: true, CreatedAt: base},
	}
	update(t, s, func(tx kith.Tx) error {
		for i := range defs {
			if err := tx.CreateAttributeDef(ctx, ws.ID, &defs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.Update(ctx, func(tx kith.Tx) error {
		return tx.CreateAttributeDef(ctx, ws.ID, &kith.AttributeDef{Name: "club", Type: kith.TypeString})
	})
	wantCode(t, err, kith.ECodeConflict)
	other := newWorkspace(t, s, kith.ModeEmail)
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.ListAttributeDefs(ctx, ws.ID)
		want := []kith.AttributeDef{defs[1], defs[0], defs[2]} // byte order: upper case first
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ListAttributeDefs = %+v, %v; want %+v", got, err, want)
		}
		got, err = tx.ListAttributeDefs(ctx, other.ID)
		if err != nil || len(got) != 0 {
			t.Errorf("other workspace: %+v, %v", got, err)
		}
		return nil
	})
}

func TestTags(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	update(t, s, func(tx kith.Tx) error { return tx.EnsureTags(ctx, ws.ID, []string{"vip", "b", "vip"}, base) })
	later := base.Add(1e9)
	update(t, s, func(tx kith.Tx) error { return tx.EnsureTags(ctx, ws.ID, []string{"a", "vip"}, later) })
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.ListTags(ctx, ws.ID)
		want := []kith.Tag{
			{Name: "a", Color: defaultTagColor, CreatedAt: later},
			{Name: "b", Color: defaultTagColor, CreatedAt: base},
			{Name: "vip", Color: defaultTagColor, CreatedAt: base},
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ListTags = %+v, %v; want %+v", got, err, want)
		}
		return nil
	})
}

// TestConflictKeepsTransaction checks that conflicts on names are answered
// without aborting the transaction, so that a caller may go on with it.
func TestConflictKeepsTransaction(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	update(t, s, func(tx kith.Tx) error {
		err := tx.CreateAttributeDef(ctx, ws.ID, &kith.AttributeDef{Name: "a", Type: kith.TypeString})
		if err != nil {
			return err
		}
		err = tx.CreateAttributeDef(ctx, ws.ID, &kith.AttributeDef{Name: "a", Type: kith.TypeNumber})
		if kith.AsError(err) == nil || kith.ErrorCode(err) != kith.ECodeConflict {
			t.Errorf("second definition: %v", err)
		}
		err = tx.CreateWorkspace(ctx, &kith.Workspace{Name: ws.Name, IdentityMode: kith.ModeEmail})
		wantCode(t, err, kith.ECodeConflict)
		_, err = tx.ListAttributeDefs(ctx, ws.ID)
		return err
	})
	err := s.Update(ctx, func(tx kith.Tx) error {
		return tx.CreateAttributeDef(ctx, 987654, &kith.AttributeDef{Name: "a", Type: kith.TypeString})
	})
	wantCode(t, err, kith.ECodeNotFound)
}

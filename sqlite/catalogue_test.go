package sqlite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestAttributeDefs(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	other := createWorkspace(t, s, kith.ModeEmail)
	defs := []*kith.AttributeDef{
		{Name: "firstName", Type: kith.TypeString, Description: "First name.", Default: true},
		{Name: "ClubMember", Type: kith.TypeBoolean},
	}
	update(t, s, func(tx kith.Tx) error {
		for _, d := range defs {
			if err := tx.CreateAttributeDef(ctx, ws.ID, d); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.Update(ctx, func(tx kith.Tx) error {
		return tx.CreateAttributeDef(ctx, ws.ID, &kith.AttributeDef{Name: "ClubMember", Type: kith.TypeString})
	})
	if kith.ErrorCode(err) != kith.ECodeConflict {
		t.Errorf("duplicate attribute: %v, want conflict", err)
	}
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.ListAttributeDefs(ctx, ws.ID)
		if err != nil {
			return err
		}
		// Byte order: upper case sorts first.
		if want := []kith.AttributeDef{*defs[1], *defs[0]}; !reflect.DeepEqual(got, want) {
			t.Errorf("ListAttributeDefs = %+v, want %+v", got, want)
		}
		if got, err := tx.ListAttributeDefs(ctx, other.ID); err != nil || len(got) != 0 {
			t.Errorf("another workspace lists %v, %v", got, err)
		}
		return nil
	})
}

func TestEnsureTags(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	update(t, s, func(tx kith.Tx) error { return tx.EnsureTags(ctx, ws.ID, []string{"vip", "news"}, t0) })
	update(t, s, func(tx kith.Tx) error {
		return tx.EnsureTags(ctx, ws.ID, []string{"vip", "summer"}, t0.Add(time.Hour))
	})
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.ListTags(ctx, ws.ID)
		if err != nil {
			return err
		}
		want := []kith.Tag{
			{Name: "news", Color: defaultTagColor, CreatedAt: t0},
			{Name: "summer", Color: defaultTagColor, CreatedAt: t0.Add(time.Hour)},
			{Name: "vip", Color: defaultTagColor, CreatedAt: t0},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ListTags = %+v, want %+v", got, want)
		}
		return nil
	})
}

package sqlite

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestWorkspaceRoundTrip(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := &kith.Workspace{Name: "shop", IdentityMode: kith.ModeCustomID, UUIDPolicy: kith.UUIDDerived,
		UUIDSalt: "salt", BlockedIdentifiers: []string{}, AllowedOrigins: []string{"https://shop.example"},
		SegmentUserIDAs: "email", CreatedAt: time.Date(2026, 11, 28, 10, 0, 0, 123456789, time.FixedZone("x", 3600))}
	update(t, s, func(tx kith.Tx) error { return tx.CreateWorkspace(ctx, ws) })
	if ws.ID == 0 || ws.CreatedAt.Nanosecond() != 123456000 || ws.CreatedAt.Location() != time.UTC {
		t.Errorf("CreateWorkspace set ID %d, CreatedAt %v", ws.ID, ws.CreatedAt)
	}
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.FindWorkspace(ctx, ws.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, ws) {
			t.Errorf("FindWorkspace = %+v, want %+v", got, ws)
		}
		if got.BlockedIdentifiers == nil {
			t.Error("an empty blocklist came back nil (the default list)")
		}
		return nil
	})
	// nil lists stay nil: a nil blocklist means the default one.
	ws2 := &kith.Workspace{Name: "other", IdentityMode: kith.ModeEmail}
	update(t, s, func(tx kith.Tx) error { return tx.CreateWorkspace(ctx, ws2) })
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.FindWorkspaceByName(ctx, "other")
		if err != nil {
			return err
		}
		if got.BlockedIdentifiers != nil || got.AllowedOrigins != nil {
			t.Errorf("nil lists came back as %v, %v", got.BlockedIdentifiers, got.AllowedOrigins)
		}
		return nil
	})
	err := s.Update(ctx, func(tx kith.Tx) error { return tx.CreateWorkspace(ctx, &kith.Workspace{Name: "shop"}) })
	if kith.ErrorCode(err) != kith.ECodeConflict {
		t.Errorf("duplicate workspace name: %v, want conflict", err)
	}
}

func TestKeys(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	revoked := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	keys := []*kith.Key{
		{ID: "k1", WorkspaceID: ws.ID, Kind: kith.KeySecret, Name: "backend", Hash: []byte{1, 2, 3}, Prefix: "sk_ab"},
		{ID: "k2", WorkspaceID: ws.ID, Kind: kith.KeyTracker, Name: "site", Hash: []byte{4, 5, 6}, Prefix: "pk_cd",
			RevokedAt: &revoked},
	}
	update(t, s, func(tx kith.Tx) error {
		for _, k := range keys {
			if err := tx.CreateKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx kith.ReadTx) error {
		for _, k := range keys {
			got, err := tx.FindKeyByHash(ctx, k.Hash)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, k) {
				t.Errorf("FindKeyByHash = %+v, want %+v", got, k)
			}
		}
		return nil
	})
	for name, k := range map[string]*kith.Key{
		"same hash": {ID: "k3", WorkspaceID: ws.ID, Hash: bytes.Clone(keys[0].Hash)},
		"same id":   {ID: "k1", WorkspaceID: ws.ID, Hash: []byte{9}},
	} {
		err := s.Update(ctx, func(tx kith.Tx) error { return tx.CreateKey(ctx, k) })
		if kith.ErrorCode(err) != kith.ECodeConflict {
			t.Errorf("%s: %v, want conflict", name, err)
		}
	}
	err := s.Update(ctx, func(tx kith.Tx) error {
		return tx.CreateKey(ctx, &kith.Key{ID: "k9", WorkspaceID: 999, Hash: []byte{9}})
	})
	if kith.ErrorCode(err) != kith.ECodeNotFound {
		t.Errorf("key of a missing workspace: %v, want not_found", err)
	}
}

package postgres

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestWorkspace(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := &kith.Workspace{
		Name: "shop", IdentityMode: kith.ModeCustomID, UUIDPolicy: kith.UUIDDerived, UUIDSalt: "salt",
		BlockedIdentifiers: []string{}, AllowedOrigins: []string{"https://shop.example"},
		SegmentUserIDAs: "customId", CreatedAt: base,
	}
	update(t, s, func(tx kith.Tx) error { return tx.CreateWorkspace(ctx, ws) })
	if ws.ID == 0 {
		t.Fatal("ID not set")
	}
	other := &kith.Workspace{Name: "other", IdentityMode: kith.ModeEmail, UUIDPolicy: kith.UUIDRandom}
	update(t, s, func(tx kith.Tx) error { return tx.CreateWorkspace(ctx, other) })
	if other.CreatedAt.IsZero() || other.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt %v not set in UTC", other.CreatedAt)
	}
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.FindWorkspace(ctx, ws.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, ws) {
			t.Errorf("FindWorkspace = %+v, want %+v", got, ws)
		}
		got, err = tx.FindWorkspaceByName(ctx, "other")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, other) {
			t.Errorf("FindWorkspaceByName = %+v, want %+v", got, other)
		}
		// nil (the default blocklist) and empty (no blocklist) differ.
		if got.BlockedIdentifiers != nil {
			t.Errorf("nil BlockedIdentifiers read back as %#v", got.BlockedIdentifiers)
		}
		_, err = tx.FindWorkspace(ctx, 999999)
		wantCode(t, err, kith.ECodeNotFound)
		_, err = tx.FindWorkspaceByName(ctx, "nope")
		wantCode(t, err, kith.ECodeNotFound)
		return nil
	})
	err := s.Update(ctx, func(tx kith.Tx) error {
		return tx.CreateWorkspace(ctx, &kith.Workspace{Name: "shop", IdentityMode: kith.ModeEmail})
	})
	wantCode(t, err, kith.ECodeConflict)
}

func TestKeys(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	revoked := base.Add(1)
	keys := []*kith.Key{
		{ID: "k1", WorkspaceID: ws.ID, Kind: kith.KeySecret, Name: "server", Hash: []byte{1, 2, 3}, Prefix: "sk_ab", CreatedAt: base},
		{ID: "k2", WorkspaceID: ws.ID, Kind: kith.KeyTracker, Name: "site", Hash: []byte{4, 5}, Prefix: "pk_cd", CreatedAt: base, RevokedAt: &revoked},
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
			if got.ID != k.ID || got.WorkspaceID != ws.ID || got.Kind != k.Kind || got.Name != k.Name ||
				!bytes.Equal(got.Hash, k.Hash) || got.Prefix != k.Prefix || !got.CreatedAt.Equal(k.CreatedAt) ||
				(got.RevokedAt == nil) != (k.RevokedAt == nil) {
				t.Errorf("FindKeyByHash = %+v, want %+v", got, k)
			}
		}
		_, err := tx.FindKeyByHash(ctx, []byte{9})
		wantCode(t, err, kith.ECodeNotFound)
		return nil
	})
}

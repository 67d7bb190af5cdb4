package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/kithcdp/kith"
)

// base is a fixed time, so that stored times can be compared exactly.
var base = time.Date(2026, 11, 28, 10, 0, 0, 123456000, time.UTC)

var wsCounter atomic.Int64

// newWorkspace creates a workspace in identity mode mode.
func newWorkspace(t testing.TB, s *Store, mode string) *kith.Workspace {
	t.Helper()
	ws := &kith.Workspace{
		Name:         fmt.Sprintf("ws-%d", wsCounter.Add(1)),
		IdentityMode: mode,
		UUIDPolicy:   kith.UUIDRandom,
	}
	update(t, s, func(tx kith.Tx) error { return tx.CreateWorkspace(context.Background(), ws) })
	return ws
}

// update runs fn in s.Update and fails the test on error.
func update(t testing.TB, s *Store, fn func(kith.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// view runs fn in s.View and fails the test on error.
func view(t testing.TB, s *Store, fn func(kith.ReadTx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("view: %v", err)
	}
}

// newProfile creates a profile with the given identifiers and a random uuid.
func newProfile(t testing.TB, s *Store, ws *kith.Workspace, email, customID string) *kith.Profile {
	t.Helper()
	p := &kith.Profile{
		Email: email, CustomID: customID, UUIDs: []string{uuid.NewString()},
		Attributes: map[string]any{}, Agreements: map[string]kith.Agreement{},
		CreatedAt: base, UpdatedAt: base, LastActivityAt: base,
	}
	update(t, s, func(tx kith.Tx) error { return tx.CreateProfile(context.Background(), ws, p) })
	return p
}

// findProfile reads a whole profile.
func findProfile(t testing.TB, s *Store, ws, id int64) *kith.Profile {
	t.Helper()
	var p *kith.Profile
	view(t, s, func(tx kith.ReadTx) error {
		var err error
		p, err = tx.FindProfile(context.Background(), ws, id)
		return err
	})
	return p
}

// wantCode fails the test unless err has the kith code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := kith.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// wantRetry fails the test unless err wraps kith.ErrRetry.
func wantRetry(t testing.TB, err error) {
	t.Helper()
	if !errors.Is(err, kith.ErrRetry) {
		t.Fatalf("error %v does not wrap kith.ErrRetry", err)
	}
}

package kith

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// NewKey returns a new API key of kind for workspace ws: the key text, shown
// once to its owner, and the Key to store (holding only its hash).
func NewKey(ws int64, kind, name string, now time.Time) (string, *Key) {
	prefix := "sk_"
	if kind == KeyTracker {
		prefix = "pk_"
	}
	text := prefix + randomHex(24)
	return text, &Key{
		ID:          "key_" + randomHex(8),
		WorkspaceID: ws,
		Kind:        kind,
		Name:        name,
		Hash:        HashKey(text),
		Prefix:      text[:10],
		CreatedAt:   now.UTC(),
	}
}

// HashKey returns the stored form of a key text. Keys carry 192 random
// bits, so a fast hash is as safe as a slow one and keeps auth cheap.
func HashKey(text string) []byte {
	h := sha256.Sum256([]byte(text))
	return h[:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("kith: no randomness: %v", err))
	}
	return hex.EncodeToString(b)
}

// NewWorkspace returns a workspace with default settings.
func NewWorkspace(name, identityMode string) *Workspace {
	if identityMode == "" {
		identityMode = ModeEmail
	}
	userIDAs := KindCustomID
	return &Workspace{
		Name:               name,
		IdentityMode:       identityMode,
		UUIDPolicy:         UUIDRandom,
		UUIDSalt:           randomHex(16),
		BlockedIdentifiers: append([]string(nil), DefaultBlockedIdentifiers...),
		AllowedOrigins:     []string{},
		SegmentUserIDAs:    string(userIDAs),
	}
}

// ValidateWorkspace checks a workspace's settings (code invalid_setting).
func ValidateWorkspace(ws *Workspace) error {
	switch {
	case ws.Name == "" || len(ws.Name) > 64:
		return FieldErrorf("name", ECodeInvalidSetting, "workspace names are 1–64 characters")
	case ws.IdentityMode != ModeEmail && ws.IdentityMode != ModeCustomID:
		return FieldErrorf("identityMode", ECodeInvalidSetting, "identityMode is %q or %q, not %q", ModeEmail, ModeCustomID, ws.IdentityMode)
	case ws.UUIDPolicy != UUIDRandom && ws.UUIDPolicy != UUIDDerived:
		return FieldErrorf("uuidPolicy", ECodeInvalidSetting, "uuidPolicy is %q or %q", UUIDRandom, UUIDDerived)
	case ws.SegmentUserIDAs != string(KindCustomID) && ws.SegmentUserIDAs != string(KindEmail):
		return FieldErrorf("segmentUserIdAs", ECodeInvalidSetting, "segmentUserIdAs is \"customId\" or \"email\"")
	}
	return nil
}

// Credentials are the keys made for a new workspace.
type Credentials struct {
	Workspace  *Workspace
	TrackerKey string
	SecretKey  string
}

// CreateWorkspace stores a new workspace with one tracker and one secret
// key (conflict when the name is taken).
func CreateWorkspace(ctx context.Context, st Store, ws *Workspace, now time.Time) (*Credentials, error) {
	if err := ValidateWorkspace(ws); err != nil {
		return nil, err
	}
	ws.CreatedAt = now.UTC()
	c := &Credentials{Workspace: ws}
	err := st.Update(ctx, func(tx Tx) error {
		if err := tx.CreateWorkspace(ctx, ws); err != nil {
			return err
		}
		var tk, sk *Key
		c.TrackerKey, tk = NewKey(ws.ID, KeyTracker, "Default tracker key", now)
		c.SecretKey, sk = NewKey(ws.ID, KeySecret, "Default secret key", now)
		if err := tx.CreateKey(ctx, tk); err != nil {
			return err
		}
		return tx.CreateKey(ctx, sk)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

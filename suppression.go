package kith

import (
	"crypto/sha256"
	"time"
)

// Suppression records that data carrying an identifier is refused: the
// identifier belonged to a profile erased with suppression (GDPR). Only a
// hash of the identifier is kept, never its value.
type Suppression struct {
	Hash      []byte
	Kind      IdentifierKind
	CreatedAt time.Time
}

// SuppressionHash returns the stored form of a normalized identifier of
// kind: SHA-256 of "kith-suppression:KIND:VALUE". The kind is part of it so
// that a customId equal to a suppressed email is not refused.
func SuppressionHash(kind IdentifierKind, value string) []byte {
	h := sha256.Sum256([]byte("kith-suppression:" + string(kind) + ":" + value))
	return h[:]
}

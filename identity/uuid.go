package identity

import (
	"github.com/google/uuid"

	"github.com/kithcdp/kith"
)

// NewEventID returns a new time-ordered event id (UUIDv7).
func NewEventID() string {
	id, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system's randomness source does;
		// a v4 id is just as unique.
		return uuid.NewString()
	}
	return id.String()
}

// DerivedUUID returns the UUIDv5, in the URL namespace, of salt+identifier:
// the uuid every system of an integrator can compute for a customer when the
// workspace's uuidPolicy is "derived".
func DerivedUUID(salt, identifier string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(salt+identifier)).String()
}

// NameUUID returns the UUIDv5 of an arbitrary name in the URL namespace; it
// turns a non-UUID device id (e.g. a Segment anonymousId) into a uuid.
func NameUUID(name string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(name)).String()
}

// ProfileUUID returns the uuid to give a new profile that came without one:
// derived from its main identifier when the workspace asks for that, else
// random (v4).
func ProfileUUID(ws *kith.Workspace, email, customID string) string {
	if ws.UUIDPolicy == kith.UUIDDerived {
		if main := ws.MainIdentifier(email, customID); main != "" {
			return DerivedUUID(ws.UUIDSalt, main)
		}
	}
	return uuid.NewString()
}

// Package segment maps Segment Spec calls (identify, track, page, screen,
// alias, group), as Segment- and RudderStack-compatible SDKs send them, to
// identity writes (SPEC §6). It is pure: it reads no store and no clock,
// so every rule of the mapping is table-tested here; package http receives
// the requests and ingest applies the writes.
//
// The mapping, in short: anonymousId (and alias's previousId) → uuid, a
// non-UUID value → identity.NameUUID of it; userId → customId, or email
// when the workspace's segmentUserIdAs is "email"; traits.email → email;
// identify traits → attributes; messageId → eventId; every call is stored
// as an event (track: its name; page: page.visit; screen: screen.view;
// identify: user.identify; alias: user.alias; group: group.join). Writes
// are not strict: a trait Kith cannot store is skipped with a warning and
// the event is still stored. docs/SEGMENT.md is the user-facing table.
package segment

// Actions of the events stored for calls other than track.
const (
	ActionIdentify   = "user.identify"
	ActionAlias      = "user.alias"
	ActionGroup      = "group.join"
	ActionPageVisit  = "page.visit"
	ActionScreenView = "screen.view"
)

// Call types (the "type" field of a message, or the endpoint's name).
const (
	TypeIdentify = "identify"
	TypeTrack    = "track"
	TypePage     = "page"
	TypeScreen   = "screen"
	TypeAlias    = "alias"
	TypeGroup    = "group"
)

// Limits of Segment's tracking API, which SDKs respect on their side too.
const (
	// MaxMessageBytes is the largest message, alone or inside a batch.
	MaxMessageBytes = 32 << 10
	// MaxBatchBytes is the largest batch body (decompressed).
	MaxBatchBytes = 500 << 10
	// MaxBatchMessages is the most messages in one batch.
	MaxBatchMessages = 2500
)

// IsType reports whether t is a call type Kith accepts.
func IsType(t string) bool {
	switch t {
	case TypeIdentify, TypeTrack, TypePage, TypeScreen, TypeAlias, TypeGroup:
		return true
	}
	return false
}

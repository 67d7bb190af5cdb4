package kith

import (
	"context"
	"strings"
)

// Error codes of the profile management API, beside those of error.go.
const (
	// ECodeImmutable refuses a change of something that never changes: an
	// attribute's name or type, a tag's name, a default attribute.
	ECodeImmutable = "immutable_field"
	// ECodeInvalidColor refuses a tag colour that is not #rrggbb.
	ECodeInvalidColor = "invalid_color"
	// ECodeInvalidAttrType refuses an attribute type Kith does not know.
	ECodeInvalidAttrType = "invalid_attribute_type"
	// ECodeInvalidCursor refuses a paging cursor Kith did not hand out.
	ECodeInvalidCursor = "invalid_cursor"
	// ECodeInvalidNote refuses a note text that is empty or too long.
	ECodeInvalidNote = "invalid_note"
)

// ManagementReader holds the reads of the profile management API: the
// catalogues, notes, the merge journal, the profile list and its counts,
// and the suppression list. Both stores implement it; every method is
// scoped to the workspace ws.
type ManagementReader interface {
	// FindAttributeDef returns the custom attribute definition name
	// (not_found; default attributes are not stored).
	FindAttributeDef(ctx context.Context, ws int64, name string) (*AttributeDef, error)
	// AttributeInUse reports whether any profile holds a value of the
	// attribute name. It may read every profile of the workspace.
	AttributeInUse(ctx context.Context, ws int64, name string) (bool, error)
	// FindTag returns the catalogue entry of a tag (not_found).
	FindTag(ctx context.Context, ws int64, name string) (*Tag, error)
	// TagInUse reports whether any profile has the tag.
	TagInUse(ctx context.Context, ws int64, name string) (bool, error)

	// ListNotes returns a profile's notes, newest first (by creation, then
	// NoteID). A profile without notes, or none at all, gives nil.
	ListNotes(ctx context.Context, ws, clientID int64) ([]*Note, error)
	// FindNote returns the note noteID of profile clientID (not_found).
	FindNote(ctx context.Context, ws, clientID, noteID int64) (*Note, error)

	// ListMerges returns the merge journal entries whose target is one of
	// clientIDs, oldest first. A merge's sources are deleted by it, so the
	// entries naming a profile or any of its previous clientIds as a
	// source all have a target among them too.
	ListMerges(ctx context.Context, ws int64, clientIDs []int64) ([]*Merge, error)

	// ListProfiles returns whole profiles (as FindProfile) matching f,
	// ordered by clientId, newest (largest) first, at most f.Limit of them
	// (no limit when it is 0 or less). See ProfileFilter for the matching.
	ListProfiles(ctx context.Context, ws int64, f ProfileFilter) ([]*Profile, error)
	// CountProfiles returns how many profiles the workspace has.
	CountProfiles(ctx context.Context, ws int64) (ProfileStats, error)

	// FindSuppressed returns those of hashes (see SuppressionHash) that
	// are suppressed in the workspace, in any order.
	FindSuppressed(ctx context.Context, ws int64, hashes [][]byte) ([][]byte, error)
	// AnySuppressed reports whether the workspace has suppressed
	// identifiers at all.
	AnySuppressed(ctx context.Context, ws int64) (bool, error)
}

// ManagementWriter holds the writes of the profile management API. The
// identity package calls them; it checks its input and records the system
// events that go with each change.
type ManagementWriter interface {
	// UpdateAttributeDef writes the Description of the custom attribute
	// def.Name (not_found). Names and types never change.
	UpdateAttributeDef(ctx context.Context, ws int64, def *AttributeDef) error
	// DeleteAttributeDef removes a custom attribute definition (not_found).
	// The caller checks AttributeInUse first.
	DeleteAttributeDef(ctx context.Context, ws int64, name string) error

	// CreateTag adds a tag to the catalogue, setting CreatedAt to now when
	// zero (conflict when the name exists, not_found without the
	// workspace).
	CreateTag(ctx context.Context, ws int64, tag *Tag) error
	// UpdateTag writes the Color and Description of tag.Name (not_found).
	UpdateTag(ctx context.Context, ws int64, tag *Tag) error
	// DeleteTag removes a tag from the catalogue and from every profile,
	// and returns the clientIds of the profiles that had it, ascending
	// (not_found when the catalogue lacks it).
	DeleteTag(ctx context.Context, ws int64, name string) ([]int64, error)
	// RemoveProfileTag removes a tag from a profile and reports whether
	// the profile had it.
	RemoveProfileTag(ctx context.Context, ws, clientID int64, tag string) (bool, error)

	// CreateNote stores n on profile n.ClientID and sets its NoteID (and
	// CreatedAt/UpdatedAt to now when zero). A profile that no longer
	// exists returns ErrRetry.
	CreateNote(ctx context.Context, ws int64, n *Note) error
	// UpdateNote writes the Text and UpdatedAt of note n.NoteID of profile
	// n.ClientID (not_found).
	UpdateNote(ctx context.Context, ws int64, n *Note) error
	// DeleteNote removes note noteID of profile clientID (not_found).
	DeleteNote(ctx context.Context, ws, clientID, noteID int64) error

	// DeleteProfile erases a profile (GDPR): its row, uuids, tags, devices,
	// notes and events, the previous clientIds that answer it, and the
	// merge journal entries whose target is the profile or one of its
	// previous clientIds (not_found). Nothing of it can be read afterwards.
	DeleteProfile(ctx context.Context, ws, clientID int64) error
	// AddSuppressions records suppressed identifiers; one already recorded
	// is kept as it is.
	AddSuppressions(ctx context.Context, ws int64, s []Suppression) error
}

// ProfileFilter selects a page of a workspace's profiles.
//
// Query matches a profile when, compared case-insensitively (see Fold), it
// is a prefix of the profile's email, customId, one of its uuids, or its
// firstName, lastName or displayName attribute; or when it is the
// profile's clientId or one of its previous clientIds.
type ProfileFilter struct {
	// Anonymous, when set, keeps only anonymous (true) or only recognized
	// (false) profiles.
	Anonymous *bool
	// Query, when not empty, keeps the profiles it matches.
	Query string
	// Tag, when not empty, keeps the profiles that have it.
	Tag string
	// Before, when positive, keeps the profiles whose clientId is smaller:
	// the position after the last profile of the previous page.
	Before int64
	// Limit is the most profiles returned; 0 or less means all.
	Limit int
}

// ProfileStats counts a workspace's profiles.
type ProfileStats struct {
	Total      int64 `json:"total"`
	Recognized int64 `json:"recognized"`
	Anonymous  int64 `json:"anonymous"`
}

// Fold returns s as the profile search compares it: lower-cased (Unicode
// simple folding by strings.ToLower).
func Fold(s string) string { return strings.ToLower(s) }

// SearchNames are the attributes the profile search matches by prefix.
var SearchNames = []string{"firstName", "lastName", "displayName"}

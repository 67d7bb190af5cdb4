package kith

import (
	"context"
	"errors"
	"time"
)

// ErrRetry is returned (wrapped) by transaction code that saw a concurrent
// change it cannot build on, such as a profile merged away between finding
// and locking it. Store.Update runs the whole function again.
var ErrRetry = errors.New("kith: concurrent change, retry the transaction")

// Store is a storage backend. Every method of every transaction is scoped to
// one workspace: no query may read or write another workspace's rows.
type Store interface {
	// Update runs fn in one write transaction and commits it durably before
	// returning nil. fn may run more than once (on ErrRetry, serialization
	// failures, deadlocks, or races on unique identifiers), so it must not
	// keep state across calls. When fn returns an error nothing it wrote
	// remains. Stores may commit several concurrent Update calls together.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only snapshot.
	View(ctx context.Context, fn func(ReadTx) error) error
	// Ping reports whether the store is reachable (code unavailable).
	Ping(ctx context.Context) error
	Close() error
}

// ReadTx reads a store. Methods returning one thing return not_found when it
// does not exist.
type ReadTx interface {
	ManagementReader
	SettingsReader
	UserReader

	// FindWorkspace returns the workspace with id (not_found).
	FindWorkspace(ctx context.Context, id int64) (*Workspace, error)
	// FindWorkspaceByName returns the workspace called name (not_found).
	FindWorkspaceByName(ctx context.Context, name string) (*Workspace, error)
	// FindKeyByHash returns the key whose hash is hash, revoked or not
	// (not_found).
	FindKeyByHash(ctx context.Context, hash []byte) (*Key, error)

	// FindClientID returns the profile holding an identifier, or 0. For
	// KindClientID it follows merges: a merged-away id answers the survivor.
	// For KindEmail it only finds unique emails (email identity mode).
	FindClientID(ctx context.Context, ws int64, kind IdentifierKind, value string) (int64, error)
	// FindClientIDs looks up many identifiers of one kind (email, customId or
	// uuid; the same rules as FindClientID) and returns the profile holding
	// each, by value; values no profile holds are absent.
	FindClientIDs(ctx context.Context, ws int64, kind IdentifierKind, values []string) (map[string]int64, error)
	// FindClientIDsByEmail returns every profile with that contact email,
	// in any identity mode, ordered by clientId.
	FindClientIDsByEmail(ctx context.Context, ws int64, email string) ([]int64, error)
	// FindProfile returns the whole profile: its row, uuids, tags, devices
	// and previous clientIds (not_found).
	FindProfile(ctx context.Context, ws, clientID int64) (*Profile, error)
	// FindEvent returns the event with eventID (not_found).
	FindEvent(ctx context.Context, ws int64, eventID string) (*Event, error)
	// FindEventOwners returns, for each of eventIDs already stored, the
	// profile it is on; ids not stored are absent.
	FindEventOwners(ctx context.Context, ws int64, eventIDs []string) (map[string]int64, error)
	// ListAttributeDefs returns the custom attribute definitions by name.
	ListAttributeDefs(ctx context.Context, ws int64) ([]AttributeDef, error)
	// ListTags returns the tag catalogue by name.
	ListTags(ctx context.Context, ws int64) ([]Tag, error)
	// ListEvents returns a profile's events, newest first (by time, then
	// Seq), after the cursor position when before is non-nil.
	ListEvents(ctx context.Context, ws int64, f EventFilter) ([]*Event, error)
}

// EventFilter selects a page of a profile's timeline.
type EventFilter struct {
	ClientID int64
	Action   string // exact action, "" for all
	Limit    int
	// Before, when set, returns only events strictly older than this
	// position (Time, Seq) in timeline order.
	Before *EventPosition
}

// EventPosition is a place in a timeline.
type EventPosition struct {
	Time time.Time
	Seq  int64
}

// ActivityUpdate is what a batch of writes did on one profile: its latest
// event time and the devices it was used from.
type ActivityUpdate struct {
	ClientID int64
	At       time.Time // zero when no event moved the profile's activity
	Devices  []Device
}

// Tx is a write transaction.
type Tx interface {
	ReadTx
	ManagementWriter
	SettingsWriter
	UserWriter

	// CreateWorkspace stores ws and sets its ID and CreatedAt (conflict when
	// the name is taken).
	CreateWorkspace(ctx context.Context, ws *Workspace) error
	// CreateKey stores k.
	CreateKey(ctx context.Context, k *Key) error

	// LockProfile returns the profile row (no uuids, tags, devices or
	// previous ids) and locks it until the transaction ends (not_found when
	// it was deleted or merged away meanwhile).
	LockProfile(ctx context.Context, ws *Workspace, clientID int64) (*Profile, error)
	// LockProfiles is LockProfile for many profiles at once, locked in
	// clientId order; it returns those that exist, by clientId.
	LockProfiles(ctx context.Context, ws *Workspace, clientIDs []int64) (map[int64]*Profile, error)
	// CreateProfile stores p with its Email, CustomID and UUIDs and sets
	// p.ClientID. Stores may insert the rows with the transaction's next
	// statement, so a unique identifier already taken returns ErrRetry
	// from CreateProfile or from whatever the transaction does next, its
	// commit included; either way the transaction runs again.
	CreateProfile(ctx context.Context, ws *Workspace, p *Profile) error
	// ExpectNewProfiles hints that the transaction is about to create
	// about n profiles, so that a store which numbers them with a round
	// trip may number them all at once. Only a hint: more or fewer may
	// come.
	ExpectNewProfiles(n int)
	// UpdateProfile writes p's Email, CustomID, Attributes, Agreements and
	// UpdatedAt/LastActivityAt. A unique identifier already taken returns
	// ErrRetry.
	UpdateProfile(ctx context.Context, ws *Workspace, p *Profile) error
	// RecordActivity moves each profile's LastActivityAt forward to its At
	// (never back; a zero At leaves it) and records its devices, keyed by
	// browser+os+deviceType, keeping the latest LastSeenAt. It returns
	// ErrRetry when a profile no longer exists. Each profile appears at
	// most once in acts, and each of its devices once.
	RecordActivity(ctx context.Context, ws int64, acts []ActivityUpdate) error
	// AddUUID attaches a uuid to a profile (ErrRetry when it is taken).
	AddUUID(ctx context.Context, ws, clientID int64, uuid string) error
	// AddProfileTags adds tags to a profile and returns those it did not
	// have, in the given order.
	AddProfileTags(ctx context.Context, ws, clientID int64, tags []string) ([]string, error)
	// MergeProfile moves everything the source owns except its row values
	// into target — uuids, events, tags (union), notes, devices, previous
	// clientIds — records source as a previous clientId of target, and
	// deletes the source row. The caller has locked both profiles and
	// applied identifiers, attributes and agreements itself.
	MergeProfile(ctx context.Context, ws, source, target int64) error
	// InsertMerge stores a merge journal entry and sets m.ID.
	InsertMerge(ctx context.Context, m *Merge) error

	// InsertEvents stores events; one whose EventID already exists in the
	// workspace is skipped. It sets Seq.
	InsertEvents(ctx context.Context, events []*Event) error

	// CreateAttributeDef adds a custom attribute definition (conflict when
	// the name exists).
	CreateAttributeDef(ctx context.Context, ws int64, def *AttributeDef) error
	// EnsureTags adds tags missing from the catalogue with default colour.
	EnsureTags(ctx context.Context, ws int64, names []string, at time.Time) error
}

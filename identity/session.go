// Package identity applies Kith's identity resolution rules (SPEC §2, R1–R9)
// and merges over one store transaction. It is the only place that decides
// which profile a write belongs to; every entry point (events, upserts,
// imports, Segment calls, the UI) goes through a Session.
package identity

import (
	"context"
	"time"

	"github.com/kithcdp/kith"
)

// Write is one write to resolve: identifiers plus an optional profile part
// and an optional event.
type Write struct {
	// Client holds normalized identifiers (kith.NormalizeIdentifiers).
	Client kith.Identifiers
	// Attributes are JSON-decoded values to set on the resolved profile.
	Attributes map[string]any
	// Tags are added to the resolved profile.
	Tags []string
	// Agreements are consent decisions by channel.
	Agreements map[string]bool
	// Strict makes conflicts and invalid profile fields errors that refuse
	// the whole write (API upserts, import rows). Otherwise they are
	// warnings and the write goes on (events).
	Strict bool
	// Source says where the write came from (kith.Source…).
	Source string
	// Context is the request's origin, recorded with consent changes.
	Context kith.EventContext
	// Time is when the write happened (event time); zero means now.
	Time time.Time
	// Device, when known, is recorded on the resolved profile.
	Device *kith.Device
	// Event, when set, is stored on the resolved profile.
	Event *kith.Event
	// CheckDuplicate makes an Event whose EventID was supplied by the caller
	// a no-op when that id is already stored.
	CheckDuplicate bool
}

// Result says where a write landed.
type Result struct {
	ClientID     int64
	Created      bool
	UUIDConflict bool
	// Duplicate is true when the event was already stored.
	Duplicate bool
	// Merged lists profiles merged into ClientID by this write (R4).
	Merged []int64
	// Released lists identifiers an explicit merge dropped because the
	// target already had another value of their kind.
	Released []kith.Identifiers
	Warnings []*kith.Error
}

// Session resolves writes inside one store transaction. It buffers events
// and inserts them in one statement on Flush. A Session must not be used
// after its transaction ends.
type Session struct {
	tx      kith.Tx
	ws      *kith.Workspace
	now     time.Time
	defs    map[string]kith.AttributeDef
	pending []*kith.Event
	seen    map[string]int // event ids buffered, index in pending
	dirty   map[*kith.Profile]bool
	anySup  *bool // whether the workspace has suppressed identifiers (suppress.go)

	// What the session knows (prepare.go): who holds an identifier (0:
	// nobody), which caller-supplied event ids are stored and where (0: not
	// stored), and the activity to record on Flush.
	owners       map[ownerKey]int64
	storedEvents map[string]int64
	activity     map[int64]*kith.ActivityUpdate
	profiles     map[int64]*kith.Profile // rows locked or created (resolve.go)
}

// NewSession starts resolving writes for workspace ws in tx. now is the
// receipt time used for system events and defaults.
func NewSession(tx kith.Tx, ws *kith.Workspace, now time.Time) *Session {
	return &Session{tx: tx, ws: ws, now: now.UTC().Truncate(time.Microsecond), seen: map[string]int{}}
}

// Flush stores the buffered activity and events. Call it once before the
// transaction commits.
func (s *Session) Flush(ctx context.Context) error {
	if err := s.flushActivity(ctx); err != nil {
		return err
	}
	if len(s.pending) == 0 {
		return nil
	}
	err := s.tx.InsertEvents(ctx, s.pending)
	s.pending = s.pending[:0]
	clear(s.seen)
	return err
}

// Apply resolves w to one profile and writes it there. A clientId no
// profile has is refused (not_found) in any mode. In strict mode it also
// refuses identity_conflict, identifier_mismatch and attribute codes;
// otherwise those become warnings and the write goes on. A refusal writes
// nothing (see Refusal).
func (s *Session) Apply(ctx context.Context, w *Write) (*Result, error) {
	if err := s.checkSuppressed(ctx, w.Client); err != nil {
		return nil, err
	}
	if w.Time.IsZero() {
		w.Time = s.now
	}
	w.Time = w.Time.UTC().Truncate(time.Microsecond)
	if eventID := checkedEventID(w); eventID != "" {
		if id, ok, err := s.storedEvent(ctx, eventID); err != nil || ok {
			return &Result{ClientID: id, Duplicate: ok}, err
		}
	}
	res := &Result{}
	part, err := s.checkProfilePart(ctx, w, res)
	if err != nil {
		return nil, err
	}
	pl, err := s.plan(ctx, w, res)
	if err != nil {
		return nil, err
	}
	p, err := s.execute(ctx, w, pl, part, res)
	if err != nil {
		return nil, err
	}
	s.record(w, p, res.Created)
	res.ClientID = p.ClientID
	return res, nil
}

// storedEvent reports whether eventID is already stored or buffered, and
// on which profile.
func (s *Session) storedEvent(ctx context.Context, eventID string) (int64, bool, error) {
	if i, ok := s.seen[eventID]; ok {
		return s.pending[i].ClientID, true, nil
	}
	if id, ok := s.storedEvents[eventID]; ok {
		return id, id != 0, nil
	}
	e, err := s.tx.FindEvent(ctx, s.ws.ID, eventID)
	if kith.ErrorCode(err) == kith.ECodeNotFound {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return e.ClientID, true, nil
}

// record buffers the write's activity on the profile (its event time and
// device) and its event. A profile this write created already carries the
// event's time.
func (s *Session) record(w *Write, p *kith.Profile, created bool) {
	if w.Device != nil {
		addActivity(s.activityOf(p.ClientID), time.Time{}, *w.Device)
	}
	if w.Event == nil {
		return
	}
	if !created {
		addActivity(s.activityOf(p.ClientID), w.Time)
	}
	e := w.Event
	e.WorkspaceID = s.ws.ID
	e.ClientID = p.ClientID
	e.Time = w.Time
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = s.now
	}
	s.buffer(e)
}

// buffer queues an event for Flush.
func (s *Session) buffer(e *kith.Event) {
	if e.EventID == "" {
		e.EventID = NewEventID()
	}
	s.seen[e.EventID] = len(s.pending)
	s.pending = append(s.pending, e)
}

// systemEvent queues a system event on a profile.
func (s *Session) systemEvent(clientID int64, action string, params map[string]any) {
	s.buffer(&kith.Event{
		WorkspaceID: s.ws.ID,
		ClientID:    clientID,
		Action:      action,
		Time:        s.now,
		ReceivedAt:  s.now,
		Source:      kith.SourceSystem,
		Params:      mustJSON(params),
	})
}

// repoint moves buffered events and activity of a merged-away profile to
// its survivor, and forgets what it knew of the profile's identifiers.
func (s *Session) repoint(from, to int64) {
	for _, e := range s.pending {
		if e.ClientID == from {
			e.ClientID = to
		}
	}
	s.moveActivity(from, to)
	s.forgetOwner(from)
}

package identity

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/kithcdp/kith"
)

// A batch of writes (an events request, an import batch) is resolved one
// write at a time, but most of what it reads can be read at once: Prepare
// looks up every identifier and every caller-supplied event id of the batch
// with one query per kind, and the session then answers from what it
// knows. What the session itself writes keeps that knowledge true: a new
// profile's identifiers, an attached uuid and a filled identifier are
// remembered, and a profile whose identifiers move or vanish (a merge, a
// change, an erasure) is forgotten, so that the next question about it goes
// to the store again.

// ownerKey is an identifier the session knows the holder of.
type ownerKey struct {
	kind  kith.IdentifierKind
	value string
}

// Prepare reads, for the writes about to be applied in this session, which
// of their event ids are stored already and who holds their identifiers.
// It changes nothing; skipping it only costs more queries.
func (s *Session) Prepare(ctx context.Context, writes []*Write) error {
	if err := s.findStoredEvents(ctx, writes); err != nil {
		return err
	}
	// A write whose event is stored already is answered as a duplicate
	// (a tracker's resend) and needs neither its identifiers nor a lock.
	var fresh []*Write
	for _, w := range writes {
		if w != nil && !s.resent(w) {
			fresh = append(fresh, w)
		}
	}
	byKind := map[kith.IdentifierKind][]string{}
	kinds := append(s.strongKinds(), kith.KindUUID) // the kinds found by value
	for _, w := range fresh {
		for _, kind := range kinds {
			if v := identifierOf(w.Client, kind); v != "" && !s.knows(kind, v) {
				byKind[kind] = append(byKind[kind], v)
			}
		}
	}
	var holders []int64
	for kind, values := range byKind {
		values = uniq(values)
		found, err := s.tx.FindClientIDs(ctx, s.ws.ID, kind, values)
		if err != nil {
			return err
		}
		for _, v := range values {
			s.remember(kind, v, found[v]) // 0: nobody holds it
			if found[v] != 0 {
				holders = append(holders, found[v])
			}
		}
	}
	if err := s.lockAll(ctx, holders); err != nil {
		return err
	}
	s.tx.ExpectNewProfiles(s.newVisitors(fresh, kinds))
	return nil
}

// findStoredEvents reads which of the caller-supplied event ids of writes
// are stored already, and by which profile.
func (s *Session) findStoredEvents(ctx context.Context, writes []*Write) error {
	var eventIDs []string
	for _, w := range writes {
		if id := checkedEventID(w); id != "" {
			eventIDs = append(eventIDs, id)
		}
	}
	if len(eventIDs) == 0 {
		return nil
	}
	eventIDs = uniq(eventIDs)
	stored, err := s.tx.FindEventOwners(ctx, s.ws.ID, eventIDs)
	if err != nil {
		return err
	}
	if s.storedEvents == nil {
		s.storedEvents = make(map[string]int64, len(eventIDs))
	}
	for _, id := range eventIDs {
		s.storedEvents[id] = stored[id] // 0: not stored
	}
	return nil
}

// resent reports whether w carries an event the store holds already.
func (s *Session) resent(w *Write) bool {
	id := checkedEventID(w)
	return id != "" && s.storedEvents[id] != 0
}

// checkedEventID returns the caller-supplied event id of w that is checked
// for duplicates, or "".
func checkedEventID(w *Write) string {
	if w == nil || w.Event == nil || !w.CheckDuplicate {
		return ""
	}
	return w.Event.EventID
}

// newVisitors counts the writes that will create a profile because nobody
// holds any of their identifiers; writes sharing one are counted once.
func (s *Session) newVisitors(writes []*Write, kinds []kith.IdentifierKind) int {
	n := 0
	counted := map[ownerKey]bool{}
	for _, w := range writes {
		if w.Client.ClientID != 0 {
			continue
		}
		var keys []ownerKey
		known := false
		for _, kind := range kinds {
			if v := identifierOf(w.Client, kind); v != "" {
				k := ownerKey{kind, v}
				known = known || s.owners[k] != 0 || counted[k]
				keys = append(keys, k)
			}
		}
		if known || len(keys) == 0 {
			continue
		}
		for _, k := range keys {
			counted[k] = true
		}
		n++
	}
	return n
}

// lockAll locks the profiles a batch will write to, in one statement and
// in clientId order, and keeps their rows for lock.
func (s *Session) lockAll(ctx context.Context, ids []int64) error {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil
	}
	found, err := s.tx.LockProfiles(ctx, s.ws, ids)
	if err != nil {
		return err
	}
	for _, p := range found {
		s.keep(p)
	}
	return nil
}

func uniq(values []string) []string {
	slices.Sort(values)
	return slices.Compact(values)
}

// knows reports whether the session knows who holds an identifier.
func (s *Session) knows(kind kith.IdentifierKind, v string) bool {
	_, ok := s.owners[ownerKey{kind, v}]
	return ok
}

// remember records that clientID (0: nobody) holds an identifier.
func (s *Session) remember(kind kith.IdentifierKind, v string, clientID int64) {
	if v == "" || kind == kith.KindClientID {
		return
	}
	if kind == kith.KindEmail && !s.ws.EmailIsIdentifier() {
		return // a contact field in customId mode: never looked up
	}
	if s.owners == nil {
		s.owners = map[ownerKey]int64{}
	}
	s.owners[ownerKey{kind, v}] = clientID
}

// rememberProfile records every identifier p holds in its row or was
// created with.
func (s *Session) rememberProfile(p *kith.Profile) {
	for _, kind := range []kith.IdentifierKind{kith.KindEmail, kith.KindCustomID} {
		s.remember(kind, p.Identifier(kind), p.ClientID)
	}
	for _, u := range p.UUIDs {
		s.remember(kith.KindUUID, u, p.ClientID)
	}
}

// forgetOwner drops what the session knows about a profile's identifiers
// and stored events, because they are about to move or vanish.
func (s *Session) forgetOwner(clientID int64) {
	for k, id := range s.owners {
		if id == clientID {
			delete(s.owners, k)
		}
	}
	for k, id := range s.storedEvents {
		if id == clientID {
			delete(s.storedEvents, k)
		}
	}
	delete(s.profiles, clientID)
}

// activityOf returns the buffered activity of a profile.
func (s *Session) activityOf(clientID int64) *kith.ActivityUpdate {
	a := s.activity[clientID]
	if a == nil {
		if s.activity == nil {
			s.activity = map[int64]*kith.ActivityUpdate{}
		}
		a = &kith.ActivityUpdate{ClientID: clientID}
		s.activity[clientID] = a
	}
	return a
}

// addActivity buffers activity on a profile: the latest event time and
// the latest use of each device.
func addActivity(a *kith.ActivityUpdate, at time.Time, devices ...kith.Device) {
	if at.After(a.At) {
		a.At = at
	}
	for _, d := range devices {
		i := slices.IndexFunc(a.Devices, func(x kith.Device) bool {
			return x.Browser == d.Browser && x.OS == d.OS && x.DeviceType == d.DeviceType
		})
		switch {
		case i < 0:
			a.Devices = append(a.Devices, d)
		case d.LastSeenAt.After(a.Devices[i].LastSeenAt):
			a.Devices[i].LastSeenAt = d.LastSeenAt
		}
	}
}

// moveActivity hands the buffered activity of a merged-away profile to
// its survivor.
func (s *Session) moveActivity(from, to int64) {
	a, ok := s.activity[from]
	if !ok {
		return
	}
	delete(s.activity, from)
	addActivity(s.activityOf(to), a.At, a.Devices...)
}

// flushActivity writes the buffered activity, in clientId order so that
// concurrent transactions touch rows in the same order.
func (s *Session) flushActivity(ctx context.Context) error {
	if len(s.activity) == 0 {
		return nil
	}
	acts := make([]kith.ActivityUpdate, 0, len(s.activity))
	for _, a := range s.activity {
		acts = append(acts, *a)
	}
	slices.SortFunc(acts, func(a, b kith.ActivityUpdate) int { return cmp.Compare(a.ClientID, b.ClientID) })
	clear(s.activity)
	return s.tx.RecordActivity(ctx, s.ws.ID, acts)
}

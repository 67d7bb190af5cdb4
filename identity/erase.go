package identity

import "context"

// Erasure says what Erase removed.
type Erasure struct {
	ClientID          int64
	PreviousClientIDs []int64
	// Suppressed counts the identifiers whose later data is refused.
	Suppressed int
}

// Erase deletes profile clientID and everything stored about it (GDPR
// erasure; see kith.ManagementWriter.DeleteProfile). A merged-away
// clientId erases its survivor: the same customer. With suppress, the
// profile's email, customId and uuids are recorded as suppressed (hashes
// only), so that later writes carrying any of them are refused with
// suppressed_identifier. It returns not_found.
func (s *Session) Erase(ctx context.Context, clientID int64, suppress bool) (*Erasure, error) {
	id, err := s.resolveClientID(ctx, clientID, "clientId")
	if err != nil {
		return nil, err
	}
	if _, err := s.lock(ctx, id); err != nil {
		return nil, err
	}
	p, err := s.tx.FindProfile(ctx, s.ws.ID, id)
	if err != nil {
		return nil, err
	}
	out := &Erasure{ClientID: id, PreviousClientIDs: p.PreviousClientIDs}
	if suppress {
		list := s.suppressions(p)
		if err := s.tx.AddSuppressions(ctx, s.ws.ID, list); err != nil {
			return nil, err
		}
		out.Suppressed = len(list)
		yes := true
		s.anySup = &yes
	}
	s.forget(id)
	if err := s.tx.DeleteProfile(ctx, s.ws.ID, id); err != nil {
		return nil, err
	}
	return out, nil
}

// forget drops what the session holds for a profile about to be erased:
// its buffered events and activity, its unsaved row and what it knew of its
// identifiers.
func (s *Session) forget(clientID int64) {
	s.forgetOwner(clientID)
	delete(s.activity, clientID)
	kept := s.pending[:0]
	for _, e := range s.pending {
		if e.ClientID != clientID {
			kept = append(kept, e)
		}
	}
	clear(s.pending[len(kept):])
	s.pending = kept
	clear(s.seen)
	for i, e := range s.pending {
		s.seen[e.EventID] = i
	}
	for p := range s.dirty {
		if p.ClientID == clientID {
			delete(s.dirty, p)
		}
	}
}

package identity

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kithcdp/kith"
)

// execute carries out a plan: it creates or updates the profile with its
// identifiers and the write's profile part, and returns it.
func (s *Session) execute(ctx context.Context, w *Write, pl *plan, part *profilePart, res *Result) (*kith.Profile, error) {
	res.UUIDConflict = pl.uuidConflict
	if err := s.defineAttributes(ctx, part); err != nil {
		return nil, err
	}
	var p *kith.Profile
	var err error
	if pl.target == nil {
		p, err = s.create(ctx, w, pl, part, res)
	} else {
		p, err = s.update(ctx, w, pl, part, res)
	}
	if err != nil {
		return nil, err
	}
	return p, s.applyTags(ctx, p, part.tags)
}

// update applies a plan to an existing profile.
func (s *Session) update(ctx context.Context, w *Write, pl *plan, part *profilePart, res *Result) (*kith.Profile, error) {
	p := pl.target
	wasRecognized := p.Recognized(s.ws)
	if pl.mergeSource != nil {
		if _, err := s.mergeInto(ctx, pl.mergeSource, p, kith.MergeImplicit); err != nil {
			return nil, err
		}
		res.Merged = append(res.Merged, pl.mergeSource.ClientID)
	}
	if pl.attachUUID {
		if err := s.tx.AddUUID(ctx, s.ws.ID, p.ClientID, w.Client.UUID); err != nil {
			return nil, err
		}
		s.remember(kith.KindUUID, w.Client.UUID, p.ClientID)
	}
	for _, c := range pl.fills {
		if p.Identifier(c.kind) == "" {
			p.SetIdentifier(c.kind, c.value)
			s.remember(c.kind, c.value, p.ClientID)
			s.markDirty(p)
		}
	}
	s.identified(p, wasRecognized)
	changes := s.applyValues(w, p, part)
	if len(changes) > 0 {
		s.markDirty(p)
	}
	if err := s.saveDirty(ctx); err != nil {
		return nil, err
	}
	s.emit(p.ClientID, changes)
	return p, nil
}

// create makes a new profile (R8, R6) and records client.add.
func (s *Session) create(ctx context.Context, w *Write, pl *plan, part *profilePart, res *Result) (*kith.Profile, error) {
	p := &kith.Profile{
		WorkspaceID:    s.ws.ID,
		Attributes:     map[string]any{},
		Agreements:     map[string]kith.Agreement{},
		CreatedAt:      s.now,
		UpdatedAt:      s.now,
		LastActivityAt: s.now,
	}
	for _, c := range pl.fills {
		p.SetIdentifier(c.kind, c.value)
	}
	id := pl.createUUID
	if id == "" {
		var err error
		if id, err = s.freshUUID(ctx, p); err != nil {
			return nil, err
		}
	}
	p.UUIDs = []string{id}
	if w.Event != nil {
		p.LastActivityAt = w.Time
	}
	changes := s.applyValues(w, p, part)
	if err := s.tx.CreateProfile(ctx, s.ws, p); err != nil {
		return nil, err
	}
	s.rememberProfile(p)
	s.keep(p)
	res.Created = true
	s.systemEvent(p.ClientID, kith.ActionClientAdd, map[string]any{"source": w.Source})
	s.emit(p.ClientID, changes)
	return p, nil
}

// freshUUID returns a uuid for a new profile: the derived one when the
// workspace uses derived uuids and it is free, else a random one.
func (s *Session) freshUUID(ctx context.Context, p *kith.Profile) (string, error) {
	id := ProfileUUID(s.ws, p.Email, p.CustomID)
	if s.ws.UUIDPolicy != kith.UUIDDerived {
		return id, nil
	}
	owner, err := s.find(ctx, kith.KindUUID, id)
	if err != nil || owner == 0 {
		return id, err
	}
	// The derived uuid already sits on another profile (its device
	// identified as this customer earlier, then lost the identity); a
	// random one keeps the two apart.
	return ProfileUUID(&kith.Workspace{}, "", ""), nil
}

// identified records client.identify when p just became recognized.
func (s *Session) identified(p *kith.Profile, wasRecognized bool) {
	if !wasRecognized && p.Recognized(s.ws) {
		kind := s.ws.MainKind()
		s.systemEvent(p.ClientID, kith.ActionClientIdentify, map[string]any{string(kind): p.Identifier(kind)})
	}
}

// markDirty notes that p's row must be written before the write ends.
func (s *Session) markDirty(p *kith.Profile) {
	if s.dirty == nil {
		s.dirty = map[*kith.Profile]bool{}
	}
	s.dirty[p] = true
}

// saveDirty writes every changed profile row.
func (s *Session) saveDirty(ctx context.Context) error {
	for p := range s.dirty {
		p.UpdatedAt = s.now
		if err := s.tx.UpdateProfile(ctx, s.ws, p); err != nil {
			return fmt.Errorf("save profile %d: %w", p.ClientID, err)
		}
	}
	clear(s.dirty)
	return nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("identity: marshal system event params: %v", err))
	}
	return b
}

package identity

import (
	"context"
	"fmt"
	"strconv"

	"github.com/kithcdp/kith"
)

// claim is one identifier of a write and the profile that holds it.
type claim struct {
	kind  kith.IdentifierKind
	value string
	owner int64 // 0 when no profile holds it
	// ignored is set when the value belongs to another profile than the
	// one the write resolves to (R3): it is then not applied (R1).
	ignored bool
}

// plan is what a write will do, decided before anything is written so that
// a strict write can still be refused whole.
type plan struct {
	target       *kith.Profile // existing profile the write goes to, nil to create
	mergeSource  *kith.Profile // anonymous profile merged into target (R4)
	attachUUID   bool          // attach the write's uuid to target
	createUUID   string        // uuid for a new profile ("" = generate)
	uuidConflict bool
	fills        []claim // identifiers to set on the profile (R5, R7, R8)
}

// plan applies the rules of SPEC §2 to find the write's profile.
func (s *Session) plan(ctx context.Context, w *Write, res *Result) (*plan, error) {
	claims, err := s.findClaims(ctx, w.Client)
	if err != nil {
		return nil, err
	}
	var target int64
	for _, c := range claims {
		if c.owner != 0 {
			target = c.owner // claims are ordered strongest first (R3)
			break
		}
	}
	for i := range claims {
		c := &claims[i]
		if c.owner == 0 || c.owner == target {
			continue
		}
		e := kith.FieldErrorf("client."+string(c.kind), kith.ECodeIdentityConflict,
			"%s %q belongs to profile %d, but the write's stronger identifiers belong to profile %d", c.kind, c.value, c.owner, target)
		if w.Strict {
			return nil, e
		}
		res.Warnings = append(res.Warnings, e)
		c.ignored = true
	}
	uuidOwner, err := s.find(ctx, kith.KindUUID, w.Client.UUID)
	if err != nil {
		return nil, err
	}
	if target != 0 {
		return s.planExisting(ctx, w, res, claims, target, uuidOwner)
	}
	return s.planNew(ctx, w, res, claims, uuidOwner)
}

// findClaims looks up the write's strong identifiers, strongest first.
// A clientId nobody holds is an error: it can only come from Kith.
func (s *Session) findClaims(ctx context.Context, ids kith.Identifiers) ([]claim, error) {
	var claims []claim
	if ids.ClientID != 0 {
		id, err := s.tx.FindClientID(ctx, s.ws.ID, kith.KindClientID, strconv.FormatInt(ids.ClientID, 10))
		if err != nil {
			return nil, err
		}
		if id == 0 {
			return nil, kith.FieldErrorf("client.clientId", kith.ECodeNotFound, "no profile has clientId %d", ids.ClientID)
		}
		claims = append(claims, claim{kind: kith.KindClientID, owner: id, value: strconv.FormatInt(ids.ClientID, 10)})
	}
	for _, kind := range s.strongKinds() {
		v := identifierOf(ids, kind)
		if v == "" {
			continue
		}
		id, err := s.find(ctx, kind, v)
		if err != nil {
			return nil, err
		}
		claims = append(claims, claim{kind: kind, value: v, owner: id})
	}
	return claims, nil
}

// strongKinds returns the workspace's main and secondary identifier kinds.
func (s *Session) strongKinds() []kith.IdentifierKind {
	if s.ws.EmailIsIdentifier() {
		return []kith.IdentifierKind{kith.KindEmail, kith.KindCustomID}
	}
	return []kith.IdentifierKind{kith.KindCustomID}
}

// find returns the profile holding an identifier, or 0, from what the
// session knows or else from the store.
func (s *Session) find(ctx context.Context, kind kith.IdentifierKind, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	if id, ok := s.owners[ownerKey{kind, v}]; ok {
		return id, nil
	}
	id, err := s.tx.FindClientID(ctx, s.ws.ID, kind, v)
	if err == nil {
		s.remember(kind, v, id)
	}
	return id, err
}

// planExisting handles a write whose strong identifiers found a profile.
func (s *Session) planExisting(ctx context.Context, w *Write, res *Result, claims []claim, target, uuidOwner int64) (*plan, error) {
	p, err := s.lock(ctx, target)
	if err != nil {
		return nil, err
	}
	for _, c := range claims {
		if c.owner == target && c.kind != kith.KindClientID && c.kind != kith.KindUUID && p.Identifier(c.kind) != c.value {
			// Another transaction changed the identifier between the
			// lookup and the lock.
			return nil, fmt.Errorf("profile %d no longer has %s %q: %w", target, c.kind, c.value, kith.ErrRetry)
		}
	}
	pl := &plan{target: p}
	switch {
	case w.Client.UUID == "" || uuidOwner == target:
	case uuidOwner == 0:
		pl.attachUUID = true // table row "none | P"
	default:
		u, err := s.lock(ctx, uuidOwner)
		if err != nil {
			return nil, err
		}
		switch {
		case u.Recognized(s.ws):
			pl.uuidConflict = true // R6: the uuid stays on the other customer
		case clash(u, p) != "":
			// R4 would drop an identifier: handle as a conflict (R3).
			kind := clash(u, p)
			e := kith.FieldErrorf("client.uuid", kith.ECodeIdentityConflict,
				"uuid %s belongs to anonymous profile %d whose %s %q differs from profile %d's", w.Client.UUID, u.ClientID, kind, u.Identifier(kind), p.ClientID)
			if w.Strict {
				return nil, e
			}
			res.Warnings = append(res.Warnings, e)
			pl.uuidConflict = true
		default:
			pl.mergeSource = u // R4
		}
	}
	// R7: fill what the profile (with what a merge brings) lacks.
	for _, c := range append(claims, s.contactClaims(w.Client)...) {
		if c.ignored || c.owner != 0 || c.kind == kith.KindClientID {
			continue
		}
		have := p.Identifier(c.kind)
		if have == "" && pl.mergeSource != nil {
			have = pl.mergeSource.Identifier(c.kind)
		}
		switch {
		case have == "":
			pl.fills = append(pl.fills, c)
		case have != c.value:
			e := mismatch(p, c, have)
			if w.Strict {
				return nil, e
			}
			res.Warnings = append(res.Warnings, e)
		}
	}
	return pl, nil
}

// planNew handles a write whose strong identifiers are all new (or absent).
func (s *Session) planNew(ctx context.Context, w *Write, res *Result, claims []claim, uuidOwner int64) (*plan, error) {
	fills := append(claims, s.contactClaims(w.Client)...)
	if uuidOwner == 0 {
		return &plan{createUUID: w.Client.UUID, fills: fills}, nil // R8
	}
	u, err := s.lock(ctx, uuidOwner)
	if err != nil {
		return nil, err
	}
	for _, c := range claims {
		if have := u.Identifier(c.kind); have != "" && have != c.value {
			// R6: the device belongs to someone else; a new profile.
			return &plan{fills: fills, uuidConflict: true}, nil
		}
	}
	for _, c := range s.contactClaims(w.Client) {
		if have := u.Identifier(c.kind); have != "" && have != c.value {
			e := mismatch(u, c, have)
			if w.Strict {
				return nil, e
			}
			res.Warnings = append(res.Warnings, e)
		}
	}
	return &plan{target: u, fills: fills}, nil // R5, or a uuid-only write
}

// mismatch is the refusal to overwrite p's identifier (R7).
func mismatch(p *kith.Profile, c claim, have string) *kith.Error {
	return kith.FieldErrorf("client."+string(c.kind), kith.ECodeIdentifierMismatch,
		"profile %d already has %s %q; changing it takes an explicit update", p.ClientID, c.kind, have)
}

// contactClaims returns the email of a write in customId mode, where it is
// an ordinary contact field: filled like an identifier, never looked up.
func (s *Session) contactClaims(ids kith.Identifiers) []claim {
	if s.ws.EmailIsIdentifier() || ids.Email == "" {
		return nil
	}
	return []claim{{kind: kith.KindEmail, value: ids.Email}}
}

// lock locks a profile found by an identifier. A profile that vanished
// since (merged away by a concurrent write) restarts the transaction.
// The session keeps the rows it locked (or created), so that every write
// of a batch to one profile works on the same row.
func (s *Session) lock(ctx context.Context, clientID int64) (*kith.Profile, error) {
	if p, ok := s.profiles[clientID]; ok {
		return p, nil
	}
	p, err := s.tx.LockProfile(ctx, s.ws, clientID)
	if kith.ErrorCode(err) == kith.ECodeNotFound {
		return nil, fmt.Errorf("profile %d vanished: %w", clientID, kith.ErrRetry)
	}
	if err != nil {
		return nil, err
	}
	s.keep(p)
	return p, nil
}

// keep remembers a locked or created profile row for lock.
func (s *Session) keep(p *kith.Profile) {
	if p.Attributes == nil {
		p.Attributes = map[string]any{}
	}
	if p.Agreements == nil {
		p.Agreements = map[string]kith.Agreement{}
	}
	if s.profiles == nil {
		s.profiles = map[int64]*kith.Profile{}
	}
	s.profiles[p.ClientID] = p
}

// clash returns the identifier kind for which source holds a value that
// differs from target's, or "".
func clash(source, target *kith.Profile) kith.IdentifierKind {
	for _, kind := range []kith.IdentifierKind{kith.KindEmail, kith.KindCustomID} {
		sv, tv := source.Identifier(kind), target.Identifier(kind)
		if sv != "" && tv != "" && sv != tv {
			return kind
		}
	}
	return ""
}

func identifierOf(ids kith.Identifiers, kind kith.IdentifierKind) string {
	switch kind {
	case kith.KindEmail:
		return ids.Email
	case kith.KindCustomID:
		return ids.CustomID
	case kith.KindUUID:
		return ids.UUID
	}
	return ""
}

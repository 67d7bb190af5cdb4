package identity

import (
	"bytes"
	"context"
	"fmt"

	"github.com/kithcdp/kith"
)

// checkSuppressed refuses a write that carries an identifier of a profile
// erased with suppression (code suppressed_identifier, on the identifier's
// field under "client"). The clientId is not checked: clientIds are never
// reused, and an erased one finds no profile anyway.
func (s *Session) checkSuppressed(ctx context.Context, ids kith.Identifiers) error {
	type item struct {
		kind  kith.IdentifierKind
		value string
		hash  []byte
	}
	var items []item
	var hashes [][]byte
	for _, kind := range []kith.IdentifierKind{kith.KindEmail, kith.KindCustomID, kith.KindUUID} {
		if v := identifierOf(ids, kind); v != "" {
			h := kith.SuppressionHash(kind, v)
			items = append(items, item{kind, v, h})
			hashes = append(hashes, h)
		}
	}
	if len(hashes) == 0 {
		return nil
	}
	if s.anySup == nil {
		// Most workspaces never suppress anything: one query per session
		// saves one per write.
		has, err := s.tx.AnySuppressed(ctx, s.ws.ID)
		if err != nil {
			return err
		}
		s.anySup = &has
	}
	if !*s.anySup {
		return nil
	}
	found, err := s.tx.FindSuppressed(ctx, s.ws.ID, hashes)
	if err != nil || len(found) == 0 {
		return err
	}
	for _, it := range items {
		for _, h := range found {
			if bytes.Equal(h, it.hash) {
				return suppressedError("client."+string(it.kind), it.kind)
			}
		}
	}
	return fmt.Errorf("identity: suppression lookup returned an unknown hash")
}

func suppressedError(field string, kind kith.IdentifierKind) *kith.Error {
	return kith.FieldErrorf(field, kith.ECodeSuppressed,
		"this %s belonged to a profile erased with suppression; Kith refuses data that carries it", kind)
}

// suppressions returns the suppression entries for a profile's
// identifiers: its email, customId and every uuid.
func (s *Session) suppressions(p *kith.Profile) []kith.Suppression {
	var out []kith.Suppression
	add := func(kind kith.IdentifierKind, v string) {
		if v != "" {
			out = append(out, kith.Suppression{Hash: kith.SuppressionHash(kind, v), Kind: kind, CreatedAt: s.now})
		}
	}
	add(kith.KindEmail, p.Email)
	add(kith.KindCustomID, p.CustomID)
	for _, u := range p.UUIDs {
		add(kith.KindUUID, u)
	}
	return out
}

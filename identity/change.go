package identity

import (
	"context"
	"fmt"

	"github.com/kithcdp/kith"
)

// ChangeIdentifier sets profile clientID's email or customId to value
// explicitly (the PATCH API), or removes it when value is "" — an
// exception to R1 and R7, which never move or overwrite identifiers
// implicitly. value must be normalized (kith.NormalizeEmail,
// kith.NormalizeCustomID). A merged-away clientId changes its survivor.
//
// It records profile.identifierChanged with type, old and new (null when
// absent), and client.identify when the profile becomes recognized. It
// returns not_found (no such profile), conflict (another profile holds
// the value: unique identifiers move only by merging), suppressed_identifier
// and invalid (another kind); these refusals write nothing.
func (s *Session) ChangeIdentifier(ctx context.Context, clientID int64, kind kith.IdentifierKind, value string) error {
	if kind != kith.KindEmail && kind != kith.KindCustomID {
		return kith.Errorf(kith.ECodeInvalid, "only email and customId can be changed, not %s", kind)
	}
	id, err := s.resolveClientID(ctx, clientID, "clientId")
	if err != nil {
		return err
	}
	p, err := s.lock(ctx, id)
	if err != nil {
		return err
	}
	old := p.Identifier(kind)
	if old == value {
		return nil
	}
	field := string(kind)
	if value != "" {
		var ids kith.Identifiers
		ids.Email, ids.CustomID = identifierPair(kind, value)
		if err := s.checkSuppressed(ctx, ids); err != nil {
			return kith.FieldErrorf(field, kith.ECodeSuppressed, "%s", kith.ErrorMessage(err))
		}
		if kind == kith.KindCustomID || s.ws.EmailIsIdentifier() {
			holder, err := s.find(ctx, kind, value)
			if err != nil {
				return err
			}
			if holder != 0 && holder != id {
				return kith.FieldErrorf(field, kith.ECodeConflict,
					"%s %q belongs to profile %d; merge the two profiles to bring it over", kind, value, holder)
			}
		}
	}
	wasRecognized := p.Recognized(s.ws)
	s.forgetOwner(id)
	p.SetIdentifier(kind, value)
	s.remember(kind, value, id)
	s.markDirty(p)
	if err := s.saveDirty(ctx); err != nil {
		return fmt.Errorf("change %s of %d: %w", kind, id, err)
	}
	s.systemEvent(id, kith.ActionIdentifierChanged, map[string]any{
		"type": string(kind), "old": nullable(old), "new": nullable(value)})
	s.identified(p, wasRecognized)
	return nil
}

// nullable returns v, or nil (JSON null) when it is empty.
func nullable(v string) any {
	if v == "" {
		return nil
	}
	return v
}

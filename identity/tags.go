package identity

import (
	"context"

	"github.com/kithcdp/kith"
)

// RemoveTag removes a tag from profile clientID (a merged-away clientId
// changes its survivor) and records profile.tagRemoved. It returns
// not_found when there is no such profile or the profile lacks the tag,
// and invalid_tag for a malformed name; these refusals write nothing.
func (s *Session) RemoveTag(ctx context.Context, clientID int64, tag string) error {
	name, e := NormalizeTag(tag)
	if e != nil {
		return e.WithField("tag")
	}
	id, err := s.resolveClientID(ctx, clientID, "clientId")
	if err != nil {
		return err
	}
	// The lock orders the removal against a concurrent merge of the
	// profile, which moves its tags.
	if _, err := s.lock(ctx, id); err != nil {
		return err
	}
	removed, err := s.tx.RemoveProfileTag(ctx, s.ws.ID, id, name)
	if err != nil {
		return err
	}
	if !removed {
		return kith.FieldErrorf("tag", kith.ECodeNotFound, "profile %d has no tag %q", id, name)
	}
	s.systemEvent(id, kith.ActionTagRemoved, map[string]any{"tag": name})
	return nil
}

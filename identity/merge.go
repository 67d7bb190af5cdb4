package identity

import (
	"context"
	"fmt"
	"slices"

	"github.com/kithcdp/kith"
)

// mergeInto merges the locked profile src into the locked profile dst as
// one merge with one source (see absorb), recorded in the journal and by a
// client.merge event.
func (s *Session) mergeInto(ctx context.Context, src, dst *kith.Profile, reason string) ([]kith.Identifiers, error) {
	moved, released, err := s.absorb(ctx, src, dst)
	if err != nil {
		return nil, err
	}
	return released, s.recordMerge(ctx, dst, []int64{src.ClientID}, []map[string]any{moved}, reason)
}

// absorb moves the locked profile src into the locked profile dst (SPEC §2
// "Merge"): dst keeps its identifiers and values and receives src's uuids,
// the identifiers and attributes it lacks, its tags, the more recent
// agreement decisions, its notes and events. Identifiers of a kind dst
// already has are released and returned. It returns what moved, for the
// journal, and marks dst's row for saving.
func (s *Session) absorb(ctx context.Context, src, dst *kith.Profile) (map[string]any, []kith.Identifiers, error) {
	full, err := s.tx.FindProfile(ctx, s.ws.ID, src.ClientID)
	if err != nil {
		return nil, nil, fmt.Errorf("merge %d into %d: %w", src.ClientID, dst.ClientID, err)
	}
	moved := map[string]any{"clientId": src.ClientID, "uuids": full.UUIDs}
	var released []kith.Identifiers
	for _, kind := range []kith.IdentifierKind{kith.KindEmail, kith.KindCustomID} {
		v := src.Identifier(kind)
		switch have := dst.Identifier(kind); {
		case v == "" || have == v:
		case have == "":
			dst.SetIdentifier(kind, v)
			moved[string(kind)] = v
		default:
			var r kith.Identifiers
			r.Email, r.CustomID = identifierPair(kind, v)
			released = append(released, r)
		}
	}
	var diffs []map[string]any
	var attrs []string
	for _, name := range sortedKeys(src.Attributes) {
		if _, ok := dst.Attributes[name]; ok {
			continue
		}
		v := src.Attributes[name]
		dst.Attributes[name] = v
		attrs = append(attrs, name)
		diffs = append(diffs, map[string]any{"name": name, "old": nil, "new": v})
	}
	var channels []string
	var changes []change
	if len(diffs) > 0 {
		changes = append(changes, change{kith.ActionProfileUpdated, map[string]any{"changes": diffs}})
	}
	for _, ch := range kith.Channels {
		a, ok := src.Agreements[ch]
		if !ok {
			continue
		}
		if cur, decided := dst.Agreements[ch]; decided && !a.ChangedAt.After(cur.ChangedAt) {
			continue
		}
		if cur := dst.Agreements[ch]; cur.Granted != a.Granted {
			changes = append(changes, change{kith.ActionAgreementChanged, map[string]any{
				"channel": ch, "granted": a.Granted, "source": a.Source, "mergedFrom": src.ClientID}})
		}
		dst.Agreements[ch] = a
		channels = append(channels, ch)
	}
	if src.LastActivityAt.After(dst.LastActivityAt) {
		dst.LastActivityAt = src.LastActivityAt
	}
	added, err := s.tx.AddProfileTags(ctx, s.ws.ID, dst.ClientID, full.Tags)
	if err != nil {
		return nil, nil, err
	}
	if err := s.tx.MergeProfile(ctx, s.ws.ID, src.ClientID, dst.ClientID); err != nil {
		return nil, nil, err
	}
	s.repoint(src.ClientID, dst.ClientID)
	s.markDirty(dst)
	moved["attributes"] = attrs
	moved["agreements"] = channels
	moved["tags"] = added
	if len(released) > 0 {
		moved["released"] = released
	}
	s.emit(dst.ClientID, changes)
	for _, t := range added {
		s.systemEvent(dst.ClientID, kith.ActionTagAdded, map[string]any{"tag": t})
	}
	return moved, released, nil
}

// recordMerge writes the journal entry of one merge and its client.merge
// event on the target.
func (s *Session) recordMerge(ctx context.Context, dst *kith.Profile, sources []int64, moved []map[string]any, reason string) error {
	m := &kith.Merge{WorkspaceID: s.ws.ID, TargetID: dst.ClientID, SourceIDs: sources,
		Reason: reason, Moved: map[string]any{"sources": moved}, CreatedAt: s.now}
	if err := s.tx.InsertMerge(ctx, m); err != nil {
		return err
	}
	s.systemEvent(dst.ClientID, kith.ActionClientMerge, map[string]any{
		"fromClientIds": sources, "reason": reason, "mergeId": m.ID})
	return nil
}

// identifierPair returns v as the email or the customId of a pair.
func identifierPair(kind kith.IdentifierKind, v string) (email, customID string) {
	if kind == kith.KindEmail {
		return v, ""
	}
	return "", v
}

// Merge merges the source profiles into target explicitly (the merge API):
// recognized profiles may be merged here, and identifiers the target
// already has a different value for are released and returned in the
// Result. It returns not_found, conflict and too_many_merge_sources.
func (s *Session) Merge(ctx context.Context, target int64, sources []int64) (*Result, error) {
	if len(sources) == 0 {
		return nil, kith.FieldErrorf("sourceClientIds", kith.ECodeRequired, "give at least one source clientId")
	}
	if len(sources) > kith.MaxMergeSources {
		return nil, kith.FieldErrorf("sourceClientIds", kith.ECodeTooManyMergeSources,
			"an explicit merge takes at most %d sources, got %d", kith.MaxMergeSources, len(sources))
	}
	targetID, err := s.resolveClientID(ctx, target, "clientId")
	if err != nil {
		return nil, err
	}
	ids := []int64{targetID}
	for i, src := range sources {
		id, err := s.resolveClientID(ctx, src, fmt.Sprintf("sourceClientIds[%d]", i))
		if err != nil {
			return nil, err
		}
		if slices.Contains(ids, id) {
			return nil, kith.FieldErrorf(fmt.Sprintf("sourceClientIds[%d]", i), kith.ECodeConflict,
				"profile %d is the target or already listed (clientIds of merged profiles answer their survivor)", src)
		}
		ids = append(ids, id)
	}
	// Lock in ascending order so that concurrent merges cannot deadlock.
	locked := map[int64]*kith.Profile{}
	for _, id := range slices.Sorted(slices.Values(ids)) {
		p, err := s.lock(ctx, id)
		if err != nil {
			return nil, err
		}
		locked[id] = p
	}
	dst := locked[targetID]
	wasRecognized := dst.Recognized(s.ws)
	res := &Result{ClientID: targetID}
	var moved []map[string]any
	for _, id := range ids[1:] {
		m, released, err := s.absorb(ctx, locked[id], dst)
		if err != nil {
			return nil, err
		}
		moved = append(moved, m)
		res.Merged = append(res.Merged, id)
		res.Released = append(res.Released, released...)
	}
	if err := s.recordMerge(ctx, dst, res.Merged, moved, kith.MergeExplicit); err != nil {
		return nil, err
	}
	s.identified(dst, wasRecognized)
	return res, s.saveDirty(ctx)
}

// resolveClientID returns the current clientId of id (following merges).
func (s *Session) resolveClientID(ctx context.Context, id int64, field string) (int64, error) {
	cur, err := s.find(ctx, kith.KindClientID, fmt.Sprint(id))
	if err != nil {
		return 0, err
	}
	if cur == 0 {
		return 0, kith.FieldErrorf(field, kith.ECodeNotFound, "no profile has clientId %d", id)
	}
	return cur, nil
}

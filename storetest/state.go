package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// state is what a refused write must leave exactly as it was: the profiles
// it could have touched, their timelines, the owners of every identifier it
// carried, and the attribute and tag catalogues.
type state struct {
	Profiles map[int64]string
	Events   map[int64][]string
	Owners   map[string]string
	Defs     []kith.AttributeDef
	Tags     []kith.Tag
}

// snapshot records the state of profiles and of the identifiers in idents.
func snapshot(t testing.TB, st kith.Store, ws *kith.Workspace, profiles []int64, idents ...kith.Identifiers) state {
	t.Helper()
	s := state{Profiles: map[int64]string{}, Events: map[int64][]string{}, Owners: map[string]string{}}
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		for _, id := range profiles {
			p, err := rx.FindProfile(ctx, ws.ID, id)
			if err != nil {
				s.Profiles[id] = kith.ErrorCode(err)
			} else {
				s.Profiles[id] = canonicalProfile(p)
			}
			evs, err := rx.ListEvents(ctx, ws.ID, kith.EventFilter{ClientID: id, Limit: allEvents})
			if err != nil {
				return err
			}
			for _, e := range evs {
				s.Events[id] = append(s.Events[id], e.EventID+" "+e.Action)
			}
		}
		for _, ids := range idents {
			if err := s.owners(ctx, rx, ws, ids); err != nil {
				return err
			}
		}
		var err error
		if s.Defs, err = rx.ListAttributeDefs(ctx, ws.ID); err != nil {
			return err
		}
		s.Tags, err = rx.ListTags(ctx, ws.ID)
		return err
	})
	return s
}

func (s *state) owners(ctx context.Context, rx kith.ReadTx, ws *kith.Workspace, ids kith.Identifiers) error {
	look := func(kind kith.IdentifierKind, v string) error {
		if v == "" || v == "0" {
			return nil
		}
		id, err := rx.FindClientID(ctx, ws.ID, kind, v)
		s.Owners[string(kind)+" "+v] = fmt.Sprint(id, kith.ErrorCode(err))
		return nil
	}
	if ids.Email != "" {
		list, err := rx.FindClientIDsByEmail(ctx, ws.ID, ids.Email)
		if err != nil {
			return err
		}
		s.Owners["contact email "+ids.Email] = fmt.Sprint(list)
	}
	if err := look(kith.KindClientID, fmt.Sprint(ids.ClientID)); err != nil {
		return err
	}
	if err := look(kith.KindEmail, ids.Email); err != nil {
		return err
	}
	if err := look(kith.KindCustomID, ids.CustomID); err != nil {
		return err
	}
	return look(kith.KindUUID, ids.UUID)
}

// canonicalProfile returns p as JSON with its lists sorted.
func canonicalProfile(p *kith.Profile) string {
	c := *p
	c.UUIDs = sorted(c.UUIDs)
	c.Tags = sorted(c.Tags)
	c.PreviousClientIDs = sorted(c.PreviousClientIDs)
	b, err := json.Marshal(c)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// wantUnchanged reports every difference between two snapshots.
func wantUnchanged(t testing.TB, what string, before, after state) {
	t.Helper()
	for id, b := range before.Profiles {
		if a := after.Profiles[id]; a != b {
			t.Errorf("%s changed profile %d:\nbefore %s\nafter  %s", what, id, b, a)
		}
	}
	for id, b := range before.Events {
		if a := after.Events[id]; !slices.Equal(a, b) {
			t.Errorf("%s changed the timeline of %d:\nbefore %v\nafter  %v", what, id, b, a)
		}
	}
	for k, b := range before.Owners {
		if a := after.Owners[k]; a != b {
			t.Errorf("%s changed the owner of %s: before %s, after %s", what, k, b, a)
		}
	}
	if !sameJSON(before.Defs, after.Defs) {
		t.Errorf("%s changed the attribute catalogue:\nbefore %s\nafter  %s", what, mustJSON(before.Defs), mustJSON(after.Defs))
	}
	if !sameJSON(before.Tags, after.Tags) {
		t.Errorf("%s changed the tag catalogue:\nbefore %s\nafter  %s", what, mustJSON(before.Tags), mustJSON(after.Tags))
	}
}

// wantRefused applies w in a committing batch (with a harmless second
// write, as the batch API does) and checks that it is refused with code
// and that it changed nothing about profiles and idents.
func wantRefused(t testing.TB, st kith.Store, ws *kith.Workspace, code string, profiles []int64, w *identity.Write, idents ...kith.Identifiers) {
	t.Helper()
	normalize(t, ws, w)
	idents = append(idents, w.Client)
	before := snapshot(t, st, ws, profiles, idents...)
	bystander := upsert(email(fmt.Sprintf("bystander-%d@example.net", wsSeq.Add(1))))
	if ws.IdentityMode == kith.ModeCustomID {
		bystander = upsert(custom(fmt.Sprintf("bystander-%d", wsSeq.Add(1))))
	}
	results, errs := batch(t, st, ws, w, bystander)
	if errs[0] == nil {
		t.Errorf("%s: accepted (clientId %d, warnings %v), want refused with %s", describe(w), results[0].ClientID, codes(results[0].Warnings), code)
	} else {
		wantCode(t, describe(w), errs[0], code)
		if identity.Refusal(errs[0]) == nil {
			t.Errorf("%s: error %#v is not a refusal (identity.Refusal): the batch could not go on", describe(w), errs[0])
		}
	}
	if errs[1] != nil {
		t.Fatalf("the batch's second, valid write was refused: %v", errs[1])
	}
	after := snapshot(t, st, ws, profiles, idents...)
	wantUnchanged(t, "refused "+describe(w), before, after)

	// The same write alone, in its own Update, is refused the same way.
	if _, err := apply(t, st, ws, w); kith.ErrorCode(err) != code {
		t.Errorf("%s alone: error %v, want code %s", describe(w), err, code)
	}
	wantUnchanged(t, "refused "+describe(w), before, snapshot(t, st, ws, profiles, idents...))
}

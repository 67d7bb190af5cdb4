package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/kithcdp/kith"
)

// view runs fn in a read transaction and fails the test on error.
func view(t testing.TB, st kith.Store, fn func(ctx context.Context, rx kith.ReadTx) error) {
	t.Helper()
	if err := st.View(t.Context(), func(rx kith.ReadTx) error { return fn(t.Context(), rx) }); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// profile returns the whole profile id, failing the test when it is not
// found.
func profile(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) *kith.Profile {
	t.Helper()
	p, err := findProfile(t, st, ws, id)
	if err != nil {
		t.Fatalf("FindProfile(%d): %v (code %s)", id, err, kith.ErrorCode(err))
	}
	return p
}

// findProfile returns FindProfile's answer.
func findProfile(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) (*kith.Profile, error) {
	t.Helper()
	var p *kith.Profile
	var ferr error
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		p, ferr = rx.FindProfile(ctx, ws.ID, id)
		return nil
	})
	return p, ferr
}

// wantGone checks that profile id no longer exists (merged away).
func wantGone(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) {
	t.Helper()
	if _, err := findProfile(t, st, ws, id); kith.ErrorCode(err) != kith.ECodeNotFound {
		t.Errorf("FindProfile(%d) = %v, want not_found (merged away)", id, err)
	}
}

// owner returns the clientId holding an identifier (FindClientID), 0 when
// none.
func owner(t testing.TB, st kith.Store, ws *kith.Workspace, kind kith.IdentifierKind, value string) int64 {
	t.Helper()
	var id int64
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		id, err = rx.FindClientID(ctx, ws.ID, kind, value)
		if err != nil {
			return fmt.Errorf("FindClientID(%s %q): %w", kind, value, err)
		}
		return nil
	})
	return id
}

// ownerOfMain returns the holder of the main identifier of ids.
func ownerOfMain(t testing.TB, st kith.Store, ws *kith.Workspace, who kith.Identifiers) int64 {
	t.Helper()
	return owner(t, st, ws, ws.MainKind(), mainOf(ws, who))
}

// survivor returns what a clientId answers now (following merges), 0 when
// nothing.
func survivor(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) int64 {
	t.Helper()
	return owner(t, st, ws, kith.KindClientID, fmt.Sprint(id))
}

// byEmail returns FindClientIDsByEmail.
func byEmail(t testing.TB, st kith.Store, ws *kith.Workspace, e string) []int64 {
	t.Helper()
	var out []int64
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		out, err = rx.FindClientIDsByEmail(ctx, ws.ID, e)
		return err
	})
	return out
}

// allEvents is a limit larger than any timeline the suite writes.
const allEvents = 100000

// events returns profile id's whole timeline, newest first.
func events(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) []*kith.Event {
	t.Helper()
	return listEvents(t, st, ws, kith.EventFilter{ClientID: id, Limit: allEvents})
}

// eventsOf returns profile id's events with one action, newest first.
func eventsOf(t testing.TB, st kith.Store, ws *kith.Workspace, id int64, action string) []*kith.Event {
	t.Helper()
	return listEvents(t, st, ws, kith.EventFilter{ClientID: id, Action: action, Limit: allEvents})
}

func listEvents(t testing.TB, st kith.Store, ws *kith.Workspace, f kith.EventFilter) []*kith.Event {
	t.Helper()
	var out []*kith.Event
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		out, err = rx.ListEvents(ctx, ws.ID, f)
		return err
	})
	return out
}

// actions returns the actions of profile id's timeline, newest first.
func actions(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) []string {
	t.Helper()
	var out []string
	for _, e := range events(t, st, ws, id) {
		out = append(out, e.Action)
	}
	return out
}

// countAction returns how many events of profile id have action.
func countAction(t testing.TB, st kith.Store, ws *kith.Workspace, id int64, action string) int {
	t.Helper()
	n := 0
	for _, a := range actions(t, st, ws, id) {
		if a == action {
			n++
		}
	}
	return n
}

// findEvent returns FindEvent's answer.
func findEvent(t testing.TB, st kith.Store, ws *kith.Workspace, eventID string) (*kith.Event, error) {
	t.Helper()
	var e *kith.Event
	var ferr error
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		e, ferr = rx.FindEvent(ctx, ws.ID, eventID)
		return nil
	})
	return e, ferr
}

// attributeDefs returns the custom attribute catalogue.
func attributeDefs(t testing.TB, st kith.Store, ws *kith.Workspace) []kith.AttributeDef {
	t.Helper()
	var out []kith.AttributeDef
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		out, err = rx.ListAttributeDefs(ctx, ws.ID)
		return err
	})
	return out
}

// defType returns the type of the custom attribute name, "" when it is not
// defined.
func defType(t testing.TB, st kith.Store, ws *kith.Workspace, name string) string {
	t.Helper()
	for _, d := range attributeDefs(t, st, ws) {
		if d.Name == name {
			return d.Type
		}
	}
	return ""
}

// catalogueTags returns the tag catalogue.
func catalogueTags(t testing.TB, st kith.Store, ws *kith.Workspace) []kith.Tag {
	t.Helper()
	var out []kith.Tag
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		out, err = rx.ListTags(ctx, ws.ID)
		return err
	})
	return out
}

func tagNames(list []kith.Tag) []string {
	var out []string
	for _, tg := range list {
		out = append(out, tg.Name)
	}
	return out
}

type addParams struct {
	Source string `json:"source"`
}

type mergeParams struct {
	FromClientIDs []int64 `json:"fromClientIds"`
	Reason        string  `json:"reason"`
	MergeID       int64   `json:"mergeId"`
}

type change struct {
	Name string `json:"name"`
	Old  any    `json:"old"`
	New  any    `json:"new"`
}

type updatedParams struct {
	Changes []change `json:"changes"`
}

type tagParams struct {
	Tag string `json:"tag"`
}

type agreementParams struct {
	Channel   string `json:"channel"`
	Granted   bool   `json:"granted"`
	Source    string `json:"source"`
	IP        string `json:"ip"`
	UserAgent string `json:"userAgent"`
}

// params decodes an event's params.
func params[T any](t testing.TB, e *kith.Event) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(e.Params, &v); err != nil {
		t.Fatalf("event %s params %s: %v", e.Action, e.Params, err)
	}
	return v
}

// changesOf returns every {name, old, new} of profile id's profile.updated
// events, oldest event first.
func changesOf(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) []change {
	t.Helper()
	evs := eventsOf(t, st, ws, id, kith.ActionProfileUpdated)
	var out []change
	for i := len(evs) - 1; i >= 0; i-- {
		out = append(out, params[updatedParams](t, evs[i]).Changes...)
	}
	return out
}

// tagsAdded returns the tags of profile id's profile.tagAdded events.
func tagsAdded(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) []string {
	t.Helper()
	var out []string
	for _, e := range eventsOf(t, st, ws, id, kith.ActionTagAdded) {
		out = append(out, params[tagParams](t, e).Tag)
	}
	slices.Sort(out)
	return out
}

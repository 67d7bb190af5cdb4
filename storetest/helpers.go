package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// base is the origin of the suite's clock. Tests never read the wall clock
// and never sleep: every write gets an explicit receipt time. Its
// microseconds make a store that loses precision fail.
var base = time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC)

var (
	ticks atomic.Int64 // seconds after base handed out by tick
	wsSeq atomic.Int64 // makes workspace names unique
)

// tick returns the next instant of the suite's clock: one second later on
// every call, so that successive writes have increasing receipt times.
func tick() time.Time {
	return base.Add(time.Duration(ticks.Add(1)) * time.Second)
}

// ago returns an instant d before base: earlier than every tick.
func ago(d time.Duration) time.Time { return base.Add(-d) }

// createWorkspace creates a workspace in identity mode mode (random uuid
// policy unless an option says otherwise) and returns it with its ID set.
func createWorkspace(t testing.TB, st kith.Store, mode string, opts ...func(*kith.Workspace)) *kith.Workspace {
	t.Helper()
	ws := &kith.Workspace{
		Name:         fmt.Sprintf("ws-%s-%d", mode, wsSeq.Add(1)),
		IdentityMode: mode,
		UUIDPolicy:   kith.UUIDRandom,
	}
	for _, o := range opts {
		o(ws)
	}
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		return tx.CreateWorkspace(t.Context(), ws)
	})
	if err != nil {
		t.Fatalf("create workspace %q: %v", ws.Name, err)
	}
	if ws.ID <= 0 {
		t.Fatalf("create workspace %q: ID = %d, want a positive id", ws.Name, ws.ID)
	}
	return ws
}

// derived is a createWorkspace option selecting the derived uuid policy.
func derived(salt string) func(*kith.Workspace) {
	return func(ws *kith.Workspace) {
		ws.UUIDPolicy = kith.UUIDDerived
		ws.UUIDSalt = salt
	}
}

// person returns the main identifier of a person called name in ws's
// identity mode: an email in email mode, a customId in customId mode.
func person(ws *kith.Workspace, name string) kith.Identifiers {
	if ws.IdentityMode == kith.ModeCustomID {
		return kith.Identifiers{CustomID: "CUST-" + name}
	}
	return kith.Identifiers{Email: name + "@example.com"}
}

// mainOf returns the value of the main identifier in ids.
func mainOf(ws *kith.Workspace, ids kith.Identifiers) string {
	return ws.MainIdentifier(ids.Email, ids.CustomID)
}

// mainOfProfile returns p's value of the workspace's main identifier.
func mainOfProfile(ws *kith.Workspace, p *kith.Profile) string {
	return ws.MainIdentifier(p.Email, p.CustomID)
}

func browser(u string) kith.Identifiers  { return kith.Identifiers{UUID: u} }
func email(e string) kith.Identifiers    { return kith.Identifiers{Email: e} }
func custom(c string) kith.Identifiers   { return kith.Identifiers{CustomID: c} }
func clientID(id int64) kith.Identifiers { return kith.Identifiers{ClientID: id} }
func newUUID() string                    { return uuid.NewString() }
func ids(parts ...kith.Identifiers) kith.Identifiers {
	var out kith.Identifiers
	for _, p := range parts {
		if p.ClientID != 0 {
			out.ClientID = p.ClientID
		}
		if p.Email != "" {
			out.Email = p.Email
		}
		if p.CustomID != "" {
			out.CustomID = p.CustomID
		}
		if p.UUID != "" {
			out.UUID = p.UUID
		}
	}
	return out
}

// option changes a Write built by ev or upsert.
type option func(*identity.Write)

// ev returns a non-strict write carrying an event (what the ingestion API
// and the tracker send).
func ev(action string, client kith.Identifiers, opts ...option) *identity.Write {
	w := &identity.Write{
		Client: client,
		Source: kith.SourceTracker,
		Event:  &kith.Event{Action: action, Source: kith.SourceTracker},
	}
	for _, o := range opts {
		o(w)
	}
	return w
}

// upsert returns a strict write without an event (the profile upsert API,
// an import row).
func upsert(client kith.Identifiers, opts ...option) *identity.Write {
	w := &identity.Write{Client: client, Strict: true, Source: kith.SourceAPI}
	for _, o := range opts {
		o(w)
	}
	return w
}

func attr(name string, v any) option {
	return func(w *identity.Write) {
		if w.Attributes == nil {
			w.Attributes = map[string]any{}
		}
		w.Attributes[name] = v
	}
}

func tags(names ...string) option {
	return func(w *identity.Write) { w.Tags = append(w.Tags, names...) }
}

func agree(channel string, granted bool) option {
	return func(w *identity.Write) {
		if w.Agreements == nil {
			w.Agreements = map[string]bool{}
		}
		w.Agreements[channel] = granted
	}
}

// at sets the write's (event) time.
func at(tm time.Time) option { return func(w *identity.Write) { w.Time = tm } }

// eventID sets a caller-chosen event id and asks for duplicate detection.
func eventID(id string) option {
	return func(w *identity.Write) {
		w.Event.EventID = id
		w.CheckDuplicate = true
	}
}

// rawEventID sets a caller-chosen event id without duplicate detection.
func rawEventID(id string) option {
	return func(w *identity.Write) { w.Event.EventID = id }
}

func source(s string) option {
	return func(w *identity.Write) {
		w.Source = s
		if w.Event != nil {
			w.Event.Source = s
		}
	}
}

func origin(ip, userAgent string) option {
	return func(w *identity.Write) {
		w.Context = kith.EventContext{IP: ip, UserAgent: userAgent}
		if w.Event != nil {
			w.Event.Context = w.Context
		}
	}
}

func device(d kith.Device) option { return func(w *identity.Write) { w.Device = &d } }

// normalize validates the write's identifiers as the API would and records
// them on its event.
func normalize(t testing.TB, ws *kith.Workspace, w *identity.Write) {
	t.Helper()
	n, err := kith.NormalizeIdentifiers(ws, w.Client, "client")
	if err != nil {
		t.Fatalf("test bug: identifiers %+v: %v", w.Client, err)
	}
	w.Client = n
	if w.Event != nil && w.Event.Client.IsZero() {
		w.Event.Client = n
	}
}

// applyWrite runs one write in its own Update with receipt time now. It
// never calls t.Fatal, so goroutines may use it.
func applyWrite(ctx context.Context, st kith.Store, ws *kith.Workspace, now time.Time, w *identity.Write) (*identity.Result, error) {
	var res *identity.Result
	err := st.Update(ctx, func(tx kith.Tx) error {
		res = nil
		s := identity.NewSession(tx, ws, now)
		r, err := s.Apply(ctx, w)
		if err != nil {
			return err
		}
		if err := s.Flush(ctx); err != nil {
			return err
		}
		res = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// apply runs w in its own store.Update at the next tick and returns its
// result, or the error that refused it (and rolled the Update back).
func apply(t testing.TB, st kith.Store, ws *kith.Workspace, w *identity.Write) (*identity.Result, error) {
	t.Helper()
	return applyAt(t, st, ws, tick(), w)
}

// applyAt is apply with an explicit receipt time.
func applyAt(t testing.TB, st kith.Store, ws *kith.Workspace, now time.Time, w *identity.Write) (*identity.Result, error) {
	t.Helper()
	normalize(t, ws, w)
	return applyWrite(t.Context(), st, ws, now, w)
}

// mustApply is apply for a write that must succeed.
func mustApply(t testing.TB, st kith.Store, ws *kith.Workspace, w *identity.Write) *identity.Result {
	t.Helper()
	res, err := apply(t, st, ws, w)
	if err != nil {
		t.Fatalf("apply %s: %v (code %s)", describe(w), err, kith.ErrorCode(err))
	}
	return res
}

// batch applies writes in one Session of one Update that commits whatever
// the individual writes answer, like the batch upsert API: a refused write
// (identity.Refusal) must leave nothing behind even though the transaction
// commits.
func batch(t testing.TB, st kith.Store, ws *kith.Workspace, writes ...*identity.Write) ([]*identity.Result, []error) {
	t.Helper()
	for _, w := range writes {
		normalize(t, ws, w)
	}
	now := tick()
	var results []*identity.Result
	var errs []error
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		results, errs = make([]*identity.Result, len(writes)), make([]error, len(writes))
		s := identity.NewSession(tx, ws, now)
		for i, w := range writes {
			results[i], errs[i] = s.Apply(t.Context(), w)
			if errs[i] != nil && identity.Refusal(errs[i]) == nil {
				return errs[i] // a store error (ErrRetry, …) ends the transaction
			}
		}
		return s.Flush(t.Context())
	})
	if err != nil {
		t.Fatalf("batch Update: %v", err)
	}
	return results, errs
}

// merge runs an explicit merge of sources into target in its own Update.
func merge(t testing.TB, st kith.Store, ws *kith.Workspace, target int64, sources ...int64) (*identity.Result, error) {
	t.Helper()
	now := tick()
	var res *identity.Result
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		res = nil
		s := identity.NewSession(tx, ws, now)
		r, err := s.Merge(t.Context(), target, sources)
		if err != nil {
			return err
		}
		if err := s.Flush(t.Context()); err != nil {
			return err
		}
		res = r
		return nil
	})
	return res, err
}

// mustMerge is merge for a merge that must succeed.
func mustMerge(t testing.TB, st kith.Store, ws *kith.Workspace, target int64, sources ...int64) *identity.Result {
	t.Helper()
	res, err := merge(t, st, ws, target, sources...)
	if err != nil {
		t.Fatalf("merge %v into %d: %v (code %s)", sources, target, err, kith.ErrorCode(err))
	}
	return res
}

func describe(w *identity.Write) string {
	kind := "upsert"
	if w.Event != nil {
		kind = "event " + w.Event.Action
	}
	return fmt.Sprintf("%s %+v", kind, w.Client)
}

func label(s string) option { return func(w *identity.Write) { w.Event.Label = s } }

func eventParams(js string) option {
	return func(w *identity.Write) { w.Event.Params = json.RawMessage(js) }
}

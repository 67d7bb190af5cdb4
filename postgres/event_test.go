package postgres

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/kithcdp/kith"
)

// newEvent returns an event of profile p at base+minutes.
func newEvent(ws *kith.Workspace, p *kith.Profile, action string, minutes int) *kith.Event {
	return &kith.Event{
		EventID: uuid.NewString(), WorkspaceID: ws.ID, ClientID: p.ClientID, Action: action,
		Label: "label", Time: base.Add(time.Duration(minutes) * time.Minute), ReceivedAt: base,
		Source: kith.SourceAPI, Params: json.RawMessage(`{"n": 1.5, "list": ["a"]}`),
		Client:  kith.Identifiers{Email: p.Email, UUID: p.UUIDs[0]},
		Context: kith.EventContext{UserAgent: "ua", IP: "192.0.2.1", URL: "https://x.example/"},
	}
}

func TestInsertEvents(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws, "ada@example.com", "")
	a, b := newEvent(ws, p, "page.visit", 0), newEvent(ws, p, "form.submit", 1)
	b.Params = nil
	dup := *a
	update(t, s, func(tx kith.Tx) error { return tx.InsertEvents(ctx, []*kith.Event{a, b, &dup}) })
	if a.Seq == 0 || b.Seq <= a.Seq || dup.Seq != 0 {
		t.Fatalf("seqs %d %d %d: want increasing, and 0 for the repeat", a.Seq, b.Seq, dup.Seq)
	}
	again := *a
	update(t, s, func(tx kith.Tx) error { return tx.InsertEvents(ctx, []*kith.Event{&again}) })
	if again.Seq != 0 {
		t.Fatalf("a stored eventId was inserted again (seq %d)", again.Seq)
	}
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.FindEvent(ctx, ws.ID, a.EventID)
		if err != nil {
			return err
		}
		var params map[string]any
		if err := json.Unmarshal(got.Params, &params); err != nil || params["n"] != 1.5 {
			t.Errorf("params %s: %v", got.Params, err)
		}
		got.Params = a.Params
		if !reflect.DeepEqual(got, a) {
			t.Errorf("FindEvent =\n%+v\nwant\n%+v", got, a)
		}
		got, err = tx.FindEvent(ctx, ws.ID, b.EventID)
		if err != nil || got.Params != nil {
			t.Errorf("nil params read back as %q (%v)", got.Params, err)
		}
		other := newWorkspace(t, s, kith.ModeEmail)
		_, err = tx.FindEvent(ctx, other.ID, a.EventID)
		wantCode(t, err, kith.ECodeNotFound)
		return nil
	})
}

func TestListEvents(t *testing.T) {
	s := OpenTestStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, s, kith.ModeEmail)
	p := newProfile(t, s, ws, "", "")
	q := newProfile(t, s, ws, "", "")
	// Two events at the same time are ordered by Seq.
	events := []*kith.Event{
		newEvent(ws, p, "page.visit", 0), newEvent(ws, p, "page.visit", 2),
		newEvent(ws, p, "form.submit", 2), newEvent(ws, p, "page.visit", 1),
		newEvent(ws, q, "page.visit", 5),
	}
	update(t, s, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) })
	ids := func(es []*kith.Event) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.EventID)
		}
		return out
	}
	list := func(f kith.EventFilter) []*kith.Event {
		var es []*kith.Event
		view(t, s, func(tx kith.ReadTx) (err error) {
			es, err = tx.ListEvents(ctx, ws.ID, f)
			return err
		})
		return es
	}
	all := list(kith.EventFilter{ClientID: p.ClientID})
	want := []*kith.Event{events[2], events[1], events[3], events[0]}
	if !reflect.DeepEqual(ids(all), ids(want)) {
		t.Fatalf("timeline %v, want %v", ids(all), ids(want))
	}
	page := list(kith.EventFilter{ClientID: p.ClientID, Limit: 2})
	if !reflect.DeepEqual(ids(page), ids(want[:2])) {
		t.Fatalf("first page %v", ids(page))
	}
	last := page[1]
	page = list(kith.EventFilter{ClientID: p.ClientID, Limit: 2,
		Before: &kith.EventPosition{Time: last.Time, Seq: last.Seq}})
	if !reflect.DeepEqual(ids(page), ids(want[2:])) {
		t.Fatalf("second page %v, want %v", ids(page), ids(want[2:]))
	}
	visits := list(kith.EventFilter{ClientID: p.ClientID, Action: "page.visit"})
	if !reflect.DeepEqual(ids(visits), ids([]*kith.Event{events[1], events[3], events[0]})) {
		t.Fatalf("page.visit %v", ids(visits))
	}
	if none := list(kith.EventFilter{ClientID: p.ClientID + 1000}); len(none) != 0 {
		t.Fatalf("events of a missing profile: %v", ids(none))
	}
}

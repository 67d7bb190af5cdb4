package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// newEvents returns n events of a profile, one second apart from t0.
func newEvents(ws, clientID int64, n int, t0 time.Time, action string) []*kith.Event {
	out := make([]*kith.Event, n)
	for i := range out {
		out[i] = &kith.Event{
			EventID: fmt.Sprintf("%08x-0000-7000-8000-%012x", clientID, uuidCounter.Add(1)), WorkspaceID: ws,
			ClientID: clientID, Action: action, Time: t0.Add(time.Duration(i) * time.Second),
			ReceivedAt: t0, Source: kith.SourceAPI, Params: json.RawMessage(`{"n":1}`),
		}
	}
	return out
}

func TestInsertEventsSkipsDuplicates(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	p := createProfile(t, s, ws, "", "")
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	// More than one statement's worth, to cross a chunk boundary.
	events := newEvents(ws.ID, p.ClientID, maxEventRows+10, t0, "page.visit")
	events[0].Client = kith.Identifiers{UUID: p.UUIDs[0], Email: "a@example.com"}
	events[0].Context = kith.EventContext{IP: "192.0.2.1", UserAgent: "UA"}
	events[0].Params = nil
	update(t, s, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) })
	for i, e := range events {
		if e.Seq == 0 || i > 0 && e.Seq <= events[i-1].Seq {
			t.Fatalf("event %d has Seq %d after %d", i, e.Seq, events[i-1].Seq)
		}
	}
	view(t, s, func(tx kith.ReadTx) error {
		got, err := tx.FindEvent(ctx, ws.ID, events[0].EventID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, events[0]) {
			t.Errorf("FindEvent =\n%+v\nwant\n%+v", got, events[0])
		}
		return nil
	})

	// A repeat, old or within the batch, is skipped and keeps Seq 0.
	again := newEvents(ws.ID, p.ClientID, 3, t0, "page.visit")
	again[0].EventID = events[5].EventID
	again[2].EventID = again[1].EventID
	update(t, s, func(tx kith.Tx) error { return tx.InsertEvents(ctx, again) })
	if again[0].Seq != 0 || again[1].Seq == 0 || again[2].Seq != 0 {
		t.Errorf("Seqs %d %d %d, want 0, set, 0", again[0].Seq, again[1].Seq, again[2].Seq)
	}
	var n int
	if err := sqlRow(s, `SELECT count(*) FROM events`).Scan(&n); err != nil || n != len(events)+1 {
		t.Errorf("%d events stored, want %d (%v)", n, len(events)+1, err)
	}

	// The same event id is free in another workspace.
	ws2 := createWorkspace(t, s, kith.ModeEmail)
	p2 := createProfile(t, s, ws2, "", "")
	dup := newEvents(ws2.ID, p2.ClientID, 1, t0, "x")
	dup[0].EventID = events[0].EventID
	update(t, s, func(tx kith.Tx) error { return tx.InsertEvents(ctx, dup) })
	if dup[0].Seq == 0 {
		t.Error("an event id of another workspace was treated as a duplicate")
	}

	err := s.Update(ctx, func(tx kith.Tx) error {
		orphan := newEvents(ws.ID, 999999, 1, t0, "x")
		if err := tx.InsertEvents(ctx, orphan); !errors.Is(err, kith.ErrRetry) {
			t.Errorf("event of a missing profile: %v, want ErrRetry", err)
		}
		cross := newEvents(ws2.ID, p.ClientID, 1, t0, "x")
		if err := tx.InsertEvents(ctx, cross); !errors.Is(err, kith.ErrRetry) {
			t.Errorf("event pointing into another workspace: %v, want ErrRetry", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestListEventsPages(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	ws := createWorkspace(t, s, kith.ModeEmail)
	p := createProfile(t, s, ws, "", "")
	other := createProfile(t, s, ws, "", "")
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	events := newEvents(ws.ID, p.ClientID, 10, t0, "page.visit")
	// Equal times are ordered by Seq.
	for i := 5; i < 10; i++ {
		events[i].Time = t0.Add(time.Hour)
	}
	for i := 0; i < 10; i += 3 {
		events[i].Action = "form.submit"
	}
	update(t, s, func(tx kith.Tx) error {
		if err := tx.InsertEvents(ctx, events); err != nil {
			return err
		}
		return tx.InsertEvents(ctx, newEvents(ws.ID, other.ClientID, 3, t0, "page.visit"))
	})
	want := []string{}
	for i := 9; i >= 0; i-- {
		want = append(want, events[i].EventID)
	}
	view(t, s, func(tx kith.ReadTx) error {
		var got []string
		f := kith.EventFilter{ClientID: p.ClientID, Limit: 4}
		for page := 0; ; page++ {
			es, err := tx.ListEvents(ctx, ws.ID, f)
			if err != nil {
				return err
			}
			for _, e := range es {
				got = append(got, e.EventID)
			}
			if len(es) < f.Limit || page > 5 {
				break
			}
			last := es[len(es)-1]
			f.Before = &kith.EventPosition{Time: last.Time, Seq: last.Seq}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("pages gave\n%v\nwant\n%v", got, want)
		}
		es, err := tx.ListEvents(ctx, ws.ID, kith.EventFilter{ClientID: p.ClientID, Action: "form.submit"})
		if err != nil {
			return err
		}
		var ids []string
		for _, e := range es {
			ids = append(ids, e.EventID)
		}
		if w := []string{events[9].EventID, events[6].EventID, events[3].EventID, events[0].EventID}; !reflect.DeepEqual(ids, w) {
			t.Errorf("action filter gave %v, want %v", ids, w)
		}
		es, err = tx.ListEvents(ctx, ws.ID+1, kith.EventFilter{ClientID: p.ClientID})
		if err != nil || len(es) != 0 {
			t.Errorf("another workspace lists %d events, %v", len(es), err)
		}
		return nil
	})
}

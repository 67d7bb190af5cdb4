package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// eventTests checks how events are stored and read back: duplicates,
// round trips, the timeline order, paging and filtering, and their counts.
var eventTests = []testCase{
	{"Events_duplicate_eventId_stored_once", emailMode, testDuplicateEvents},
	{"Events_round_trip", emailMode, testEventRoundTrip},
	{"Events_timeline_order_and_paging", emailMode, testTimeline},
	{"Events_last_activity", emailMode, testLastActivity},
	{"Events_counted_by_hour_and_action", emailMode, testEventCounts},
}

func testDuplicateEvents(t *testing.T, st kith.Store, ws *kith.Workspace) {
	id := newUUID()
	r1 := mustApply(t, st, ws, ev("order.placed", ada, eventID(id), label("first"), tags("first")))
	r2 := mustApply(t, st, ws, ev("order.placed", ada, eventID(id), label("second"), tags("second"), attr("firstName", "X")))
	if !r2.Duplicate || r2.ClientID != r1.ClientID {
		t.Errorf("repeated eventId: result %+v, want duplicate on %d", r2, r1.ClientID)
	}
	eq(t, "order.placed events", countAction(t, st, ws, r1.ClientID, "order.placed"), 1)
	p := profile(t, st, ws, r1.ClientID)
	eq(t, "tags (the duplicate is a no-op)", p.Tags, []string{"first"})
	jsonEq(t, "attributes (the duplicate is a no-op)", p.Attributes, map[string]any{})
	if e, err := findEvent(t, st, ws, id); err != nil || e.Label != "first" {
		t.Errorf("FindEvent(%s) = %+v, %v; want the first one", id, e, err)
	}

	// Twice in one batch.
	id2 := newUUID()
	results, errs := batch(t, st, ws, ev("order.placed", ada, eventID(id2)), ev("order.placed", ada, eventID(id2)))
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("batch: %v", errs)
	}
	if results[0].Duplicate || !results[1].Duplicate {
		t.Errorf("batch duplicates = %v, %v; want false, true", results[0].Duplicate, results[1].Duplicate)
	}
	eq(t, "order.placed events", countAction(t, st, ws, r1.ClientID, "order.placed"), 2)

	// Without duplicate checking the store still keeps the first one only.
	id3 := newUUID()
	mustApply(t, st, ws, ev("order.placed", ada, rawEventID(id3), label("first")))
	mustApply(t, st, ws, ev("order.placed", ada, rawEventID(id3), label("second")))
	eq(t, "order.placed events", countAction(t, st, ws, r1.ClientID, "order.placed"), 3)
	if e, err := findEvent(t, st, ws, id3); err != nil || e.Label != "first" {
		t.Errorf("FindEvent(%s) = %+v, %v; want the first one", id3, e, err)
	}
	// Twice in one batch without duplicate checking: one InsertEvents call
	// holds the id twice.
	id4 := newUUID()
	_, errs = batch(t, st, ws, ev("order.placed", ada, rawEventID(id4), label("first")), ev("order.placed", ada, rawEventID(id4), label("second")))
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("batch: %v", errs)
	}
	eq(t, "order.placed events", countAction(t, st, ws, r1.ClientID, "order.placed"), 4)
	if _, err := findEvent(t, st, ws, newUUID()); kith.ErrorCode(err) != kith.ECodeNotFound {
		t.Errorf("FindEvent(unknown) = %v, want not_found", err)
	}
}

func testEventRoundTrip(t *testing.T, st kith.Store, ws *kith.Workspace) {
	when := time.Date(2026, 2, 3, 4, 5, 6, 123456789, time.FixedZone("CET", 3600))
	id, u := newUUID(), newUUID()
	const js = `{"amount": 129.99, "currency": "PLN", "items": [{"sku": "A-1", "qty": 2}],
		"note": "zażółć gęślą jaźń 🚀 \"quoted\" \\ back", "nested": {"empty": {}, "none": null, "flag": true, "list": []}}`
	w := ev("transaction.charge", ids(ada, browser(u)), rawEventID(id), at(when), label("Order #42"),
		source(kith.SourceAPI), origin("2001:db8::1", "curl/8.5.0"), eventParams(js))
	w.Event.Context.URL = "https://shop.example.com/checkout?x=1&y=2"
	w.Event.Context.Referrer = "https://www.example.org/"
	now := tick()
	res, err := applyAt(t, st, ws, now, w)
	if err != nil {
		t.Fatal(err)
	}
	e, err := findEvent(t, st, ws, id)
	if err != nil {
		t.Fatalf("FindEvent: %v", err)
	}
	check := func(how string, e *kith.Event) {
		t.Helper()
		eq(t, how+" eventId", e.EventID, id)
		eq(t, how+" workspace", e.WorkspaceID, ws.ID)
		eq(t, how+" clientId", e.ClientID, res.ClientID)
		eq(t, how+" action", e.Action, "transaction.charge")
		eq(t, how+" label", e.Label, "Order #42")
		eq(t, how+" source", e.Source, kith.SourceAPI)
		if want := when.Truncate(time.Microsecond); !e.Time.Equal(want) {
			t.Errorf("%s time = %v, want %v", how, e.Time, want)
		}
		if !e.ReceivedAt.Equal(now) {
			t.Errorf("%s receivedAt = %v, want %v", how, e.ReceivedAt, now)
		}
		jsonEq(t, how+" params", e.Params, json.RawMessage(js))
		eq(t, how+" client", e.Client, kith.Identifiers{Email: "ada@example.com", UUID: u})
		eq(t, how+" context", e.Context, kith.EventContext{IP: "2001:db8::1", UserAgent: "curl/8.5.0",
			URL: "https://shop.example.com/checkout?x=1&y=2", Referrer: "https://www.example.org/"})
		if e.Seq <= 0 {
			t.Errorf("%s seq = %d, want a store-assigned positive seq", how, e.Seq)
		}
	}
	check("FindEvent", e)
	listed := eventsOf(t, st, ws, res.ClientID, "transaction.charge")
	if len(listed) != 1 {
		t.Fatalf("ListEvents(transaction.charge) = %d events, want 1", len(listed))
	}
	check("ListEvents", listed[0])
	eq(t, "seq of FindEvent and ListEvents", listed[0].Seq, e.Seq)

	// Without eventId and time, an event gets a UUIDv7 and the receipt time.
	now2 := tick()
	if _, err := applyAt(t, st, ws, now2, ev("cart.add", ada)); err != nil {
		t.Fatal(err)
	}
	carts := eventsOf(t, st, ws, res.ClientID, "cart.add")
	if len(carts) != 1 {
		t.Fatalf("cart.add events = %d, want 1", len(carts))
	}
	if !carts[0].Time.Equal(now2) {
		t.Errorf("time of an event sent without one = %v, want the receipt time %v", carts[0].Time, now2)
	}
	eq(t, "version of a generated eventId", uuidVersion(t, carts[0].EventID), 7)

	// System events are read back the same way.
	add := eventsOf(t, st, ws, res.ClientID, kith.ActionClientAdd)
	if len(add) != 1 || add[0].Source != kith.SourceSystem || !add[0].Time.Equal(now) || !kith.IsUUID(add[0].EventID) {
		t.Errorf("client.add = %+v, want one system event at %v with a uuid eventId", add, now)
	}
}

func testTimeline(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(ada))
	// Events at scattered times, in scattered order...
	var writes []*identity.Write
	for i, m := range []int{7, 3, 11, 1, 9, 5, 12, 2, 8, 4, 10, 6} {
		action := kith.ActionPageVisit
		if i%3 == 0 {
			action = "cart.add"
		}
		writes = append(writes, ev(action, ada, at(ago(time.Duration(m)*time.Minute)), label(fmt.Sprint("m", m))))
	}
	for _, w := range writes[:6] {
		mustApply(t, st, ws, w)
	}
	batch(t, st, ws, writes[6:]...)
	// ...and a burst at one instant, in one batch and across batches.
	same := ago(30 * time.Second)
	var burst []*identity.Write
	for i := range 9 {
		burst = append(burst, ev(kith.ActionPageVisit, ada, at(same), label(fmt.Sprint("same", i))))
	}
	batch(t, st, ws, burst[:5]...)
	batch(t, st, ws, burst[5:]...)

	all := events(t, st, ws, p.ClientID)
	eq(t, "timeline length", len(all), 1+12+9) // client.add too
	seqs := map[int64]bool{}
	for i, e := range all {
		if seqs[e.Seq] {
			t.Errorf("seq %d appears twice", e.Seq)
		}
		seqs[e.Seq] = true
		if i > 0 && !before(e, all[i-1]) {
			t.Errorf("timeline[%d] (%v, seq %d) is not older than timeline[%d] (%v, seq %d)",
				i, e.Time, e.Seq, i-1, all[i-1].Time, all[i-1].Seq)
		}
	}
	var sameLabels []string
	for _, e := range all {
		if e.Time.Equal(same) {
			sameLabels = append(sameLabels, e.Label)
		}
	}
	eq(t, "events at one instant, newest (last received) first", sameLabels,
		[]string{"same8", "same7", "same6", "same5", "same4", "same3", "same2", "same1", "same0"})

	// Paging with Before returns the same sequence without gaps or repeats.
	for _, limit := range []int{1, 4, 7, 100} {
		eq(t, fmt.Sprint("pages of ", limit), eventIDs(page(t, st, ws, kith.EventFilter{ClientID: p.ClientID, Limit: limit})), eventIDs(all))
	}
	// Filtered by action, paged.
	var visits []*kith.Event
	for _, e := range all {
		if e.Action == kith.ActionPageVisit {
			visits = append(visits, e)
		}
	}
	eq(t, "page.visit count", len(visits), 8+9)
	eq(t, "page.visit filter", eventIDs(eventsOf(t, st, ws, p.ClientID, kith.ActionPageVisit)), eventIDs(visits))
	eq(t, "page.visit pages", eventIDs(page(t, st, ws, kith.EventFilter{ClientID: p.ClientID, Action: kith.ActionPageVisit, Limit: 3})), eventIDs(visits))
	eq(t, "cart.add count", len(eventsOf(t, st, ws, p.ClientID, "cart.add")), 4)
	eq(t, "unknown action", len(eventsOf(t, st, ws, p.ClientID, "nothing.here")), 0)
	eq(t, "limit", len(listEvents(t, st, ws, kith.EventFilter{ClientID: p.ClientID, Limit: 5})), 5)
}

// before reports whether a comes strictly after b in timeline order
// (newest first): older time, or same time and lower seq.
func before(a, b *kith.Event) bool {
	return a.Time.Before(b.Time) || a.Time.Equal(b.Time) && a.Seq < b.Seq
}

// page reads a whole timeline page by page, following the cursor.
func page(t testing.TB, st kith.Store, ws *kith.Workspace, f kith.EventFilter) []*kith.Event {
	t.Helper()
	var out []*kith.Event
	for range 1000 {
		got := listEvents(t, st, ws, f)
		if len(got) > f.Limit {
			t.Fatalf("ListEvents returned %d events, limit %d", len(got), f.Limit)
		}
		if len(got) == 0 {
			return out
		}
		out = append(out, got...)
		last := got[len(got)-1]
		f.Before = &kith.EventPosition{Time: last.Time, Seq: last.Seq}
	}
	t.Fatalf("paging did not end")
	return nil
}

func eventIDs(evs []*kith.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.EventID)
	}
	return out
}

func testLastActivity(t *testing.T, st kith.Store, ws *kith.Workspace) {
	t1, t2, t3 := ago(3*time.Hour), ago(2*time.Hour), ago(time.Hour)
	p := mustApply(t, st, ws, ev(kith.ActionPageVisit, ada, at(t2)))
	if got := profile(t, st, ws, p.ClientID).LastActivityAt; !got.Equal(t2) {
		t.Errorf("lastActivityAt after the first event = %v, want %v", got, t2)
	}
	mustApply(t, st, ws, ev(kith.ActionPageVisit, ada, at(t3)))
	mustApply(t, st, ws, ev(kith.ActionPageVisit, ada, at(t1))) // late arrival: never moves it back
	if got := profile(t, st, ws, p.ClientID).LastActivityAt; !got.Equal(t3) {
		t.Errorf("lastActivityAt = %v, want the latest event time %v", got, t3)
	}
	if !slices.IsSortedFunc(events(t, st, ws, p.ClientID), func(a, b *kith.Event) int { return b.Time.Compare(a.Time) }) {
		t.Errorf("timeline not newest first")
	}
}

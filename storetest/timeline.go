package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// timelineTests check timeline paging under concurrent writes.
var timelineTests = []testCase{
	{"Timeline_cursor_stable_while_events_arrive", emailMode, testTimelineCursorStable},
}

// testTimelineCursorStable reads a timeline page by page while events
// arrive between the pages: newer ones (which belong before the cursor,
// on pages already read) and backdated ones (which belong after it). Each
// page continues exactly where the previous one stopped: nothing is read
// twice, and every event older than the cursor is read, the late ones
// included.
func testTimelineCursorStable(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(ada))
	var writes []*identity.Write
	for i := range 20 {
		writes = append(writes, ev(kith.ActionPageVisit, ada, at(ago(time.Duration(100-i)*time.Minute)), label(fmt.Sprint("old", i))))
	}
	batch(t, st, ws, writes...)
	const limit = 4
	f := kith.EventFilter{ClientID: p.ClientID, Limit: limit}
	seen := map[string]bool{}
	var read []*kith.Event
	late := 0
	for pageNo := 0; ; pageNo++ {
		got := listEvents(t, st, ws, f)
		for _, e := range got {
			if seen[e.EventID] {
				t.Fatalf("page %d repeats event %s (%s)", pageNo, e.EventID, e.Label)
			}
			seen[e.EventID] = true
			if n := len(read); n > 0 && !before(e, read[n-1]) {
				t.Errorf("page %d: %s is not older than %s", pageNo, e.Label, read[n-1].Label)
			}
			read = append(read, e)
		}
		if len(got) < limit {
			break
		}
		last := got[len(got)-1]
		f.Before = &kith.EventPosition{Time: last.Time, Seq: last.Seq}
		// Between pages: a new event, one backdated before everything, and
		// one at the very time of the cursor's event (it sorts after it:
		// a later seq, so it belongs on a page already read).
		mustApply(t, st, ws, ev("cart.add", ada, label(fmt.Sprint("new", pageNo))))
		mustApply(t, st, ws, ev("cart.add", ada, at(ago(time.Duration(1000+pageNo)*time.Minute)), label(fmt.Sprint("late", pageNo))))
		mustApply(t, st, ws, ev("cart.add", ada, at(last.Time), label(fmt.Sprint("tie", pageNo))))
		late++
	}
	labels := map[string]bool{}
	for _, e := range read {
		labels[e.Label] = true
	}
	for i := range 20 {
		if !labels[fmt.Sprint("old", i)] {
			t.Errorf("old%d was never read", i)
		}
	}
	for i := range late {
		if !labels[fmt.Sprint("late", i)] {
			t.Errorf("backdated late%d, written before the page that should show it, was not read", i)
		}
		if labels[fmt.Sprint("new", i)] || labels[fmt.Sprint("tie", i)] {
			t.Errorf("event written after page %d showed up on a later page", i)
		}
	}
	// The whole timeline still has everything, in order.
	all := events(t, st, ws, p.ClientID)
	eq(t, "timeline length", len(all), 1+20+3*late)
}

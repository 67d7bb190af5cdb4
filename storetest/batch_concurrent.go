package storetest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/ingest"
)

// testBatchConcurrent: goroutines send batches through the ingestion
// service whose writes overlap on new uuids and identifiers, and resend
// events they sent before. Afterwards every identifier is on exactly one
// profile, every accepted event is stored once, and every resent event
// was answered as a duplicate on the profile holding it.
func testBatchConcurrent(t *testing.T, nodes []kith.Store, ws *kith.Workspace) {
	st := nodes[0]
	const (
		goroutines = 4
		batches    = 3
		perBatch   = 8
		nPeople    = 5
		nBrowsers  = 12
		nIdentify  = 8 // browsers 8–11 stay anonymous
	)
	people, uuids := crowd(ws, "b", nPeople, nBrowsers)
	// resend says that write i of batch b of goroutine g resends the
	// event of sent[g][of].
	type resend struct{ g, b, i, of int }
	plan := make([][][]*identity.Write, goroutines)
	sent := make([][]*identity.Write, goroutines) // each goroutine's original events, in order
	var resends []resend
	for g := range plan {
		rng := rand.New(rand.NewPCG(uint64(g), 17))
		for b := range batches {
			var writes []*identity.Write
			for i := range perBatch {
				k, br := rng.IntN(nPeople), rng.IntN(nBrowsers)
				name := fmt.Sprintf("b%d", k)
				r := rng.IntN(100)
				if r >= 80 && len(sent[g]) == 0 {
					r = 75 // nothing to resend yet
				}
				var w *identity.Write
				switch {
				case r < 30: // an anonymous visit
					w = ev(kith.ActionPageVisit, browser(uuids[br]))
				case r < 55: // a form identifies a (shared) browser
					w = ev(kith.ActionFormSubmit, ids(people[k], browser(uuids[br%nIdentify])), tags("lead"))
				case r < 70: // a backend event
					w = ev("order.placed", ids(people[k], secondary(ws, name)))
				case r < 80: // a strict upsert
					w = upsert(ids(people[k], secondary(ws, name)), tags("customer"))
				default: // an event this goroutine sent before, sent again
					of := rng.IntN(len(sent[g]))
					orig := sent[g][of]
					w = ev(orig.Event.Action, orig.Client, eventID(orig.Event.EventID))
					resends = append(resends, resend{g, b, i, of})
				}
				if w.Event != nil && w.Event.EventID == "" {
					eventID(newUUID())(w)
					sent[g] = append(sent[g], w)
				}
				normalize(t, ws, w)
				writes = append(writes, w)
			}
			plan[g] = append(plan[g], writes)
		}
	}
	now := tick()
	var o outcome
	results := make([][][]*identity.Result, goroutines)
	var mu sync.Mutex
	var failed []error
	hammer(goroutines, func(g int) {
		svc := &ingest.Service{Store: nodes[g%len(nodes)], Now: func() time.Time { return now }}
		for b, writes := range plan[g] {
			out, err := svc.Apply(t.Context(), ws, writes)
			if err != nil {
				mu.Lock()
				failed = append(failed, fmt.Errorf("goroutine %d batch %d: %w", g, b, err))
				mu.Unlock()
				return
			}
			rs := make([]*identity.Result, len(writes))
			for i, oc := range out {
				var werr error
				if oc.Err != nil {
					werr = oc.Err
				}
				o.record(writes[i], oc.Result, werr)
				rs[i] = oc.Result
			}
			results[g] = append(results[g], rs)
		}
	})
	for _, err := range failed {
		t.Errorf("batch failed as a whole: %v (code %s)", err, kith.ErrorCode(err))
	}
	o.noErrors(t)
	if len(failed) > 0 {
		t.FailNow()
	}
	checkInvariants(t, st, ws, &o, uuids, people)

	// Resends were answered as duplicates on the profile that holds the
	// event now (or held it then: it may have been merged since).
	for _, r := range resends {
		res := results[r.g][r.b][r.i]
		orig := sent[r.g][r.of]
		if !res.Duplicate {
			t.Errorf("goroutine %d batch %d write %d resends event %s: not reported duplicate (%+v)", r.g, r.b, r.i, orig.Event.EventID, res)
			continue
		}
		e, err := findEvent(t, st, ws, orig.Event.EventID)
		if err != nil {
			t.Errorf("resent event %s: %v", orig.Event.EventID, err)
			continue
		}
		if got, want := survivor(t, st, ws, res.ClientID), e.ClientID; got != want {
			t.Errorf("resend of event %s answered %d (now %d), but the event is on %d", orig.Event.EventID, res.ClientID, got, want)
		}
	}
	// Every identifier a write carried has an owner.
	for g := range plan {
		for _, writes := range plan[g] {
			for _, w := range writes {
				if w.Client.UUID != "" && owner(t, st, ws, kith.KindUUID, w.Client.UUID) == 0 {
					t.Errorf("uuid %s of an accepted write has no owner", w.Client.UUID)
				}
				if m := mainOf(ws, w.Client); m != "" && ownerOfMain(t, st, ws, w.Client) == 0 {
					t.Errorf("identifier %s of an accepted write has no owner", m)
				}
			}
		}
	}
	t.Logf("%d resends", len(resends))
}

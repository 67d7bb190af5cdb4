package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// What an identity session knows within one batch: each case resolves
// writes in one batch and checks they end as they would one by one.

// testBatchSameNew: writes of one batch that carry the same new identifier
// make one profile; the later ones find what the first created.
func testBatchSameNew(t *testing.T, st kith.Store, ws *kith.Workspace) {
	who := person(ws, "ada")
	u, u1, u2 := newUUID(), newUUID(), newUUID()
	rs := prepBatch(t, st, ws,
		ev(kith.ActionPageVisit, browser(u)),
		ev(kith.ActionPageVisit, browser(u)),
		ev(kith.ActionFormSubmit, ids(who, browser(u1))),
		ev(kith.ActionFormSubmit, ids(who, browser(u2))),
		ev(kith.ActionPageVisit, browser(u2)),
		ev("order.placed", who))
	a, p := rs[0].ClientID, rs[2].ClientID
	wantResult(t, rs[0], a, true, false)
	wantResult(t, rs[1], a, false, false)
	wantResult(t, rs[2], p, true, false)
	wantResult(t, rs[3], p, false, false)
	wantResult(t, rs[4], p, false, false)
	wantResult(t, rs[5], p, false, false)
	if a == p {
		t.Fatalf("the anonymous visitor and the customer share profile %d", a)
	}
	eq(t, "owner of u", owner(t, st, ws, kith.KindUUID, u), a)
	eq(t, "owner of u1", owner(t, st, ws, kith.KindUUID, u1), p)
	eq(t, "owner of u2", owner(t, st, ws, kith.KindUUID, u2), p)
	eq(t, "owner of the identifier", ownerOfMain(t, st, ws, who), p)
	eq(t, "uuids of the visitor", profile(t, st, ws, a).UUIDs, []string{u})
	eq(t, "uuids of the customer", sorted(profile(t, st, ws, p).UUIDs), sorted([]string{u1, u2}))
	eq(t, "visitor's page.visit", countAction(t, st, ws, a, kith.ActionPageVisit), 2)
	eq(t, "visitor's client.add", countAction(t, st, ws, a, kith.ActionClientAdd), 1)
	eq(t, "customer's form.submit", countAction(t, st, ws, p, kith.ActionFormSubmit), 2)
	eq(t, "customer's page.visit", countAction(t, st, ws, p, kith.ActionPageVisit), 1)
	eq(t, "customer's order.placed", countAction(t, st, ws, p, "order.placed"), 1)
	eq(t, "customer's client.add", countAction(t, st, ws, p, kith.ActionClientAdd), 1)
}

// testBatchIdentify: an anonymous visitor created in the batch is
// identified by a later write (R5), and a later write with the identifier
// and a new uuid attaches the uuid to it.
func testBatchIdentify(t *testing.T, st kith.Store, ws *kith.Workspace) {
	who := person(ws, "bea")
	u, v, w := newUUID(), newUUID(), newUUID()
	writes := []*identity.Write{
		ev(kith.ActionPageVisit, browser(u)),
		ev(kith.ActionFormSubmit, ids(who, browser(u))),
		ev("order.placed", ids(who, browser(v))),
		ev(kith.ActionPageVisit, browser(v)),
	}
	if ws.IdentityMode == kith.ModeEmail { // a secondary identifier filled, then found
		writes = append(writes,
			upsert(ids(who, custom("LOY-bea"))),
			ev(kith.ActionPageVisit, ids(custom("LOY-bea"), browser(w))))
	}
	rs := prepBatch(t, st, ws, writes...)
	a := rs[0].ClientID
	wantResult(t, rs[0], a, true, false)
	for i, r := range rs[1:] {
		if r.ClientID != a || r.Created || r.UUIDConflict || len(r.Merged) > 0 {
			t.Errorf("write %d (%s): result %+v, want profile %d, not created, no conflict, no merge", i+1, describe(writes[i+1]), r, a)
		}
	}
	p := profile(t, st, ws, a)
	eq(t, "main identifier", mainOfProfile(ws, p), mainOf(ws, who))
	eq(t, "owner of the identifier", ownerOfMain(t, st, ws, who), a)
	wantUUIDs := []string{u, v}
	if ws.IdentityMode == kith.ModeEmail {
		wantUUIDs = append(wantUUIDs, w)
		eq(t, "customId", p.CustomID, "LOY-bea")
		eq(t, "owner of the customId", owner(t, st, ws, kith.KindCustomID, "LOY-bea"), a)
	}
	eq(t, "uuids", sorted(p.UUIDs), sorted(wantUUIDs))
	for _, x := range wantUUIDs {
		eq(t, "owner of "+x, owner(t, st, ws, kith.KindUUID, x), a)
	}
	eq(t, "client.add", countAction(t, st, ws, a, kith.ActionClientAdd), 1)
	eq(t, "client.identify", countAction(t, st, ws, a, kith.ActionClientIdentify), 1)
}

// testBatchSharedDevice: R6 inside a batch. The profile created for the
// second customer must not be remembered as the holder of the shared uuid.
func testBatchSharedDevice(t *testing.T, st kith.Store, ws *kith.Workspace) {
	x, y := person(ws, "cy"), person(ws, "di")
	u := newUUID()
	rs := prepBatch(t, st, ws,
		ev(kith.ActionFormSubmit, ids(x, browser(u))),
		ev(kith.ActionFormSubmit, ids(y, browser(u))),
		ev(kith.ActionPageVisit, browser(u)),
		ev(kith.ActionFormSubmit, ids(y, browser(u))),
		ev("order.placed", y))
	px, py := rs[0].ClientID, rs[1].ClientID
	wantResult(t, rs[0], px, true, false)
	wantResult(t, rs[1], py, true, true)
	if px == py {
		t.Fatalf("two customers on one device share profile %d", px)
	}
	wantResult(t, rs[2], px, false, false)
	wantResult(t, rs[3], py, false, true)
	wantResult(t, rs[4], py, false, false)
	eq(t, "owner of the shared uuid", owner(t, st, ws, kith.KindUUID, u), px)
	eq(t, "owner of x", ownerOfMain(t, st, ws, x), px)
	eq(t, "owner of y", ownerOfMain(t, st, ws, y), py)
	if uu := profile(t, st, ws, py).UUIDs; len(uu) != 1 || uu[0] == u {
		t.Errorf("uuids of y's profile = %v, want one generated uuid other than %s", uu, u)
	}
	eq(t, "page.visit on x", countAction(t, st, ws, px, kith.ActionPageVisit), 1)
	eq(t, "form.submit on y", countAction(t, st, ws, py, kith.ActionFormSubmit), 2)
}

// testBatchMerge: an anonymous profile merged into a customer by a write
// of the batch (R4); the writes before answer it, the writes after answer
// the customer, and everything ends on the customer.
func testBatchMerge(t *testing.T, st kith.Store, ws *kith.Workspace) {
	who := person(ws, "eve")
	pu, u := newUUID(), newUUID()
	p := mustApply(t, st, ws, upsert(ids(who, browser(pu)))).ClientID
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u))).ClientID
	evIDs := []string{newUUID(), newUUID(), newUUID(), newUUID()}
	rs := prepBatch(t, st, ws,
		ev(kith.ActionPageVisit, browser(u), rawEventID(evIDs[0])),
		ev(kith.ActionFormSubmit, ids(who, browser(u)), rawEventID(evIDs[1])),
		ev(kith.ActionPageVisit, browser(u), rawEventID(evIDs[2])),
		ev("cart.add", ids(who, browser(u)), rawEventID(evIDs[3])))
	wantResult(t, rs[0], a, false, false)
	wantResult(t, rs[1], p, false, false, a)
	wantResult(t, rs[2], p, false, false)
	wantResult(t, rs[3], p, false, false)

	wantGone(t, st, ws, a)
	eq(t, "A's clientId answers", survivor(t, st, ws, a), p)
	eq(t, "owner of u", owner(t, st, ws, kith.KindUUID, u), p)
	got := profile(t, st, ws, p)
	eq(t, "uuids", sorted(got.UUIDs), sorted([]string{pu, u}))
	eq(t, "previousClientIds", got.PreviousClientIDs, []int64{a})
	for i, id := range evIDs {
		e, err := findEvent(t, st, ws, id)
		if err != nil {
			t.Errorf("event of write %d: %v", i, err)
			continue
		}
		eq(t, fmt.Sprintf("owner of the event of write %d", i), e.ClientID, p)
	}
	eq(t, "events left on A", len(events(t, st, ws, a)), 0)
	eq(t, "page.visit on P (A's earlier one too)", countAction(t, st, ws, p, kith.ActionPageVisit), 3)
	eq(t, "form.submit on P", countAction(t, st, ws, p, kith.ActionFormSubmit), 1)
	eq(t, "cart.add on P", countAction(t, st, ws, p, "cart.add"), 1)
	eq(t, "client.merge on P", countAction(t, st, ws, p, kith.ActionClientMerge), 1)
}

// testBatchChainedMerges: A is merged into B, then B into P, in one batch
// (email mode: B is anonymous but holds a customId). A's activity and
// identifiers follow both merges.
func testBatchChainedMerges(t *testing.T, st kith.Store, ws *kith.Workspace) {
	t1, t2, t3, t4 := ago(4*time.Hour), ago(3*time.Hour), ago(2*time.Hour), ago(time.Hour)
	who, loyalty := person(ws, "max"), custom("LOY-max")
	pu, u, v := newUUID(), newUUID(), newUUID()
	// Profiles created by events at t1: an upsert would set their
	// activity to the receipt time, later than every event here.
	p := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(who, browser(pu)), at(t1))).ClientID
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u), at(t1))).ClientID
	b := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(loyalty, browser(v)), at(t1))).ClientID
	rs := prepBatch(t, st, ws,
		ev(kith.ActionPageVisit, browser(u), at(t4), device(seenAt(safari, t4))),
		ev("order.placed", ids(loyalty, browser(u)), at(t1)), // A merged into B
		ev(kith.ActionPageVisit, browser(v), at(t2)),
		ev(kith.ActionFormSubmit, ids(who, browser(v)), at(t1)), // B merged into P
		ev(kith.ActionPageVisit, browser(u), at(t3)),
		ev("order.placed", loyalty, at(t1)))
	wantResult(t, rs[0], a, false, false)
	wantResult(t, rs[1], b, false, false, a)
	wantResult(t, rs[2], b, false, false)
	wantResult(t, rs[3], p, false, false, b)
	wantResult(t, rs[4], p, false, false)
	wantResult(t, rs[5], p, false, false)
	wantGone(t, st, ws, a)
	wantGone(t, st, ws, b)
	eq(t, "A's clientId answers", survivor(t, st, ws, a), p)
	eq(t, "B's clientId answers", survivor(t, st, ws, b), p)
	got := profile(t, st, ws, p)
	eq(t, "uuids", sorted(got.UUIDs), sorted([]string{pu, u, v}))
	eq(t, "customId brought by B", got.CustomID, "LOY-max")
	eq(t, "owner of the customId", owner(t, st, ws, kith.KindCustomID, "LOY-max"), p)
	eq(t, "previousClientIds", sorted(got.PreviousClientIDs), sorted([]int64{a, b}))
	lastActivity(t, st, ws, "survivor (A's latest event, moved twice)", p, t4)
	eq(t, "devices (A's, moved twice)", devicesOf(t, st, ws, p), map[string]time.Time{devKey(safari): t4})
	eq(t, "page.visit on P (3 before the batch, 3 in it)", countAction(t, st, ws, p, kith.ActionPageVisit), 6)
	eq(t, "order.placed on P", countAction(t, st, ws, p, "order.placed"), 2)
	eq(t, "client.merge on P", countAction(t, st, ws, p, kith.ActionClientMerge), 2)
}

// testBatchDerived: with derived uuids, a profile created in the batch is
// found by its derived uuid, and a derived uuid taken in the batch by an
// anonymous visitor is not given to the customer it derives from.
func testBatchDerived(t *testing.T, st kith.Store, ws *kith.Workspace) {
	dws := createWorkspace(t, st, ws.IdentityMode, derived("batch-salt"))
	x, y := person(dws, "ned"), person(dws, "ola")
	dx := identity.ProfileUUID(dws, x.Email, x.CustomID)
	dy := identity.ProfileUUID(dws, y.Email, y.CustomID)
	rs := prepBatch(t, st, dws,
		upsert(x),
		ev(kith.ActionPageVisit, browser(dx)),
		ev(kith.ActionPageVisit, browser(dy)), // y's derived uuid, on an anonymous visitor
		upsert(y),
		ev(kith.ActionPageVisit, browser(dy)))
	px, a, py := rs[0].ClientID, rs[2].ClientID, rs[3].ClientID
	wantResult(t, rs[0], px, true, false)
	wantResult(t, rs[1], px, false, false)
	wantResult(t, rs[2], a, true, false)
	wantResult(t, rs[3], py, true, false)
	wantResult(t, rs[4], a, false, false)
	if a == px || py == a || py == px {
		t.Fatalf("profiles %d, %d, %d: want three", px, a, py)
	}
	eq(t, "x's uuids", profile(t, st, dws, px).UUIDs, []string{dx})
	if uu := profile(t, st, dws, py).UUIDs; len(uu) != 1 || uu[0] == dy {
		t.Errorf("y's uuids = %v, want one random uuid (its derived one, %s, is the visitor's)", uu, dy)
	}
	eq(t, "owner of y's derived uuid", owner(t, st, dws, kith.KindUUID, dy), a)
}

// testBatchDuplicates: a caller-chosen eventId is stored once, in one batch
// and across batches, and a duplicate answers the profile the event is on
// now, also when that profile was merged away earlier in the batch.
func testBatchDuplicates(t *testing.T, st kith.Store, ws *kith.Workspace) {
	who := person(ws, "fay")
	x := newUUID()
	rs := prepBatch(t, st, ws,
		ev("order.placed", who, eventID(x), label("first")),
		ev("order.placed", who, eventID(x), label("second"), tags("dup1")))
	p := rs[0].ClientID
	wantResult(t, rs[0], p, true, false)
	if rs[0].Duplicate {
		t.Errorf("first event reported duplicate")
	}
	if !rs[1].Duplicate || rs[1].ClientID != p {
		t.Errorf("same eventId in one batch: result %+v, want duplicate on %d", rs[1], p)
	}

	// Across batches, whoever sends it.
	stranger := newUUID()
	rs = prepBatch(t, st, ws,
		ev("order.placed", who, eventID(x), tags("dup2")),
		ev(kith.ActionPageVisit, browser(stranger), eventID(x)))
	for i, r := range rs {
		if !r.Duplicate || r.ClientID != p {
			t.Errorf("write %d: eventId of an earlier batch: result %+v, want duplicate on %d", i, r, p)
		}
	}
	eq(t, "owner of the duplicate's uuid (a duplicate writes nothing)", owner(t, st, ws, kith.KindUUID, stranger), int64(0))
	eq(t, "order.placed events", countAction(t, st, ws, p, "order.placed"), 1)
	eq(t, "tags (duplicates are no-ops)", sorted(profile(t, st, ws, p).Tags), []string{})
	if e, err := findEvent(t, st, ws, x); err != nil || e.Label != "first" {
		t.Errorf("FindEvent(%s) = %+v, %v; want the first one", x, e, err)
	}

	// The profile holding the event is merged away earlier in the batch.
	u, y, z := newUUID(), newUUID(), newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u), eventID(y))).ClientID
	late := newUUID()
	rs = prepBatch(t, st, ws,
		ev(kith.ActionPageVisit, browser(u), eventID(z)),    // buffered on A
		ev(kith.ActionFormSubmit, ids(who, browser(u))),     // A merged into P
		ev(kith.ActionPageVisit, browser(u), eventID(y)),    // stored on A before the batch
		ev(kith.ActionPageVisit, browser(late), eventID(z)), // buffered on A, now on P
		ev(kith.ActionPageVisit, browser(late), eventID(y))) // once more
	wantResult(t, rs[0], a, false, false)
	wantResult(t, rs[1], p, false, false, a)
	for i, r := range rs[2:] {
		if !r.Duplicate || r.ClientID != p {
			t.Errorf("write %d: duplicate of an event of the merged-away profile %d: result %+v, want duplicate on the survivor %d",
				i+2, a, r, p)
		}
	}
	eq(t, "owner of the duplicates' uuid", owner(t, st, ws, kith.KindUUID, late), int64(0))
	for _, id := range []string{y, z} {
		if e, err := findEvent(t, st, ws, id); err != nil || e.ClientID != p {
			t.Errorf("FindEvent(%s) = %+v, %v; want it on %d", id, e, err, p)
		}
	}
	eq(t, "page.visit on P", countAction(t, st, ws, p, kith.ActionPageVisit), 2)

	// An eventId stored in another workspace is no duplicate here.
	other := createWorkspace(t, st, ws.IdentityMode)
	w := newUUID()
	mustApply(t, st, other, ev("order.placed", who, eventID(w)))
	rs = prepBatch(t, st, ws, ev("order.placed", who, eventID(w)))
	if rs[0].Duplicate || rs[0].ClientID != p {
		t.Errorf("eventId of another workspace: result %+v, want stored on %d", rs[0], p)
	}
	eq(t, "order.placed events", countAction(t, st, ws, p, "order.placed"), 2)
}

// testBatchActivity: the activity of a batch is written once per profile
// at Flush: the latest event time and the latest sighting of each device,
// including what profiles merged away during the batch did.
func testBatchActivity(t *testing.T, st kith.Store, ws *kith.Workspace) {
	t0, t1, t2, t3, t4 := ago(5*time.Hour), ago(4*time.Hour), ago(3*time.Hour), ago(2*time.Hour), ago(time.Hour)
	who := person(ws, "gus")
	p := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(who, browser(newUUID())), at(t0), device(seenAt(firefox, t0)))).ClientID
	ub := newUUID()
	b := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(ub), at(t0))).ClientID
	ua, uc, ud := newUUID(), newUUID(), newUUID()
	rs := prepBatch(t, st, ws,
		ev(kith.ActionPageVisit, who, at(t3), device(seenAt(chrome, t3))),
		ev(kith.ActionPageVisit, who, at(t1), device(seenAt(chrome, t1))),         // late: moves nothing back
		ev(kith.ActionPageVisit, browser(ua), at(t2), device(seenAt(safari, t2))), // creates A
		ev(kith.ActionPageVisit, browser(ub), at(t4), device(seenAt(firefox, t2))),
		ev(kith.ActionPageVisit, browser(ua), at(t1), device(seenAt(safari, t1))),
		ev(kith.ActionFormSubmit, ids(who, browser(ua)), at(t1)), // A merged into P
		ev(kith.ActionFormSubmit, ids(who, browser(ub)), at(t1)), // B merged into P
		ev(kith.ActionPageVisit, browser(uc), at(t3)),            // creates C
		ev(kith.ActionPageVisit, browser(uc), at(t2)),
		ev(kith.ActionPageVisit, browser(ud), at(t1), device(seenAt(chrome, t1))), // creates D
		ev(kith.ActionPageVisit, browser(ud), at(t4), device(seenAt(chrome, t4))))
	a, c, d := rs[2].ClientID, rs[7].ClientID, rs[9].ClientID
	wantResult(t, rs[5], p, false, false, a)
	wantResult(t, rs[6], p, false, false, b)
	wantGone(t, st, ws, a)
	wantGone(t, st, ws, b)
	lastActivity(t, st, ws, "customer (B's latest event at t4 moved with it)", p, t4)
	eq(t, "customer's devices", devicesOf(t, st, ws, p), map[string]time.Time{
		devKey(firefox): t2, // B's sighting, later than P's own
		devKey(chrome):  t3, // P's latest
		devKey(safari):  t2, // A's latest, A created and merged in the batch
	})
	lastActivity(t, st, ws, "profile created by an event, then an earlier one", c, t3)
	lastActivity(t, st, ws, "profile created by an event, then a later one", d, t4)
	eq(t, "D's devices", devicesOf(t, st, ws, d), map[string]time.Time{devKey(chrome): t4})
}

// testBatchEmailContact: in customId mode an email is a contact field,
// never looked up: the same email on writes with different customIds (or
// none) makes different profiles.
func testBatchEmailContact(t *testing.T, st kith.Store, ws *kith.Workspace) {
	const shared = "family-batch@example.com"
	p0 := mustApply(t, st, ws, upsert(ids(custom("C0"), email(shared)))).ClientID
	rs := prepBatch(t, st, ws,
		ev(kith.ActionFormSubmit, ids(custom("C1"), email(shared))),
		ev(kith.ActionFormSubmit, ids(custom("C2"), email(shared))),
		ev(kith.ActionPageVisit, email(shared)),
		ev("order.placed", ids(custom("C1"), email(shared))))
	p1, p2, p3 := rs[0].ClientID, rs[1].ClientID, rs[2].ClientID
	wantResult(t, rs[0], p1, true, false)
	wantResult(t, rs[1], p2, true, false)
	wantResult(t, rs[2], p3, true, false)
	wantResult(t, rs[3], p1, false, false)
	if len(map[int64]bool{p0: true, p1: true, p2: true, p3: true}) != 4 {
		t.Fatalf("profiles %d, %d, %d, %d: want four different profiles", p0, p1, p2, p3)
	}
	eq(t, "FindClientID(email)", owner(t, st, ws, kith.KindEmail, shared), int64(0))
	eq(t, "FindClientIDsByEmail", byEmail(t, st, ws, shared), sorted([]int64{p0, p1, p2, p3}))
	eq(t, "owner of C1", owner(t, st, ws, kith.KindCustomID, "C1"), p1)
	eq(t, "owner of C2", owner(t, st, ws, kith.KindCustomID, "C2"), p2)
	for _, id := range []int64{p1, p2, p3} {
		eq(t, fmt.Sprintf("email of %d", id), profile(t, st, ws, id).Email, shared)
	}
}

// testBatchChangeIdentifier: after an explicit identifier change in a
// session, the new value answers the changed profile and the old one
// nobody, whatever the session looked up before (with or without Prepare:
// ChangeIdentifier looks the new value up itself).
func testBatchChangeIdentifier(t *testing.T, st kith.Store, ws *kith.Workspace) {
	for _, prepare := range []bool{true, false} {
		for _, useNew := range []bool{true, false} {
			t.Run(fmt.Sprintf("prepare=%v/new_value=%v", prepare, useNew), func(t *testing.T) {
				name := fmt.Sprintf("hal-%v-%v", prepare, useNew)
				before, after := person(ws, name), person(ws, name+"-new")
				p := mustApply(t, st, ws, upsert(ids(before, browser(newUUID())))).ClientID
				v := newUUID()
				w := ev("order.placed", before) // the old value: nobody holds it now
				if useNew {
					w = ev("order.placed", ids(after, browser(v)))
				}
				normalize(t, ws, w)
				var res *identity.Result
				err := session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
					if prepare {
						if err := s.Prepare(ctx, []*identity.Write{w}); err != nil {
							return err
						}
					}
					if err := s.ChangeIdentifier(ctx, p, ws.MainKind(), mainOf(ws, after)); err != nil {
						return fmt.Errorf("change: %w", err)
					}
					var err error
					res, err = s.Apply(ctx, w)
					return err
				})
				if err != nil {
					// The failure this guards against: ChangeIdentifier
					// looks the new value up (the session caches "nobody
					// holds it"); unless it then records the new holder,
					// the write plans a new profile whose CreateProfile
					// hits the unique index: ErrRetry on every run.
					t.Errorf("profile %d: change %s to %s, then in the same session a write with %s: %v (code %s); want it %s "+
						"(the session must not keep answering from before the change)",
						p, mainOf(ws, before), mainOf(ws, after), mainOf(ws, w.Client), err, kith.ErrorCode(err),
						map[bool]string{true: "on the changed profile", false: "on a new profile"}[useNew])
					return
				}
				eq(t, "owner of the new value", ownerOfMain(t, st, ws, after), p)
				if useNew {
					wantResult(t, res, p, false, false)
					eq(t, "owner of v", owner(t, st, ws, kith.KindUUID, v), p)
				} else {
					if !res.Created || res.ClientID == p {
						t.Errorf("write with the old value: result %+v, want a new profile", res)
					}
					eq(t, "owner of the old value", ownerOfMain(t, st, ws, before), res.ClientID)
				}
			})
		}
	}
}

// testBatchErase: identifiers of a profile erased in the session are free
// for the later writes of the session.
func testBatchErase(t *testing.T, st kith.Store, ws *kith.Workspace) {
	who := person(ws, "ian")
	u := newUUID()
	p := mustApply(t, st, ws, upsert(ids(who, browser(u)))).ClientID
	w1 := ev(kith.ActionPageVisit, browser(u))
	w2 := ev(kith.ActionFormSubmit, ids(who, browser(newUUID())))
	normalize(t, ws, w1)
	normalize(t, ws, w2)
	var r1, r2 *identity.Result
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		if err := s.Prepare(ctx, []*identity.Write{w1, w2}); err != nil {
			return err
		}
		if _, err := s.Erase(ctx, p, false); err != nil {
			return err
		}
		var err error
		if r1, err = s.Apply(ctx, w1); err != nil {
			return err
		}
		r2, err = s.Apply(ctx, w2)
		return err
	})
	wantGone(t, st, ws, p)
	if !r1.Created || r1.ClientID == p {
		t.Errorf("visit with the erased profile's uuid: %+v, want a new profile", r1)
	}
	if !r2.Created || r2.ClientID == p || r2.ClientID == r1.ClientID {
		t.Errorf("form with the erased profile's identifier: %+v, want a new profile", r2)
	}
	eq(t, "owner of u", owner(t, st, ws, kith.KindUUID, u), r1.ClientID)
	eq(t, "owner of the identifier", ownerOfMain(t, st, ws, who), r2.ClientID)
}

// testBatchExplicitMerge: after an explicit merge in a session, the
// source's uuids answer the target and its released identifier nobody.
func testBatchExplicitMerge(t *testing.T, st kith.Store, ws *kith.Workspace) {
	x1, x2 := person(ws, "jo"), person(ws, "kim")
	u1, u2 := newUUID(), newUUID()
	p1 := mustApply(t, st, ws, upsert(ids(x1, browser(u1)))).ClientID
	p2 := mustApply(t, st, ws, upsert(ids(x2, browser(u2)))).ClientID
	wa := ev(kith.ActionPageVisit, browser(u2))
	wb := ev("order.placed", x2)
	normalize(t, ws, wa)
	normalize(t, ws, wb)
	var ra, rb *identity.Result
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		if err := s.Prepare(ctx, []*identity.Write{wa, wb}); err != nil {
			return err
		}
		if _, err := s.Merge(ctx, p1, []int64{p2}); err != nil {
			return err
		}
		var err error
		if ra, err = s.Apply(ctx, wa); err != nil {
			return err
		}
		rb, err = s.Apply(ctx, wb)
		return err
	})
	wantGone(t, st, ws, p2)
	wantResult(t, ra, p1, false, false)
	if !rb.Created || rb.ClientID == p1 || rb.ClientID == p2 {
		t.Errorf("write with the released identifier: %+v, want a new profile", rb)
	}
	eq(t, "owner of u2", owner(t, st, ws, kith.KindUUID, u2), p1)
	eq(t, "owner of the released identifier", ownerOfMain(t, st, ws, x2), rb.ClientID)
}

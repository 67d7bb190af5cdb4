package storetest

import (
	"slices"
	"testing"

	"github.com/kithcdp/kith"
)

// tableTests checks every row of the table in SPEC §2: where a write lands
// depending on who holds its uuid and who holds its strong identifier.
var tableTests = []testCase{
	{"Table1_uuid_none_strong_none_R8_new_profile", bothModes, testTableNoneNone},
	{"Table2_uuid_anonymous_strong_new_R5_identify", bothModes, testTableAnonymousNew},
	{"Table3_uuid_anonymous_strong_P_R4_merge", bothModes, testTableAnonymousP},
	{"Table4_uuid_recognized_strong_new_R6_new_profile", bothModes, testTableRecognizedNew},
	{"Table5_uuid_recognized_strong_P_R6_goes_to_P", bothModes, testTableRecognizedP},
	{"Table6_uuid_P_strong_P_goes_to_P", bothModes, testTablePP},
	{"Table7_uuid_none_strong_P_uuid_attached", bothModes, testTableNoneP},
}

// testTableNoneNone: uuid none, strong identifier none → new profile (R8).
func testTableNoneNone(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	ada := person(ws, "ada")
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	if res.ClientID <= 0 {
		t.Fatalf("result clientId = %d, want a new positive id", res.ClientID)
	}
	wantResult(t, res, res.ClientID, true, false)
	eq(t, "warnings", codes(res.Warnings), []string{})

	p := profile(t, st, ws, res.ClientID)
	eq(t, "uuids", p.UUIDs, []string{u})
	eq(t, "main identifier", mainOfProfile(ws, p), mainOf(ws, ada))
	if !p.Recognized(ws) {
		t.Errorf("profile created with a main identifier is anonymous")
	}
	eq(t, "owner of uuid", owner(t, st, ws, kith.KindUUID, u), p.ClientID)
	eq(t, "owner of main identifier", ownerOfMain(t, st, ws, ada), p.ClientID)
	eq(t, "clientId answers itself", survivor(t, st, ws, p.ClientID), p.ClientID)

	adds := eventsOf(t, st, ws, p.ClientID, kith.ActionClientAdd)
	if len(adds) != 1 {
		t.Fatalf("client.add events = %d, want 1", len(adds))
	}
	eq(t, "client.add source", params[addParams](t, adds[0]).Source, kith.SourceTracker)
	eq(t, "client.add event source", adds[0].Source, kith.SourceSystem)
	// It was created recognized: it never *became* recognized.
	eq(t, "client.identify events", countAction(t, st, ws, p.ClientID, kith.ActionClientIdentify), 0)
	eq(t, "form.submit events", countAction(t, st, ws, p.ClientID, kith.ActionFormSubmit), 1)

	// A uuid-only write creates an anonymous profile.
	u2 := newUUID()
	anon := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u2)))
	wantResult(t, anon, anon.ClientID, true, false)
	if anon.ClientID == p.ClientID {
		t.Fatalf("a new uuid landed on an existing profile")
	}
	a := profile(t, st, ws, anon.ClientID)
	if a.Recognized(ws) || a.Email != "" || a.CustomID != "" {
		t.Errorf("uuid-only profile = %+v, want anonymous without email/customId", a)
	}
	eq(t, "anonymous uuids", a.UUIDs, []string{u2})
}

// testTableAnonymousNew: uuid on anonymous A, strong identifier new → A
// becomes recognized (R5).
func testTableAnonymousNew(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u)))
	ada := person(ws, "ada")
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	wantResult(t, res, a.ClientID, false, false)
	eq(t, "warnings", codes(res.Warnings), []string{})

	p := profile(t, st, ws, a.ClientID)
	eq(t, "main identifier", mainOfProfile(ws, p), mainOf(ws, ada))
	eq(t, "uuids", p.UUIDs, []string{u})
	if !p.Recognized(ws) {
		t.Errorf("A is still anonymous after R5")
	}
	eq(t, "owner of main identifier", ownerOfMain(t, st, ws, ada), a.ClientID)

	identifies := eventsOf(t, st, ws, p.ClientID, kith.ActionClientIdentify)
	if len(identifies) != 1 {
		t.Fatalf("client.identify events = %d, want 1", len(identifies))
	}
	got := params[map[string]any](t, identifies[0])
	jsonEq(t, "client.identify params", got, map[string]any{string(ws.MainKind()): mainOf(ws, ada)})
	eq(t, "client.add events", countAction(t, st, ws, p.ClientID, kith.ActionClientAdd), 1)
	eq(t, "page.visit events", countAction(t, st, ws, p.ClientID, kith.ActionPageVisit), 1)
	eq(t, "form.submit events", countAction(t, st, ws, p.ClientID, kith.ActionFormSubmit), 1)
}

// testTableAnonymousP: uuid on anonymous A, strong identifier on P → A is
// merged into P (R4), P survives.
func testTableAnonymousP(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u)))
	visit := eventsOf(t, st, ws, a.ClientID, kith.ActionPageVisit)[0].EventID
	ada := person(ws, "ada")
	pr := mustApply(t, st, ws, upsert(ada))
	pUUIDs := profile(t, st, ws, pr.ClientID).UUIDs

	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	wantResult(t, res, pr.ClientID, false, false, a.ClientID)
	eq(t, "warnings", codes(res.Warnings), []string{})

	p := profile(t, st, ws, pr.ClientID)
	eq(t, "uuids of P", sorted(p.UUIDs), sorted(append(slices.Clone(pUUIDs), u)))
	eq(t, "main identifier of P", mainOfProfile(ws, p), mainOf(ws, ada))
	eq(t, "previousClientIds of P", p.PreviousClientIDs, []int64{a.ClientID})
	wantGone(t, st, ws, a.ClientID)
	eq(t, "owner of A's uuid", owner(t, st, ws, kith.KindUUID, u), p.ClientID)
	eq(t, "A's clientId answers", survivor(t, st, ws, a.ClientID), p.ClientID)

	e, err := findEvent(t, st, ws, visit)
	if err != nil {
		t.Fatalf("A's page.visit: %v", err)
	}
	eq(t, "A's page.visit now belongs to", e.ClientID, p.ClientID)
	eq(t, "page.visit on P's timeline", countAction(t, st, ws, p.ClientID, kith.ActionPageVisit), 1)
	eq(t, "form.submit on P's timeline", countAction(t, st, ws, p.ClientID, kith.ActionFormSubmit), 1)
	eq(t, "events left on A", len(events(t, st, ws, a.ClientID)), 0)

	merges := eventsOf(t, st, ws, p.ClientID, kith.ActionClientMerge)
	if len(merges) != 1 {
		t.Fatalf("client.merge events on P = %d, want 1", len(merges))
	}
	mp := params[mergeParams](t, merges[0])
	eq(t, "client.merge fromClientIds", mp.FromClientIDs, []int64{a.ClientID})
	eq(t, "client.merge reason", mp.Reason, kith.MergeImplicit)
	if mp.MergeID <= 0 {
		t.Errorf("client.merge mergeId = %d, want the journal entry's id", mp.MergeID)
	}
	// P was recognized before: the merge does not identify it again.
	eq(t, "client.identify on P", countAction(t, st, ws, p.ClientID, kith.ActionClientIdentify), 0)
}

// testTableRecognizedNew: uuid on recognized R (another main identifier),
// strong identifier new → a new profile, the uuid stays on R (R6).
func testTableRecognizedNew(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	r := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(person(ws, "ada"), browser(u))))
	bob := person(ws, "bob")
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(bob, browser(u))))
	if res.ClientID == r.ClientID {
		t.Fatalf("bob's write landed on ada's profile %d", r.ClientID)
	}
	wantResult(t, res, res.ClientID, true, true)

	eq(t, "owner of the shared uuid", owner(t, st, ws, kith.KindUUID, u), r.ClientID)
	eq(t, "R's uuids", profile(t, st, ws, r.ClientID).UUIDs, []string{u})
	n := profile(t, st, ws, res.ClientID)
	eq(t, "new profile's main identifier", mainOfProfile(ws, n), mainOf(ws, bob))
	if len(n.UUIDs) != 1 || n.UUIDs[0] == u {
		t.Errorf("new profile's uuids = %v, want one generated uuid other than %s", n.UUIDs, u)
	} else {
		eq(t, "owner of the generated uuid", owner(t, st, ws, kith.KindUUID, n.UUIDs[0]), n.ClientID)
	}
	eq(t, "owner of bob", ownerOfMain(t, st, ws, bob), n.ClientID)
	eq(t, "form.submit on the new profile", countAction(t, st, ws, n.ClientID, kith.ActionFormSubmit), 1)
	eq(t, "form.submit on R", countAction(t, st, ws, r.ClientID, kith.ActionFormSubmit), 1)
}

// testTableRecognizedP: uuid on recognized R, strong identifier on P ≠ R →
// the write goes to P, no merge, the uuid stays on R (R6).
func testTableRecognizedP(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	r := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(person(ws, "ada"), browser(u))))
	bob := person(ws, "bob")
	p := mustApply(t, st, ws, upsert(bob))
	pUUIDs := profile(t, st, ws, p.ClientID).UUIDs

	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(bob, browser(u))))
	wantResult(t, res, p.ClientID, false, true)
	eq(t, "owner of the uuid", owner(t, st, ws, kith.KindUUID, u), r.ClientID)
	eq(t, "R's uuids", profile(t, st, ws, r.ClientID).UUIDs, []string{u})
	eq(t, "P's uuids", sorted(profile(t, st, ws, p.ClientID).UUIDs), sorted(pUUIDs))
	eq(t, "form.submit on P", countAction(t, st, ws, p.ClientID, kith.ActionFormSubmit), 1)
	eq(t, "client.merge on P", countAction(t, st, ws, p.ClientID, kith.ActionClientMerge), 0)
	eq(t, "client.merge on R", countAction(t, st, ws, r.ClientID, kith.ActionClientMerge), 0)

	// The same as a strict upsert: not a conflict, only uuidConflict.
	up := mustApply(t, st, ws, upsert(ids(bob, browser(u))))
	wantResult(t, up, p.ClientID, false, true)
	eq(t, "owner of the uuid after the upsert", owner(t, st, ws, kith.KindUUID, u), r.ClientID)
}

// testTablePP: uuid and strong identifier both on P → the write goes to P.
func testTablePP(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	ada := person(ws, "ada")
	p := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	wantResult(t, res, p.ClientID, false, false)
	eq(t, "warnings", codes(res.Warnings), []string{})
	eq(t, "uuids", profile(t, st, ws, p.ClientID).UUIDs, []string{u})
	eq(t, "form.submit events", countAction(t, st, ws, p.ClientID, kith.ActionFormSubmit), 2)
	eq(t, "client.add events", countAction(t, st, ws, p.ClientID, kith.ActionClientAdd), 1)
}

// testTableNoneP: uuid new, strong identifier on P → the uuid is attached
// to P.
func testTableNoneP(t *testing.T, st kith.Store, ws *kith.Workspace) {
	ada := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(ada))
	before := profile(t, st, ws, p.ClientID).UUIDs
	if len(before) != 1 {
		t.Fatalf("upserted profile has uuids %v, want one generated uuid", before)
	}
	u := newUUID()
	res := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(ada, browser(u))))
	wantResult(t, res, p.ClientID, false, false)
	eq(t, "uuids", sorted(profile(t, st, ws, p.ClientID).UUIDs), sorted([]string{before[0], u}))
	eq(t, "owner of the new uuid", owner(t, st, ws, kith.KindUUID, u), p.ClientID)
}
